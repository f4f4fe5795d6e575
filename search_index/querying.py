"""Searching: text queries built by hand, filters and facet counts as doc-id sets, highlights."""

import html
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh.highlight import (
    ContextFragmenter,
    Formatter,
    Fragment,
    WholeFragmenter,
    get_text,
    highlight,
)
from whoosh.query import And, Every, Or, Phrase, Query, Term
from whoosh.searching import Searcher
from whoosh.sorting import FacetType, FieldFacet, MultiFacet

from search_index.analysis import (
    GERMAN_ANALYZER,
    SPELLING_ANALYZER,
    analyze,
    fold,
)
from search_index.documents import (
    FACET_FIELDS,
    FILTER_FIELDS,
    SORT_ORDERS,
    SearchRequest,
    SearchResult,
)
from search_index.schema import TEXT_FIELD_BOOSTS

# Longer input is cut: nobody types more, and every word costs a query clause.
MAX_TEXT_CHARS = 500
MAX_WORDS = 32
# Query-syntax habits from other search engines; here they would only be words nobody means.
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "&&", "||"})
# German („…“), English (“…”), guillemet (« » as used in Switzerland) and full-width quotes.
_QUOTES = str.maketrans(dict.fromkeys("\u201e\u201c\u201d\u00ab\u00bb\uff02", '"'))
# A filter value this long is no slug; looking it up would only fill the term cache.
_MAX_FILTER_VALUE_CHARS = 200
_MAX_CACHED_DAY_RANGES = 256
SNIPPET_CHARS = 200
_EMPTY: frozenset[int] = frozenset()


# Text


@dataclass(frozen=True)
class Word:
    """One word or "quoted phrase" of the query as typed, with its analyzed terms."""

    text: str
    is_phrase: bool
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TextQuery:
    """The user's text turned into queries; `strict` is None when nothing searchable is left."""

    words: tuple[Word, ...]
    strict: Query | None  # every word must match
    loose: Query | None  # any word may match: the fallback when `strict` finds nothing
    terms: frozenset[str]  # what the highlighter marks


def clean_text(text: str) -> str:
    """Return `text` normalized, without control characters, and at most MAX_TEXT_CHARS long."""
    # Cut early, so normalizing a megabyte of input costs nothing.
    text = unicodedata.normalize("NFC", text[: MAX_TEXT_CHARS * 4])
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            # Tabs, newlines and other control characters separate words.
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
        # Format characters (soft hyphen, zero-width space) join the word they split; lone
        # surrogates would fail to encode as UTF-8 terms; unassigned code points mean nothing.
    return "".join(kept)[:MAX_TEXT_CHARS].strip()


def parse_text(text: str) -> TextQuery:
    """Turn any user text into a query; never raises on content."""
    text = clean_text(text).translate(_QUOTES)
    if text.count('"') % 2:
        # An unbalanced quote marks no phrase; ignore all quotes rather than guess.
        text = text.replace('"', " ")
    words: list[Word] = []
    # After splitting on quotes, the odd-numbered parts are the quoted phrases.
    for position, part in enumerate(text.split('"')):
        if position % 2:
            if part.strip():
                words.append(Word(part.strip(), True, tuple(analyze(GERMAN_ANALYZER, part))))
        else:
            words.extend(
                Word(word, False, tuple(analyze(GERMAN_ANALYZER, word)))
                for word in part.split()
                if word not in _OPERATOR_WORDS
            )
    words = words[:MAX_WORDS]
    clauses = [_word_query(word) for word in words if word.terms]
    if not clauses:
        return TextQuery(tuple(words), None, None, frozenset())
    strict = clauses[0] if len(clauses) == 1 else And(clauses)
    loose = clauses[0] if len(clauses) == 1 else Or(clauses)
    terms = frozenset(term for word in words for term in word.terms)
    return TextQuery(tuple(words), strict, loose, terms)


