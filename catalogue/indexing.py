"""Keeps the search index in step with the database; the only module that imports `search_index`.

Every flush that touches an offer writes a row to the change log (`index_changes`) in the same
transaction. After the commit, this process applies the pending rows to its own index replica; a
replica that finds the writer lock busy leaves them for the next commit or `index sync`. Every
process also looks at the log now and then while it serves (`follow_change_log`), so a replica
catches up with rows that another process or another machine wrote.

A replica remembers only the highest sequence number it has applied, so the rows must become
visible in sequence order. SQLite has one writer at a time, which gives that order; on
PostgreSQL two transactions could take numbers 10 and 11 and commit 11 first, and a replica
that applied 11 would never look at 10 again. So there every transaction that changes offers
first takes one advisory lock, held until it commits or rolls back.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context, request
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session

from catalogue.config import SEEDS_DIR
from catalogue.extensions import db
from catalogue.models import IndexChange, Offer, OfferSession, Partner, offer_list_options
from catalogue.rendering import markdown_to_text
from catalogue.schedules import next_start, session_days
from catalogue.timeutil import to_local, utcnow
from catalogue.vocabulary import Vocabulary, load_vocabulary
from search_index import (
    IndexLocked,
    IndexMissing,
    OfferDocument,
    SearchIndex,
    SearchRequest,
    SearchResult,
)
from search_index.completion import rank_labels

__all__ = ["IndexMissing", "SearchRequest", "SearchResult", "rank_labels"]

log = logging.getLogger(__name__)

_PENDING_FLAG = "index_changes_pending"
_ORDER_LOCKED = "change_log_order_locked"
# pg_advisory_xact_lock key of the change log ("MINT" in ASCII).
_CHANGE_LOG_LOCK_KEY = 0x4D494E54
_BATCH = 500
# How often (seconds) a serving process looks for change rows it has not applied, and how long
# it then waits for the writer lock: someone else holding it is applying them anyway.
FOLLOW_INTERVAL = 2.0
_FOLLOW_LOCK_TIMEOUT = 0.2


def init_app(app: Flask) -> None:
    """Give the app its index replica and start recording offer changes."""
    app.extensions["search_index"] = SearchIndex(
        app.config["INDEX_DIR"],
        lock_timeout=app.config["INDEX_LOCK_TIMEOUT"],
        synonyms=json.loads((SEEDS_DIR / "synonyms.json").read_text(encoding="utf-8")),
    )
    app.extensions["change_log_follower"] = {"checked_at": 0.0}
    app.before_request(follow_change_log)
    if not event.contains(Session, "after_flush", _record_changes):
        event.listen(Session, "before_flush", _lock_change_log_order)
        event.listen(Session, "after_flush", _record_changes)
        event.listen(Session, "after_commit", _apply_after_commit)


def get_index() -> SearchIndex:
    return current_app.extensions["search_index"]


def search(request: SearchRequest) -> SearchResult:
    """Ask the index; raises IndexMissing when there is none."""
    return get_index().search(request)


def complete(text: str, limit: int) -> list[int]:
    """Ids of offers whose titles `text` completes, best first; raises IndexMissing."""
    return get_index().complete(text, limit)


def _offer_changes(session: Session) -> Iterator[Offer | OfferSession | Partner]:
    """What in the session changes an offer's search document: offers and their sessions, and
    partners whose own columns (the name) changed. New partners have no offers yet."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Offer):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            yield obj
        elif isinstance(obj, OfferSession) or (
            isinstance(obj, Partner)
            and obj not in session.new
            and session.is_modified(obj, include_collections=False)
        ):
            yield obj


def _lock_change_log_order(session: Session, _flush_context: Any, _instances: Any) -> None:
    """On PostgreSQL, serialise transactions that change offers (see the module docstring).

    Taken before the flush writes any offer row, so that two transactions never wait for each
    other's row locks while one of them holds this lock.
    """
    transaction = session.get_transaction()
    if (
        session.info.get(_ORDER_LOCKED) is transaction
        or next(_offer_changes(session), None) is None
    ):
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHANGE_LOG_LOCK_KEY}
        )
    session.info[_ORDER_LOCKED] = transaction


