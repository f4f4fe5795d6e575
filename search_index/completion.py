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
from itertools import chain

from whoosh.analysis import Filter, RegexTokenizer, Token
from whoosh.columns import ColumnReader
from whoosh.searching import Searcher

from search_index.analysis import MAX_TOKEN_CHARS, TOKEN_PATTERN, fold, neutral_form

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


# Doc numbers of all terms cached per searcher, at most: about 40 MB of Python integers.
_MAX_CACHED_POSTINGS = 1_000_000
_MAX_CACHED_PREFIXES = 4096
# Titles longer than this many words rank as this long.
_MAX_RANKED_LENGTH = 255
# Multi-word matches this few are ranked all at once instead of walking one word's postings.
_RANK_ALL_BELOW = 512
# Where a word matches whole, and where as a beginning (None: anywhere, for an optional word).
_WordSets = tuple[frozenset[int], frozenset[int] | None]


class Completer:
    """Completes offer titles from one searcher's index, with caches that live as long as it.

    Doc numbers are only valid for one searcher: a new searcher gets a new Completer.
    """

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._reader = searcher.reader()
        self._expansions: dict[str, tuple[str, ...]] = {}
        # Term -> its live doc numbers, shortest titles first.
        self._postings: dict[str, tuple[int, ...]] = {}
        self._cached_postings = 0
        # Title length in words by doc number, 0 where not read yet.
        self._lengths = bytearray(self._reader.doc_count_all())
        self._columns: dict[str, ColumnReader] = {}

    def complete(self, text: str, limit: int) -> list[int]:
        """The offer ids of up to `limit` titles that `text` completes, best first; one offer
        per distinct title."""
        limit = max(0, min(limit, MAX_LIMIT))
        words = typed_words(text)
        if not words or not limit or TITLE_WORDS_FIELD not in self._reader.schema:
            return []
        choices = [self._choices(word) for word in words]
        if words[-1].is_optional and not choices[-1][0]:
            # A letter that is no title word at all cannot rank anything.
            words, choices = words[:-1], choices[:-1]
        if not all(whole or begun for whole, begun in choices):
            return []
        if len(choices) == 1:
            return self._offer_ids(self._walk(choices[0], [], limit))
        sets = [
            self._sets(choice, word.is_optional)
            for word, choice in zip(words, choices, strict=True)
        ]
        matching = functools.reduce(
            operator.and_,
            sorted((whole | begun for whole, begun in sets if begun is not None), key=len),
        )
        if len(matching) < _RANK_ALL_BELOW:
            return self._offer_ids(self._rank_all(matching, sets, limit))
        # Walk the required word with the fewest matches; the others only check.
        sizes = [
            sum(map(len, chain(*choice))) if not word.is_optional else len(self._lengths) + 1
            for word, choice in zip(words, choices, strict=True)
        ]
        driver = sizes.index(min(sizes))
        others = [word_sets for i, word_sets in enumerate(sets) if i != driver]
        return self._offer_ids(self._walk(choices[driver], others, limit))

    def _choices(self, word: TypedWord) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
        """The postings of the terms `word` matches whole, and of those it begins."""
        whole = [term for term in sorted(word.whole) if (TITLE_WORDS_FIELD, term) in self._reader]
        begun = [term for term in self._expand(word.prefix) if term not in word.whole]
        return [self._postings_of(term) for term in whole], [
            self._postings_of(term) for term in begun
        ]

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

    def _postings_of(self, term: str) -> tuple[int, ...]:
        cached = self._postings.get(term)
        if cached is None:
            # The reader's postings skip deleted documents.
            docnums = list(self._reader.postings(TITLE_WORDS_FIELD, term).all_ids())
            lengths = self._lengths
            for docnum in docnums:
                if not lengths[docnum]:
                    length = self._reader.doc_field_length(docnum, TITLE_WORDS_FIELD) or 1
                    lengths[docnum] = min(length, _MAX_RANKED_LENGTH)
            cached = tuple(sorted(docnums, key=lambda docnum: (lengths[docnum], docnum)))
            if self._cached_postings + len(cached) > _MAX_CACHED_POSTINGS:
                self._postings.clear()
                self._cached_postings = 0
            self._postings[term] = cached
            self._cached_postings += len(cached)
        return cached

    def _sets(
        self, choice: tuple[list[tuple[int, ...]], list[tuple[int, ...]]], is_optional: bool
    ) -> _WordSets:
        """The doc numbers where the word matches whole, and those where it matches a beginning
        (None for an optional word: anywhere)."""
        whole, begun = choice
        return frozenset(chain(*whole)), None if is_optional else frozenset(chain(*begun))

    def _stream(
        self, choice: tuple[list[tuple[int, ...]], list[tuple[int, ...]]]
    ) -> Iterator[tuple[int, int]]:
        """(0 or 1, doc number) for every doc the word matches: whole matches first, each kind
        shortest titles first."""
        lengths = self._lengths

        def key(docnum: int) -> tuple[int, int]:
            return lengths[docnum], docnum

        seen: set[int] = set()
        for tier, postings in enumerate(choice):
            for docnum in heapq.merge(*postings, key=key):
                if docnum not in seen:
                    seen.add(docnum)
                    yield tier, docnum

    def _walk(
        self,
        choice: tuple[list[tuple[int, ...]], list[tuple[int, ...]]],
        others: list[_WordSets],
        limit: int,
    ) -> list[int]:
        """The best `limit` doc numbers, one per title, walking one word's matches in order.

        A doc ranks by (typed words matched only as a beginning, title length). The walk comes
        in order of (this word's part of that, title length), which no later doc can beat: a
        doc found at least that good is settled, and the walk ends with `limit` settled.
        """
        lengths = self._lengths
        titles = self._column("title_sort")
        best: dict[bytes, tuple[tuple[int, int], int]] = {}
        pending: list[tuple[tuple[int, int], int, bytes]] = []
        settled: list[int] = []
        settled_titles: set[bytes] = set()

        def settle(bound: tuple[int, int] | None) -> None:
            while pending and (bound is None or pending[0][0] <= bound):
                rank, _found, title = heapq.heappop(pending)
                if title not in settled_titles and best[title][0] == rank:
                    settled_titles.add(title)
                    settled.append(best[title][1])

        for found, (tier, docnum) in enumerate(self._stream(choice)):
            settle((tier, lengths[docnum]))
            if len(settled) >= limit:
                break
            beginnings = tier
            for whole, begun in others:
                if docnum in whole:
                    continue
                if begun is not None and docnum not in begun:
                    break
                beginnings += 1
            else:
                title = titles[docnum]
                rank = (beginnings, lengths[docnum])
                if title not in settled_titles and (title not in best or rank < best[title][0]):
                    best[title] = (rank, docnum)
                    heapq.heappush(pending, (rank, found, title))
        settle(None)
        return settled[:limit]

    def _rank_all(
        self,
        matching: frozenset[int],
        sets: list[_WordSets],
        limit: int,
    ) -> list[int]:
        """The best `limit` of `matching`, one per title, ranked like `_walk` ranks them."""
        lengths = self._lengths
        titles = self._column("title_sort")

        def rank(docnum: int) -> tuple[int, int, int]:
            beginnings = sum(docnum not in whole for whole, _begun in sets)
            return beginnings, lengths[docnum], docnum

        chosen: list[int] = []
        seen_titles: set[bytes] = set()
        for docnum in sorted(matching, key=rank):
            title = titles[docnum]
            if title not in seen_titles:
                seen_titles.add(title)
                chosen.append(docnum)
                if len(chosen) == limit:
                    break
        return chosen

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
