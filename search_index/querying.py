"""Searching: text queries built by hand, filters and facet counts as doc-id sets, highlights."""

import heapq
import html
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from whoosh.analysis import CompositeAnalyzer, Token
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    Formatter,
    Fragment,
    WholeFragmenter,
    get_text,
    top_fragments,
)
from whoosh.query import Or, Phrase, Query
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search_index import bits
from search_index.analysis import (
    GERMAN_ANALYZER,
    SPELLING_ANALYZER,
    SURFACE_ANALYZER,
    TypedWord,
    analyze,
    fold,
    stem,
    typed_words,
)
from search_index.documents import (
    FACET_FIELDS,
    FILTER_FIELDS,
    SORT_ORDERS,
    SearchRequest,
    SearchResult,
)
from search_index.language import Language, Synonyms
from search_index.postings import deleted_docnums, postings, segments
from search_index.ranking import Scorer, ScoringPlan, Way
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


# Text


# How much a word counts when it matches in another way than as typed: a synonym, its compound
# parts, a correction of a typo. These only order the results; each way finds what it finds.
SYNONYM_BOOST = 0.5
COMPOUND_BOOST = 0.6
FUZZY_BOOST = 0.5
# Where the other ways to match are scored: the fields that say what an offer is. They find
# offers in every field (the doc sets), but a synonym in a description adds little to the rank,
# and every field more is a score table to look up for every hit.
_ALTERNATIVE_SCORING_FIELDS = frozenset({"title", "summary", "keywords"})
# A text search with fewer results is retried with typo tolerance.
FEW_RESULTS = 3
# Fuzzy alternatives per word: the closest and most frequent ones.
MAX_NEIGHBOURS = 8


@dataclass(frozen=True)
class Match:
    """One way to match: all `terms` (as a phrase, if `is_phrase`) in any text field."""

    terms: tuple[str, ...]
    is_phrase: bool = False
    boost: float = 1.0

    @property
    def is_phrase_query(self) -> bool:
        return self.is_phrase and len(self.terms) > 1

    @property
    def is_typed(self) -> bool:
        """Whether this is the word as typed; every other way to match weighs less."""
        return self.boost == 1.0

    def phrase_query(self) -> Query:
        """The phrase in any text field: what checks the words' positions."""
        return Or([Phrase(field, list(self.terms)) for field in TEXT_FIELD_BOOSTS])

    def scored(self, reader: IndexReader) -> tuple[tuple[str, str, float], ...]:
        """(field, term, weight) of each term in each field that scores it: the fields that
        have the term, for another way to match than the typed word only the
        _ALTERNATIVE_SCORING_FIELDS. A phrase scores as its words (the doc sets have checked
        the positions)."""
        return tuple(
            (field, term, boost * self.boost)
            for term in self.terms
            for field, boost in TEXT_FIELD_BOOSTS.items()
            if (self.is_typed or field in _ALTERNATIVE_SCORING_FIELDS) and (field, term) in reader
        )


@dataclass(frozen=True)
class Clause:
    """A part of a word that must match, in any one of several ways; the first is as typed.

    `folded` is the typed word folded and unstemmed, when the clause is one typed word: what
    typos are matched against.
    """

    matches: tuple[Match, ...]
    folded: str = ""


