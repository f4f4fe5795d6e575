"""The editors' area: review queue, decisions, membership applications, stale offers."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_currency, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from catalogue import membership, offers
from catalogue.access import role_required
from catalogue.extensions import db
from catalogue.forms.moderation import (
    AcceptApplicationForm,
    ApproveForm,
    DeclineApplicationForm,
    RejectForm,
)
from catalogue.mail import Mail, send_mail
from catalogue.models import (
    MembershipApplication,
    Offer,
    OfferRevision,
    OfferSession,
    User,
    offer_list_options,
)
from catalogue.offer_records import InvalidRecord
from catalogue.rendering import render_markdown
from catalogue.schedules import next_start
from catalogue.serializers import offer_full
from catalogue.templating import long_date, session_span, when
from catalogue.timeutil import BERLIN, to_local, to_storage, utcnow
from catalogue.vocabulary import current_vocabulary
from catalogue.workflow import TransitionNotAllowed

log = logging.getLogger(__name__)

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.before_request
@role_required("editor", "admin")
def editors_only() -> None:
    """Every page here is for editors: anonymous users get the login, everyone else 403."""


def _editor() -> User:
    # Relationships need the User itself, not Flask-Login's proxy of it.
    return current_user._get_current_object()


def _today() -> dt.date:
    return utcnow().replace(tzinfo=dt.UTC).astimezone(BERLIN).date()


def _offer_or_404(slug: str, *, for_decision: bool = False) -> Offer:
    # A decision holds the offer's row until it commits: of two editors deciding at once, the
    # second sees the first's decision (offers.offer_by_slug).
    offer = offers.offer_by_slug(db.session, slug, for_update=for_decision)
    if offer is None:
        abort(404)
    return offer


def _submitted_revision(offer: Offer) -> OfferRevision | None:
    """The edit of a live offer that waits for review, if there is one."""
    if offer.status != "published":
        return None
    revision = offers.open_revision(offer)
    return revision if revision is not None and revision.status == "submitted" else None


# --- Showing a submission readably -------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    """One field of a submission as people read it; `live` is None for a new offer."""

    name: str
    label: str
    proposed: tuple[str, ...] | Markup
    live: tuple[str, ...] | Markup | None = None
    is_changed: bool = False

    @property
    def is_markdown(self) -> bool:
        return isinstance(self.proposed, Markup)


def _text(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    return (str(value).strip(),)


def _terms(facet: str) -> Callable[[Any], tuple[str, ...]]:
    def show(slugs: Any) -> tuple[str, ...]:
        if not isinstance(slugs, list) or not slugs:
            return ()
        vocabulary, locale = current_vocabulary(), str(get_locale())
        return (", ".join(vocabulary.label(facet, str(slug), locale) for slug in slugs),)

    return show


def _term(facet: str) -> Callable[[Any], tuple[str, ...]]:
    show_list = _terms(facet)
    return lambda slug: show_list([slug]) if slug else ()


def _day(value: Any) -> tuple[str, ...]:
    try:
        return (long_date(dt.date.fromisoformat(value)),) if value else ()
    except (TypeError, ValueError):
        return _text(value)


def _moment(value: Any) -> dt.datetime | None:
    """An ISO timestamp of a record (Berlin wall time when it has no offset), as stored."""
    try:
        return to_storage(dt.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None


def _schedule(schedule: Any) -> tuple[str, ...]:
    if not isinstance(schedule, dict):
        return ()
    kind, note = schedule.get("kind"), schedule.get("description")
    lines: list[str] = []
    if kind == "dated":
        for item in schedule.get("sessions") or []:
            start = _moment(item.get("start")) if isinstance(item, dict) else None
            if start is None:
                lines.append(str(item))
                continue
            # A session row that is never added to the database, only to format it like the
            # public page does.
            lines.append(
                session_span(OfferSession(starts_at=start, ends_at=_moment(item.get("end"))))
            )
    elif kind == "recurring":
        first = _moment(schedule.get("first_start"))
        lines.append(_("Regelmäßig"))
        if first is not None:
            lines.append(_("erster Termin: %(date)s", date=when(to_local(first))))
        if schedule.get("rrule"):
            lines.append(f"RRULE: {schedule['rrule']}")
        if schedule.get("duration_minutes"):
            lines.append(_("Dauer: %(n)s Minuten", n=schedule["duration_minutes"]))
    else:
        lines.append(_("Termine nach Vereinbarung"))
    if note:
        lines.append(str(note))
    return tuple(lines)


def _age(record: dict[str, Any]) -> tuple[str, ...]:
    low, high = record.get("age_min"), record.get("age_max")
    if not isinstance(low, int) or not isinstance(high, int):
        return _text(" – ".join(str(v) for v in (low, high) if v is not None))
    if high >= 99:
        return (_("ab %(age)d Jahren", age=low),)
    return (_("%(low)d–%(high)d Jahre", low=low, high=high),)


def _group_size(record: dict[str, Any]) -> tuple[str, ...]:
    low, high = record.get("group_size_min"), record.get("group_size_max")
    parts = [_("ab %(n)d", n=low) if low else "", _("bis %(n)d", n=high) if high else ""]
    shown = " ".join(part for part in parts if part)
    return (f"{shown} {_('Personen')}",) if shown else ()


def _cost(cost: Any) -> tuple[str, ...]:
    if not isinstance(cost, dict):
        return ()
    lines = []
    price = cost.get("price_eur")
    if cost.get("free", True) or price is None:
        lines.append(_("kostenlos"))
    else:
        try:
            lines.append(format_currency(Decimal(str(price)), "EUR"))
        except InvalidOperation:
            lines.append(str(price))
    if cost.get("note"):
        lines.append(str(cost["note"]))
    return tuple(lines)


def _languages(codes: Any) -> tuple[str, ...]:
    if not isinstance(codes, list) or not codes:
        return ()
    names = {"de": _("Deutsch"), "en": _("Englisch")}
    return (", ".join(names.get(str(code), str(code)) for code in codes),)


def _coordinates(record: dict[str, Any]) -> tuple[str, ...]:
    lat, lon = record.get("lat"), record.get("lon")
    return (f"{lat}, {lon}",) if lat is not None and lon is not None else ()


def _key(name: str, show: Callable[[Any], tuple[str, ...]]) -> Callable[[dict], tuple[str, ...]]:
    return lambda record: show(record.get(name))


# The fields of an offer record as editors read them: (name, label, how to show it), in order.
_FIELDS: tuple[tuple[str, Any, Callable[[dict[str, Any]], tuple[str, ...]]], ...] = (
    ("title", _l("Titel"), _key("title", _text)),
    ("summary", _l("Kurzbeschreibung"), _key("summary", _text)),
    ("stages", _l("Bildungsstufe"), _key("stages", _terms("stage"))),
    ("subjects", _l("Fach"), _key("subjects", _terms("subject"))),
    ("formats", _l("Format"), _key("formats", _terms("format"))),
    ("audiences", _l("Für wen"), _key("audiences", _terms("audience"))),
    ("age", _l("Alter"), _age),
    ("mode", _l("Durchführung"), _key("mode", _term("mode"))),
    ("district", _l("Region"), _key("district", _term("district"))),
    ("municipality", _l("Gemeinde"), _key("municipality", _text)),
    ("venue", _l("Veranstaltungsort"), _key("venue", _text)),
    ("address", _l("Adresse"), _key("address", _text)),
    ("coordinates", _l("Koordinaten"), _coordinates),
    ("schedule", _l("Termine"), _key("schedule", _schedule)),
    ("registration_deadline", _l("Anmeldeschluss"), _key("registration_deadline", _day)),
    ("group_size", _l("Gruppengröße"), _group_size),
    ("cost", _l("Kosten"), _key("cost", _cost)),
    ("languages", _l("Sprache"), _key("languages", _languages)),
    ("accessibility_note", _l("Barrierefreiheit"), _key("accessibility_note", _text)),
    ("registration_url", _l("Anmelde-Link"), _key("registration_url", _text)),
    ("contact_email", _l("Kontakt-E-Mail"), _key("contact_email", _text)),
    ("contact_phone", _l("Kontakt-Telefon"), _key("contact_phone", _text)),
    ("last_verified", _l("Zuletzt geprüft"), _key("last_verified", _day)),
)


def _shown_fields(record: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...] | Markup]]:
    """(name, label, value) of every field, in reading order, description last."""
    shown: list[tuple[str, str, tuple[str, ...] | Markup]] = [
        (name, str(label), show(record)) for name, label, show in _FIELDS
    ]
    # Rendered from the Markdown every time: a stored description_html is never trusted.
    shown.append(("description", _("Beschreibung"), render_markdown(record.get("description"))))
    return shown


def review_rows(proposed: dict[str, Any], live: dict[str, Any] | None = None) -> list[FieldRow]:
    """The fields of a submission, compared with the live version when there is one."""
    if live is None:
        return [FieldRow(name, label, value) for name, label, value in _shown_fields(proposed)]
    live_values = {name: value for name, _label, value in _shown_fields(live)}
    rows = []
    for name, label, value in _shown_fields(proposed):
        before = live_values[name]
        if name == "description":
            changed = (live.get("description") or "").strip() != (
                proposed.get("description") or ""
            ).strip()
        else:
            changed = before != value
        rows.append(FieldRow(name, label, value, before, changed))
    return rows


# --- Review queue and decisions ----------------------------------------------------------------


def _pending_application_count() -> int:
    return db.session.execute(
        select(func.count())
        .select_from(MembershipApplication)
        .where(MembershipApplication.status == "pending")
    ).scalar_one()


@bp.get("/")
def queue() -> str:
    """Everything waiting for review, oldest first."""
    today = _today()
    items = [
        (item, (today - to_local(item.waiting_since).date()).days)
        for item in offers.moderation_queue(db.session)
    ]
    return render_template(
        "moderation/queue.html", items=items, application_count=_pending_application_count()
    )


def _render_review(offer: Offer, reject_form: RejectForm | None = None) -> str:
    revision = _submitted_revision(offer)
    live = offer_full(offer)
    if revision is None:
        rows = review_rows(live)
    else:
        # Partners' forms do not carry the date an editor last verified the offer, and approving
        # keeps it (see offers.approve); the comparison keeps it too instead of showing it gone.
        rows = review_rows({"last_verified": live["last_verified"], **revision.data}, live)
    return render_template(
        "moderation/review.html",
        offer=offer,
        revision=revision,
        rows=rows,
        is_pending=offer.status == "submitted" or revision is not None,
        transitions=offer.transitions,
        approve_form=ApproveForm(),
        reject_form=reject_form or RejectForm(formdata=None),
    )


@bp.get("/offers/<slug>")
def review(slug: str) -> str:
    """One submission, beside the live version when it is an edit; its history; the decision."""
    return _render_review(_offer_or_404(slug))


@bp.post("/offers/<slug>/approve")
def approve(slug: str) -> ResponseReturnValue:
    """Publish the submission (or make the edit the public text) and back to the queue."""
    offer = _offer_or_404(slug, for_decision=True)
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        offers.approve(db.session, offer, _editor())
    except InvalidRecord as error:
        db.session.rollback()
        problems = "; ".join(f"{name}: {message}" for name, message in error.problems)
        flash(_("Die Änderung kann so nicht veröffentlicht werden: %(p)s", p=problems), "error")
        return redirect(url_for(".review", slug=slug))
    except (offers.OfferActionError, TransitionNotAllowed):
        db.session.rollback()
        flash(_("Hier gibt es nichts (mehr) freizugeben."), "error")
        return redirect(url_for(".review", slug=slug))
    db.session.commit()
    flash(_("„%(title)s“ ist freigegeben und öffentlich.", title=offer.title), "info")
    return redirect(url_for(".queue"))


@bp.post("/offers/<slug>/reject")
def reject(slug: str) -> ResponseReturnValue:
    """Send the submission back with a reason the partner reads; a live offer stays live."""
    offer = _offer_or_404(slug, for_decision=True)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_review(offer, form), 400
    try:
        offers.reject(db.session, offer, _editor(), form.reason.data)
    except (offers.OfferActionError, TransitionNotAllowed):
        db.session.rollback()
        flash(_("Hier gibt es nichts (mehr) abzulehnen."), "error")
        return redirect(url_for(".review", slug=slug))
    db.session.commit()
    flash(_("„%(title)s“ ist an den Partner zurückgegeben.", title=offer.title), "info")
    return redirect(url_for(".queue"))


# --- Membership applications -------------------------------------------------------------------


def _application_or_404(application_id: int) -> MembershipApplication:
    application = db.session.get(MembershipApplication, application_id)
    if application is None:
        abort(404)
    return application


def _decision_forms(
    applications: Iterable[MembershipApplication],
    bound: AcceptApplicationForm | DeclineApplicationForm | None = None,
    bound_id: int | None = None,
) -> dict[int, tuple[AcceptApplicationForm, DeclineApplicationForm]]:
    """An accept and a decline form per application, each with its own field ids; the form
    that was just sent (with its errors) in its place."""
    forms = {}
    for application in applications:
        accept = AcceptApplicationForm(
            formdata=None,
            prefix=f"accept-{application.id}",
            data={"cluster": application.cluster.slug if application.cluster else None},
        )
        decline = DeclineApplicationForm(formdata=None, prefix=f"decline-{application.id}")
        if application.id == bound_id and isinstance(bound, AcceptApplicationForm):
            accept = bound
        elif application.id == bound_id and isinstance(bound, DeclineApplicationForm):
            decline = bound
        forms[application.id] = (accept, decline)
    return forms


def _render_applications(
    bound: AcceptApplicationForm | DeclineApplicationForm | None = None,
    bound_id: int | None = None,
) -> str:
    pending = membership.pending_applications(db.session)
    return render_template(
        "moderation/applications.html",
        pending=pending,
        decided=membership.decided_applications(db.session),
        forms=_decision_forms(pending, bound, bound_id),
    )


def _mail_failed(application: MembershipApplication) -> None:
    # Mail goes out before the commit and a failure rolls the decision back, so that the editor
    # can simply decide again later instead of leaving an account nobody was told about.
    log.exception("mail about application %s not sent", application.id)
    db.session.rollback()
    flash(
        _(
            "Die E-Mail konnte nicht verschickt werden; der Antrag ist noch offen. "
            "Bitte versuchen Sie es später noch einmal."
        ),
        "error",
    )


@bp.get("/applications")
def applications() -> str:
    """Applications to join the alliance: pending ones to decide, recent decisions."""
    return _render_applications()


def _decide(application: MembershipApplication, decide: Callable[[], Mail], done: str):
    """Run a decision, send its mail, and commit only once the mail has gone out."""
    try:
        send_mail(decide())
    except membership.MembershipError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".applications"))
    except OSError:
        _mail_failed(application)
        return redirect(url_for(".applications"))
    db.session.commit()
    flash(done, "info")
    return redirect(url_for(".applications"))


@bp.post("/applications/<int:application_id>/accept")
def accept_application(application_id: int) -> ResponseReturnValue:
    """Make the organisation a partner and invite its contact to set a password."""
    application = _application_or_404(application_id)
    form = AcceptApplicationForm(prefix=f"accept-{application_id}")
    if not form.validate_on_submit():
        return _render_applications(form, application_id), 400
    return _decide(
        application,
        lambda: membership.accept_application(
            db.session, application, _editor(), form.cluster.data
        ),
        _(
            "%(name)s ist jetzt Partner; die Einladung ging an %(email)s.",
            name=application.organisation,
            email=application.contact_email,
        ),
    )


@bp.post("/applications/<int:application_id>/decline")
def decline_application(application_id: int) -> ResponseReturnValue:
    """Decline with a reason that is sent to the contact."""
    application = _application_or_404(application_id)
    form = DeclineApplicationForm(prefix=f"decline-{application_id}")
    if not form.validate_on_submit():
        return _render_applications(form, application_id), 400
    return _decide(
        application,
        lambda: membership.decline_application(
            db.session, application, _editor(), form.reason.data
        ),
        _("Der Antrag von %(name)s ist abgelehnt.", name=application.organisation),
    )


# --- Stale offers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleOffer:
    offer: Offer
    is_unverified: bool  # last checked more than a year ago, or never
    is_past: bool  # has dates, and all of them are over


def stale_offers(today: dt.date) -> list[StaleOffer]:
    """Published offers to check: not verified for 12 months, or with every date in the past."""
    year_ago = today - relativedelta(years=1)
    found = []
    published = db.session.execute(
        select(Offer)
        .where(Offer.status == "published")
        .options(*offer_list_options())
        .order_by(Offer.last_verified.is_not(None), Offer.last_verified, Offer.title)
    ).scalars()
    for offer in published:
        is_unverified = offer.last_verified is None or offer.last_verified < year_ago
        # On-request offers have no dates, so they cannot run out of them.
        is_past = offer.schedule_kind != "on-request" and next_start(offer) is None
        if is_unverified or is_past:
            found.append(StaleOffer(offer, is_unverified, is_past))
    return found


@bp.get("/stale")
def stale() -> str:
    """Published offers that need a look: unverified for a year, or all dates past."""
    today = _today()
    return render_template(
        "moderation/stale.html", stale=stale_offers(today), year_ago=today - relativedelta(years=1)
    )
