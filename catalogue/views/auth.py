"""Logging in and out, passwords, invitations of partner users."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter import RouteLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from werkzeug.wrappers import Response

from catalogue import accounts
from catalogue.access import role_required
from catalogue.extensions import db, limiter
from catalogue.forms.account import ChangePasswordForm, InviteForm, LoginForm, SetPasswordForm
from catalogue.mail import Mail, send_mail
from catalogue.models import Partner, User
from catalogue.templating import external_url

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

# DESIGN: the 6th failure for one account within 15 minutes, or the 50th failure from one address
# within an hour, answers 429. A limit is tested before the view and deducted only after a failed
# attempt, so "5 per 15 minutes" lets five failures through and refuses the sixth attempt.
ACCOUNT_LIMIT = "5 per 15 minutes"
ADDRESS_LIMIT = "49 per hour"
LINK_DAYS = accounts.SET_PASSWORD_MAX_AGE // (24 * 3600)


def _account_key() -> str:
    # Hashed: a bounded key whatever was typed, and no e-mail addresses in the limiter's storage.
    email = accounts.normalise_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()


def _address_key() -> str:
    return f"address:{get_remote_address()}"


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "user:anonymous"


def _note_failed_attempt() -> None:
    g.failed_attempt = True


def _was_failed_attempt(response: Response) -> bool:
    # Only a wrong password costs: successes, form mistakes and 429 answers never count.
    return g.get("failed_attempt", False)


def _failures_limit(limit: str, key_func: Callable[[], str]) -> RouteLimit:
    return limiter.limit(
        limit, key_func=key_func, methods=["POST"], deduct_when=_was_failed_attempt
    )


@bp.context_processor
def _account_facts() -> dict[str, object]:
    return {
        "min_length": accounts.MIN_PASSWORD_LENGTH,
        "link_days": LINK_DAYS,
        "role_labels": {
            "partner": _("Partner"),
            "editor": _("Redaktion"),
            "admin": _("Administration"),
        },
    }


def _home_url(user: User) -> str:
    return url_for("moderation.queue") if user.is_editor else url_for("partner.index")


def _safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: `next=` must never lead elsewhere."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\t/evil.example" goes off-site.
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@_failures_limit(ACCOUNT_LIMIT, _account_key)
@_failures_limit(ADDRESS_LIMIT, _address_key)
def login() -> ResponseReturnValue:
    """Log in with e-mail and password, then go on to `next` or the user's start page."""
    next_path = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or _home_url(current_user))
    form = LoginForm()
    is_failed = False
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=False)
            flash(_("Sie sind angemeldet."), "info")
            return redirect(next_path or _home_url(user))
        _note_failed_attempt()
        is_failed = True
    return render_template("auth/login.html", form=form, is_failed=is_failed, next_path=next_path)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End this browser's session."""
    logout_user()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("public.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@_failures_limit(ACCOUNT_LIMIT, _user_key)
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password; every other session of the account ends."""
    user = current_user._get_current_object()
    form = ChangePasswordForm(user)
    if form.validate_on_submit():
        accounts.set_password(user, form.new_password.data)
        db.session.commit()
        # The new session token has ended every session, this one too; this browser stays in.
        login_user(user, remember=False)
        flash(_("Ihr Passwort ist geändert. Andere Anmeldungen sind damit beendet."), "info")
        return redirect(_home_url(user))
    if form.is_current_password_wrong:
        _note_failed_attempt()
    return render_template("auth/change_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    """The one-time link from an invitation: choose a password and be logged in."""
    user = accounts.user_for_set_password_token(db.session, token)
    if user is None:
        return render_template("auth/link_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.new_password.data)
        db.session.commit()
        login_user(user, remember=False)
        flash(_("Ihr Passwort ist gesetzt. Willkommen!"), "info")
        return redirect(_home_url(user))
    return render_template("auth/set_password.html", form=form, user=user)


@bp.route("/users/invite", methods=["GET", "POST"])
@role_required("editor", "admin")
def invite() -> ResponseReturnValue:
    """Invite a partner's staff member by mail; the partners' accounts at a glance."""
    partners = db.session.execute(select(Partner).where(Partner.is_active)).scalars()
    # Sorted as people read names: "experimenta gGmbH" among the E's, not after the Z's.
    form = InviteForm(
        sorted(((p.id, p.name) for p in partners), key=lambda choice: choice[1].casefold())
    )
    is_mail_failed = False
    if form.validate_on_submit():
        partner = db.session.get(Partner, form.partner.data)
        try:
            user = accounts.create_user(db.session, form.email.data, "partner", partner)
            _send_invitation(user)
            db.session.commit()
        except (accounts.AccountError, IntegrityError):
            db.session.rollback()
            form.email.errors.append(_("Für diese E-Mail-Adresse gibt es schon einen Zugang."))
        except OSError:
            # Roll back so that the invitation can simply be sent again later.
            db.session.rollback()
            log.exception("invitation mail to %s failed", form.email.data)
            is_mail_failed = True
        else:
            flash(
                _("Die Einladung an %(email)s ist verschickt.", email=user.email),
                "info",
            )
            return redirect(url_for("auth.invite"))
    return render_template(
        "auth/invite.html", form=form, users=_partner_users(), is_mail_failed=is_mail_failed
    )


def _partner_users() -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .join(User.partner)
            .options(contains_eager(User.partner))
            .order_by(User.email)
        ).scalars()
    )


def _send_invitation(user: User) -> None:
    link = external_url("auth.set_password", token=accounts.set_password_token(user))
    # The invited person has chosen no language yet: the catalogue's own, not the editor's.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Ihr Zugang zum MINT-Angebotskatalog")
        body = _(
            "Guten Tag,\n\n"
            "für %(partner)s ist ein Zugang zum MINT-Angebotskatalog der Zukunftsallianz "
            "MINT-Region Heilbronn angelegt. Über diesen Link legen Sie Ihr Passwort fest:\n\n"
            "%(link)s\n\n"
            "Der Link gilt %(days)d Tage und nur einmal. Danach melden Sie sich hier mit Ihrer "
            "E-Mail-Adresse und Ihrem Passwort an:\n\n"
            "%(login)s\n\n"
            "Wenn Sie diese Nachricht nicht erwartet haben, können Sie sie einfach löschen.",
            partner=user.partner.name,
            link=link,
            days=LINK_DAYS,
            login=external_url("auth.login"),
        )
    send_mail(Mail(to=user.email, subject=subject, body=body))
