"""The partner area: a partner's own offers, their forms and their review status.

Every route is for partner users only and finds offers through `editable_offer_or_404`, so an
offer of another partner answers 404 whatever the URL. The partner of a new offer is the user's
own and the status moves only through `offers`; neither is ever read from the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalogue import offers, workflow
from catalogue.access import editable_offer_or_404, role_required
from catalogue.extensions import db
from catalogue.forms.offer import (
    OfferForm,
    form_data_from_record,
    municipalities,
    record_from_form,
)
from catalogue.models import Offer, OfferRevision, Partner
from catalogue.offer_records import MULTI_FACETS, InvalidRecord, validate_record
from catalogue.vocabulary import Term, current_vocabulary

bp = Blueprint("partner", __name__, url_prefix="/partner")

STATUS_LABELS = {
    "draft": _l("Entwurf"),
    "submitted": _l("In Prüfung"),
    "published": _l("Veröffentlicht"),
    "rejected": _l("Abgelehnt"),
    "withdrawn": _l("Zurückgezogen"),
    "archived": _l("Archiviert"),
}
# Offers whose form can be saved; a live offer's edit goes into a revision (see `offers`).
FORM_STATUSES = (*offers.DIRECTLY_EDITABLE, "published")
# A revision the partner still has to act on or wait for; approved and dropped ones are history.
SHOWN_REVISION_STATUSES = ("draft", "submitted", "rejected")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"status_label": lambda status: STATUS_LABELS.get(status, status)}


@dataclass
class OfferPreview:
    """A record (an edit of a live offer) shaped like an Offer, so that it renders like one."""

    partner: Partner
    title: str
    summary: str
    description: str
    terms: list[Term]
    mode: Term
    district: Term
    schedule_kind: str
    schedule_note: str | None
    rrule: str | None
    recurrence_start: dt.datetime | None
    duration_minutes: int | None
    sessions: list[Any]
    age_min: int
    age_max: int
    is_free: bool
    price_eur: Decimal | None
    languages: str
    venue: str | None
    address: str | None
    municipality: str | None
    cost_note: str | None
    group_size_min: int | None
    group_size_max: int | None
    registration_deadline: dt.date | None
    accessibility_note: str | None
    registration_url: str | None
    contact_email: str | None
    contact_phone: str | None
    is_demo: bool = False

    def terms_of(self, facet: str) -> list[Term]:
        return [term for term in self.terms if term.facet == facet]

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


# Record fields an offer page shows as they are.
_PLAIN_FIELDS = (
    "title", "summary", "description", "age_min", "age_max", "is_free", "price_eur", "languages",
    "venue", "address", "municipality", "cost_note", "group_size_min", "group_size_max",
    "registration_deadline", "accessibility_note", "registration_url", "contact_email",
    "contact_phone",
)  # fmt: skip


def _preview_of(record: dict[str, Any], partner: Partner) -> OfferPreview | None:
    """The record as it would be published, or None if it no longer meets the rules."""
    vocabulary = current_vocabulary()
    try:
        clean = validate_record({**record, "partner": partner.slug}, vocabulary, {partner.slug})
    except InvalidRecord:
        return None
    schedule = clean["schedule"]
    terms = [
        vocabulary.get(facet, slug) for name, facet in MULTI_FACETS.items() for slug in clean[name]
    ]
    return OfferPreview(
        partner=partner,
        terms=[term for term in terms if term is not None],
        mode=vocabulary.get("mode", clean["mode"]),
        district=vocabulary.get("district", clean["district"]),
        schedule_kind=schedule["kind"],
        schedule_note=schedule.get("description"),
        rrule=schedule.get("rrule"),
        recurrence_start=schedule.get("first_start"),
        duration_minutes=schedule.get("duration_minutes"),
        sessions=sorted(schedule.get("sessions", []), key=lambda s: s.starts_at),
        **{name: clean[name] for name in _PLAIN_FIELDS},
    )


def _shown_revision(
    offer: Offer, latest: Mapping[int, OfferRevision] | None
) -> OfferRevision | None:
    revision = offers.latest_revision(offer) if latest is None else latest.get(offer.id)
    return revision if revision is not None and revision.status in SHOWN_REVISION_STATUSES else None


def _rejection_reason(offer: Offer) -> str | None:
    if offer.status != "rejected":
        return None
    reasons = [t.reason for t in offer.transitions if t.to_status == "rejected"]
    return reasons[-1] if reasons else None


def _last_change(offer: Offer, revision: OfferRevision | None) -> dt.datetime:
    moments = [offer.updated_at, *(t.created_at for t in offer.transitions[-1:])]
    if revision is not None:
        moments += [revision.created_at, revision.submitted_at, revision.decided_at]
    return max(moment for moment in moments if moment is not None)


def _can_submit(offer: Offer, revision: OfferRevision | None) -> bool:
    if offer.status == "published":
        return revision is not None and revision.status == "draft"
    return "submitted" in workflow.allowed_targets(offer, current_user)


def _offer_state(offer: Offer, latest: Mapping[int, OfferRevision] | None = None) -> dict[str, Any]:
    """What the list and the preview say about an offer's review and what can be done with it.

    `latest`: the latest revision of each offer, when a list has read them all at once."""
    revision = _shown_revision(offer, latest)
    return {
        "offer": offer,
        "revision": revision,
        "rejection_reason": _rejection_reason(offer),
        "last_change": _last_change(offer, revision),
        "can_edit": offer.status in FORM_STATUSES,
        "can_submit": _can_submit(offer, revision),
        "can_withdraw": "withdrawn" in workflow.allowed_targets(offer, current_user),
    }


def _form_page(
    form: OfferForm, offer: Offer | None, status: int | None = None
) -> ResponseReturnValue:
    """The offer form; 400 when it comes back with errors."""
    page = render_template(
        "partner/form.html",
        form=form,
        state=_offer_state(offer) if offer is not None else None,
        municipalities=municipalities(),
    )
    if status is None:
        status = 400 if form.errors else 200
    return page, status


def _wants_submit() -> bool:
    return request.form.get("action") == "submit"


def _saved_message(submitted: bool, offer: Offer) -> str:
    if submitted and offer.status == "published":
        return _("Ihre Änderung ist gespeichert und zur Prüfung eingereicht.")
    if submitted:
        return _("Das Angebot ist gespeichert und zur Prüfung eingereicht.")
    if offer.status == "published":
        return _("Ihre Änderung ist als Entwurf gespeichert; die veröffentlichte Fassung bleibt.")
    return _("Das Angebot ist als Entwurf gespeichert.")


@bp.get("/")
@role_required("partner")
def index() -> str:
    """The partner's offers with their review status and what can be done with each."""
    # Histories and revisions of all offers at once: a partner may have hundreds of offers.
    rows = (
        db.session.execute(
            select(Offer)
            .where(Offer.partner_id == current_user.partner_id)
            .order_by(Offer.updated_at.desc(), Offer.id.desc())
            .options(selectinload(Offer.transitions))
        )
        .scalars()
        .all()
    )
    latest = offers.latest_revisions(db.session, [offer.id for offer in rows])
    return render_template(
        "partner/index.html", states=[_offer_state(offer, latest) for offer in rows]
    )


