"""The search parameters of `/offers` and `/api/v1/offers`: names and validation, once."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from catalogue.vocabulary import Vocabulary

# Repeatable filters: parameter name -> the vocabulary facet whose slugs it takes
# ("partner" takes partner slugs).
FILTER_PARAMS: dict[str, str] = {
    "stage": "stage",
    "subject": "subject",
    "format": "format",
    "audience": "audience",
    "district": "district",
    "mode": "mode",
    "partner": "partner",
}
SORTS = ("relevance", "date", "title", "new")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Deeper pages are no browsing anybody does; the cap keeps the index's offset bounded.
MAX_PAGE = 10_000
MAX_AGE = 99
# Longer queries are cut: nobody types more, and the index should not pay for pasted essays.
MAX_QUERY_LENGTH = 500


def parameter_label(name: str) -> str:
    """The name people know a parameter by, for messages on the page."""
    labels = {
        "q": _("Suchbegriff"),
        "stage": _("Bildungsstufe"),
        "subject": _("Fach"),
        "format": _("Format"),
        "audience": _("Für wen"),
        "district": _("Region"),
        "mode": _("Durchführung"),
        "partner": _("Anbieter"),
        "age": _("Alter"),
        "free": _("Kosten"),
        "from": _("Zeitraum von"),
        "to": _("Zeitraum bis"),
        "dates": _("Zeitraum"),
        "sort": _("Sortierung"),
        "page": _("Seite"),
        "per_page": _("Ergebnisse pro Seite"),
    }
    return labels.get(name, name)


class InvalidParameter(ValueError):
    """A parameter value we cannot use; `message` says why, for people."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    age: int | None = None
    free: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def effective_sort(self) -> str:
        """Relevance when there is text to rank by, else the next date."""
        if self.sort:
            return self.sort
        return "relevance" if self.q else "date"

    @property
    def active_filter_count(self) -> int:
        """How many filter values are chosen (a date range counts once)."""
        return (
            sum(len(values) for values in self.filters.values())
            + (self.age is not None)
            + self.free
            + bool(self.date_from or self.date_to)
        )

    @property
    def has_filters(self) -> bool:
        return self.active_filter_count > 0

    def to_args(self) -> list[tuple[str, str]]:
        """The parameters as query-string pairs, defaults left out, for links."""
        args: list[tuple[str, str]] = []
        if self.q:
            args.append(("q", self.q))
        for name in FILTER_PARAMS:
            args.extend((name, value) for value in self.filters.get(name, ()))
        if self.age is not None:
            args.append(("age", str(self.age)))
        if self.free:
            args.append(("free", "1"))
        if self.date_from:
            args.append(("from", self.date_from.isoformat()))
        if self.date_to:
            args.append(("to", self.date_to.isoformat()))
        if self.sort:
            args.append(("sort", self.sort))
        if self.page != 1:
            args.append(("page", str(self.page)))
        if self.per_page != DEFAULT_PER_PAGE:
            args.append(("per_page", str(self.per_page)))
        return args

    def toggled(self, name: str, value: str) -> SearchParams:
        """These parameters with one filter value added or removed, back on page 1."""
        if name == "free":
            return replace(self, free=not self.free, page=1)
        current = self.filters.get(name, ())
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        return replace(self, filters={**self.filters, name: values}, page=1)

    def without(self, name: str) -> SearchParams:
        """These parameters without one whole filter, back on page 1."""
        if name == "age":
            return replace(self, age=None, page=1)
        if name == "free":
            return replace(self, free=False, page=1)
        if name == "dates":
            return replace(self, date_from=None, date_to=None, page=1)
        return replace(self, filters={**self.filters, name: ()}, page=1)

    def without_filters(self) -> SearchParams:
        """These parameters with the text only, back on page 1."""
        return replace(self, filters={}, age=None, free=False, date_from=None, date_to=None, page=1)

    def with_text(self, q: str) -> SearchParams:
        """These filters with another search text, back on page 1."""
        return replace(self, q=q, page=1)

    def at_page(self, page: int) -> SearchParams:
        return replace(self, page=page)


def clean_query(text: str) -> str:
    """Drop control characters and surplus white space; cut overlong input."""
    printable = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " " for ch in text[: MAX_QUERY_LENGTH * 4]
    )
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


_INTEGER = re.compile(r"-?[0-9]{1,9}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _int(args: MultiDict, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = args.get(name, "").strip()
    if raw == "":
        return default
    # Digits only: Python's int() would also take "1_0", "+5" or Arabic-Indic digits.
    if not _INTEGER.fullmatch(raw):
        raise InvalidParameter(name, _("Bitte eine ganze Zahl angeben."))
    value = int(raw)
    if not low <= value <= high:
        raise InvalidParameter(
            name, _("Bitte eine Zahl von %(low)d bis %(high)d angeben.", low=low, high=high)
        )
    return value


def _date(args: MultiDict, name: str) -> dt.date | None:
    raw = args.get(name, "").strip()
    if raw == "":
        return None
    try:
        # The one form the page's date fields send; fromisoformat would also take "20261205"
        # or week dates such as "2026-W49-1".
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(
            name, _("Bitte ein Datum im Format JJJJ-MM-TT angeben, z. B. 2026-12-05.")
        ) from None


def parse_search_params(
    args: MultiDict, vocabulary: Vocabulary, partner_slugs: set[str]
) -> SearchParams:
    """Validate request arguments; raises InvalidParameter naming the first bad one."""
    filters: dict[str, tuple[str, ...]] = {}
    for name, facet in FILTER_PARAMS.items():
        values = tuple(dict.fromkeys(v.strip() for v in args.getlist(name) if v.strip()))
        known = partner_slugs if facet == "partner" else vocabulary.slugs(facet)
        unknown = [v for v in values if v not in known]
        if unknown:
            raise InvalidParameter(
                name, _("Unbekannter Wert „%(value)s“.", value=clean_query(unknown[0])[:60])
            )
        if values:
            filters[name] = values

    free_raw = args.get("free", "").strip()
    if free_raw not in ("", "0", "1"):
        raise InvalidParameter("free", _("Erlaubt sind 1 (nur kostenlose) oder 0."))

    sort = args.get("sort", "").strip()
    if sort and sort not in SORTS:
        raise InvalidParameter("sort", _("Erlaubt sind: relevance, date, title, new."))

    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise InvalidParameter("to", _("Das Enddatum liegt vor dem Anfangsdatum."))

    return SearchParams(
        q=clean_query(args.get("q", "")),
        filters=filters,
        age=_int(args, "age", None, 0, MAX_AGE),
        free=free_raw == "1",
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=_int(args, "page", 1, 1, MAX_PAGE) or 1,
        per_page=_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
    )


# `/api/v1/suggest`: suggestions by default and at most.
DEFAULT_SUGGESTIONS = 8
MAX_SUGGESTIONS = 20


def parse_suggest_params(args: MultiDict) -> tuple[str, int]:
    """The text and the number of suggestions asked of `/api/v1/suggest`; raises
    InvalidParameter."""
    limit = _int(args, "limit", DEFAULT_SUGGESTIONS, 1, MAX_SUGGESTIONS) or DEFAULT_SUGGESTIONS
    return clean_query(args.get("q", "")), limit
