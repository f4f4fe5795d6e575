"""Offers as plain records: the shape of `/api/v1/offers/<slug>` plus `partner` and `status`.

Seeds and the JSON Lines import read this shape; `validate_record` checks one record with the rules
every offer must meet, and `apply_record` writes a valid one onto an Offer row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from catalogue.models import OFFER_STATUSES, Offer, OfferSession, Partner, VocabularyTerm
from catalogue.schedules import parse_rrule
from catalogue.timeutil import to_storage
from catalogue.vocabulary import Vocabulary

SUMMARY_MAX = 300
TITLE_MAX = 200
MULTI_FACETS = {
    "stages": "stage",
    "subjects": "subject",
    "formats": "format",
    "audiences": "audience",
}
# Control characters other than tab and line breaks are no text anyone means to write; PostgreSQL
# refuses NUL in any text, and XML (feeds, sitemaps) refuses the others. Forms clean them out of
# what people type; records from elsewhere (imports) are refused.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTER_PROBLEM = "enthält Steuerzeichen, die in keinem Text vorkommen dürfen"
_GERMAN_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


class InvalidRecord(ValueError):
    """A record that breaks the rules; `problems` lists (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


def slugify(text: str) -> str:
    """A URL slug with German transliteration: "Mädchen-AG Größen" -> "maedchen-ag-groessen"."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_GERMAN_TRANSLITERATION))
        .encode("ascii", "ignore")
        .decode()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:120] or "angebot"


# What slugify makes and an offer's slug is: lower-case ASCII words joined by single hyphens.
_WELL_FORMED_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_well_formed_slug(text: str) -> bool:
    """Whether `text` could be an offer's slug (checked before any query is made with it)."""
    return len(text) <= Offer.slug.type.length and _WELL_FORMED_SLUG.fullmatch(text) is not None


@dataclass
class SessionTimes:
    starts_at: dt.datetime
    ends_at: dt.datetime | None


def _text(
    record: dict[str, Any],
    name: str,
    problems: list,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str | None:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append((name, "fehlt"))
        return None
    if not isinstance(value, str):
        problems.append((name, "muss ein Text sein"))
        return None
    if CONTROL_CHARACTERS.search(value):
        problems.append((name, CONTROL_CHARACTER_PROBLEM))
        return None
    value = value.strip()
    if max_length and len(value) > max_length:
        problems.append((name, f"ist {len(value)} Zeichen lang, erlaubt sind {max_length}"))
    return value


def _int(record: dict[str, Any], name: str, problems: list, low: int, high: int) -> int | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append((name, f"muss eine ganze Zahl von {low} bis {high} sein"))
        return None
    return value


# Dates outside this range are typing mistakes, and near year 1 they cannot even be converted.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _moment(value: Any, name: str, problems: list) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append(
            (name, "muss ein Zeitpunkt nach ISO 8601 sein, z. B. 2026-12-05T10:00:00+01:00")
        )
        return None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        problems.append((name, f"muss zwischen {EARLIEST_YEAR} und {LATEST_YEAR} liegen"))
        return None
    return moment


def _short_text(value: Any, name: str, problems: list, max_length: int) -> str | None:
    """An optional text nested in an object (schedule, cost), with the column's length limit."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        problems.append((name, "muss ein Text sein"))
        return None
    if CONTROL_CHARACTERS.search(value):
        problems.append((name, CONTROL_CHARACTER_PROBLEM))
        return None
    if len(value) > max_length:
        problems.append((name, f"ist {len(value)} Zeichen lang, erlaubt sind {max_length}"))
        return None
    return value.strip() or None


def _day(record: dict[str, Any], name: str, problems: list) -> dt.date | None:
    value = record.get(name)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append((name, "muss ein Datum im Format JJJJ-MM-TT sein"))
        return None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        problems.append((name, f"muss zwischen {EARLIEST_YEAR} und {LATEST_YEAR} liegen"))
        return None
    return day


def _validate_schedule(schedule: Any, problems: list) -> dict[str, Any]:
    if not isinstance(schedule, dict) or schedule.get("kind") not in (
        "dated",
        "recurring",
        "on-request",
    ):
        problems.append(("schedule", "kind muss dated, recurring oder on-request sein"))
        return {"kind": "on-request"}
    kind = schedule["kind"]
    description = _short_text(
        schedule.get("description"), "schedule.description", problems, max_length=300
    )
    result: dict[str, Any] = {"kind": kind, "description": description}
    if kind == "dated":
        sessions = schedule.get("sessions")
        if not isinstance(sessions, list) or not sessions:
            problems.append(("schedule.sessions", "mindestens ein Termin ist nötig"))
            sessions = []
        times = []
        for number, item in enumerate(sessions, start=1):
            item = item if isinstance(item, dict) else {}
            start = _moment(item.get("start"), f"schedule.sessions[{number}].start", problems)
            end = (
                _moment(item["end"], f"schedule.sessions[{number}].end", problems)
                if item.get("end")
                else None
            )
            if start and end and to_storage(end) < to_storage(start):
                problems.append((f"schedule.sessions[{number}].end", "liegt vor dem Beginn"))
            if start:
                times.append(SessionTimes(to_storage(start), to_storage(end) if end else None))
        result["sessions"] = times
    elif kind == "recurring":
        first = _moment(schedule.get("first_start"), "schedule.first_start", problems)
        rule = schedule.get("rrule")
        if not isinstance(rule, str) or not rule.strip():
            problems.append(("schedule.rrule", "fehlt"))
        elif len(rule) > 300:
            problems.append(("schedule.rrule", "ist länger als 300 Zeichen"))
        elif first:
            try:
                parse_rrule(rule.removeprefix("RRULE:"), first)
            except (ValueError, TypeError) as exc:
                problems.append(("schedule.rrule", f"ist keine gültige RRULE ({exc})"))
        duration = schedule.get("duration_minutes")
        if duration is not None and (
            isinstance(duration, bool)
            or not isinstance(duration, int)
            or not 1 <= duration <= 24 * 60 * 14
        ):
            problems.append(("schedule.duration_minutes", "muss eine Minutenzahl sein"))
        result.update(
            rrule=rule.removeprefix("RRULE:") if isinstance(rule, str) else None,
            first_start=to_storage(first) if first else None,
            duration_minutes=duration,
        )
    return result


def validate_record(record: Any, vocabulary: Vocabulary, partner_slugs: set[str]) -> dict[str, Any]:
    """The record's values, cleaned; raises InvalidRecord listing every problem found."""
    if not isinstance(record, dict):
        raise InvalidRecord([("", "jede Zeile muss ein JSON-Objekt sein")])
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {
        "title": _text(record, "title", problems, required=True, max_length=TITLE_MAX),
        "summary": _text(record, "summary", problems, required=True, max_length=SUMMARY_MAX),
        "description": _text(record, "description", problems) or "",
        "slug": _text(record, "slug", problems, max_length=120),
        "municipality": _text(record, "municipality", problems, max_length=100),
        "venue": _text(record, "venue", problems, max_length=200),
        "address": _text(record, "address", problems, max_length=300),
        "accessibility_note": _text(record, "accessibility_note", problems, max_length=500),
        "registration_url": _text(record, "registration_url", problems, max_length=500),
        "contact_email": _text(record, "contact_email", problems, max_length=200),
        "contact_phone": _text(record, "contact_phone", problems, max_length=60),
    }
    if clean["slug"] and not is_well_formed_slug(clean["slug"]):
        problems.append(("slug", "darf nur a–z, 0–9 und Bindestriche enthalten"))
    url = clean["registration_url"]
    if url and not re.match(r"^https?://[^\s]+$", url):
        problems.append(("registration_url", "muss mit http:// oder https:// beginnen"))

    partner = record.get("partner")
    if isinstance(partner, dict):  # the API's {"slug": …, "name": …} form
        partner = partner.get("slug")
    if not isinstance(partner, str) or partner not in partner_slugs:
        problems.append(("partner", f"unbekannter Partner „{partner}“"))
    clean["partner"] = partner
    status = record.get("status", "draft")
    if status not in OFFER_STATUSES:
        problems.append(("status", f"muss einer von {', '.join(OFFER_STATUSES)} sein"))
    clean["status"] = status

    for name, facet in MULTI_FACETS.items():
        values = record.get(name) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append((name, "muss eine Liste von Kürzeln sein"))
            values = []
        unknown = [v for v in values if vocabulary.get(facet, v) is None]
        if unknown:
            problems.append((name, f"unbekannt: {', '.join(unknown)}"))
        if not values and name in ("stages", "subjects", "formats", "audiences"):
            problems.append((name, "mindestens ein Eintrag ist nötig"))
        clean[name] = list(dict.fromkeys(values))
    for name, facet in (("mode", "mode"), ("district", "district")):
        value = record.get(name)
        if not isinstance(value, str) or vocabulary.get(facet, value) is None:
            problems.append((name, f"unbekannt: {value}"))
        clean[name] = value

    age_min = _int(record, "age_min", problems, 0, 99)
    age_max = _int(record, "age_max", problems, 0, 99)
    if age_min is None or age_max is None:
        problems.append(("age_min", "Alter von und bis sind nötig (0–99)"))
    elif age_min > age_max:
        problems.append(("age_max", "muss mindestens so groß wie age_min sein"))
    clean.update(age_min=age_min, age_max=age_max)

    group_min = _int(record, "group_size_min", problems, 1, 1000)
    group_max = _int(record, "group_size_max", problems, 1, 1000)
    if group_min and group_max and group_min > group_max:
        problems.append(("group_size_max", "muss mindestens so groß wie group_size_min sein"))
    clean.update(group_size_min=group_min, group_size_max=group_max)

    for name, limit in (("lat", 90), ("lon", 180)):
        value = record.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not -limit <= value <= limit  # also refuses NaN, which compares false
        ):
            problems.append((name, f"muss eine Zahl von -{limit} bis {limit} sein"))
            value = None
        clean[name] = value

    cost = record.get("cost") or {}
    if not isinstance(cost, dict):
        problems.append(("cost", "muss ein Objekt sein"))
        cost = {}
    is_free = cost.get("free", True)
    price = cost.get("price_eur")
    if not isinstance(is_free, bool):
        problems.append(("cost.free", "muss true oder false sein"))
    try:
        price_value = None if price is None or isinstance(price, bool) else Decimal(str(price))
    except InvalidOperation:
        price_value = Decimal("NaN")
    if price_value is not None and not price_value.is_finite():
        problems.append(("cost.price_eur", "muss ein Betrag in Euro sein"))
        price_value = None
    if price_value is not None and not Decimal(0) <= price_value < Decimal(100_000):
        problems.append(("cost.price_eur", "muss zwischen 0 und 99.999 € liegen"))
    if is_free is False and price_value is None:
        problems.append(("cost.price_eur", "ein kostenpflichtiges Angebot braucht einen Preis"))
    clean.update(
        is_free=is_free is True,
        price_eur=None if is_free is True else price_value,
        cost_note=_short_text(cost.get("note"), "cost.note", problems, max_length=300),
    )

    languages = record.get("languages") or ["de"]
    if not isinstance(languages, list) or not all(
        isinstance(v, str) and re.fullmatch(r"[a-z]{2}", v) for v in languages
    ):
        problems.append(("languages", 'muss eine Liste von Sprachkürzeln sein, z. B. ["de", "en"]'))
        languages = ["de"]
    clean["languages"] = ",".join(languages)

    clean["schedule"] = _validate_schedule(record.get("schedule"), problems)
    clean["registration_deadline"] = _day(record, "registration_deadline", problems)
    clean["last_verified"] = _day(record, "last_verified", problems)
    clean["is_demo"] = record.get("demo") is True
    if problems:
        raise InvalidRecord(problems)
    return clean


