"""The partner's offer form, and its conversion to and from offer records.

The form checks what a person can fix where they typed it (required fields, ranges, formats, the
schedule's parts); `offer_records.validate_record` stays the one source of the rules every offer
meets, and `OfferForm.add_record_problems` puts its findings next to the fields they concern.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from catalogue.forms import strip_typed_text
from catalogue.offer_records import SUMMARY_MAX, TITLE_MAX
from catalogue.schedules import MAX_OCCURRENCES, parse_rrule
from catalogue.seeding import read_json
from catalogue.timeutil import BERLIN
from catalogue.vocabulary import current_vocabulary

# Dates a catalogue of current offers can mean.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
# Without JavaScript a partner adds sessions in batches: this many empty rows are always offered.
EMPTY_SESSION_ROWS = 3
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A rule is compared by its dates: this many are enough to tell two rules apart.
_COMPARED_OCCURRENCES = 500
# Deliberately loose, like the login form's: the mail sent to it is the real test.
_EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# The same rule as `validate_record`'s, so that the form never accepts what the record refuses.
_WEB_URL_PATTERN = r"^https?://[^\s]+$"
_PHONE_PATTERN = r"^[0-9+()/.\s-]+$"
_SESSION_PROBLEM = re.compile(r"^schedule\.sessions\[(\d+)\]\.(start|end)$")


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice as checkboxes: every option visible, no Ctrl-click needed."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _CommaDecimalMixin:
    """Accepts the German decimal comma ("12,50") as well as a point.

    Rendered as a text field (the template asks phones for the decimal keypad): a German
    Chromium's number field drops a typed comma, so "12,50" arrived as 1250 €.
    """

    widget = TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        valuelist = [
            value.replace("€", "").replace(" ", "").replace(",", ".") for value in valuelist
        ]
        if not valuelist or not valuelist[0]:
            self.data = None  # an empty optional number, not a malformed one
            return
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            raise ValueError(_("Bitte eine Zahl angeben.")) from None
        # "NaN" and "Infinity" parse as numbers, but compare with nothing and break JSON.
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(_("Bitte eine Zahl angeben."))


class DayField(DateField):
    """A date as the browser's date picker sends it, or typed the German way (26.10.2027)."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Bitte ein Datum wie 26.10.2027.")) from None
        # Far-off years are typing mistakes, and a year 1 date cannot even be moved to UTC.
        if self.data is not None and not EARLIEST_YEAR <= self.data.year <= LATEST_YEAR:
            self.data = None
            raise ValueError(
                _(
                    "Bitte ein Datum zwischen %(low)d und %(high)d.",
                    low=EARLIEST_YEAR,
                    high=LATEST_YEAR,
                )
            )


class ClockField(TimeField):
    """A time of day, e.g. 14:30."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Bitte eine Uhrzeit wie 14:30.")) from None


class WholeNumberField(IntegerField):
    """An integer, with a message people understand."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Bitte eine ganze Zahl.")) from None


class EuroField(_CommaDecimalMixin, DecimalField):
    """An amount in euros, with a decimal comma or point."""


class CoordinateField(_CommaDecimalMixin, FloatField):
    """A latitude or longitude, with a decimal comma or point."""


def _choices(facet: str, locale: str) -> list[SelectChoice]:
    return [
        SelectChoice(term.slug, term.label(locale)) for term in current_vocabulary().terms(facet)
    ]


@functools.cache
def municipalities() -> tuple[str, ...]:
    """The municipalities of the seed vocabulary, for the suggestions of the municipality field."""
    by_district = read_json("vocabulary.json").get("municipalities", {})
    return tuple(sorted({name for names in by_district.values() for name in names}))