@bp.route("/offers/new", methods=["GET", "POST"])
@role_required("partner")
def new_offer() -> ResponseReturnValue:
    """Write a new offer; save it as a draft or submit it for review."""
    form = OfferForm()
    if not form.validate_on_submit():
        return _form_page(form, None)
    try:
        offer = offers.create_offer(
            db.session,
            current_user.partner,
            record_from_form(form),
            current_user,
            submit=_wants_submit(),
        )
    except InvalidRecord as error:
        db.session.rollback()
        form.add_record_problems(error.problems)
        return _form_page(form, None, 400)
    db.session.commit()
    flash(_saved_message(_wants_submit(), offer), "success")
    return redirect(url_for(".preview", slug=offer.slug))


@bp.get("/offers/<slug>")
@role_required("partner")
def preview(slug: str) -> str:
    """The offer as the public page shows it, its open edit, its status and its history."""
    offer = editable_offer_or_404(slug)
    state = _offer_state(offer)
    revision = state["revision"]
    return render_template(
        "partner/preview.html",
        state=state,
        revision_preview=_preview_of(revision.data, offer.partner) if revision else None,
    )


@bp.route("/offers/<slug>/edit", methods=["GET", "POST"])
@role_required("partner")
def edit_offer(slug: str) -> ResponseReturnValue:
    """Change a draft or a rejected offer, or propose a change to a published one."""
    offer = editable_offer_or_404(slug)
    if offer.status not in FORM_STATUSES:
        if request.method == "POST":
            flash(_("Dieses Angebot kann gerade nicht bearbeitet werden."), "error")
            return redirect(url_for(".preview", slug=offer.slug))
        return render_template("partner/form.html", form=None, state=_offer_state(offer))
    form = OfferForm(data=form_data_from_record(offers.offer_record(offer)))
    if not form.validate_on_submit():
        return _form_page(form, offer)
    try:
        offers.update_offer(
            db.session, offer, record_from_form(form), current_user, submit=_wants_submit()
        )
    except InvalidRecord as error:
        db.session.rollback()
        form.add_record_problems(error.problems)
        return _form_page(form, offer, 400)
    db.session.commit()
    flash(_saved_message(_wants_submit(), offer), "success")
    return redirect(url_for(".preview", slug=offer.slug))