@dataclass(frozen=True)
class Word:
    """One word or "quoted phrase" of the query as typed, with its analyzed terms and the
    clauses it matches with (each clause must match)."""

    text: str
    is_phrase: bool
    terms: tuple[str, ...]
    clauses: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class TextQuery:
    """The user's text as words; `searchable` is empty when nothing searchable is left."""

    words: tuple[Word, ...]

    @property
    def searchable(self) -> tuple[Word, ...]:
        return tuple(word for word in self.words if word.terms)

    @property
    def terms(self) -> frozenset[str]:
        """What the highlighter marks: every term any word may match with."""
        return frozenset(
            term
            for word in self.words
            for clause in word.clauses
            for match in clause.matches
            for term in match.terms
        )

    def scoring_plan(self, docsets: "DocSets") -> ScoringPlan:
        """How to score the searchable words: each word's clauses, each a choice of ways to
        match, of which the best-scoring counts. (The best, not the sum of all: an offer that
        says "Programmieren" and "Coding" must not outrank one that says "Informatik" to a
        search for Informatik.)"""
        reader = docsets.searcher.reader()
        return [
            [
                [Way(docsets.match(match), match.scored(reader)) for match in clause.matches]
                for clause in word.clauses
            ]
            for word in self.searchable
        ]


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


_PLAIN_LANGUAGE = Language.from_data(None)


def parse_text(text: str, language: Language = _PLAIN_LANGUAGE) -> TextQuery:
    """Turn any user text into words; never raises on content."""
    text = clean_text(text).translate(_QUOTES)
    if text.count('"') % 2:
        # An unbalanced quote marks no phrase; ignore all quotes rather than guess.
        text = text.replace('"', " ")
    pieces: list[tuple[str, bool]] = []
    # After splitting on quotes, the odd-numbered parts are the quoted phrases.
    for position, part in enumerate(text.split('"')):
        if position % 2:
            if part.strip():
                pieces.append((part.strip(), True))
        else:
            pieces.extend((word, False) for word in part.split() if word not in _OPERATOR_WORDS)
    analyzed = [(piece, is_phrase, typed_words(piece)) for piece, is_phrase in pieces[:MAX_WORDS]]
    words = []
    start = 0
    while start < len(analyzed):
        piece, is_phrase, typed = analyzed[start]
        if is_phrase:
            terms = tuple(word.term for word in typed)
            words.append(Word(piece, True, terms, (Clause((Match(terms, is_phrase=True),)),)))
            start += 1
            continue
        count = _synonym_phrase_length(analyzed, start, language.synonyms)
        if count > 1:
            # Typed words that together are a multi-word synonym ("Künstliche Intelligenz").
            piece = " ".join(text for text, _, _ in analyzed[start : start + count])
            typed = [word for _, _, more in analyzed[start : start + count] for word in more]
        words.append(_plain_word(piece, typed, language))
        start += max(count, 1)
    return TextQuery(tuple(words))


def _synonym_phrase_length(
    analyzed: list[tuple[str, bool, list[TypedWord]]], start: int, synonyms: Synonyms
) -> int:
    """How many unquoted words from `start` on form a multi-word synonym (0 if none do)."""
    for count in range(min(synonyms.longest, len(analyzed) - start), 1, -1):
        chosen = analyzed[start : start + count]
        if any(is_phrase for _, is_phrase, _ in chosen):
            continue
        terms = tuple(word.term for _, _, typed in chosen for word in typed)
        if synonyms.of(terms):
            return count
    return 0


def _plain_word(text: str, typed: list[TypedWord], language: Language) -> Word:
    """A typed word (or a typed multi-word synonym) with its synonyms and compound parts."""
    terms = tuple(word.term for word in typed)
    synonyms = language.synonyms
    if len(terms) > 1 and synonyms.of(terms):
        # "MINT-Fächer", "Künstliche Intelligenz": the whole finds the synonyms.
        clauses: tuple[Clause, ...] = (Clause((Match(terms), *_synonym_matches(synonyms, terms))),)
    else:
        # A typed word can yield several terms ("Chemie/Physik"); each must match.
        clauses = tuple(_word_clause(word, language) for word in typed)
    return Word(text, False, terms, clauses)


