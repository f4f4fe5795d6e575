"""German text analysis, identical at index and query time.

The chain is: tokenize (keeping gender markers inside a word) -> reduce gendered forms to the
base noun -> lowercase -> fold umlauts and their ae/oe/ue spellings -> drop stop words -> stem.
Every step runs on both sides, so whatever a step conflates, it conflates consistently.

With a list of known word parts, compounds are split too: at index time the parts are added at
the word's position ("Chemielabor" -> chemielabor, chemi, labor), so a search for one part
finds the compound; the query side asks for the parts as an alternative (see querying).
"""

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from whoosh.analysis import CompositeAnalyzer, Filter, RegexTokenizer, Token
from whoosh.lang.snowball.german import GermanStemmer
from whoosh.lang.stopwords import stoplists

# A word, optionally followed by a gender marker and the feminine suffix, so that
# "Schüler*innen", "Schüler:innen", "Schüler/-innen", "Schüler·innen" and "Schüler(innen)" stay
# one token ("Schüler_innen" already is one, "_" being a word character). A marker that is not
# followed by "in"/"innen" splits the word, so "Chemie/Physik" still finds "Physik".
TOKEN_PATTERN = r"\w+(?:[*:/·]-?[Ii]n(?:nen)?(?!\w)|\([Ii]n(?:nen)?\))?"

# Longer "words" are data (hashes, base64), not language; they would only bloat the term list.
MAX_TOKEN_CHARS = 80

_MARKED_FEMININE = re.compile(r"^(\w{2,}?)(?:[*:/·_]-?|\()in(?:nen)?\)?$", re.IGNORECASE)
# Binnen-I needs the original case: "SchülerInnen" but not "Spinnen" or "BERLIN".
_BINNEN_I = re.compile(r"^(\w{2,}[a-zäöüß])In(?:nen)?$")
_PLAIN_FEMININE = re.compile(r"^(\w+?)in(?:nen)?$", re.IGNORECASE)
# "-in"/"-innen" is stripped from unmarked words only after endings of person nouns
# (Lehrer-in, Student-in, Praktikant-in, Doktorand-in, Journalist-in, Biolog-in, Ingenieur-in,
# Autor-in, Sekretär-in). "-at"/"-ot" are left out on purpose: Platin, Nikotin.
PERSON_NOUN_ENDINGS = ("er", "ent", "ant", "and", "ist", "og", "eur", "or", "är")
# The base must be this long, so that "Login" (Log) and "worin" (wor) are left alone.
_MIN_PLAIN_BASE = 4


def neutral_form(word: str) -> str:
    """Return the base noun of a gendered person noun ("Schüler*innen" -> "Schüler"), else `word`.

    Case is kept; the Binnen-I rule depends on it, so this runs before lowercasing.
    """
    match = _MARKED_FEMININE.match(word) or _BINNEN_I.match(word)
    if match:
        return match.group(1)
    match = _PLAIN_FEMININE.match(word)
    if match:
        base = match.group(1)
        if len(base) >= _MIN_PLAIN_BASE and base.lower().endswith(PERSON_NOUN_ENDINGS):
            return base
    return word


_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
# "ae"/"oe"/"ue" are umlaut spellings only after a consonant or at the start of a word. After a
# vowel they belong to a diphthong ("Frauen", "neue", "Abenteuer"); folding those would split
# their inflected forms before stemming ("Frau" vs "Fraun"). After "q" the "u" belongs to "qu".
_DIGRAPHS = re.compile(r"(?<![aeiouyq])([aou])e")


def fold(word: str) -> str:
    """Fold a lowercased word so that "Mädchen", "Maedchen" and "Madchen" become one: "madchen".

    A few unrelated words collide ("Poet" and "Pot", "Duell" and "Dull", "Israel" and "Isral");
    that is accepted, because a missed umlaut spelling costs more than a rare extra hit.
    """
    return _DIGRAPHS.sub(r"\1", word.translate(_UMLAUTS))


def sort_key(text: str) -> str:
    """Return a key that sorts titles the way a German reader expects (DIN 5007-1: ä as a)."""
    return unicodedata.normalize("NFC", text).casefold().translate(_UMLAUTS).strip()