@dataclass
class RecordLookups:
    """Partners, vocabulary terms and taken offer slugs, read once for writing many records.

    `apply_record` with lookups reads nothing from the database. The slugs are those taken when
    the lookups were loaded plus those claimed through them since: use them only while no other
    code creates offers in the same transaction."""

    partners: dict[str, Partner]
    terms: dict[tuple[str, str], VocabularyTerm]
    taken_slugs: set[str]
    # wanted slug -> the lowest suffix that may still be free (all below it are taken).
    _next_suffix: dict[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, session: Session) -> RecordLookups:
        return cls(
            partners={p.slug: p for p in session.execute(select(Partner)).scalars()},
            terms={(t.facet, t.slug): t for t in session.execute(select(VocabularyTerm)).scalars()},
            taken_slugs=set(session.execute(select(Offer.slug)).scalars()),
        )

    def claim_slug(self, wanted: str) -> str:
        """`wanted`, or `wanted-2`, `wanted-3`, … as `unique_slug` does, and mark it taken."""
        # A title repeated a thousand times must not search from -2 a thousand times.
        slug = free_slug(wanted, self.taken_slugs, self._next_suffix.get(wanted, 2))
        if slug != wanted:
            self._next_suffix[wanted] = int(slug.removeprefix(f"{wanted}-")) + 1
        self.taken_slugs.add(slug)
        return slug