def _word_clause(word: TypedWord, language: Language) -> Clause:
    matches = [Match((word.term,)), *_synonym_matches(language.synonyms, (word.term,))]
    decompounder = language.analyzers.decompounder
    if decompounder is not None:
        parts = decompounder.split(word.folded)
        if parts:
            # The parts of a typed compound, in any order and place: "Chemielabor" finds
            # "Labor für Chemie" (and every "Chemielabor", which is indexed with its parts).
            stems = tuple(dict.fromkeys(stem(part) for part in parts))
            matches.append(Match(stems, boost=COMPOUND_BOOST))
    return Clause(tuple(matches), word.folded)


def _synonym_matches(
    synonyms: Synonyms, terms: tuple[str, ...], boost: float = SYNONYM_BOOST
) -> list[Match]:
    return [Match(other, is_phrase=True, boost=boost) for other in synonyms.of(terms)]


# Doc-id sets


# Sort order -> columns compared in turn; the last tie-break is the doc number.
_SORT_COLUMNS = {
    "date": ("next_start", "title_sort"),
    "title": ("title_sort", "next_start"),
    "new": ("published", "title_sort"),
}
_DESCENDING_COLUMNS = frozenset({"published"})


@dataclass(frozen=True)
class _Inheritance:
    """What a searcher takes over from the previous one: raw term sets, sort orders and column
    values of the segments both have. Whoosh may list the segments in another order after a
    commit, so each shared segment `moves` its documents from one offset to another; the
    segments in `fresh_leaves` (new or merged) are read anew."""

    terms: dict[tuple[str, str], int]
    text_terms: dict[str, int]
    orders: dict[str, tuple[list[int], list[int]]]
    columns: dict[str, list]
    moves: tuple[tuple[int, int, int], ...]  # (old offset, new offset, document count)
    fresh_leaves: frozenset[int]
    old_count: int

    def move_set(self, docs: int) -> int:
        """The shared segments' part of an old set, in the new numbering."""
        moved = 0
        for old, new, count in self.moves:
            moved |= ((docs >> old) & ((1 << count) - 1)) << new
        return moved

    def new_docnums(self) -> list[int]:
        """Old doc number -> new one; -1 for documents of segments that are gone."""
        mapping = [-1] * self.old_count
        for old, new, count in self.moves:
            mapping[old : old + count] = range(new, new + count)
        return mapping


