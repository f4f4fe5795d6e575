"""The moderation workflow: the one place where an offer's status changes.

Every move is checked against the transition table and recorded (who, when, from, to, why).
"""

from __future__ import annotations

from catalogue.models import OFFER_STATUSES, Offer, OfferTransition, User
from catalogue.timeutil import utcnow

# (from, to) -> roles that may make the move. "partner" means a user of the offer's own partner.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("draft", "submitted"): frozenset({"partner", "editor", "admin"}),
    ("submitted", "published"): frozenset({"editor", "admin"}),
    ("submitted", "rejected"): frozenset({"editor", "admin"}),
    ("rejected", "submitted"): frozenset({"partner", "editor", "admin"}),
    ("published", "withdrawn"): frozenset({"partner", "editor", "admin"}),
    ("published", "archived"): frozenset({"editor", "admin"}),
}
# A move that needs a reason the partner will read.
REASON_REQUIRED = {("submitted", "rejected")}
# Things recorded in an offer's history that are not status moves, or say where an offer came
# from; stored as codes, shown in the reader's language.
EVENTS = frozenset(
    {"revision-submitted", "revision-approved", "revision-rejected", "demo-data", "import"}
)


class TransitionNotAllowed(Exception):
    """The move is not in the table, or not for this user."""


def allowed_targets(offer: Offer, user: User | None) -> list[str]:
    """The statuses this user may move the offer to."""
    role = user.role if user else None
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == offer.status and role in roles]


def transition(offer: Offer, to_status: str, actor: User | None, reason: str | None = None) -> None:
    """Move the offer to `to_status` and record it; raises TransitionNotAllowed. Never commits."""
    key = (offer.status, to_status)
    if key not in TRANSITIONS:
        raise TransitionNotAllowed(f"{offer.status} → {to_status}")
    if actor is not None and actor.role not in TRANSITIONS[key]:
        raise TransitionNotAllowed(f"{actor.role} may not move {offer.status} → {to_status}")
    if actor is not None and actor.role == "partner" and actor.partner_id != offer.partner_id:
        raise TransitionNotAllowed("not this partner's offer")
    if key in REASON_REQUIRED and not (reason and reason.strip()):
        raise TransitionNotAllowed("a reason is required")
    _record(offer, to_status, actor, reason)


def record_event(offer: Offer, actor: User | None, event: str, reason: str | None = None) -> None:
    """Record something that happened to an offer without moving its status (e.g. an edit of a
    published offer submitted, approved or rejected); `event` is one of EVENTS."""
    _check_event(event)
    offer.transitions.append(
        OfferTransition(
            from_status=offer.status,
            to_status=offer.status,
            actor=actor,
            event=event,
            reason=reason,
        )
    )


def place(
    offer: Offer,
    status: str,
    actor: User | None,
    event: str | None = None,
    reason: str | None = None,
) -> None:
    """Give a new offer, or one that arrives from outside, its status, recorded as such (seeds:
    event "demo-data"; import: "import" with the file's name as `reason`)."""
    if status not in OFFER_STATUSES:
        raise TransitionNotAllowed(f"unknown status {status}")
    if event is not None:
        _check_event(event)
    if offer.status != status or offer.id is None:
        _record(offer, status, actor, reason, event=event)


def _check_event(event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown history event {event!r}")


def _record(
    offer: Offer,
    to_status: str,
    actor: User | None,
    reason: str | None,
    event: str | None = None,
) -> None:
    offer.transitions.append(
        OfferTransition(
            from_status=offer.status if offer.id is not None else None,
            to_status=to_status,
            actor=actor,
            reason=reason,
            event=event,
        )
    )
    offer.status = to_status
    if to_status == "published":
        offer.published_at = utcnow()
