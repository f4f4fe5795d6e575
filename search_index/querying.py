"""Searching: text queries built by hand, filters and facet counts as doc-id sets, highlights."""

import heapq
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
from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.searching import Searcher

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
_MAX_CACHED_TEXT_TERMS = 4096
SNIPPET_CHARS = 200
_EMPTY: frozenset[int] = frozenset()


# Text


@dataclass(frozen=True)
class Word:
    """One word or "quoted phrase" of the query as typed, with its analyzed terms."""

    text: str
    is_phrase: bool
    terms: tuple[str, ...]

    @property
    def is_phrase_query(self) -> bool:
        return self.is_phrase and len(self.terms) > 1

    def query(self) -> Query:
        """Match the word in any text field, weighted by field."""
        if self.is_phrase_query:
            return Or(
                [
                    Phrase(field, list(self.terms), boost=boost)
                    for field, boost in TEXT_FIELD_BOOSTS.items()
                ]
            )
        # A typed word can yield several terms ("Chemie/Physik"); each must match.
        per_term: list[Query] = [
            Or([Term(field, term, boost=boost) for field, boost in TEXT_FIELD_BOOSTS.items()])
            for term in self.terms
        ]
        return per_term[0] if len(per_term) == 1 else And(per_term)


@dataclass(frozen=True)
class TextQuery:
    """The user's text as words; `searchable` is empty when nothing searchable is left."""

    words: tuple[Word, ...]

    @property
    def searchable(self) -> tuple[Word, ...]:
        return tuple(word for word in self.words if word.terms)

    @property
    def terms(self) -> frozenset[str]:
        """What the highlighter marks."""
        return frozenset(term for word in self.words for term in word.terms)

    def query(self, *, require_all: bool) -> Query | None:
        """The scoring query: all words (And) or any word (Or)."""
        clauses = [word.query() for word in self.searchable]
        if not clauses:
            return None
        if len(clauses) == 1:
            return clauses[0]
        return And(clauses) if require_all else Or(clauses)


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
    """Turn any user text into words; never raises on content."""
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
    return TextQuery(tuple(words[:MAX_WORDS]))


# Doc-id sets


# Sort order -> columns compared in turn; the last tie-break is the doc number.
_SORT_COLUMNS = {
    "date": ("next_start", "title_sort"),
    "title": ("title_sort", "next_start"),
    "new": ("published", "title_sort"),
}
_DESCENDING_COLUMNS = frozenset({"published"})


class DocSets:
    """Doc-number sets and sort ranks of one searcher, cached until the searcher is replaced.

    Filters, text matching and facet counts are set operations, much cheaper than Whoosh's
    grouping or filter queries (WHOOSH_NOTES speed table). Doc numbers are only valid for one
    searcher, so a new searcher gets a new DocSets.
    """

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._terms: dict[tuple[str, str], frozenset[int]] = {}
        self._text_terms: dict[str, frozenset[int]] = {}
        self._values: dict[str, tuple[str, ...]] = {}
        self._day_ranges: dict[tuple[str, str], frozenset[int]] = {}
        self._ranks: dict[str, list[int]] = {}
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
        docs = self._postings(field, value)
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

    def text_term(self, term: str) -> frozenset[int]:
        """Documents with the analyzed `term` in any text field."""
        cached = self._text_terms.get(term)
        if cached is None:
            reader = self.searcher.reader()
            cached = frozenset().union(
                *(
                    self._postings(field, term)
                    for field in TEXT_FIELD_BOOSTS
                    if (field, term) in reader
                )
            )
            # The vocabulary is large and users type anything: keep the cache bounded.
            if len(self._text_terms) >= _MAX_CACHED_TEXT_TERMS:
                self._text_terms.clear()
            self._text_terms[term] = cached
        return cached

    def word(self, word: Word) -> frozenset[int]:
        """Documents matching `word` (all of its terms, or the phrase)."""
        if word.is_phrase_query:
            return frozenset(self.searcher.docs_for_query(word.query()))
        return _intersect(self.text_term(word.terms[0]), map(self.text_term, word.terms[1:]))

    def live_count(self, field: str, text: str) -> int:
        """How many live documents have the term; Whoosh's doc_frequency counts deleted ones too."""
        return len(self._postings(field, text))

    def _postings(self, field: str, text: str) -> frozenset[int]:
        # The reader's postings skip deleted documents. A plain loop over the matcher is about
        # twice as fast as docs_for_query, which matters when a new searcher builds its sets.
        matcher = self.searcher.reader().postings(field, text)
        docnums = []
        while matcher.is_active():
            docnums.append(matcher.id())
            matcher.next()
        return frozenset(docnums)

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

    def sort_rank(self, sort: str) -> list[int]:
        """Position of every doc number in `sort` order (built once per searcher)."""
        if sort not in self._ranks:
            reader = self.searcher.reader()
            count = reader.doc_count_all()
            rank = [0] * count
            if count:
                # An empty index has no columns to read.
                columns = [
                    (list(reader.column_reader(name)), name in _DESCENDING_COLUMNS)
                    for name in _SORT_COLUMNS[sort]
                ]

                def key(docnum: int) -> tuple[object, ...]:
                    return tuple(
                        -values[docnum] if descending else values[docnum]
                        for values, descending in columns
                    )

                for position, docnum in enumerate(sorted(range(count), key=key)):
                    rank[docnum] = position
            self._ranks[sort] = rank
        return self._ranks[sort]

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