class DocSets:
    """Doc-number sets, sort orders and score tables of one searcher, cached until the searcher
    is replaced.

    Sets are integers used as bitsets (search_index.bits): filters, text matching and facet
    counts are set operations, much cheaper than Whoosh's grouping or filter queries
    (WHOOSH_NOTES speed table). Doc numbers are only valid for one searcher, so a new searcher
    gets a new DocSets; given the `previous` one, it keeps the term sets of the segments both
    share. A publish adds a small segment (and marks deletions, which the live set applies),
    so only that segment is read again, not the whole index.
    """

    def __init__(self, searcher: Searcher, previous: "DocSets | None" = None) -> None:
        self.searcher = searcher
        self._terms: dict[tuple[str, str], int] = {}
        self._text_terms: dict[str, int] = {}
        # The same, deleted documents included: what a later searcher can build on.
        self._raw_terms: dict[tuple[str, str], int] = {}
        self._raw_text_terms: dict[str, int] = {}
        self._neighbours: dict[tuple[str, int], list[str]] = {}
        self._phrases: dict[tuple[str, ...], int] = {}
        self._values: dict[str, tuple[str, ...]] = {}
        self._day_ranges: dict[tuple[str, str], int] = {}
        self._orders: dict[str, tuple[list[int], list[int]]] = {}
        self._all: int | None = None
        self._scorer: Scorer | None = None
        self._segments = segments(searcher.reader())
        self._columns: dict[str, list] = {}
        # What an earlier searcher read from the segments both share.
        self._inherited: _Inheritance | None = None
        if previous is not None and previous._segments and self._segments:
            self._inherited = _inheritance(previous, self._segments)

    @property
    def scorer(self) -> Scorer:
        """The relevance scorer of this searcher."""
        if self._scorer is None:
            self._scorer = Scorer(self.searcher.reader(), self.all_docs())
        return self._scorer

    def all_docs(self) -> int:
        """Every live document."""
        if self._all is None:
            reader = self.searcher.reader()
            everything = (1 << reader.doc_count_all()) - 1
            self._all = everything & ~bits.from_docnums(deleted_docnums(reader))
        return self._all

    def term(self, field: str, value: str) -> int:
        """Documents with `value` in `field`; empty for values the index does not know."""
        key = (field, value)
        cached = self._terms.get(key)
        if cached is not None:
            return cached
        if not _is_term_text(value) or key not in self.searcher.reader():
            # Not cached: unknown values come from users and would grow the cache without end.
            return 0
        raw = self._raw_terms.get(key)
        if raw is None:
            inherited = self._inherited.terms.get(key) if self._inherited else None
            raw = self._raw_postings(field, value, inherited)
            self._raw_terms[key] = raw
        docs = raw & self.all_docs()
        self._terms[key] = docs
        return docs

    def any_of(self, field: str, values: Iterable[str]) -> int:
        """Documents with at least one of `values` in `field`."""
        docs = 0
        for value in values:
            docs |= self.term(field, value)
        return docs

    def values(self, field: str) -> tuple[str, ...]:
        """Every value of `field` in the index (some may belong to deleted documents only)."""
        if field not in self._values:
            self._values[field] = tuple(self.searcher.reader().field_terms(field))
        return self._values[field]

    def text_term(self, term: str) -> int:
        """Documents with the analyzed `term` in any text field."""
        cached = self._text_terms.get(term)
        if cached is None:
            raw = self._raw_text_terms.get(term)
            if raw is None:
                inherited = self._inherited.text_terms.get(term) if self._inherited else None
                raw = 0
                reader = self.searcher.reader()
                for field in TEXT_FIELD_BOOSTS:
                    if (field, term) in reader:
                        raw |= self._raw_postings(field, term, inherited)
                # The vocabulary is large and users type anything: keep the caches bounded.
                if len(self._raw_text_terms) >= _MAX_CACHED_TEXT_TERMS:
                    self._raw_text_terms.clear()
                self._raw_text_terms[term] = raw
            cached = raw & self.all_docs()
            if len(self._text_terms) >= _MAX_CACHED_TEXT_TERMS:
                self._text_terms.clear()
            self._text_terms[term] = cached
        return cached

    def word(self, word: Word) -> int:
        """Documents matching `word`: every one of its clauses."""
        per_clause = [self.clause(clause) for clause in word.clauses]
        return _intersect(per_clause[0], per_clause[1:]) if per_clause else 0

    def clause(self, clause: Clause) -> int:
        """Documents matching `clause`: any one of its matches."""
        docs = 0
        for match in clause.matches:
            docs |= self.match(match)
        return docs

    def match(self, match: Match) -> int:
        """Documents with all terms of `match` (as a phrase, if it is one)."""
        if not match.is_phrase_query:
            return _intersect(self.text_term(match.terms[0]), map(self.text_term, match.terms[1:]))
        cached = self._phrases.get(match.terms)
        if cached is None:
            cached = 0
            candidates = self.match(Match(match.terms))
            if candidates:
                # Positions are only checked where every word is: a fast No for most phrases.
                cached = bits.from_docnums(self.searcher.docs_for_query(match.phrase_query()))
                cached &= candidates & self.all_docs()
            if len(self._phrases) >= _MAX_CACHED_TEXT_TERMS:
                self._phrases.clear()
            self._phrases[match.terms] = cached
        return cached

    def neighbours(self, folded: str, more_than: int) -> list[str]:
        """Indexed words one or two typos away from the folded `folded`, best first.

        Distance 1 for words of 4+ letters, 2 for 7+; the first letter must agree (shorter
        words have too many neighbours for a correction to be more than a guess). Only words of
        live documents that occur in more than `more_than` of them count: a withdrawn offer's
        words must not be suggested, and a correction should be more common than the typo.
        Closer words come first, then more frequent ones.
        """
        key = (folded, more_than)
        cached = self._neighbours.get(key)
        if cached is not None:
            return cached
        found: list[str] = []
        reader = self.searcher.reader()
        for maxdist in range(1, _max_typos(folded) + 1):
            frequencies = {
                candidate: self.live_count("spelling", candidate)
                for candidate in reader.terms_within("spelling", folded, maxdist, prefix=1)
                if candidate != folded and candidate not in found
            }
            found += sorted(
                (candidate for candidate, count in frequencies.items() if count > more_than),
                key=lambda candidate: (-frequencies[candidate], candidate),
            )
        found = found[:MAX_NEIGHBOURS]
        if len(self._neighbours) >= _MAX_CACHED_TEXT_TERMS:
            self._neighbours.clear()
        self._neighbours[key] = found
        return found

    def live_count(self, field: str, text: str) -> int:
        """How many live documents have the term; Whoosh's doc_frequency counts deleted ones too."""
        return bits.count(self.postings(field, text))

    def postings(self, field: str, text: str) -> int:
        """Live documents with the term (not cached)."""
        return self._raw_postings(field, text, None) & self.all_docs()

    def _raw_postings(self, field: str, text: str, inherited: int | None) -> int:
        """Documents with the term, deleted ones included; with the `inherited` set of the
        segments an earlier searcher shared, only the newer segments are read."""
        reader = self.searcher.reader()
        if inherited is None or self._inherited is None:
            docnums, _weights = postings(reader, field, text, weights=False)
            return bits.from_docnums(docnums, reader.doc_count_all())
        docnums, _weights = postings(
            reader, field, text, weights=False, leaves=self._inherited.fresh_leaves
        )
        return bits.from_docnums(docnums, reader.doc_count_all()) | self._inherited.move_set(
            inherited
        )

    def days_between(self, start: str, end: str) -> int:
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

    def sort_order(self, sort: str) -> tuple[list[int], list[int]]:
        """Every doc number in `sort` order, and the position of each doc number in it (built
        once per searcher; after a change, from the previous searcher's order and the new
        documents)."""
        if sort not in self._orders:
            count = self.searcher.reader().doc_count_all()
            order: list[int] = []
            if count:
                # An empty index has no columns to read.
                (first, first_descending), (second, second_descending) = (
                    (self._column(name), name in _DESCENDING_COLUMNS)
                    for name in _SORT_COLUMNS[sort]
                )

                offer_ids = self._column("offer_id")

                def key(docnum: int) -> tuple[object, object, int]:
                    # The offer id breaks ties: unlike doc numbers, it does not change.
                    return (
                        -first[docnum] if first_descending else first[docnum],
                        -second[docnum] if second_descending else second[docnum],
                        offer_ids[docnum],
                    )

                inherited = self._inherited.orders.get(sort) if self._inherited else None
                if inherited is None:
                    order = sorted(range(count), key=key)
                else:
                    # The shared documents keep their order; the new ones are merged in.
                    renumbered = self._inherited.new_docnums()
                    kept = [renumbered[d] for d in inherited[0] if renumbered[d] >= 0]
                    added = sorted(self._fresh_docnums(), key=key)
                    order = list(heapq.merge(kept, added, key=key))
            rank = [0] * count
            for position, docnum in enumerate(order):
                rank[docnum] = position
            self._orders[sort] = (order, rank)
        return self._orders[sort]

    def _fresh_docnums(self) -> list[int]:
        """The documents of the segments an inheritance does not cover."""
        fresh = self._inherited.fresh_leaves if self._inherited else frozenset()
        return [
            base + docnum
            for number, (leaf, base) in enumerate(self.searcher.reader().leaf_readers())
            if number in fresh
            for docnum in range(leaf.doc_count_all())
        ]

    def _column(self, name: str) -> list:
        """Every document's value of a column (cached; after a change, only the new documents
        are read)."""
        values = self._columns.get(name)
        if values is None:
            reader = self.searcher.reader()
            inherited = self._inherited.columns.get(name) if self._inherited else None
            if inherited is None:
                values = list(reader.column_reader(name))
            else:
                values = [None] * reader.doc_count_all()
                for old, new, count in self._inherited.moves:
                    values[new : new + count] = inherited[old : old + count]
                column = reader.column_reader(name)
                for docnum in self._fresh_docnums():
                    values[docnum] = column[docnum]
            self._columns[name] = values
        return values

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