def _changed_offer_ids(session: Session) -> set[int]:
    offer_ids: set[int] = set()
    partner_ids: set[int] = set()
    for obj in _offer_changes(session):
        if isinstance(obj, Offer) and obj.id is not None:
            offer_ids.add(obj.id)
        elif isinstance(obj, OfferSession) and obj.offer_id is not None:
            offer_ids.add(obj.offer_id)
        elif isinstance(obj, Partner) and obj.id is not None:
            partner_ids.add(obj.id)
    if partner_ids:
        # A partner's name is part of each of its offers' documents.
        offer_ids.update(
            session.execute(select(Offer.id).where(Offer.partner_id.in_(partner_ids))).scalars()
        )
    return offer_ids


def _record_changes(session: Session, _flush_context: Any) -> None:
    """Write one change-log row per changed offer, inside the flushing transaction."""
    offer_ids = _changed_offer_ids(session)
    if not offer_ids:
        return
    now = utcnow()
    session.execute(
        insert(IndexChange), [{"offer_id": oid, "created_at": now} for oid in sorted(offer_ids)]
    )
    session.info[_PENDING_FLAG] = True


def _apply_after_commit(session: Session) -> None:
    if not session.info.pop(_PENDING_FLAG, False) or not has_app_context():
        return
    # The committed session cannot emit SQL any more; a session of its own reads the log.
    _catch_up()


def offer_document(offer: Offer, vocabulary: Vocabulary) -> OfferDocument:
    """The search document of a published offer."""
    stages = [t.slug for t in offer.terms_of("stage")]
    subjects = [t.slug for t in offer.terms_of("subject")]
    formats = [t.slug for t in offer.terms_of("format")]
    audiences = [t.slug for t in offer.terms_of("audience")]
    labels = [
        vocabulary.label(facet, slug, locale)
        for facet, slugs in (
            ("stage", stages),
            ("subject", vocabulary.with_ancestors("subject", subjects)),
            ("format", formats),
            ("audience", audiences),
        )
        for slug in slugs
        for locale in ("de", "en")
    ]
    labels += [offer.district.label_de, offer.municipality or "", offer.venue or ""]
    published = offer.published_at or offer.updated_at or utcnow()
    return OfferDocument(
        id=offer.id,
        title=offer.title,
        summary=offer.summary,
        description=markdown_to_text(offer.description),
        partner=offer.partner.slug,
        partner_name=offer.partner.name,
        stages=tuple(stages),
        subjects=vocabulary.with_ancestors("subject", subjects),
        formats=tuple(formats),
        audiences=tuple(audiences),
        mode=offer.mode.slug,
        district=offer.district.slug,
        municipality=offer.municipality or "",
        keywords=" ".join(label for label in labels if label),
        age_min=offer.age_min,
        age_max=offer.age_max,
        free=offer.is_free,
        days=session_days(offer),
        bookable_any_time=offer.schedule_kind == "on-request",
        next_start=next_start(offer),
        published_at=to_local(published),
    )


def _published_documents(
    session: Session, offer_ids: list[int], vocabulary: Vocabulary, unpublished: list[int]
) -> Iterator[OfferDocument]:
    """The documents of the published offers among `offer_ids`, read in batches; the ids of
    the others (unpublished or deleted) are appended to `unpublished` on the way."""
    # Offers the caller holds stay in its session; the others are let go after use, or an
    # import of 100,000 offers would stay in memory.
    held = {obj.id for obj in session.identity_map.values() if isinstance(obj, Offer)}
    for start in range(0, len(offer_ids), _BATCH):
        chunk = offer_ids[start : start + _BATCH]
        offers = session.execute(
            select(Offer).where(Offer.id.in_(chunk)).options(*offer_list_options())
        ).scalars()
        published = set()
        for offer in offers:
            if offer.status == "published":
                published.add(offer.id)
                yield offer_document(offer, vocabulary)
            if offer.id not in held:
                session.expunge(offer)
        unpublished.extend(offer_id for offer_id in chunk if offer_id not in published)


def _catch_up(lock_timeout: float | None = None) -> None:
    """Apply pending change rows in a session of its own. A busy lock leaves them for the next
    writer or `index sync`; a missing index is what /healthz and the pages report."""
    with Session(db.engine) as own_session:
        try:
            apply_pending_changes(own_session, lock_timeout=lock_timeout)
        except (IndexLocked, IndexMissing) as exc:
            log.warning("index not updated now, the change log keeps the rows: %s", exc)