class SessionForm(Form):
    """One dated session; a row left empty is ignored."""

    start_date = DayField(_("Datum"), validators=[Optional()])
    start_time = ClockField(_("Beginn"), validators=[Optional()])
    end_time = ClockField(_("Ende"), validators=[Optional()])
    end_date = DayField(
        _("Enddatum, nur wenn der Termin über mehrere Tage geht"), validators=[Optional()]
    )

    def is_empty(self) -> bool:
        return all(
            field.data is None and not (field.raw_data and field.raw_data[0].strip())
            for field in self
        )

    def starts_at(self) -> dt.datetime | None:
        if self.start_date.data is None or self.start_time.data is None:
            return None
        return dt.datetime.combine(self.start_date.data, self.start_time.data, tzinfo=BERLIN)

    def ends_at(self) -> dt.datetime | None:
        day = self.end_date.data or self.start_date.data
        if day is None or self.end_time.data is None:
            return None
        return dt.datetime.combine(day, self.end_time.data, tzinfo=BERLIN)

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators) or self.is_empty():
            return not self.errors
        if self.start_date.data is None:
            self.start_date.errors.append(_("Bitte geben Sie das Datum an."))
        if self.start_time.data is None:
            self.start_time.errors.append(_("Bitte geben Sie an, wann der Termin beginnt."))
        if self.end_date.data is not None and self.end_time.data is None:
            self.end_time.errors.append(_("Bitte geben Sie auch an, wann der Termin endet."))
        start, end = self.starts_at(), self.ends_at()
        if start and end and end < start:
            self.end_time.errors.append(
                _(
                    "Das Ende liegt vor dem Beginn. Geht der Termin über Mitternacht, "
                    "geben Sie bitte das Enddatum an."
                )
            )
        return not self.errors