def _word_query(word: Word) -> Query:
    if word.is_phrase and len(word.terms) > 1:
        return Or(
            [
                Phrase(field, list(word.terms), boost=boost)
                for field, boost in TEXT_FIELD_BOOSTS.items()
            ]
        )
    # A typed word can yield several terms ("Chemie/Physik"); each must match, in any field.
    per_term: list[Query] = [
        Or([Term(field, term, boost=boost) for field, boost in TEXT_FIELD_BOOSTS.items()])
        for term in word.terms
    ]
    return per_term[0] if len(per_term) == 1 else And(per_term)


# Doc-id sets


class DocSets:
    """Doc-number sets of one searcher, cached until the searcher is replaced.

    Filters and facet counts are set intersections: much cheaper than Whoosh's grouping or
    filter queries (WHOOSH_NOTES speed table). Doc numbers are only valid for one searcher, so a
    new searcher gets a new DocSets.
    """

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._terms: dict[tuple[str, str], frozenset[int]] = {}
        self._values: dict[str, tuple[str, ...]] = {}
        self._day_ranges: dict[tuple[str, str], frozenset[int]] = {}
        self._all: frozenset[int] | None = None

    def all_docs(self) -> frozenset[int]:
        """Every live document."""
        if self._all is None:
            self._all = frozenset(self.searcher.reader().all_doc_ids())
        return self._all

    def term(self, field: str, value: str) -> frozenset[int]:
        """Documents with `value` in `field`; empty for values the index does not know."""
        key = (field, value)
        cached = self._terms.get(key)
        if cached is not None:
            return cached
        if not _is_term_text(value) or key not in self.searcher.reader():
            # Not cached: unknown values come from users and would grow the cache without end.
            return _EMPTY
        docs = frozenset(self.searcher.docs_for_query(Term(field, value)))
        self._terms[key] = docs
        return docs

    def any_of(self, field: str, values: Iterable[str]) -> frozenset[int]:
        """Documents with at least one of `values` in `field`."""
        return frozenset().union(*(self.term(field, value) for value in values))

    def values(self, field: str) -> tuple[str, ...]:
        """Every value of `field` in the index (some may belong to deleted documents only)."""
        if field not in self._values:
            self._values[field] = tuple(self.searcher.reader().field_terms(field))
        return self._values[field]

    def matching(self, query: Query) -> frozenset[int]:
        """Documents matching `query`, unscored."""
        return frozenset(self.searcher.docs_for_query(query))

    def days_between(self, start: str, end: str) -> frozenset[int]:
        """Documents with a session day in [start, end] ("YYYYMMDD"; "" for an open bound)."""
        key = (start, end)
        cached = self._day_ranges.get(key)
        if cached is not None:
            return cached
        days = [day for day in self.values("days") if start <= day and (not end or day <= end)]
        docs = self.any_of("days", days)
        if len(self._day_ranges) >= _MAX_CACHED_DAY_RANGES:
            self._day_ranges.clear()
        self._day_ranges[key] = docs
        return docs

    def offer_ids(self, docnums: Iterable[int]) -> list[int]:
        """The offer ids of `docnums`, in the same order."""
        docnums = list(docnums)
        if not docnums:
            # An empty index has no columns to read.
            return []
        column = self.searcher.reader().column_reader("offer_id")
        return [int(column[docnum]) for docnum in docnums]


def _is_term_text(value: str) -> bool:
    if len(value) > _MAX_FILTER_VALUE_CHARS:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Searching


_SORT_FACETS: dict[str, FacetType] = {
    "date": MultiFacet([FieldFacet("next_start"), FieldFacet("title_sort")]),
    "title": MultiFacet([FieldFacet("title_sort"), FieldFacet("next_start")]),
    "new": MultiFacet([FieldFacet("published", reverse=True), FieldFacet("title_sort")]),
}