def _intersect(docs: int, others: Iterable[int]) -> int:
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


def run_search(
    docsets: DocSets, request: SearchRequest, language: Language = _PLAIN_LANGUAGE
) -> SearchResult:
    """Answer `request` from one searcher's doc sets."""
    validate(request)
    text = parse_text(request.text, language)
    plan: ScoringPlan | None = None
    suggestion = None
    if not text.searchable:
        matches = docsets.all_docs()
    else:
        # Decided on the text alone, not on the filters, so that the facet counts and the
        # total always describe the same text matches.
        per_word = [docsets.word(word) for word in text.searchable]
        matches = _intersect(per_word[0], per_word[1:])
        if bits.count(matches) < FEW_RESULTS:
            # Only here: a search with enough results never pays for typo tolerance.
            if not matches:
                suggestion = suggest(docsets, text)
            widened = forgiving(docsets, text, language)
            if widened is not None:
                widened_per_word = [docsets.word(word) for word in widened.searchable]
                widened_matches = _intersect(widened_per_word[0], widened_per_word[1:])
                if bits.count(widened_matches) > bits.count(matches) or not matches:
                    text, per_word, matches = widened, widened_per_word, widened_matches
        if not matches:
            # No offer has every word: offers with any of them, those with more words first.
            for docs in per_word:
                matches |= docs
        # Ways to match that match nothing would only cost time in scoring and highlighting.
        text = _without_dead_ends(docsets, text)
        plan = text.scoring_plan(docsets)

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
        counts = {
            value: bits.count(others & docsets.term(name, value)) for value in docsets.values(name)
        }
        facets[name] = dict(
            sorted(
                ((value, count) for value, count in counts.items() if count),
                key=lambda item: (-item[1], item[0]),
            )
        )

    sort = "date" if request.sort == "relevance" and plan is None else request.sort
    page = _rank(docsets, plan, hits, sort, request.offset, request.limit)
    ids = docsets.offer_ids(page)
    highlights = {}
    if request.highlight and text.searchable:
        terms = text.terms
        analyzer = language.analyzers.text
        for offer_id, docnum in zip(ids, page, strict=True):
            stored = docsets.searcher.stored_fields(docnum)
            highlights[offer_id] = snippet(stored.get("summary", ""), terms, analyzer) or snippet(
                stored.get("description", ""), terms, analyzer
            )
    return SearchResult(
        total=bits.count(hits), ids=ids, facets=facets, highlights=highlights, suggestion=suggestion
    )


