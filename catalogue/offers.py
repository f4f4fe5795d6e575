"""Operations on offers for partners and editors: create, edit, submit, withdraw, duplicate,
approve, reject. They flush, never commit; status moves go through `workflow`.

An offer that is live stays live while its partner edits it: the edit becomes an OfferRevision,
reviewed like a new offer, and only its approval changes the public text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from catalogue import workflow
from catalogue.models import Offer, OfferRevision, Partner, User
from catalogue.offer_records import apply_record, validate_record
from catalogue.serializers import offer_full
from catalogue.timeutil import utcnow
from catalogue.vocabulary import load_vocabulary

# Statuses in which a partner edits the offer row itself (nothing of it is public).
DIRECTLY_EDITABLE = ("draft", "rejected")


class OfferActionError(ValueError):
    """An action the offer's state does not allow; the message is for people."""


def offer_by_slug(session: Session, slug: str, *, for_update: bool = False) -> Offer | None:
    """The offer with this slug. `for_update` locks its row until the commit (PostgreSQL; on
    SQLite a write request holds the database's write lock, catalogue.database), so that two
    requests acting on one offer at once act one after the other, the second on what the first
    left: a double click on "submit", two editors deciding."""
    query = select(Offer).where(Offer.slug == slug)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def can_edit(user: User, offer: Offer) -> bool:
    """Partners touch only their own partner's offers; editors may touch any."""
    return user.is_editor or (user.role == "partner" and user.partner_id == offer.partner_id)


def offer_record(offer: Offer) -> dict[str, Any]:
    """The offer as a record (what forms start from): its latest edit unless that was approved
    or dropped, so that a partner continues where they left off."""
    revision = latest_revision(offer)
    if revision is not None and revision.status in ("draft", "submitted", "rejected"):
        return dict(revision.data)
    record = offer_full(offer)
    record["partner"] = offer.partner.slug
    return record


def _validate(session: Session, record: dict[str, Any]) -> dict[str, Any]:
    partner_slugs = set(session.execute(select(Partner.slug)).scalars())
    return validate_record(record, load_vocabulary(session), partner_slugs)


def latest_revision(offer: Offer) -> OfferRevision | None:
    session = Session.object_session(offer)
    if session is None or offer.id is None:
        return None
    return (
        session.execute(
            select(OfferRevision)
            .where(OfferRevision.offer_id == offer.id)
            .order_by(OfferRevision.id.desc())
        )
        .scalars()
        .first()
    )


def latest_revisions(session: Session, offer_ids: list[int]) -> dict[int, OfferRevision]:
    """The latest revision of each of these offers that has one, in one query (for lists)."""
    newest = (
        select(func.max(OfferRevision.id))
        .where(OfferRevision.offer_id.in_(offer_ids))
        .group_by(OfferRevision.offer_id)
    )
    revisions = session.execute(select(OfferRevision).where(OfferRevision.id.in_(newest)))
    return {revision.offer_id: revision for revision in revisions.scalars()}


def open_revision(offer: Offer) -> OfferRevision | None:
    session = Session.object_session(offer)
    if session is None or offer.id is None:
        return None
    return (
        session.execute(
            select(OfferRevision)
            .where(
                OfferRevision.offer_id == offer.id, OfferRevision.status.in_(("draft", "submitted"))
            )
            .order_by(OfferRevision.id.desc())
        )
        .scalars()
        .first()
    )


def _keep_editorial_fields(clean: dict[str, Any], record: dict[str, Any], offer: Offer) -> None:
    """Partners' forms do not carry the demo flag and the date an editor last verified the offer;
    an edit without them leaves them as they were instead of clearing them."""
    if "demo" not in record:
        clean["is_demo"] = offer.is_demo
    if "last_verified" not in record:
        clean["last_verified"] = offer.last_verified


def create_offer(
    session: Session,
    partner: Partner,
    record: dict[str, Any],
    author: User,
    *,
    submit: bool = False,
) -> Offer:
    """A new draft of `partner`, submitted for review at once if `submit`; raises InvalidRecord."""
    clean = _validate(session, {**record, "partner": partner.slug, "status": "draft"})
    offer = Offer()
    workflow.place(offer, "draft", actor=author)
    apply_record(session, offer, clean)
    if submit:
        submit_offer(session, offer, author)
    return offer