def _terms(
    session: Session, facet: str, slugs: list[str], lookups: RecordLookups | None
) -> list[VocabularyTerm]:
    if not slugs:
        return []
    if lookups is not None:
        return [lookups.terms[(facet, slug)] for slug in slugs]
    return list(
        session.execute(
            select(VocabularyTerm).where(
                VocabularyTerm.facet == facet, VocabularyTerm.slug.in_(slugs)
            )
        ).scalars()
    )


def apply_record(
    session: Session,
    offer: Offer,
    clean: dict[str, Any],
    *,
    lookups: RecordLookups | None = None,
    flush: bool = True,
) -> Offer:
    """Write validated values onto `offer` (new or existing). Never commits.

    With `lookups`, partners, terms and the slug come from them instead of the database; with
    `flush=False` the caller flushes, e.g. once per batch of a bulk import.
    The record's status is not written here: status moves only through `workflow`."""
    session.add(offer)
    # Nothing may flush half-written: a new offer has no slug until the end.
    with session.no_autoflush:
        _write_fields(session, offer, clean, lookups)
    if flush:
        session.flush()
    return offer


def _write_fields(
    session: Session, offer: Offer, clean: dict[str, Any], lookups: RecordLookups | None
) -> None:
    offer.partner = (
        lookups.partners[clean["partner"]]
        if lookups is not None
        else session.execute(select(Partner).where(Partner.slug == clean["partner"])).scalar_one()
    )
    for name in (
        "title", "summary", "description", "municipality", "venue", "address", "lat", "lon",
        "accessibility_note", "registration_url", "contact_email", "contact_phone", "age_min",
        "age_max", "group_size_min", "group_size_max", "is_free", "price_eur", "cost_note",
        "languages", "registration_deadline", "last_verified", "is_demo",
    ):  # fmt: skip
        setattr(offer, name, clean[name])
    offer.terms = [
        term
        for name, facet in MULTI_FACETS.items()
        for term in _terms(session, facet, clean[name], lookups)
    ]
    offer.mode = _terms(session, "mode", [clean["mode"]], lookups)[0]
    offer.district = _terms(session, "district", [clean["district"]], lookups)[0]

    schedule = clean["schedule"]
    offer.schedule_kind = schedule["kind"]
    offer.schedule_note = schedule.get("description")
    offer.rrule = schedule.get("rrule")
    offer.recurrence_start = schedule.get("first_start")
    offer.duration_minutes = schedule.get("duration_minutes")
    offer.sessions = [
        OfferSession(starts_at=s.starts_at, ends_at=s.ends_at) for s in schedule.get("sessions", [])
    ]
    if offer.slug is None:
        wanted = clean["slug"] or slugify(clean["title"])
        offer.slug = (
            lookups.claim_slug(wanted) if lookups is not None else unique_slug(session, wanted)
        )