class OfferForm(FlaskForm):
    """Everything about an offer that its partner writes; never its status or its partner."""

    title = StringField(
        _("Titel"),
        filters=[strip_typed_text],
        validators=[
            DataRequired(message=_("Bitte geben Sie einen Titel an.")),
            Length(max=TITLE_MAX, message=_("Der Titel hat höchstens %(max)d Zeichen.")),
        ],
    )
    summary = TextAreaField(
        _("Kurzbeschreibung"),
        filters=[strip_typed_text],
        validators=[
            DataRequired(message=_("Bitte fassen Sie das Angebot in ein, zwei Sätzen zusammen.")),
            Length(
                max=SUMMARY_MAX, message=_("Die Kurzbeschreibung hat höchstens %(max)d Zeichen.")
            ),
        ],
    )
    description = TextAreaField(
        _("Beschreibung"),
        filters=[strip_typed_text],
        validators=[
            Length(max=20_000, message=_("Die Beschreibung hat höchstens %(max)d Zeichen."))
        ],
    )
    stages = MultiCheckboxField(
        _("Stufen der Bildungskette"),
        validators=[DataRequired(message=_("Bitte wählen Sie mindestens eine Stufe."))],
        invalid_choice_message=_("Diese Auswahl gibt es nicht: %(value)s"),
    )
    subjects = MultiCheckboxField(
        _("Fächer"),
        validators=[DataRequired(message=_("Bitte wählen Sie mindestens ein Fach."))],
        invalid_choice_message=_("Diese Auswahl gibt es nicht: %(value)s"),
    )
    formats = MultiCheckboxField(
        _("Formate"),
        validators=[DataRequired(message=_("Bitte wählen Sie mindestens ein Format."))],
        invalid_choice_message=_("Diese Auswahl gibt es nicht: %(value)s"),
    )
    audiences = MultiCheckboxField(
        _("Für wen"),
        validators=[DataRequired(message=_("Bitte wählen Sie mindestens eine Zielgruppe."))],
        invalid_choice_message=_("Diese Auswahl gibt es nicht: %(value)s"),
    )
    age_min = WholeNumberField(
        _("Alter von"),
        validators=[
            InputRequired(message=_("Bitte geben Sie das Mindestalter an.")),
            NumberRange(0, 99, message=_("Bitte eine ganze Zahl von 0 bis 99.")),
        ],
    )
    age_max = WholeNumberField(
        _("Alter bis"),
        validators=[
            InputRequired(message=_("Bitte geben Sie das Höchstalter an (99 für „ohne Grenze“).")),
            NumberRange(0, 99, message=_("Bitte eine ganze Zahl von 0 bis 99.")),
        ],
    )
    mode = RadioField(
        _("Durchführung"),
        default="on-site",
        invalid_choice_message=_("Bitte wählen Sie, wie das Angebot durchgeführt wird."),
    )
    district = SelectField(
        _("Region"),
        validators=[DataRequired(message=_("Bitte wählen Sie die Region."))],
        invalid_choice_message=_("Bitte wählen Sie die Region."),
    )
    municipality = StringField(
        _("Gemeinde"),
        filters=[strip_typed_text],
        validators=[Optional(), Length(max=100, message=_("Höchstens %(max)d Zeichen."))],
    )
    venue = StringField(
        _("Veranstaltungsort"),
        filters=[strip_typed_text],
        validators=[Optional(), Length(max=200, message=_("Höchstens %(max)d Zeichen."))],
    )
    address = StringField(
        _("Adresse"),
        filters=[strip_typed_text],
        validators=[Optional(), Length(max=300, message=_("Höchstens %(max)d Zeichen."))],
    )
    lat = CoordinateField(
        _("Breitengrad"),
        validators=[
            Optional(),
            NumberRange(-90, 90, message=_("Ein Breitengrad liegt zwischen -90 und 90.")),
        ],
    )
    lon = CoordinateField(
        _("Längengrad"),
        validators=[
            Optional(),
            NumberRange(-180, 180, message=_("Ein Längengrad liegt zwischen -180 und 180.")),
        ],
    )

    schedule_kind = RadioField(
        _("Wann findet das Angebot statt?"),
        default="dated",
        choices=[
            SelectChoice("dated", _("An festen Terminen")),
            SelectChoice("recurring", _("Regelmäßig wiederkehrend")),
            SelectChoice("on-request", _("Nach Vereinbarung – jederzeit buchbar")),
        ],
        invalid_choice_message=_("Bitte wählen Sie, wie die Termine angegeben werden."),
    )
    sessions = FieldList(FormField(SessionForm), min_entries=EMPTY_SESSION_ROWS)
    first_date = DayField(_("Erster Termin"), validators=[Optional()])
    first_time = ClockField(_("Beginn"), validators=[Optional()])
    duration_minutes = WholeNumberField(
        _("Dauer in Minuten"),
        validators=[
            Optional(),
            NumberRange(1, 24 * 60 * 14, message=_("Bitte eine Dauer von 1 bis 20160 Minuten.")),
        ],
    )
    frequency = RadioField(
        _("Wiederholung"),
        default="weekly",
        choices=[
            SelectChoice("weekly", _("jede Woche an den gewählten Wochentagen")),
            SelectChoice("biweekly", _("alle zwei Wochen an den gewählten Wochentagen")),
            SelectChoice(
                "monthly", _("jeden Monat am selben Wochentag, z. B. jeden ersten Mittwoch")
            ),
            SelectChoice("custom", _("eigene Regel nach RFC 5545 (siehe unten)")),
        ],
        invalid_choice_message=_("Bitte wählen Sie, wie oft sich der Termin wiederholt."),
    )
    weekdays = MultiCheckboxField(
        _("Wochentage"),
        choices=[
            SelectChoice(code, label)
            for code, label in zip(
                WEEKDAYS,
                (
                    _("Montag"),
                    _("Dienstag"),
                    _("Mittwoch"),
                    _("Donnerstag"),
                    _("Freitag"),
                    _("Samstag"),
                    _("Sonntag"),
                ),
                strict=True,
            )
        ],
        invalid_choice_message=_("Diese Auswahl gibt es nicht: %(value)s"),
    )
    until = DayField(_("Bis einschließlich"), validators=[Optional()])
    custom_rrule = StringField(
        _("Eigene Regel (RRULE)"),
        filters=[strip_typed_text],
        validators=[Optional(), Length(max=300, message=_("Höchstens %(max)d Zeichen."))],
    )
    schedule_description = StringField(
        _("Termine in Worten"),
        filters=[strip_typed_text],
        validators=[Optional(), Length(max=300, message=_("Höchstens %(max)d Zeichen."))],
    )

    registration_deadline = DayField(_("Anmeldeschluss"), validators=[Optional()])
    group_size_min = WholeNumberField(
        _("Gruppengröße von"),
        validators=[
            Optional(),
            NumberRange(1, 1000, message=_("Bitte eine Zahl von 1 bis 1000.")),
        ],
    )
    group_size_max = WholeNumberField(
        _("Gruppengröße bis"),
        validators=[
            Optional(),
            NumberRange(1, 1000, message=_("Bitte eine Zahl von 1 bis 1000.")),
        ],
    )
    free = BooleanField(_("Das Angebot ist kostenlos"), default=True)
    # No validators of its own: whether a price is needed depends on `free` (validate_price_eur).
    price_eur = EuroField(_("Preis in Euro"), places=2)
    cost_note = StringField(
        _("Hinweis zu den Kosten"),
        filters=[strip_typed_text],
        validators=[Optional(), Length(max=300, message=_("Höchstens %(max)d Zeichen."))],
    )
    languages = MultiCheckboxField(
        _("Sprachen"),
        default=["de"],
        validators=[DataRequired(message=_("Bitte wählen Sie mindestens eine Sprache."))],
        invalid_choice_message=_("Diese Auswahl gibt es nicht: %(value)s"),
    )
    accessibility_note = TextAreaField(
        _("Barrierefreiheit"),
        filters=[strip_typed_text],
        validators=[Optional(), Length(max=500, message=_("Höchstens %(max)d Zeichen."))],
    )
    registration_url = URLField(
        _("Link zur Anmeldung"),
        filters=[strip_typed_text],
        validators=[
            Optional(),
            Length(max=500, message=_("Höchstens %(max)d Zeichen.")),
            Regexp(
                _WEB_URL_PATTERN,
                message=_("Bitte eine Webadresse, die mit http:// oder https:// beginnt."),
            ),
        ],
    )
    contact_email = EmailField(
        _("E-Mail für Rückfragen"),
        filters=[strip_typed_text],
        validators=[
            Optional(),
            Length(max=200, message=_("Höchstens %(max)d Zeichen.")),
            Regexp(_EMAIL_PATTERN, message=_("Bitte eine E-Mail-Adresse wie name@example.org.")),
        ],
    )
    contact_phone = TelField(
        _("Telefon"),
        filters=[strip_typed_text],
        validators=[
            Optional(),
            Length(max=60, message=_("Höchstens %(max)d Zeichen.")),
            Regexp(
                _PHONE_PATTERN, message=_("Bitte nur Ziffern, Leerzeichen und + ( ) / . - angeben.")
            ),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        vocabulary = current_vocabulary()
        self.stages.choices = _choices("stage", locale)
        self.subjects.choices = _choices("subject", locale)
        self.formats.choices = _choices("format", locale)
        self.audiences.choices = _choices("audience", locale)
        self.mode.choices = _choices("mode", locale)
        self.district.choices = [
            SelectChoice("", _("Bitte wählen …")),
            *_choices("district", locale),
        ]
        # Subjects are a tree: the template indents the children under their parent.
        self.subject_parents = {
            term.slug: term.parent for term in vocabulary.terms("subject") if term.parent
        }
        known = {"de": _("Deutsch"), "en": _("Englisch")}
        # A language an imported offer has must stay choosable, or saving would drop it.
        codes = [*known, *((kwargs.get("data") or {}).get("languages") or [])]
        self.languages.choices = [
            SelectChoice(code, known.get(code, code)) for code in dict.fromkeys(codes)
        ]

    # -- field rules that involve more than one field ------------------------------------------

    def validate_age_max(self, field: IntegerField) -> None:
        if (
            self.age_min.data is not None
            and field.data is not None
            and self.age_min.data > field.data
        ):
            raise ValidationError(
                _("Das Höchstalter muss mindestens so groß sein wie das Mindestalter.")
            )

    def validate_group_size_max(self, field: IntegerField) -> None:
        low = self.group_size_min.data
        if low is not None and field.data is not None and low > field.data:
            raise ValidationError(
                _("Die größte Gruppe muss mindestens so groß sein wie die kleinste.")
            )

    def validate_price_eur(self, field: EuroField) -> None:
        if field.data is None:
            if not self.free.data and not field.process_errors:
                raise ValidationError(
                    _("Bitte geben Sie einen Preis an oder kreuzen Sie „kostenlos“ an.")
                )
            return
        if not Decimal(0) <= field.data < Decimal(100_000):
            raise ValidationError(_("Bitte einen Betrag von 0 bis 99.999 €."))

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        self._only_parse_errors()
        kind = self.schedule_kind.data
        if kind == "dated":
            self._check_sessions()
        elif kind == "recurring":
            self._check_recurrence()
        return not self.errors

    def _only_parse_errors(self) -> None:
        # Input that is no number or date at all gets one message, not a second from its range.
        for field in self:
            # An empty optional field has no errors left (Optional cleared them): keep it so.
            if (
                field.process_errors
                and field.errors
                and field.type not in ("FieldList", "FormField")
            ):
                field.errors = list(field.process_errors)

    def _check_sessions(self) -> None:
        filled = self.filled_sessions()
        if not filled and not self.sessions.errors:
            self.sessions.entries[0].form.start_date.errors.append(
                _("Bitte geben Sie mindestens einen Termin an.")
            )
        elif len(filled) > MAX_OCCURRENCES:
            self.sessions.entries[0].form.start_date.errors.append(
                _(
                    "Höchstens %(max)d Termine; für mehr wählen Sie „regelmäßig“.",
                    max=MAX_OCCURRENCES,
                )
            )
        self._refresh_session_errors()

    def _refresh_session_errors(self) -> None:
        # FieldList collects its rows' errors while validating; errors added later must join.
        self.sessions.errors = [entry.errors for entry in self.sessions.entries if entry.errors]

    def _check_recurrence(self) -> None:
        required = (
            (self.first_date, _("Bitte geben Sie das Datum des ersten Termins an.")),
            (self.first_time, _("Bitte geben Sie an, wann die Termine beginnen.")),
            (self.duration_minutes, _("Bitte geben Sie an, wie lange ein Termin dauert.")),
            (
                self.schedule_description,
                _("Bitte beschreiben Sie die Termine in Worten, z. B. „mittwochs 15–17 Uhr“."),
            ),
        )
        for field, message in required:
            if field.data in (None, "") and not field.errors:
                field.errors.append(message)
        first = self.first_date.data
        if self.frequency.data == "custom":
            if not self.custom_rrule.data:
                self.custom_rrule.errors.append(_("Bitte geben Sie die Regel an."))
            elif self.first_start() is not None:
                try:
                    parse_rrule(self.custom_rrule.data.removeprefix("RRULE:"), self.first_start())
                except (ValueError, TypeError):
                    self.custom_rrule.errors.append(
                        _("Das ist keine gültige Regel nach RFC 5545, z. B. FREQ=WEEKLY;BYDAY=WE.")
                    )
            return
        if first is not None and self.until.data is not None and self.until.data < first:
            self.until.errors.append(_("Das Ende der Reihe liegt vor dem ersten Termin."))
        if (
            self.frequency.data in ("weekly", "biweekly")
            and first is not None
            and self.weekdays.data
            and WEEKDAYS[first.weekday()] not in self.weekdays.data
        ):
            self.weekdays.errors.append(
                _("Der erste Termin muss auf einen der gewählten Wochentage fallen.")
            )

    # -- reading the form -----------------------------------------------------------------------

    def filled_sessions(self) -> list[SessionForm]:
        """The session rows that hold anything, in the order entered."""
        return [entry.form for entry in self.sessions.entries if not entry.form.is_empty()]

    def first_start(self) -> dt.datetime | None:
        if self.first_date.data is None or self.first_time.data is None:
            return None
        return dt.datetime.combine(self.first_date.data, self.first_time.data, tzinfo=BERLIN)

    def rrule(self) -> str | None:
        """The RFC 5545 rule of a recurring schedule, built from the simple choice or as written."""
        if self.frequency.data == "custom":
            return (self.custom_rrule.data or "").removeprefix("RRULE:") or None
        if self.first_date.data is None:
            return None
        return build_rrule(
            self.frequency.data, self.weekdays.data or [], self.first_date.data, self.until.data
        )

    # -- problems found by the record's rules --------------------------------------------------

    def add_record_problems(self, problems: list[tuple[str, str]]) -> None:
        """Show the record validator's findings next to the fields they concern."""
        for name, message in problems:
            field = self._field_for_problem(name)
            if field is None:
                self.form_errors.append(
                    _(
                        "Das Angebot konnte nicht gespeichert werden: %(name)s %(message)s",
                        name=name,
                        message=message,
                    )
                )
            else:
                field.errors = [*field.errors, message]
        self._refresh_session_errors()

    def _field_for_problem(self, name: str) -> Any:
        session_problem = _SESSION_PROBLEM.match(name)
        if session_problem:
            filled = self.filled_sessions()
            number = int(session_problem.group(1))
            if not 1 <= number <= len(filled):
                return None
            row = filled[number - 1]
            return row.start_date if session_problem.group(2) == "start" else row.end_time
        if name == "schedule.sessions":
            return self.sessions.entries[0].form.start_date if self.sessions.entries else None
        if name == "schedule.rrule":
            return self.custom_rrule if self.frequency.data == "custom" else self.frequency
        field_name = _PROBLEM_FIELDS.get(name, name if "." not in name else "")
        return self._fields.get(field_name) if field_name not in _NOT_ON_THE_FORM else None

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(element id, label, message) of every error, in the order of the form."""
        found: list[tuple[str, str, str]] = []
        for field in self:
            if field.type == "CSRFTokenField":
                continue
            if field.type == "FieldList":
                for number, entry in enumerate(field.entries, start=1):
                    for sub in entry.form:
                        label = _(
                            "Termin %(number)d: %(label)s", number=number, label=sub.label.text
                        )
                        found += [(sub.id, str(label), str(error)) for error in sub.errors]
                continue
            anchor = (
                f"{field.id}-0" if field.type in ("MultiCheckboxField", "RadioField") else field.id
            )
            found += [(anchor, str(field.label.text), str(error)) for error in field.errors]
        return found


# Record problem names (`validate_record`) -> form fields, where the names differ.
_PROBLEM_FIELDS = {
    "cost": "free",
    "cost.free": "free",
    "cost.price_eur": "price_eur",
    "cost.note": "cost_note",
    "schedule": "schedule_kind",
    "schedule.first_start": "first_date",
    "schedule.duration_minutes": "duration_minutes",
}
# Problems with what the partner does not write; they are shown above the form.
_NOT_ON_THE_FORM = {"", "partner", "status", "slug", "last_verified"}


# -- recurrence rules --------------------------------------------------------------------------


def build_rrule(frequency: str, weekdays: list[str], first: dt.date, until: dt.date | None) -> str:
    """The RFC 5545 rule of a simple choice, e.g. FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;UNTIL=….

    UNTIL is the end of the chosen day in Berlin, written in UTC as RFC 5545 requires when the
    first start has a time zone."""
    if frequency == "monthly":
        # The n-th weekday of the month; a fifth one exists only some months, so it means "last".
        nth = (first.day - 1) // 7 + 1
        parts = [
            "FREQ=MONTHLY",
            "INTERVAL=1",
            f"BYDAY={-1 if nth == 5 else nth}{WEEKDAYS[first.weekday()]}",
        ]
    else:
        days = [day for day in WEEKDAYS if day in weekdays] or [WEEKDAYS[first.weekday()]]
        interval = 2 if frequency == "biweekly" else 1
        parts = ["FREQ=WEEKLY", f"INTERVAL={interval}", "BYDAY=" + ",".join(days)]
    if until is not None:
        end_of_day = dt.datetime.combine(until, dt.time(23, 59, 59), tzinfo=BERLIN)
        parts.append("UNTIL=" + end_of_day.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"))
    return ";".join(parts)


def _dates(rule: str, first: dt.datetime) -> list[dt.datetime]:
    return list(islice(parse_rrule(rule, first), _COMPARED_OCCURRENCES))


def _until_candidates(value: str | None) -> list[dt.date | None]:
    if value is None:
        return [None]
    try:
        moment = (
            dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            if "T" in value
            else dt.datetime.strptime(value, "%Y%m%d").replace(tzinfo=BERLIN)
        )
    except ValueError:
        return []
    local = moment.astimezone(BERLIN).date()
    # Rules written elsewhere end their last day at 23:59:59 UTC or Berlin; either is that day.
    return list(dict.fromkeys([local, moment.date(), local - dt.timedelta(days=1)]))


def _simple_recurrence(rule: str, first: dt.datetime) -> dict[str, Any] | None:
    """The simple choice (frequency, weekdays, until) that gives the same dates as `rule`, or None
    when only the rule itself says it (COUNT, daily, "last Wednesday", …)."""
    try:
        original = _dates(rule, first)
    except (ValueError, TypeError):
        return None
    parts = dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)
    interval = parts.get("INTERVAL", "1")
    days = [day for day in parts.get("BYDAY", "").split(",") if day]
    if parts.get("FREQ") == "WEEKLY" and interval in ("1", "2") and set(days) <= set(WEEKDAYS):
        frequency = "weekly" if interval == "1" else "biweekly"
    elif parts.get("FREQ") == "MONTHLY" and interval == "1":
        frequency, days = "monthly", []
    else:
        return None
    local_first = first.astimezone(BERLIN)
    for until in _until_candidates(parts.get("UNTIL")):
        candidate = build_rrule(frequency, days, local_first.date(), until)
        if _dates(candidate, first) == original:
            return {"frequency": frequency, "weekdays": days, "until": until}
    return None


# -- records <-> form ----------------------------------------------------------------------------


def _iso_day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)).astimezone(BERLIN)


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _schedule_record(form: OfferForm) -> dict[str, Any]:
    kind = form.schedule_kind.data
    description = form.schedule_description.data or None
    if kind == "dated":
        sessions = []
        for row in form.filled_sessions():
            start, end = row.starts_at(), row.ends_at()
            sessions.append(
                {
                    "start": start.isoformat() if start else None,
                    "end": end.isoformat() if end else None,
                }
            )
        return {"kind": "dated", "sessions": sessions, "description": description}
    if kind == "recurring":
        first = form.first_start()
        return {
            "kind": "recurring",
            "rrule": form.rrule(),
            "first_start": first.isoformat() if first else None,
            "duration_minutes": form.duration_minutes.data,
            "description": description,
        }
    return {"kind": "on-request", "description": description}


def record_from_form(form: OfferForm) -> dict[str, Any]:
    """The form's content as an offer record (the shape of `/api/v1/offers/<slug>`), without
    partner and status: those never come from the form. JSON-ready, so a revision can keep it."""
    price = form.price_eur.data
    return {
        "title": form.title.data,
        "summary": form.summary.data,
        "description": form.description.data or "",
        "stages": list(form.stages.data or []),
        "subjects": list(form.subjects.data or []),
        "formats": list(form.formats.data or []),
        "audiences": list(form.audiences.data or []),
        "age_min": form.age_min.data,
        "age_max": form.age_max.data,
        "mode": form.mode.data,
        "district": form.district.data,
        "municipality": form.municipality.data or None,
        "venue": form.venue.data or None,
        "address": form.address.data or None,
        "lat": form.lat.data,
        "lon": form.lon.data,
        "schedule": _schedule_record(form),
        "registration_deadline": _iso_day(form.registration_deadline.data),
        "group_size_min": form.group_size_min.data,
        "group_size_max": form.group_size_max.data,
        "cost": {
            "free": bool(form.free.data),
            "price_eur": None if form.free.data or price is None else float(price),
            "note": form.cost_note.data or None,
        },
        "languages": list(form.languages.data or []),
        "accessibility_note": form.accessibility_note.data or None,
        "registration_url": form.registration_url.data or None,
        "contact_email": form.contact_email.data or None,
        "contact_phone": form.contact_phone.data or None,
    }


def _sessions_data(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in schedule.get("sessions") or []:
        start = _moment((item or {}).get("start"))
        if start is None:
            continue
        end = _moment(item.get("end"))
        rows.append(
            {
                "start_date": start.date(),
                "start_time": start.time().replace(tzinfo=None),
                "end_time": end.time().replace(tzinfo=None) if end else None,
                "end_date": end.date() if end and end.date() != start.date() else None,
            }
        )
    return rows


def _recurrence_data(schedule: dict[str, Any]) -> dict[str, Any]:
    first = _moment(schedule.get("first_start"))
    rule = (schedule.get("rrule") or "").removeprefix("RRULE:")
    data: dict[str, Any] = {
        "first_date": first.date() if first else None,
        "first_time": first.time().replace(tzinfo=None) if first else None,
        "duration_minutes": schedule.get("duration_minutes"),
    }
    simple = _simple_recurrence(rule, first) if first and rule else None
    if simple is not None:
        data.update(simple)
    elif rule:
        data.update(frequency="custom", custom_rrule=rule)
    return data


def form_data_from_record(record: dict[str, Any]) -> dict[str, Any]:
    """An offer record as the form's data, for editing; the sessions end with empty rows."""
    schedule = record.get("schedule") or {}
    cost = record.get("cost") or {}
    price = cost.get("price_eur")
    try:
        price_value = None if price is None else Decimal(str(price))
    except InvalidOperation:
        price_value = None
    data: dict[str, Any] = {
        name: record.get(name)
        for name in (
            "title", "summary", "description", "stages", "subjects", "formats", "audiences",
            "age_min", "age_max", "mode", "district", "municipality", "venue", "address", "lat",
            "lon", "group_size_min", "group_size_max", "accessibility_note", "registration_url",
            "contact_email", "contact_phone",
        )
    }  # fmt: skip
    data.update(
        languages=record.get("languages") or ["de"],
        registration_deadline=_day(record.get("registration_deadline")),
        free=cost.get("free", True) is not False,
        price_eur=price_value,
        cost_note=cost.get("note"),
        schedule_kind=schedule.get("kind") or "on-request",
        schedule_description=schedule.get("description"),
        sessions=_sessions_data(schedule) + [{} for _row in range(EMPTY_SESSION_ROWS)],
    )
    if schedule.get("kind") == "recurring":
        data.update(_recurrence_data(schedule))
    return data