def update_offer(
    session: Session, offer: Offer, record: dict[str, Any], author: User, *, submit: bool = False
) -> None:
    """Save an edit: onto a draft or rejected offer directly, for a live offer as a revision;
    with `submit` the result goes to review at once. Raises InvalidRecord, OfferActionError."""
    record = {**record, "partner": offer.partner.slug, "status": offer.status}
    clean = _validate(session, record)
    if offer.status in DIRECTLY_EDITABLE:
        clean["slug"] = None  # slugs never change once given
        _keep_editorial_fields(clean, record, offer)
        apply_record(session, offer, clean)
        if submit:
            submit_offer(session, offer, author)
        return
    if offer.status != "published":
        raise OfferActionError("not editable in this state")
    revision = open_revision(offer)
    if revision is None or revision.status == "submitted":
        # A further edit of a submitted revision starts a new draft; the submitted one is void.
        if revision is not None:
            revision.status = "discarded"
        revision = OfferRevision(offer=offer, author=author, status="draft")
        session.add(revision)
    revision.data = {key: value for key, value in record.items() if key != "status"}
    revision.author = author
    session.flush()
    if submit:
        submit_offer(session, offer, author)


def submit_offer(session: Session, offer: Offer, author: User) -> None:
    """Ask for review: the offer itself, or the open edit of a live offer."""
    if offer.status in DIRECTLY_EDITABLE:
        workflow.transition(offer, "submitted", author)
    elif offer.status == "published":
        revision = open_revision(offer)
        if revision is None or revision.status != "draft":
            raise OfferActionError("nothing to submit")
        revision.status = "submitted"
        revision.submitted_at = utcnow()
        workflow.record_event(offer, author, "revision-submitted")
    else:
        raise OfferActionError("cannot submit in this state")
    session.flush()


def withdraw_offer(session: Session, offer: Offer, author: User) -> None:
    """Take a live offer off the catalogue; an open edit of it is dropped."""
    workflow.transition(offer, "withdrawn", author)
    revision = open_revision(offer)
    if revision is not None:
        revision.status = "discarded"
    session.flush()


def duplicate_offer(session: Session, offer: Offer, author: User) -> Offer:
    """A new draft with the same content, for the next run of a similar offer."""
    record = offer_record(offer)
    # A copy is new content: its own slug, no demo flag, not verified by anyone yet.
    for key in ("slug", "demo", "last_verified"):
        record.pop(key, None)
    record["title"] = f"{record['title']} (Kopie)"[:200]
    return create_offer(session, offer.partner, record, author)


@dataclass(frozen=True)
class QueueItem:
    """One thing waiting for review: a new offer, or an edit of a live one."""

    offer: Offer
    revision: OfferRevision | None
    waiting_since: Any


def moderation_queue(session: Session) -> list[QueueItem]:
    """Everything submitted, oldest first, with what the queue shows of each read at once."""
    items = []
    shown = (joinedload(Offer.partner), selectinload(Offer.transitions))
    submitted = session.execute(
        select(Offer).where(Offer.status == "submitted").options(*shown)
    ).scalars()
    for offer in submitted:
        since = max(
            (t.created_at for t in offer.transitions if t.to_status == "submitted"),
            default=offer.updated_at,
        )
        items.append(QueueItem(offer, None, since))
    revisions = session.execute(
        select(OfferRevision)
        .where(OfferRevision.status == "submitted")
        .options(selectinload(OfferRevision.offer).options(*shown))
    ).scalars()
    items += [QueueItem(r.offer, r, r.submitted_at or r.created_at) for r in revisions]
    return sorted(items, key=lambda item: item.waiting_since)


def approve(session: Session, offer: Offer, editor: User) -> None:
    """Publish a submitted offer, or make the submitted edit of a live offer its public text."""
    if offer.status == "submitted":
        workflow.transition(offer, "published", editor)
    else:
        revision = open_revision(offer)
        if offer.status != "published" or revision is None or revision.status != "submitted":
            raise OfferActionError("nothing to approve")
        clean = _validate(session, {**revision.data, "status": "published"})
        clean["slug"] = None
        _keep_editorial_fields(clean, revision.data, offer)
        apply_record(session, offer, clean)
        revision.status = "approved"
        revision.decided_at = utcnow()
        workflow.record_event(offer, editor, "revision-approved")
    session.flush()


def reject(session: Session, offer: Offer, editor: User, reason: str) -> None:
    """Send a submission back with a reason the partner reads; a live offer stays live."""
    if not reason.strip():
        raise OfferActionError("a reason is required")
    if offer.status == "submitted":
        workflow.transition(offer, "rejected", editor, reason=reason)
    else:
        revision = open_revision(offer)
        if offer.status != "published" or revision is None or revision.status != "submitted":
            raise OfferActionError("nothing to reject")
        revision.status = "rejected"
        revision.reason = reason
        revision.decided_at = utcnow()
        workflow.record_event(offer, editor, "revision-rejected", reason=reason)
    session.flush()