def free_slug(wanted: str, taken: Container[str], first_number: int = 2) -> str:
    """`wanted`, or the first of `wanted-2`, `wanted-3`, … (from `first_number`) not `taken`."""
    if wanted not in taken:
        return wanted
    number = first_number
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"


# First key of the two-key pg_advisory_xact_lock of a wanted slug ("SLUG" in ASCII).
_SLUG_LOCK_SPACE = 0x534C5547


def lock_slug_stem(session: Session, wanted: str, space: int) -> None:
    """On PostgreSQL, wait for other transactions choosing a slug like `wanted` (in the lock
    `space` of offers or of partners) until they commit; SQLite needs nothing (see below)."""
    if session.get_bind().dialect.name == "postgresql":
        # "kurs-2" shares the lock of "kurs": one of its numbered slugs may be "kurs-2".
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:stem))"),
            {"space": space, "stem": re.sub(r"-\d+$", "", wanted)},
        )


def unique_slug(session: Session, wanted: str) -> str:
    """A free offer slug for `wanted`: slugs never change once given.

    Two transactions that create offers with the same title at once must not both find the same
    slug free: the second would fail on the unique constraint. On PostgreSQL each first waits
    for the other's commit on a transaction lock of the wanted slug; on SQLite a write request
    holds the database's write lock from its start (catalogue.database).
    """
    lock_slug_stem(session, wanted, _SLUG_LOCK_SPACE)
    taken = set(session.execute(select(Offer.slug).where(Offer.slug.like(f"{wanted}%"))).scalars())
    return free_slug(wanted, taken)