GERMAN_STOP_WORDS = frozenset(stoplists["de"])
# Stop words are removed after folding, so "für" and "fuer" are both dropped.
FOLDED_STOP_WORDS = frozenset(fold(word) for word in GERMAN_STOP_WORDS)
_MIN_TOKEN_CHARS = 2

_snowball_stem = GermanStemmer().stem
# Person nouns whose Snowball stem is another word's: without their "-er", "Schüler" would
# find every "Schule" and "Lehrer" every "Lehre" (the apprenticeship). They, and compounds
# ending in them (Grundschüler), keep it through every inflection.
_KEPT_ER_NOUNS = ("schuler", "lehrer")
_KEPT_ER_FORMS = tuple(
    (noun + ending, noun) for noun in _KEPT_ER_NOUNS for ending in ("n", "s", "")
)


def _stem(folded: str) -> str:
    for form, noun in _KEPT_ER_FORMS:
        if folded.endswith(form):
            return folded[: len(folded) - len(form)] + noun
    return _snowball_stem(folded)


# The longest gender suffix a token may lose ("(innen)").
_MAX_SUFFIX_CHARS = 7


def normalize(word: str, *, folded: bool, stemmed: bool) -> str | None:
    """Return the term of one token, or None for a stop word (or a too short or long token).

    The steps in order: neutral form (needs the original case), lowercase, fold, stop words,
    stem.
    """
    if len(word) > MAX_TOKEN_CHARS + _MAX_SUFFIX_CHARS:
        # Checked before the cache, so pasted junk cannot fill it.
        return None
    return _normalize(word, folded, stemmed)


# Text repeats its words, and one cache lookup is much cheaper than five generator steps per
# token (indexing and highlighting analyze every word). functools.lru_cache is thread-safe,
# unlike Whoosh's own stemming cache.
@functools.lru_cache(maxsize=100_000)
def _normalize(word: str, folded: bool, stemmed: bool) -> str | None:
    term = neutral_form(word).lower()
    if folded:
        term = fold(term)
    stop_words = FOLDED_STOP_WORDS if folded else GERMAN_STOP_WORDS
    if not _MIN_TOKEN_CHARS <= len(term) <= MAX_TOKEN_CHARS or term in stop_words:
        return None
    return _stem(term) if stemmed else term


# Compounds


# A known part must have this many letters.
MIN_PART_CHARS = 3
# A known part beside an unknown remainder, and the remainder, must be longer: "uni|versum",
# "bio|grafie" and "mei|stern" are no compounds, "Kinder|uni" and "Bio|labor" are.
MIN_LONE_PART_CHARS = 4
# Index weight of a part relative to a whole word: "Roboter" ranks an offer about robots above
# one that only mentions a "Roboterkurs".
PART_WEIGHT = 0.5
# Inflection endings a last part may carry (Roboterkurs-e, Schülerlabor-en).
_ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern", "em")
# Endings after which a first part always takes a linking "s" (Forschung-s-labor,
# Praktikum-s-tag). After other consonants it may or may not (Beruf-s-alltag, Früh-schicht):
# an "s" is read as a link unless the rest would then lose a common onset "sch", "st", "sp".
_S_LINKED_ENDINGS = ("ung", "heit", "keit", "schaft", "ion", "tat", "ling", "tum", "um")
_S_ONSETS = ("sch", "st", "sp")
# Endings that are no word of their own: a remainder like these means the known part was only
# the stem of a longer word ("Labor|ant", "chemi|scher"), not a compound.
_SUFFIXES = frozenset((
    "ung", "ungen", "lich", "liche", "lichen", "licher", "liches", "lichem", "isch", "ische",
    "ischen", "scher", "sche", "schen", "sches", "schem", "heit", "heiten", "keit", "keiten",
    "chen", "lein", "lern", "nern", "bare", "lose", "haft", "schaft", "schaften", "isten", "iker",
    "ikern", "ismus", "itat", "itaten", "tion", "tionen", "ation", "ationen", "isation", "anten",
    "enten", "eure", "euren", "inen", "ium", "iken", "innen", "ende", "enden", "eien", "erei",
    "ereien", "ling", "linge", "lingen", "nisse",
))  # fmt: skip
_VOWELS = frozenset("aeiouy")
# The decomposition cache holds folded words; indexing a large corpus must not grow it forever.
_MAX_CACHED_WORDS = 100_000