def _without_dead_ends(docsets: DocSets, text: TextQuery) -> TextQuery:
    """`text` without the ways to match that find nothing (a clause keeps at least one)."""
    words = []
    for word in text.words:
        clauses = []
        for clause in word.clauses:
            live = tuple(match for match in clause.matches if docsets.match(match))
            clauses.append(replace(clause, matches=live or clause.matches[:1]))
        words.append(replace(word, clauses=tuple(clauses)))
    return TextQuery(tuple(words))


# Hits up to this many are put in order directly; beyond, the sort order is walked until the
# page is full (when hits are many, that is soon).
_DIRECT_ORDER_LIMIT = 4096


def _rank(
    docsets: DocSets,
    plan: ScoringPlan | None,
    hits: int,
    sort: str,
    offset: int,
    limit: int,
) -> list[int]:
    """Return the doc numbers of one page of `hits` in `sort` order."""
    end = offset + limit
    if offset >= bits.count(hits) or not limit:
        return []
    order, rank = docsets.sort_order("date" if sort == "relevance" else sort)
    if sort == "relevance" and plan is not None:
        # Equal scores (offers found only by a synonym in a field that is not scored score 0)
        # follow by date.
        return docsets.scorer.rank(plan, hits, rank, end)[offset:]
    if bits.count(hits) <= _DIRECT_ORDER_LIMIT:
        return heapq.nsmallest(end, bits.docnums(hits), key=rank.__getitem__)[offset:]
    hit = bits.Membership(hits)
    page = []
    for docnum in order:
        if docnum in hit:
            page.append(docnum)
            if len(page) == end:
                break
    return page[offset:]


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


