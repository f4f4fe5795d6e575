"""Operations on membership applications: apply, accept (partner, account, invitation), decline.

They flush, never commit. Accepting and declining return the mail to send; the view sends it before
its commit and rolls back when the mail cannot go out, so that no account is left that nobody
was told about and the editor can simply decide again.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue import accounts
from catalogue.mail import Mail
from catalogue.models import MembershipApplication, Partner, User, VocabularyTerm
from catalogue.offer_records import free_slug, lock_slug_stem, slugify
from catalogue.templating import external_url
from catalogue.timeutil import utcnow

# Room for a "-2", "-3", … suffix within the 80 characters of Partner.slug.
_SLUG_BASE_MAX = 72
# The advisory lock space of partner slugs (offer slugs have theirs in offer_records).
_PARTNER_SLUG_LOCK_SPACE = 0x50415254  # "PART"


class MembershipError(ValueError):
    """A decision the application's state does not allow; the message is for people."""


def cluster_term(session: Session, slug: str | None) -> VocabularyTerm | None:
    """The cluster of that slug, or None for no or an unknown slug."""
    if not slug:
        return None
    return session.execute(
        select(VocabularyTerm).where(VocabularyTerm.facet == "cluster", VocabularyTerm.slug == slug)
    ).scalar_one_or_none()


def apply_for_membership(
    session: Session,
    *,
    organisation: str,
    contact_name: str,
    contact_email: str,
    website: str | None = None,
    cluster: str | None = None,
    message: str = "",
    language: str = "de",
) -> MembershipApplication:
    """Record an organisation's application; it waits for an editor's decision. `language` is
    the one the applicant wrote in, for the mail that tells the decision."""
    application = MembershipApplication(
        organisation=organisation.strip(),
        website=(website or "").strip() or None,
        cluster=cluster_term(session, cluster),
        contact_name=contact_name.strip(),
        contact_email=accounts.normalise_email(contact_email),
        message=(message or "").strip(),
        language=language,
        status="pending",
    )
    session.add(application)
    session.flush()
    return application


def pending_applications(session: Session) -> list[MembershipApplication]:
    """Applications waiting for a decision, oldest first."""
    return list(
        session.execute(
            select(MembershipApplication)
            .where(MembershipApplication.status == "pending")
            .order_by(MembershipApplication.created_at, MembershipApplication.id)
        ).scalars()
    )


def decided_applications(session: Session, limit: int = 50) -> list[MembershipApplication]:
    """The most recent decisions, newest first."""
    return list(
        session.execute(
            select(MembershipApplication)
            .where(MembershipApplication.status != "pending")
            .order_by(MembershipApplication.decided_at.desc(), MembershipApplication.id.desc())
            .limit(limit)
        ).scalars()
    )


def unique_partner_slug(session: Session, name: str) -> str:
    """A partner slug from `name`, with `-2`, `-3`, … when it is taken."""
    wanted = slugify(name)[:_SLUG_BASE_MAX].strip("-") or "partner"
    # Two editors accepting two organisations of one name at once (offer_records.unique_slug).
    lock_slug_stem(session, wanted, _PARTNER_SLUG_LOCK_SPACE)
    taken = set(
        session.execute(select(Partner.slug).where(Partner.slug.like(f"{wanted}%"))).scalars()
    )
    return free_slug(wanted, taken)


def _ensure_pending(application: MembershipApplication) -> None:
    if application.status != "pending":
        raise MembershipError(_l("Über diesen Antrag wurde bereits entschieden."))


def accept_application(
    session: Session,
    application: MembershipApplication,
    editor: User,
    cluster: str | None = None,
) -> Mail:
    """Make the organisation a partner, give its contact an account, and return the invitation.

    `cluster` (a slug) overrides the one the organisation chose; one of both is needed."""
    _ensure_pending(application)
    term = cluster_term(session, cluster) if cluster else application.cluster
    if term is None:
        raise MembershipError(_l("Bitte wählen Sie einen Cluster für den neuen Partner."))
    # Checked before anything is written, so that a refusal leaves no half-made partner behind.
    if accounts.find_user(session, application.contact_email) is not None:
        raise MembershipError(
            _l(
                "Für %(email)s gibt es bereits ein Konto. Bitte klären Sie die Aufnahme direkt.",
                email=application.contact_email,
            )
        )
    partner = Partner(
        slug=unique_partner_slug(session, application.organisation),
        name=application.organisation[:200],
        short_name=application.organisation[:80],
        cluster=term,
        website=application.website,
        description="",
        is_founding_member=False,
        is_active=True,
    )
    session.add(partner)
    session.flush()
    user = accounts.create_user(session, application.contact_email, "partner", partner)
    application.status = "accepted"
    application.cluster = term
    application.partner = partner
    application.decided_by = editor
    application.decided_at = utcnow()
    session.flush()
    with force_locale(application.language):
        return invitation_mail(user, partner, application.contact_name)


def invitation_mail(user: User, partner: Partner, contact_name: str) -> Mail:
    """The mail with the one-time link to set a first password, in the current language."""
    link = external_url("auth.set_password", token=accounts.set_password_token(user))
    body = _(
        "Guten Tag %(name)s,\n\n"
        "willkommen in der Zukunftsallianz MINT-Region Heilbronn! %(partner)s ist jetzt Partner "
        "und kann MINT-Angebote im Katalog veröffentlichen.\n\n"
        "Über diesen Link legen Sie Ihr Passwort fest (gültig 7 Tage, nur einmal nutzbar):\n"
        "%(link)s\n\n"
        "Danach melden Sie sich mit %(email)s an.\n\n"
        "Viele Grüße\nIhre Redaktion der Zukunftsallianz MINT-Region Heilbronn",
        name=contact_name,
        partner=partner.name,
        link=link,
        email=user.email,
    )
    return Mail(
        to=user.email,
        subject=_("Willkommen in der Zukunftsallianz MINT-Region Heilbronn"),
        body=body,
    )


def decline_application(
    session: Session, application: MembershipApplication, editor: User, reason: str
) -> Mail:
    """Decline with a reason, and return the mail that tells the contact why."""
    _ensure_pending(application)
    reason = reason.strip()
    if not reason:
        raise MembershipError(_l("Bitte geben Sie eine Begründung an."))
    application.status = "declined"
    application.reason = reason
    application.decided_by = editor
    application.decided_at = utcnow()
    session.flush()
    with force_locale(application.language):
        return _decline_mail(application, reason)


def _decline_mail(application: MembershipApplication, reason: str) -> Mail:
    body = _(
        "Guten Tag %(name)s,\n\n"
        "vielen Dank für das Interesse von %(organisation)s an der Zukunftsallianz "
        "MINT-Region Heilbronn. Ihren Antrag können wir leider nicht annehmen:\n\n"
        "%(reason)s\n\n"
        "Viele Grüße\nIhre Redaktion der Zukunftsallianz MINT-Region Heilbronn",
        name=application.contact_name,
        organisation=application.organisation,
        reason=reason,
    )
    return Mail(
        to=application.contact_email,
        subject=_("Ihr Antrag bei der Zukunftsallianz MINT-Region Heilbronn"),
        body=body,
    )