def _first_part_forms(base: str) -> dict[str, str]:
    """How the known word `base` may appear as the first part of a compound -> its link.

    Linking elements: "n" after "e" (Biene-n-stock), "en" after a consonant (Stern-en-himmel),
    "s"/"es" after a consonant but never after "-en", "-er" or "-ik" (Daten-schutz,
    Computer-spiel, Informatik-studium); a final "e" may drop (Schul(e)hof).
    """
    forms = {base: ""}
    if base.endswith("e"):
        forms[base + "n"] = "n"
        if len(base) > MIN_PART_CHARS:
            forms[base[:-1]] = ""
    elif base[-1] not in _VOWELS:
        forms[base + "en"] = "en"
        if not base.endswith(("en", "er", "ik")):
            forms[base + "s"] = "s"
            forms[base + "es"] = "es"
    return forms


class Decompounder:
    """Splits folded compounds into parts, where the parts are known words.

    A compound may have any number of known parts and at most one unknown piece, a plausible
    word of at least MIN_LONE_PART_CHARS letters (`_is_remainder`) beside a known part of as
    many ("Bienen|stock", "Kinder|forschungs|labor"). A word that is itself known is split only
    into known parts ("Ferienprogramm" -> ferien + programm, but "Mathematik" stays whole
    although "Mathe" is known), and a derivation of a known word is no compound
    ("Wissenschaftler" is wissenschaft + ler, not wissen + schaftler).
    """

    def __init__(self, words: Iterable[str]) -> None:
        known = set()
        for word in words:
            known.update(
                term for term in analyze(SPELLING_ANALYZER, word) if len(term) >= MIN_PART_CHARS
            )
        self.known = frozenset(known)
        # First-part forms -> (known word, linking element); a form that is itself a known
        # word stands for itself.
        heads: dict[str, tuple[str, str]] = {}
        for base in sorted(self.known, key=len):
            for form, link in _first_part_forms(base).items():
                heads.setdefault(form, (base, link))
        heads.update((base, (base, "")) for base in self.known)
        self._heads = heads
        self._tails = frozenset(base + ending for base in self.known for ending in _ENDINGS)
        forms = [*heads, *self._tails]
        self._longest = max(map(len, forms), default=0)
        # The first letters of every known piece: most positions of most words start none, and
        # one set lookup rules them out.
        self._openings = frozenset(form[:MIN_PART_CHARS] for form in forms)
        self._cache: dict[str, tuple[str, ...]] = {}

    def __reduce__(self) -> tuple[type["Decompounder"], tuple[list[str]]]:
        # Whoosh pickles the schema into the index on every commit: the known words suffice.
        return (Decompounder, (sorted(self.known),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Decompounder) and self.known == other.known

    def __hash__(self) -> int:
        return hash(self.known)

    def split(self, word: str) -> tuple[str, ...]:
        """Return the parts of the folded, unstemmed `word` in order, or () if it is no compound.

        A first part comes without its linking element ("forschungs" -> "forschung"); the last
        keeps its inflection ending, so it stems like the same word on its own. A known part
        that is a compound itself stays whole here; `parts` adds its parts.
        """
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) >= _MAX_CACHED_WORDS:
                self._cache.clear()
            cached = self._split(word)
            self._cache[word] = cached
        return cached

    def parts(self, word: str) -> tuple[str, ...]:
        """Every part of `word`, the parts of its known parts included (for the index)."""
        found: list[str] = []
        pending = list(self.split(word))
        while pending:
            part = pending.pop(0)
            if part not in found:
                found.append(part)
                if part in self._tails:
                    pending.extend(self.split(part))
        return tuple(found)

    def _split(self, word: str) -> tuple[str, ...]:
        if len(word) < 2 * MIN_PART_CHARS:
            return ()
        pieces = self._known_pieces(word)
        if not pieces or self._is_derivation(word):
            return ()
        # One known part is enough, two unknown pieces are a guess; a known word is only split
        # into known parts.
        allowed_unknown = 0 if word in self._tails else 1
        best: tuple[str, ...] = ()
        best_score: tuple[int, ...] = ()
        # Every way to cover the word with known pieces and at most one unknown piece:
        # (position, parts, known lengths, unknown pieces, link score, known letters).
        pending: list[tuple[int, tuple[str, ...], tuple[int, ...], int, int, int]] = [
            (0, (), (), 0, 0, 0)
        ]
        while pending:
            start, parts, lengths, unknown, links, letters = pending.pop()
            if start == len(word):
                if len(parts) < 2 or (unknown and max(lengths) < MIN_LONE_PART_CHARS):
                    continue
                # Fewest unknown pieces, then fewest parts (the largest known ones), then the
                # most letters in known parts, then the likelier reading of linking elements,
                # then the longer known pieces ("Energie|verbrauch", not "Energi|everbrauch").
                score = (-unknown, -len(parts), sum(lengths), links, letters)
                if score > best_score:
                    best_score, best = score, parts
                continue
            for end, part, link in pieces.get(start, ()):
                pending.append(
                    (
                        end,
                        (*parts, part),
                        (*lengths, len(part)),
                        unknown,
                        links + _link_score(part, link, word[end:]),
                        letters + end - start,
                    )
                )
            if unknown < allowed_unknown:
                # An unknown piece runs up to the next known piece, or to the end.
                for end in range(start + MIN_LONE_PART_CHARS, len(word) + 1):
                    if (end == len(word) or end in pieces) and _is_remainder(word[start:end]):
                        pending.append(
                            (end, (*parts, word[start:end]), lengths, unknown + 1, links, letters)
                        )
        return best

    def _known_pieces(self, word: str) -> dict[int, list[tuple[int, str, str]]]:
        """Start -> (end, part, linking element) of each known piece of `word`.

        A piece at the end is a known word with an inflection ending, kept as it is; any other
        is a first-part form, given as its known word.
        """
        pieces: dict[int, list[tuple[int, str, str]]] = {}
        length = len(word)
        for start in range(length - MIN_PART_CHARS + 1):
            if word[start : start + MIN_PART_CHARS] not in self._openings:
                continue
            for end in range(start + MIN_PART_CHARS, min(length, start + self._longest) + 1):
                piece = word[start:end]
                if end == length:
                    if piece in self._tails:
                        pieces.setdefault(start, []).append((end, piece, ""))
                elif piece in self._heads:
                    base, link = self._heads[piece]
                    pieces.setdefault(start, []).append((end, base, link))
        return pieces

    def _is_derivation(self, word: str) -> bool:
        """Whether `word` is a known word plus a derivational ending ("Physik|er", "Labor|ant",
        "programm|ierbar"), which the unknown-remainder rule would otherwise split off."""
        for cut in range(MIN_PART_CHARS, len(word)):
            rest = word[cut:]
            if (
                word[:cut] in self._heads
                and rest not in _ENDINGS
                and rest not in self._tails
                and not _is_remainder(rest)
            ):
                return True
        return False