def snippet(text: str, terms: frozenset[str], analyzer: CompositeAnalyzer = GERMAN_ANALYZER) -> str:
    """Return an HTML snippet of at most about SNIPPET_CHARS around the matches, or ""."""
    if not text or not terms:
        return ""
    # Gender reduction and stemming only cut words short, and compound parts are pieces of a
    # word, so every term is a substring of a folded word. Without one in the folded text
    # nothing can match, and the analyzer is not needed.
    folded = fold(text.lower())
    if not any(term in folded for term in terms):
        return ""
    fragmenter = (
        WholeFragmenter()
        if len(text) <= SNIPPET_CHARS
        else ContextFragmenter(maxchars=SNIPPET_CHARS, surround=40)
    )
    # whoosh.highlight.highlight, but a compound is marked whole when one of its parts matches.
    tokens = _matched_words(analyzer(text, chars=True, mode="query", removestops=False), terms)
    fragments = top_fragments(
        fragmenter.fragment_tokens(text, tokens), 1, BasicFragmentScorer(), FIRST, 1
    )
    return MarkFormatter()(text, fragments)


def _matched_words(tokens: Iterable[Token], terms: frozenset[str]) -> Iterator[Token]:
    """One token per word, matched when the word or one of its compound parts is in `terms`.

    The analyzer yields the parts right after their word, with the word's character range. It
    reuses one token object, and so does this: fragmenters copy the tokens they keep.
    """
    word = Token(chars=True)
    pending = False
    for token in tokens:
        if pending and token.startchar == word.startchar and token.endchar == word.endchar:
            word.matched = word.matched or token.text in terms
            continue
        if pending:
            yield word
        word.text, word.startchar, word.endchar = token.text, token.startchar, token.endchar
        word.stopped = token.stopped
        word.matched = token.text in terms
        pending = True
    if pending:
        yield word


# Suggestions and typo tolerance


def suggest(docsets: DocSets, text: TextQuery) -> str | None:
    """Return the text with unknown words replaced by the closest indexed word, or None."""
    corrected = False
    output = []
    for word in text.words:
        replacement = None
        if not word.is_phrase and word.terms and not docsets.word(word):
            replacement = _closest_word(docsets, word.text)
        if replacement:
            output.append(replacement)
            corrected = True
        else:
            output.append(f'"{word.text}"' if word.is_phrase else word.text)
    return " ".join(output) if corrected else None


def _closest_word(docsets: DocSets, typed: str) -> str | None:
    folded = analyze(SPELLING_ANALYZER, typed)
    if len(folded) != 1:
        return None
    neighbours = docsets.neighbours(folded[0], 0)
    return _surface_form(docsets, neighbours[0]) if neighbours else None


def _max_typos(folded: str) -> int:
    """How many typos a folded word may have: none below 4 letters, 2 from 7 on."""
    return 2 if len(folded) >= 7 else 1 if len(folded) >= 4 else 0