def validate(request: SearchRequest) -> None:
    """Raise ValueError for a request no user input can produce (a bug in the caller)."""
    unknown = set(request.filters) - set(FILTER_FIELDS)
    if unknown:
        raise ValueError(f"unknown filter {sorted(unknown)}; filters are {FILTER_FIELDS}")
    unknown = set(request.facets) - set(FACET_FIELDS)
    if unknown:
        raise ValueError(f"unknown facet {sorted(unknown)}; facets are {FACET_FIELDS}")
    if request.sort not in SORT_ORDERS:
        raise ValueError(f"unknown sort {request.sort!r}; sort orders are {SORT_ORDERS}")
    if request.offset < 0 or request.limit < 0:
        raise ValueError("offset and limit must not be negative")


def run_search(docsets: DocSets, request: SearchRequest) -> SearchResult:
    """Answer `request` from one searcher's doc sets."""
    validate(request)
    text = parse_text(request.text)
    query = text.strict
    suggestion = None
    if query is None:
        matches = docsets.all_docs()
    else:
        matches = docsets.matching(query)
        if not matches:
            suggestion = suggest(docsets.searcher, text)
            # Decided on the text alone, not on the filters, so that the facet counts and the
            # total always describe the same text matches.
            query = text.loose
            matches = docsets.matching(query)

    # Filters that are not facets apply to every count.
    if request.age is not None:
        matches &= docsets.term("ages", str(request.age))
    if request.date_from is not None or request.date_to is not None:
        start = request.date_from.strftime("%Y%m%d") if request.date_from else ""
        end = request.date_to.strftime("%Y%m%d") if request.date_to else ""
        matches &= docsets.days_between(start, end) | docsets.term("anytime", "1")

    facet_filters = {
        name: docsets.any_of(name, values) for name, values in request.filters.items() if values
    }
    if request.free:
        facet_filters["free"] = docsets.term("free", "1")
    hits = _intersect(matches, facet_filters.values())

    facets = {}
    for name in request.facets:
        # Disjunctive: every filter except the facet's own, so the counts show what choosing
        # another value of this facet would give.
        others = _intersect(matches, (docs for key, docs in facet_filters.items() if key != name))
        counts = {value: len(others & docsets.term(name, value)) for value in docsets.values(name)}
        facets[name] = dict(
            sorted(
                ((value, count) for value, count in counts.items() if count),
                key=lambda item: (-item[1], item[0]),
            )
        )

    sort = "date" if request.sort == "relevance" and query is None else request.sort
    page = _rank(docsets.searcher, query, hits, sort, request.offset, request.limit)
    ids = docsets.offer_ids(page)
    highlights = {}
    if request.highlight and text.terms:
        for offer_id, docnum in zip(ids, page, strict=True):
            stored = docsets.searcher.stored_fields(docnum)
            highlights[offer_id] = snippet(stored.get("summary", ""), text.terms) or snippet(
                stored.get("description", ""), text.terms
            )
    return SearchResult(
        total=len(hits), ids=ids, facets=facets, highlights=highlights, suggestion=suggestion
    )


def _intersect(docs: frozenset[int], others: Iterable[frozenset[int]]) -> frozenset[int]:
    for other in others:
        docs &= other
    return docs


def _rank(
    searcher: Searcher,
    query: Query | None,
    hits: frozenset[int],
    sort: str,
    offset: int,
    limit: int,
) -> list[int]:
    """Return the doc numbers of one page of `hits` in `sort` order."""
    end = offset + limit
    if offset >= len(hits) or not limit:
        return []
    # len() of filtered Results counts unfiltered hits (WHOOSH_NOTES pitfall 2), so only the
    # hits themselves are used here; the total comes from the sets. Whoosh wants a mutable set.
    allowed = set(hits)
    if sort == "relevance" and query is not None:
        results = searcher.search(query, filter=allowed, limit=end)
    else:
        results = searcher.search(Every(), filter=allowed, limit=end, sortedby=_SORT_FACETS[sort])
    return [hit.docnum for hit in results[offset:end]]