def _link_score(base: str, link: str, rest: str) -> int:
    """How likely the reading with (or without) a linking element is: 1, 0 or -1."""
    if link == "s" and not base.endswith(_S_LINKED_ENDINGS):
        return -1 if ("s" + rest).startswith(_S_ONSETS) else 1
    # "-n"/"-en" are read as links: Sternen|abend, not Stern|enabend.
    return 1 if link else 0


def _is_remainder(part: str) -> bool:
    """Whether an unknown piece left by a split can be a word of its own."""
    return (
        len(part) >= MIN_LONE_PART_CHARS
        and part not in _SUFFIXES
        and part not in FOLDED_STOP_WORDS
        and not _VOWELS.isdisjoint(part)
        # No German word starts with a doubled consonant ("Astronomi|nnen") or with "ier"
        # (programm|ierbar, Experiment|ierkasten: verb forms).
        and not (part[0] == part[1] and part[0] not in _VOWELS)
        and not part.startswith("ier")
    )


# The chains


class GermanFilter(Filter):
    """Turns tokens into terms with `normalize`; drops stop words like Whoosh's StopFilter.

    Dropped words leave no gap in the positions, on both sides, so a phrase query matches
    across a stop word. When the caller keeps stop words (the highlighter does), they pass
    through marked `stopped`. With a decompounder, the parts of a compound follow the whole
    word at the same position and character range, weighted PART_WEIGHT.
    """

    is_morph = True

    def __init__(
        self, *, folded: bool, stemmed: bool, decompounder: Decompounder | None = None
    ) -> None:
        self.folded = folded
        self.stemmed = stemmed
        self.decompounder = decompounder

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        position = None
        for token in tokens:
            word = token.text
            term = normalize(word, folded=self.folded, stemmed=self.stemmed)
            if term is None:
                if not token.removestops:
                    token.stopped = True
                    yield token
                continue
            token.text = term
            token.stopped = False
            if token.positions:
                position = token.pos if position is None else position + 1
                token.pos = position
            yield token
            if self.decompounder is not None:
                parts = _compound_parts(self.decompounder, word, self.stemmed)
                if parts:
                    weight = token.boost
                    for part in parts:
                        token.text = part
                        token.boost = weight * PART_WEIGHT
                        yield token
                    token.boost = weight


