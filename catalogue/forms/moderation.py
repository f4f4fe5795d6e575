"""Forms of the editors' area (decisions on offers and applications) and of the join page."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from catalogue.forms import strip_typed_text
from catalogue.vocabulary import current_vocabulary

REASON_MAX = 2000
MESSAGE_MAX = 2000
# The address must look like one; whether it exists, only the invitation mail can tell.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
WEB_ADDRESS_PATTERN = r"^https?://[^\s/]+\.[^\s]+$"


class OneOfTheChoices:
    """The submitted value is one of the select's options (in German, unlike WTForms' own)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data not in {value for value, _label in field.choices or ()}:
            raise ValidationError(self.message)


def cluster_choices(blank_label: str) -> list[tuple[str, str]]:
    """The alliance's clusters as select options, after a blank one."""
    locale = str(get_locale())
    terms = current_vocabulary().terms("cluster")
    return [("", blank_label)] + [(term.slug, term.label(locale)) for term in terms]


class ApproveForm(FlaskForm):
    """Only the CSRF token: approving needs no input."""

    submit = SubmitField(_l("Freigeben und veröffentlichen"))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Begründung für den Partner"),
        filters=[strip_typed_text],
        validators=[
            DataRequired(_l("Bitte schreiben Sie, warum die Einreichung abgelehnt wird.")),
            Length(max=REASON_MAX, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
    submit = SubmitField(_l("Ablehnen"))


class AcceptApplicationForm(FlaskForm):
    cluster = SelectField(
        _l("Cluster"),
        validate_choice=False,
        validators=[
            DataRequired(_l("Bitte wählen Sie einen Cluster.")),
            OneOfTheChoices(_l("Bitte wählen Sie einen Cluster.")),
        ],
    )
    submit = SubmitField(_l("Aufnehmen und Zugang schicken"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A blank first option, so that an application without a cluster is never accepted
        # into whichever cluster happens to be listed first.
        self.cluster.choices = cluster_choices(_l("Bitte wählen"))


class DeclineApplicationForm(FlaskForm):
    reason = TextAreaField(
        _l("Begründung (geht per E-Mail an die Kontaktperson)"),
        filters=[strip_typed_text],
        validators=[
            DataRequired(_l("Bitte geben Sie eine Begründung an.")),
            Length(max=REASON_MAX, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
    submit = SubmitField(_l("Antrag ablehnen"))


class JoinForm(FlaskForm):
    organisation = StringField(
        _l("Name der Organisation"),
        filters=[strip_typed_text],
        render_kw={"autocomplete": "organization"},
        validators=[
            DataRequired(_l("Bitte geben Sie den Namen Ihrer Organisation an.")),
            Length(max=200, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
    # A text field, not type="url": browsers would reject "www.…" before the German message shows.
    website = StringField(
        _l("Website (optional)"),
        filters=[strip_typed_text],
        render_kw={"inputmode": "url", "autocomplete": "url"},
        validators=[
            Optional(),
            Length(max=300, message=_l("Höchstens %(max)d Zeichen.")),
            Regexp(
                WEB_ADDRESS_PATTERN,
                message=_l("Bitte eine Adresse angeben, die mit http:// oder https:// beginnt."),
            ),
        ],
    )
    cluster = SelectField(
        _l("Cluster (optional)"),
        validate_choice=False,
        validators=[OneOfTheChoices(_l("Bitte wählen Sie einen der angebotenen Cluster."))],
    )
    contact_name = StringField(
        _l("Name der Kontaktperson"),
        filters=[strip_typed_text],
        render_kw={"autocomplete": "name"},
        validators=[
            DataRequired(_l("Bitte geben Sie eine Kontaktperson an.")),
            Length(max=200, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
    contact_email = EmailField(
        _l("E-Mail-Adresse der Kontaktperson"),
        filters=[strip_typed_text],
        render_kw={"autocomplete": "email"},
        validators=[
            DataRequired(_l("Bitte geben Sie eine E-Mail-Adresse an.")),
            Length(max=200, message=_l("Höchstens %(max)d Zeichen.")),
            Regexp(
                EMAIL_PATTERN,
                message=_l("Bitte eine gültige E-Mail-Adresse angeben, z. B. name@example.org."),
            ),
        ],
    )
    message = TextAreaField(
        _l("Nachricht an die Redaktion (optional)"),
        filters=[strip_typed_text],
        validators=[
            Optional(),
            Length(max=MESSAGE_MAX, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
    submit = SubmitField(_l("Antrag senden"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cluster.choices = cluster_choices(_l("Weiß ich nicht / keine Angabe"))
