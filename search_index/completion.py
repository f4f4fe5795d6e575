"""Completion: the titles, names and labels whose words begin with what someone is typing.

Every word of a title is indexed, folded but unstemmed, in a field of its own (TITLE_WORDS_FIELD):
completion compares beginnings of words as typed, and a stem is no word ("Robote" begins
"Roboter" but not its stem "robot"). Stop words stay, so "Mädchen in" still completes to
"Mädchen in MINT".

Each typed word must match a word of the title: as a whole word, or as its beginning if it has
MIN_PREFIX_CHARS letters or more ("AG Robo" finds "Roboter-AG"). Titles where more typed words
match whole come first, then shorter titles. A word is expanded to at most MAX_EXPANSIONS
indexed words, the most frequent ones (WHOOSH_NOTES pitfall 8: a broad prefix must not walk
half the index).
"""

import functools
import heapq
import operator
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from whoosh.analysis import Filter, RegexTokenizer, Token
from whoosh.columns import ColumnReader
from whoosh.searching import Searcher

from search_index import bits
from search_index.analysis import MAX_TOKEN_CHARS, TOKEN_PATTERN, fold, neutral_form
from search_index.postings import deleted_docnums, field_lengths
from search_index.postings import postings as read_postings

# The field holding the folded words of each offer's title.
TITLE_WORDS_FIELD = "title_words"
# A shorter word matches only as a whole word: "r" would expand to a tenth of the vocabulary.
MIN_PREFIX_CHARS = 2
# Indexed words a typed beginning stands for, the most frequent first.
MAX_EXPANSIONS = 24
# Nobody types more into a search field; longer input is cut, more words find nothing.
MAX_TEXT_CHARS = 200
MAX_WORDS = 12
# Offers the application may ask for at once.
MAX_LIMIT = 50


def word_term(word: str) -> str:
    """The term of one word as written: gender-neutral, lowercase, folded ("Schüler*innen" ->
    "schuler", "Mädchen" -> "madchen")."""
    return fold(neutral_form(word).lower())


