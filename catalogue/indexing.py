"""Keeps the search index in step with the database; the only module that imports `search_index`.

Every flush that touches an offer writes a row to the change log (`index_changes`) in the same
transaction. After the commit, this process applies the pending rows to its own index replica; a
replica that finds the writer lock busy leaves them for the next commit or `index sync`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, func, insert, select
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
_BATCH = 500


def init_app(app: Flask) -> None:
    """Give the app its index replica and start recording offer changes."""
    app.extensions["search_index"] = SearchIndex(
        app.config["INDEX_DIR"],
        lock_timeout=app.config["INDEX_LOCK_TIMEOUT"],
        synonyms=json.loads((SEEDS_DIR / "synonyms.json").read_text(encoding="utf-8")),
    )
    if not event.contains(Session, "after_flush", _record_changes):
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


def _changed_offer_ids(session: Session) -> set[int]:
    offer_ids: set[int] = set()
    partner_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Offer) and obj.id is not None:
            if obj in session.dirty and not session.is_modified(obj):
                continue
            offer_ids.add(obj.id)
        elif isinstance(obj, OfferSession) and obj.offer_id is not None:
            offer_ids.add(obj.offer_id)
        elif (
            isinstance(obj, Partner)
            and obj.id is not None
            and obj not in session.new
            and session.is_modified(obj, include_collections=False)
        ):
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
    # The committed session cannot emit SQL any more; a short session of its own reads the log.
    with Session(db.engine) as own_session:
        try:
            apply_pending_changes(own_session)
        except (IndexLocked, IndexMissing) as exc:
            log.warning("index not updated now, the change log keeps the rows: %s", exc)


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


def apply_pending_changes(session: Session | None = None) -> int:
    """Apply change-log rows newer than the index's mark; returns how many rows were applied.

    All pending rows go into one index commit (an import of thousands of offers is one
    segment, not one per batch), each changed offer once.
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
    )
    return rows


def rebuild_index(session: Session | None = None) -> int:
    """Build a fresh index of every published offer beside the old one and swap it in."""
    session = session or db.session
    # Rows after this mark are applied by the next sync, so nothing written meanwhile is lost.
    through_seq = session.execute(select(func.coalesce(func.max(IndexChange.seq), 0))).scalar_one()
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

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.extra)


def check_index(session: Session | None = None) -> Drift:
    """Compare the index with the database."""
    session = session or db.session
    index = get_index()
    published = set(session.execute(select(Offer.id).where(Offer.status == "published")).scalars())
    indexed = index.doc_ids()
    pending = session.execute(
        select(func.count()).select_from(IndexChange).where(IndexChange.seq > index.applied_seq())
    ).scalar_one()
    return Drift(missing=published - indexed, extra=indexed - published, pending=pending)


def index_status() -> dict[str, Any]:
    """Generation and lag of this process's replica, for /healthz."""
    index = get_index()
    try:
        applied = index.applied_seq()
        generation = index.generation()
    except IndexMissing:
        return {"status": "missing"}
    newest = db.session.execute(select(func.coalesce(func.max(IndexChange.seq), 0))).scalar_one()
    return {
        "status": "ok",
        "generation": generation,
        "applied_seq": applied,
        "lag": newest - applied,
    }