def _back_to(offer: Offer) -> ResponseReturnValue:
    # The small action forms say where they stand; only the list or the preview are chosen.
    if request.form.get("back") == "index":
        return redirect(url_for(".index"))
    return redirect(url_for(".preview", slug=offer.slug))


@bp.post("/offers/<slug>/submit")
@role_required("partner")
def submit(slug: str) -> ResponseReturnValue:
    """Ask the editors to review a draft, a rejected offer or the edit of a live one."""
    offer = editable_offer_or_404(slug)
    try:
        offers.submit_offer(db.session, offer, current_user)
    except (offers.OfferActionError, workflow.TransitionNotAllowed):
        db.session.rollback()
        flash(_("Dieses Angebot kann gerade nicht eingereicht werden."), "error")
    else:
        db.session.commit()
        flash(_("Zur Prüfung eingereicht. Die Redaktion meldet sich bei Ihnen."), "success")
    return _back_to(offer)


@bp.post("/offers/<slug>/withdraw")
@role_required("partner")
def withdraw(slug: str) -> ResponseReturnValue:
    """Take a published offer off the catalogue."""
    offer = editable_offer_or_404(slug)
    try:
        offers.withdraw_offer(db.session, offer, current_user)
    except workflow.TransitionNotAllowed:
        db.session.rollback()
        flash(_("Nur veröffentlichte Angebote können zurückgezogen werden."), "error")
    else:
        db.session.commit()
        flash(_("Das Angebot ist zurückgezogen und nicht mehr öffentlich sichtbar."), "success")
    return _back_to(offer)


@bp.post("/offers/<slug>/duplicate")
@role_required("partner")
def duplicate(slug: str) -> ResponseReturnValue:
    """Start a new draft from an existing offer, e.g. for its next run."""
    offer = editable_offer_or_404(slug)
    try:
        copy = offers.duplicate_offer(db.session, offer, current_user)
    except InvalidRecord:
        db.session.rollback()
        flash(_("Dieses Angebot lässt sich nicht kopieren, weil Angaben fehlen."), "error")
        return _back_to(offer)
    db.session.commit()
    flash(_("Die Kopie ist als Entwurf angelegt. Passen Sie Titel und Termine an."), "success")
    return redirect(url_for(".edit_offer", slug=copy.slug))


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> ResponseReturnValue:
    """A POST with an expired or missing CSRF token changes nothing; an offer form comes back with
    everything the partner typed, so that sending it again is one click."""
    message = _("Ihre Sitzung ist abgelaufen. Bitte senden Sie das Formular noch einmal.")
    is_partner = current_user.is_authenticated and current_user.role == "partner"
    if is_partner and request.endpoint in ("partner.new_offer", "partner.edit_offer"):
        offer = None
        if request.endpoint == "partner.edit_offer":
            offer = db.session.execute(
                select(Offer).where(Offer.slug == (request.view_args or {}).get("slug"))
            ).scalar_one_or_none()
        # Another partner's offer, or one without a form, gets the plain page: nothing to keep.
        if request.endpoint == "partner.new_offer" or (
            offer is not None
            and offers.can_edit(current_user, offer)
            and offer.status in FORM_STATUSES
        ):
            data = form_data_from_record(offers.offer_record(offer)) if offer else None
            form = OfferForm(data=data)
            form.form_errors.append(message)
            return _form_page(form, offer, 400)
    return render_template("errors/error.html", status=400, message=message), 400