class WordFilter(Filter):
    """Turns every token into its `word_term`; drops only tokens too long to be words."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if len(token.text) <= MAX_TOKEN_CHARS:
                token.text = word_term(token.text)
                yield token


WORDS_ANALYZER = RegexTokenizer(TOKEN_PATTERN) | WordFilter()
_TOKENIZER = RegexTokenizer(TOKEN_PATTERN)

# A gender marker that is still being typed at the end of the text ("Lehrer*", "Lehrer:i",
# "Schüler(inn", "LehrerInne"): the words it will become are indexed as their base noun.
_PARTIAL_MARKED_FEMININE = re.compile(
    r"(?<=\w\w)(?:[*:/·_]-?|\()(?:[Ii](?:n(?:n(?:e(?:n)?)?)?)?)?\)?$"
)
_PARTIAL_BINNEN_I = re.compile(r"(?<=\w[a-zäöüß])I(?:n(?:n(?:e(?:n)?)?)?)?$")
_PLAIN_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class TypedWord:
    """One typed word: the terms it matches whole, and the beginning it matches ("" if none).

    An optional word need not match: a last letter typed after other words, which may begin
    the next word ("Roboter-A"). Matching whole ranks a title higher, like any word.
    """

    whole: frozenset[str]
    prefix: str
    is_optional: bool = False

    def matches(self, term: str) -> int | None:
        """0 if `term` is this word, 1 if it begins with it, else None."""
        if term in self.whole:
            return 0
        if self.prefix and term.startswith(self.prefix):
            return 1
        return None


def _clean(text: str) -> str:
    """`text` normalized and cut, control characters as spaces, format characters (soft hyphen,
    zero-width space), lone surrogates and unassigned code points dropped, as in querying."""
    text = unicodedata.normalize("NFC", text[: MAX_TEXT_CHARS * 4])
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    return "".join(kept)[:MAX_TEXT_CHARS].rstrip()


def typed_words(text: str) -> list[TypedWord]:
    """The words of what someone typed so far; [] when nothing can be completed."""
    text = _PARTIAL_BINNEN_I.sub("", _PARTIAL_MARKED_FEMININE.sub("", _clean(text)))
    tokens = [token.text for token in _TOKENIZER(text)]
    if len(tokens) > MAX_WORDS or any(len(token) > MAX_TOKEN_CHARS for token in tokens):
        return []
    words = []
    for position, token in enumerate(tokens, start=1):
        whole = {word_term(token)}
        if position == len(tokens):
            # A feminine ending still being typed ("Lehreri", "Studentinne"): the index holds
            # the base noun.
            for completed in (token + "n", token + "en"):
                base = neutral_form(completed)
                if base != completed:
                    whole.add(fold(base.lower()))
        folded = fold(token.lower())
        is_short = len(folded) < MIN_PREFIX_CHARS
        prefix = folded if _PLAIN_WORD.fullmatch(token) and not is_short else ""
        words.append(TypedWord(frozenset(whole), prefix, is_short and position == len(tokens) > 1))
    return words


@functools.lru_cache(maxsize=4096)
def _label_terms(label: str) -> tuple[str, ...]:
    # Names and labels are few and asked for at every keystroke.
    return tuple(token.text for token in WORDS_ANALYZER(label))


def _label_rank(words: Sequence[TypedWord], terms: Sequence[str]) -> tuple[int, int] | None:
    """(words matched only as a beginning, number of words in the label), or None."""
    beginnings = 0
    for word in words:
        found = [kind for term in terms if (kind := word.matches(term)) is not None]
        if not found and not word.is_optional:
            return None
        beginnings += min(found, default=1)
    return beginnings, len(terms)


def rank_labels(text: str, candidates: Sequence[Sequence[str]]) -> list[int]:
    """The positions of the candidates (each one or more labels, e.g. a name and a short name)
    that `text` completes, best first: more words matched whole, then fewer words."""
    words = typed_words(text)
    if not words:
        return []
    ranked = []
    for position, labels in enumerate(candidates):
        ranks = [
            rank for label in labels if label and (rank := _label_rank(words, _label_terms(label)))
        ]
        if ranks:
            ranked.append((min(ranks), position))
    return [position for _rank, position in sorted(ranked)]


# Offers


# What the term cache of one searcher may hold, roughly (a bit set takes a bit per document).
_MAX_CACHED_BYTES = 32_000_000
_MAX_CACHED_PREFIXES = 4096
# Longer titles rank as if they were this long.
_MAX_RANKED_LENGTH = 64
_NONZERO_RUNS = re.compile(rb"[^\x00]+")


def _iter_docnums(docs: int) -> Iterator[int]:
    """The doc numbers in the bit set `docs`, ascending, decoded only as far as asked."""
    data = docs.to_bytes((docs.bit_length() + 7) // 8, "little")
    for run in _NONZERO_RUNS.finditer(data):
        for offset, value in enumerate(run.group(), start=run.start()):
            for bit in range(8):
                if value >> bit & 1:
                    yield offset * 8 + bit


def _positions(values: bytes, value: int) -> int:
    """The bit set of the positions where `values` holds `value`."""
    # Binary digits made and parsed in C: a few milliseconds for 100,000 documents.
    digits = values.translate(bytes(49 if byte == value else 48 for byte in range(256)))
    return int(digits[::-1], 2)


@dataclass(frozen=True)
class _Choice:
    """What one typed word matches, as bit sets of documents: the titles that have it as a
    word, and those with a word it begins or is (an optional word: every title)."""

    whole: int
    anywhere: int


class Completer:
    """Completes offer titles from one searcher's index, with caches that live as long as it.

    Every set of documents is a bit set (search_index.bits): ranking is a few dozen operations
    on integers of a bit per document, whatever the number of matches. Doc numbers are only
    valid for one searcher: a new searcher gets a new Completer.
    """

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._reader = searcher.reader()
        self._expansions: dict[str, tuple[str, ...]] = {}
        self._terms: dict[str, int] = {}
        self._cached_bytes = 0
        self._live: int | None = None
        # Title length in words -> the documents with titles that long, shortest first.
        self._by_length: list[int] = []
        self._columns: dict[str, ColumnReader] = {}

    def complete(self, text: str, limit: int) -> list[int]:
        """The offer ids of up to `limit` titles that `text` completes, best first; one offer
        per distinct title."""
        limit = max(0, min(limit, MAX_LIMIT))
        words = typed_words(text)
        if not words or not limit or not self._reader.doc_count_all():
            return []
        live = self._live_docs()
        # By the number of words matched only as a beginning: docs[k] match all the words, k
        # of them only as a beginning.
        docs = [live]
        for word in words:
            choice = self._choice(word, live)
            if word.is_optional and not choice.whole:
                # A letter that is no title word at all cannot rank anything.
                continue
            begun = choice.anywhere & ~choice.whole
            docs = [
                (docs[k] & choice.whole if k < len(docs) else 0) | (docs[k - 1] & begun if k else 0)
                for k in range(len(docs) + 1)
            ]
        return self._offer_ids(self._best(docs, limit))

    def _choice(self, word: TypedWord, live: int) -> _Choice:
        # Only indexed terms: unknown ones come from users and would fill the cache.
        known = [term for term in word.whole if (TITLE_WORDS_FIELD, term) in self._reader]
        whole = functools.reduce(operator.or_, map(self._term_docs, known), 0)
        if word.is_optional:
            return _Choice(whole, live)
        begun = (self._term_docs(term) for term in self._expand(word.prefix))
        return _Choice(whole, functools.reduce(operator.or_, begun, whole))

    def _best(self, docs: list[int], limit: int) -> list[int]:
        """Up to `limit` doc numbers, one per title: fewer beginnings first, then shorter titles,
        then lower doc numbers."""
        chosen: list[int] = []
        seen: set[bytes] = set()
        for matches in docs:
            if not matches:
                continue
            titles = self._column("title_sort")
            for same_length in self._by_length:
                for docnum in _iter_docnums(matches & same_length):
                    title = titles[docnum]
                    if title not in seen:
                        seen.add(title)
                        chosen.append(docnum)
                        if len(chosen) == limit:
                            return chosen
        return chosen

    def _live_docs(self) -> int:
        """Every document not deleted; on first use also the documents by title length."""
        if self._live is None:
            lengths = field_lengths(self._reader, TITLE_WORDS_FIELD)
            capped = bytes(min(length, _MAX_RANKED_LENGTH) for length in lengths)
            self._by_length = [_positions(capped, length) for length in sorted(set(capped))]
            deleted = bits.from_docnums(deleted_docnums(self._reader))
            self._live = ((1 << len(lengths)) - 1) & ~deleted
        return self._live

    def _expand(self, prefix: str) -> tuple[str, ...]:
        """The MAX_EXPANSIONS most frequent indexed words beginning with `prefix`."""
        if not prefix:
            return ()
        cached = self._expansions.get(prefix)
        if cached is None:
            found = (
                (info.doc_frequency(), term.decode("utf-8"))
                for term, info in self._reader.iter_prefix(TITLE_WORDS_FIELD, prefix)
            )
            # Most frequent first; among as frequent ones the shorter, closer completion.
            best = heapq.nsmallest(MAX_EXPANSIONS, found, key=lambda e: (-e[0], len(e[1]), e[1]))
            cached = tuple(term for _count, term in best)
            if len(self._expansions) >= _MAX_CACHED_PREFIXES:
                self._expansions.clear()
            self._expansions[prefix] = cached
        return cached

    def _term_docs(self, term: str) -> int:
        """The live documents with `term` in their title, as a bit set."""
        cached = self._terms.get(term)
        if cached is None:
            docnums, _weights = read_postings(self._reader, TITLE_WORDS_FIELD, term, weights=False)
            cached = bits.from_docnums(docnums) & self._live_docs()
            size = (cached.bit_length() + 7) // 8
            if self._cached_bytes + size > _MAX_CACHED_BYTES:
                self._terms.clear()
                self._cached_bytes = 0
            self._terms[term] = cached
            self._cached_bytes += size
        return cached

    def _offer_ids(self, docnums: list[int]) -> list[int]:
        if not docnums:
            return []
        column = self._column("offer_id")
        return [int(column[docnum]) for docnum in docnums]

    def _column(self, name: str) -> ColumnReader:
        # Opening a column reads its offsets: once per searcher, and only once there are docs
        # (an empty index has no columns to read).
        if name not in self._columns:
            self._columns[name] = self._reader.column_reader(name)
        return self._columns[name]
