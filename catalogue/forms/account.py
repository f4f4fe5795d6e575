"""Forms about accounts: logging in, setting and changing a password, inviting a partner user."""

from __future__ import annotations

import re

# Labels and messages are built at import time, so they must be lazy; `_` keeps them extractable.
from flask_babel import lazy_gettext as _
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from catalogue.accounts import MIN_PASSWORD_LENGTH
from catalogue.models import User
from catalogue.passwords import verify_password

# The length a mail system accepts for an address (RFC 5321); longer input is no address.
MAX_EMAIL_LENGTH = 254
# Far above any real password, low enough that hashing a pasted novel costs nothing much.
MAX_PASSWORD_LENGTH = 1000
# Deliberately loose: one @, something on each side, a dot in the domain, no spaces. The mail
# with the link is the real test; a stricter pattern only rejects addresses that work.
_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _without_control_characters(form: FlaskForm, field: Field) -> None:
    # No address has them, and PostgreSQL refuses NUL in a query parameter outright.
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in field.data or ""):
        raise ValidationError(_("Bitte geben Sie eine gültige E-Mail-Adresse ein."))


def _email_field(label: LazyString, missing: LazyString) -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired(message=missing),
            Length(
                max=MAX_EMAIL_LENGTH,
                message=_("Eine E-Mail-Adresse hat höchstens %(max)d Zeichen."),
            ),
            _without_control_characters,
        ],
    )


# Passwords use InputRequired: spaces are characters like any other in a password.
def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    new = PasswordField(
        _("Neues Passwort"),
        validators=[
            InputRequired(message=_("Bitte geben Sie ein neues Passwort ein.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_("Das Passwort braucht mindestens %(min)d Zeichen."),
            ),
            Length(max=MAX_PASSWORD_LENGTH, message=_("Dieses Passwort ist zu lang.")),
        ],
    )
    repeat = PasswordField(
        _("Neues Passwort wiederholen"),
        validators=[
            InputRequired(message=_("Bitte wiederholen Sie das neue Passwort.")),
            EqualTo("new_password", message=_("Die beiden Passwörter stimmen nicht überein.")),
        ],
    )
    return new, repeat


class LoginForm(FlaskForm):
    email = _email_field(_("E-Mail-Adresse"), _("Bitte geben Sie Ihre E-Mail-Adresse ein."))
    password = PasswordField(
        _("Passwort"),
        validators=[
            InputRequired(message=_("Bitte geben Sie Ihr Passwort ein.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_("Dieses Passwort ist zu lang.")),
        ],
    )


class SetPasswordForm(FlaskForm):
    new_password, new_password_repeat = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _("Bisheriges Passwort"),
        validators=[
            InputRequired(message=_("Bitte geben Sie Ihr bisheriges Passwort ein.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_("Dieses Passwort ist zu lang.")),
        ],
    )
    new_password, new_password_repeat = _new_password_fields()

    def __init__(self, user: User, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.user = user
        # Told apart from other mistakes: only a wrong password counts towards the rate limit.
        self.is_current_password_wrong = False

    def validate_current_password(self, field: Field) -> None:
        if not verify_password(self.user.password_hash, field.data or ""):
            self.is_current_password_wrong = True
            raise ValidationError(_("Das bisherige Passwort ist nicht richtig."))


class InviteForm(FlaskForm):
    email = _email_field(
        _("E-Mail-Adresse der Person"), _("Bitte geben Sie die E-Mail-Adresse der Person ein.")
    )
    partner = SelectField(
        _("Partnerorganisation"),
        coerce=int,
        validate_choice=True,
        validators=[DataRequired(message=_("Bitte wählen Sie einen Partner."))],
    )

    def __init__(self, partners: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.partner.choices = [(0, _("– bitte wählen –")), *partners]

    def validate_email(self, field: Field) -> None:
        if not _EMAIL_PATTERN.fullmatch((field.data or "").strip()):
            raise ValidationError(_("Bitte geben Sie eine gültige E-Mail-Adresse ein."))