def follow_change_log() -> None:
    """Before a request, at most every FOLLOW_INTERVAL seconds: apply change rows this replica
    has not seen (written by a process whose own attempt found the lock busy, or by another
    machine). Never fails the request it runs in."""
    follower = current_app.extensions["change_log_follower"]
    now = time.monotonic()
    if request.endpoint == "static" or now - follower["checked_at"] < FOLLOW_INTERVAL:
        return
    follower["checked_at"] = now
    try:
        _catch_up(lock_timeout=_FOLLOW_LOCK_TIMEOUT)
    except Exception:
        # The request itself may not need the index or the change log at all (a database that
        # is down answers from the request's own queries, with their own error pages).
        log.exception("following the change log failed")


def warm_up() -> None:
    """Catch up with the change log and open this process's searcher (a new server worker)."""
    _catch_up()
    with contextlib.suppress(IndexMissing):
        get_index().search(SearchRequest(facets=("stage",)))


def apply_pending_changes(
    session: Session | None = None, *, lock_timeout: float | None = None
) -> int:
    """Apply change-log rows newer than the index's mark; returns how many rows were applied.

    All pending rows go into one index commit (an import of thousands of offers is one
    segment, not one per batch), each changed offer once. `lock_timeout` overrides how long
    to wait for the writer lock.
    """
    session = session or db.session
    index = get_index()
    applied = index.applied_seq()
    through, rows = session.execute(
        select(func.max(IndexChange.seq), func.count()).where(IndexChange.seq > applied)
    ).one()
    if not rows:
        return 0
    offer_ids = sorted(
        set(
            session.execute(
                select(IndexChange.offer_id).where(
                    IndexChange.seq > applied, IndexChange.seq <= through
                )
            ).scalars()
        )
    )
    vocabulary = load_vocabulary(session)
    unpublished: list[int] = []
    # The index consumes the documents first and the deletions after, so the list is complete
    # by then; both are read only once the index's writer lock is held.
    index.apply(
        upserts=_published_documents(session, offer_ids, vocabulary, unpublished),
        deletes=unpublished,
        through_seq=through,
        lock_timeout=lock_timeout,
    )
    return rows


def rebuild_index(session: Session | None = None) -> int:
    """Build a fresh index of every published offer beside the old one and swap it in."""
    session = session or db.session
    # Rows after this mark are applied by the next sync, so nothing written meanwhile is lost.
    through_seq = _newest_seq(session)
    vocabulary = load_vocabulary(session)
    ids = list(
        session.execute(
            select(Offer.id).where(Offer.status == "published").order_by(Offer.id)
        ).scalars()
    )
    # Offers unpublished meanwhile are left out here and handled by the sync below.
    documents = _published_documents(session, ids, vocabulary, [])
    count = get_index().rebuild(documents, through_seq=through_seq)
    apply_pending_changes(session)
    return count


@dataclass(frozen=True)
class Drift:
    missing: set[int]  # published in the database, absent from the index
    extra: set[int]  # in the index, not published in the database
    pending: int  # change-log rows not yet applied
    # Sequence numbers the index has applied that the change log does not have: the database
    # was restored from a backup (or replaced). The index would skip the next changes until
    # `index rebuild`.
    ahead: int = 0

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.extra) + self.ahead


def check_index(session: Session | None = None) -> Drift:
    """Compare the index with the database."""
    session = session or db.session
    index = get_index()
    published = set(session.execute(select(Offer.id).where(Offer.status == "published")).scalars())
    indexed = index.doc_ids()
    applied = index.applied_seq()
    pending = session.execute(
        select(func.count()).select_from(IndexChange).where(IndexChange.seq > applied)
    ).scalar_one()
    newest = _newest_seq(session)
    return Drift(
        missing=published - indexed,
        extra=indexed - published,
        pending=pending,
        ahead=max(0, applied - newest),
    )


def _newest_seq(session: Session) -> int:
    return session.execute(select(func.coalesce(func.max(IndexChange.seq), 0))).scalar_one()


def index_status() -> dict[str, Any]:
    """Generation and lag of this process's replica, for /healthz."""
    index = get_index()
    try:
        applied = index.applied_seq()
        generation = index.generation()
    except IndexMissing:
        return {"status": "missing"}
    newest = _newest_seq(db.session)
    return {
        # "ahead": the index has applied changes the database does not know (restored from a
        # backup): it needs `index rebuild`.
        "status": "ok" if newest >= applied else "ahead",
        "generation": generation,
        "applied_seq": applied,
        "lag": max(0, newest - applied),
    }