@functools.lru_cache(maxsize=100_000)
def _compound_parts(decompounder: Decompounder, word: str, stemmed: bool) -> tuple[str, ...]:
    """The part terms of a `word` as written (folded, stemmed if asked), without its own term."""
    folded = normalize(word, folded=True, stemmed=False)
    if folded is None:
        return ()
    whole = _stem(folded) if stemmed else folded
    parts = []
    for part in decompounder.parts(folded):
        term = _stem(part) if stemmed else part
        if term != whole and term not in parts:
            parts.append(term)
    return tuple(parts)


def _chain(
    *, folded: bool, stemmed: bool, decompounder: Decompounder | None = None
) -> CompositeAnalyzer:
    return RegexTokenizer(TOKEN_PATTERN) | GermanFilter(
        folded=folded, stemmed=stemmed, decompounder=decompounder
    )


# The analyzer of every searchable text field.
GERMAN_ANALYZER = _chain(folded=True, stemmed=True)
# Unstemmed folded words: the vocabulary that typo suggestions are matched against (stemmed terms
# make poor fuzzy targets, WHOOSH_NOTES pitfall 5).
SPELLING_ANALYZER = _chain(folded=True, stemmed=False)
# Unstemmed, unfolded lowercase words: how a suggested word is shown ("mädchen", not "madchen").
SURFACE_ANALYZER = _chain(folded=False, stemmed=False)


@dataclass(frozen=True)
class Analyzers:
    """The analyzers of one index: `text` for the searchable fields, `spelling` for the words
    typos are matched against, `surface` for showing a suggested word."""

    text: CompositeAnalyzer
    spelling: CompositeAnalyzer
    surface: CompositeAnalyzer
    decompounder: Decompounder | None = None

    @classmethod
    def build(cls, compound_words: Iterable[str] = ()) -> "Analyzers":
        """The analyzers; with `compound_words`, compounds with one of them as a part are split
        in the text and spelling fields."""
        decompounder = Decompounder(compound_words)
        if not decompounder.known:
            return cls(GERMAN_ANALYZER, SPELLING_ANALYZER, SURFACE_ANALYZER)
        return cls(
            _chain(folded=True, stemmed=True, decompounder=decompounder),
            _chain(folded=True, stemmed=False, decompounder=decompounder),
            SURFACE_ANALYZER,
            decompounder,
        )


def analyze(analyzer: CompositeAnalyzer, text: str) -> list[str]:
    """Return the terms `analyzer` makes of `text`."""
    return [token.text for token in analyzer(text)]


@dataclass(frozen=True)
class TypedWord:
    """One searchable word of a query: folded (what typos are matched on) and its term (what
    the text fields hold)."""

    folded: str
    term: str


_TOKENIZER = RegexTokenizer(TOKEN_PATTERN)


def stem(folded: str) -> str:
    """The term of a word that is already folded and lowercase (and no stop word)."""
    return _stem(folded)


def typed_words(text: str) -> list[TypedWord]:
    """The words of `text` that are no stop words, with the terms GERMAN_ANALYZER makes."""
    words = []
    for token in _TOKENIZER(text):
        folded = normalize(token.text, folded=True, stemmed=False)
        if folded is not None:
            words.append(TypedWord(folded, _stem(folded)))
    return words