def _intersect(docs: frozenset[int], others: Iterable[frozenset[int]]) -> frozenset[int]:
    for other in others:
        docs &= other
    return docs


# Searching


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
    words = text.searchable
    query = None
    suggestion = None
    if not words:
        matches = docsets.all_docs()
    else:
        per_word = [docsets.word(word) for word in words]
        matches = _intersect(per_word[0], per_word[1:])
        query = text.query(require_all=True)
        if not matches:
            suggestion = suggest(docsets, text)
            # Decided on the text alone, not on the filters, so that the facet counts and the
            # total always describe the same text matches.
            matches = frozenset().union(*per_word)
            query = text.query(require_all=False)

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
    page = _rank(docsets, query, hits, sort, request.offset, request.limit)
    ids = docsets.offer_ids(page)
    highlights = {}
    if request.highlight and words:
        for offer_id, docnum in zip(ids, page, strict=True):
            stored = docsets.searcher.stored_fields(docnum)
            highlights[offer_id] = snippet(stored.get("summary", ""), text.terms) or snippet(
                stored.get("description", ""), text.terms
            )
    return SearchResult(
        total=len(hits), ids=ids, facets=facets, highlights=highlights, suggestion=suggestion
    )


def _rank(
    docsets: DocSets,
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
    if sort == "relevance" and query is not None:
        # Only the hits of the page are used: len() of filtered Results would count unfiltered
        # hits (WHOOSH_NOTES pitfall 2). Whoosh wants a mutable set as filter.
        results = docsets.searcher.search(query, filter=set(hits), limit=end)
        return [hit.docnum for hit in results[offset:end]]
    rank = docsets.sort_rank(sort)
    return heapq.nsmallest(end, hits, key=rank.__getitem__)[offset:]


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
    # Gender reduction and stemming only cut words short, so every term is a prefix of a folded
    # word. Without one in the folded text nothing can match, and the analyzer is not needed.
    folded = fold(text.lower())
    if not any(term in folded for term in terms):
        return ""
    fragmenter = (
        WholeFragmenter()
        if len(text) <= SNIPPET_CHARS
        else ContextFragmenter(maxchars=SNIPPET_CHARS, surround=40)
    )
    return highlight(text, terms, GERMAN_ANALYZER, fragmenter, MarkFormatter(), top=1)


# Suggestions


def suggest(docsets: DocSets, text: TextQuery) -> str | None:
    """Return the text with unknown words replaced by the closest indexed word, or None."""
    corrected = False
    output = []
    for word in text.words:
        replacement = None
        if not word.is_phrase and word.terms and not all(map(docsets.text_term, word.terms)):
            replacement = _closest_word(docsets, word.text)
        if replacement:
            output.append(replacement)
            corrected = True
        else:
            output.append(f'"{word.text}"' if word.is_phrase else word.text)
    return " ".join(output) if corrected else None


def _closest_word(docsets: DocSets, typed: str) -> str | None:
    folded = analyze(SPELLING_ANALYZER, typed)
    # Short words have too many neighbours for a correction to be more than a guess.
    if len(folded) != 1 or len(folded[0]) < 4:
        return None
    word = folded[0]
    reader = docsets.searcher.reader()
    # Distance 2 only for longer words, for the same reason.
    for maxdist in (1, 2) if len(word) >= 6 else (1,):
        # Only words of live documents: a withdrawn offer's words must not be suggested.
        frequencies = {
            candidate: docsets.live_count("spelling", candidate)
            for candidate in reader.terms_within("spelling", word, maxdist, prefix=1)
            if candidate != word
        }
        candidates = [candidate for candidate, count in frequencies.items() if count]
        if candidates:
            # The most frequent neighbour; ties go to the alphabetically first.
            best = min(candidates, key=lambda c: (-frequencies[c], c))
            return _surface_form(docsets, best)
    return None


_UMLAUT_OF = {"a": "ä", "o": "ö", "u": "ü"}


def _surface_form(docsets: DocSets, folded: str) -> str:
    """Return the most frequent indexed spelling whose folded form is `folded` ("mädchen")."""
    # Folding only changes characters from the first a, o, u or s on (ä, ö, ü, ß, ae, oe, ue),
    # so the surface form shares the part before it.
    cut = next((i for i, char in enumerate(folded) if char in "aous"), len(folded))
    first = folded[0]
    # With nothing before it, the first letter itself may stand for an umlaut ("ärger").
    prefixes = {folded[:cut]} if cut else {first, _UMLAUT_OF.get(first, first)}
    reader = docsets.searcher.reader()
    best, best_frequency = folded, 0
    for prefix in prefixes:
        for raw in reader.expand_prefix("surface", prefix):
            candidate = raw.decode("utf-8")
            if fold(candidate) == folded:
                frequency = docsets.live_count("surface", candidate)
                if frequency > best_frequency:
                    best, best_frequency = candidate, frequency
    return best
