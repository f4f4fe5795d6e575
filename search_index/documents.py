"""The plain data that goes into the index and comes out of a search."""

import datetime
from dataclasses import dataclass, field

# Facets the index can count and filter on, in display order.
FACET_FIELDS = ("stage", "subject", "format", "audience", "district", "mode", "partner", "free")
# Facets that `SearchRequest.filters` may name; "free" is the boolean `SearchRequest.free`.
FILTER_FIELDS = tuple(name for name in FACET_FIELDS if name != "free")
SORT_ORDERS = ("relevance", "date", "title", "new")


@dataclass(frozen=True)
class OfferDocument:
    """One published offer as the index sees it."""

    id: int
    title: str
    summary: str
    description: str  # plain text; the caller strips Markdown
    partner: str  # partner slug
    partner_name: str
    stages: tuple[str, ...]  # slugs
    subjects: tuple[str, ...]  # slugs including every ancestor slug (robotics, computer-science)
    formats: tuple[str, ...]
    audiences: tuple[str, ...]
    mode: str
    district: str
    municipality: str
    keywords: str  # vocabulary labels and municipality: searchable with a low weight
    age_min: int
    age_max: int
    free: bool
    days: tuple[datetime.date, ...]  # days with a session (recurrences expanded by the caller)
    bookable_any_time: bool  # "on request": matches every date range
    next_start: datetime.datetime | None  # aware; the next session at indexing time
    published_at: datetime.datetime  # aware


@dataclass
class SearchRequest:
    """What to search for; every field has a harmless default."""

    text: str = ""
    # Keys from FILTER_FIELDS; values are ORed within a key, keys are ANDed.
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    age: int | None = None  # keeps offers with age_min <= age <= age_max
    free: bool = False  # only free offers
    # Keeps offers with a session day in [date_from, date_to] (either bound optional) and offers
    # bookable any time.
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"  # one of SORT_ORDERS; relevance without text sorts by date
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = ()  # which of FACET_FIELDS to count
    highlight: bool = True


@dataclass
class SearchResult:
    """One page of a search: ids in rank order, the total, facet counts and snippets."""

    total: int
    ids: list[int]
    # facet -> value -> count, values with count 0 omitted, largest count first. The "free"
    # facet counts "1" (free) and "0" (paid).
    facets: dict[str, dict[str, int]]
    # id -> HTML snippet with the matches in <mark> and everything else escaped; "" when the
    # summary and description do not contain a match. Empty when there was no text to highlight.
    highlights: dict[int, str]
    # A corrected query ("Meinten Sie …?") when a word of the text is not in the index.
    suggestion: str | None = None