def forgiving(docsets: DocSets, text: TextQuery, language: Language) -> TextQuery | None:
    """The text with more ways to match for each typed word that matches (almost) nothing.

    A word matching fewer than FEW_RESULTS offers may also match the indexed words one or two
    typos away that are more frequent than itself, with their synonyms. A word that matches
    something is a word of the index, perhaps a rare typo in one offer; it is not widened to a
    longer or shorter form of itself, which is another word ("Experiment" is no typo of the
    partner "experimenta"). A compound that matches nothing may match any one of its parts
    ("Roboterkurs": robots). None when no word gains anything.
    """
    changed = False
    words = []
    for word in text.words:
        clauses = []
        for clause in word.clauses:
            extra = _forgiving_matches(docsets, clause, language) if clause.folded else []
            known = set(clause.matches)
            extra = [match for match in dict.fromkeys(extra) if match not in known]
            if extra:
                changed = True
                clause = replace(clause, matches=(*clause.matches, *extra))
            clauses.append(clause)
        words.append(replace(word, clauses=tuple(clauses)))
    return TextQuery(tuple(words)) if changed else None


def _forgiving_matches(docsets: DocSets, clause: Clause, language: Language) -> list[Match]:
    own = bits.count(docsets.clause(clause))
    if own >= FEW_RESULTS:
        return []
    extra = []
    typed_term = stem(clause.folded)
    for neighbour in docsets.neighbours(clause.folded, own) if _max_typos(clause.folded) else ():
        term = stem(neighbour)
        if own and _is_prefix_either_way(term, typed_term):
            continue
        extra.append(Match((term,), boost=FUZZY_BOOST))
        extra += _synonym_matches(language.synonyms, (term,), FUZZY_BOOST * SYNONYM_BOOST)
    decompounder = language.analyzers.decompounder
    if not own and decompounder is not None:
        extra += [
            Match((stem(part),), boost=COMPOUND_BOOST * FUZZY_BOOST)
            for part in decompounder.split(clause.folded)
        ]
    return extra


def _is_prefix_either_way(first: str, second: str) -> bool:
    return first.startswith(second) or second.startswith(first)


# How many offers with a word are read to find how it is written.
_SURFACE_SAMPLE = 20
# The stored texts the spelling field is made of (writing.document_fields).
_NAMING_FIELDS = ("title", "partner_name", "summary", "keywords")


def _surface_form(docsets: DocSets, folded: str) -> str:
    """Return the most frequent written form of the folded word `folded` ("mädchen"), read from
    a sample of the offers that contain it; `folded` itself when none shows it whole (a
    compound part)."""
    counts: Counter[str] = Counter()
    searcher = docsets.searcher
    for docnum in bits.docnums(docsets.term("spelling", folded))[:_SURFACE_SAMPLE]:
        stored = searcher.stored_fields(docnum)
        for name in _NAMING_FIELDS:
            counts.update(
                word
                for word in analyze(SURFACE_ANALYZER, stored.get(name) or "")
                if fold(word) == folded
            )
    return counts.most_common(1)[0][0] if counts else folded


def _inheritance(previous: DocSets, segments: tuple[tuple[str, int], ...]) -> _Inheritance | None:
    """What a searcher over `segments` can take over from `previous`; None if nothing."""
    old_offsets = {}
    offset = 0
    for segment in previous._segments:
        old_offsets[segment] = offset
        offset += segment[1]
    moves, fresh, new_offset = [], set(), 0
    for number, segment in enumerate(segments):
        if segment in old_offsets:
            moves.append((old_offsets[segment], new_offset, segment[1]))
        else:
            fresh.add(number)
        new_offset += segment[1]
    if not moves:
        return None
    return _Inheritance(
        terms=previous._raw_terms,
        text_terms=previous._raw_text_terms,
        orders=previous._orders,
        columns=previous._columns,
        moves=tuple(moves),
        fresh_leaves=frozenset(fresh),
        old_count=offset,
    )