# Highlighting


class MarkFormatter(Formatter):
    """Escapes all text and wraps matches in <mark>; nothing else becomes markup."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text)

    def format_token(self, text: str, token: object, replace: bool = False) -> str:
        return f"<mark>{html.escape(get_text(text, token, replace))}</mark>"

    def format_fragment(self, fragment: Fragment, replace: bool = False) -> str:
        body = super().format_fragment(fragment, replace=replace)
        # Show that the snippet is cut out of a longer text.
        before = "… " if fragment.startchar > 0 else ""
        after = " …" if fragment.endchar < len(fragment.text.rstrip()) else ""
        return f"{before}{body.strip()}{after}"


def snippet(text: str, terms: frozenset[str]) -> str:
    """Return an HTML snippet of at most about SNIPPET_CHARS around the matches, or ""."""
    if not text or not terms:
        return ""
    fragmenter = (
        WholeFragmenter()
        if len(text) <= SNIPPET_CHARS
        else ContextFragmenter(maxchars=SNIPPET_CHARS, surround=40)
    )
    return highlight(text, terms, GERMAN_ANALYZER, fragmenter, MarkFormatter(), top=1)


# Suggestions


def suggest(searcher: Searcher, text: TextQuery) -> str | None:
    """Return the text with unknown words replaced by the closest indexed word, or None."""
    corrected = False
    output = []
    for word in text.words:
        replacement = None
        if not word.is_phrase and word.terms and not _is_known(searcher, word.terms):
            replacement = _closest_word(searcher, word.text)
        if replacement:
            output.append(replacement)
            corrected = True
        else:
            output.append(f'"{word.text}"' if word.is_phrase else word.text)
    return " ".join(output) if corrected else None


def _is_known(searcher: Searcher, terms: Iterable[str]) -> bool:
    reader = searcher.reader()
    return all(
        any(reader.doc_frequency(field, term) for field in TEXT_FIELD_BOOSTS) for term in terms
    )


def _closest_word(searcher: Searcher, typed: str) -> str | None:
    folded = analyze(SPELLING_ANALYZER, typed)
    # Short words have too many neighbours for a correction to be more than a guess.
    if len(folded) != 1 or len(folded[0]) < 4:
        return None
    word = folded[0]
    reader = searcher.reader()
    # Distance 2 only for longer words, for the same reason.
    for maxdist in (1, 2) if len(word) >= 6 else (1,):
        candidates = [
            candidate
            for candidate in reader.terms_within("spelling", word, maxdist, prefix=1)
            if candidate != word
        ]
        if candidates:
            # The most frequent neighbour; ties go to the alphabetically first.
            best = min(candidates, key=lambda c: (-reader.doc_frequency("spelling", c), c))
            return _surface_form(searcher, best)
    return None


_UMLAUT_OF = {"a": "ä", "o": "ö", "u": "ü"}


def _surface_form(searcher: Searcher, folded: str) -> str:
    """Return the most frequent indexed spelling whose folded form is `folded` ("mädchen")."""
    # Folding only changes characters from the first a, o, u or s on (ä, ö, ü, ß, ae, oe, ue),
    # so the surface form shares the part before it.
    cut = next((i for i, char in enumerate(folded) if char in "aous"), len(folded))
    prefixes = {folded[:cut]}
    if cut == 0:
        first = folded[0]
        prefixes |= {first, _UMLAUT_OF.get(first, first)}
    reader = searcher.reader()
    best, best_frequency = folded, 0
    for prefix in prefixes:
        for raw in reader.expand_prefix("surface", prefix):
            candidate = raw.decode("utf-8")
            if fold(candidate) == folded:
                frequency = reader.doc_frequency("surface", candidate)
                if frequency > best_frequency:
                    best, best_frequency = candidate, frequency
    return best
