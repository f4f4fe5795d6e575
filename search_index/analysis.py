"""German text analysis, identical at index and query time.

The chain is: tokenize (keeping gender markers inside a word) -> reduce gendered forms to the
base noun -> lowercase -> fold umlauts and their ae/oe/ue spellings -> drop stop words -> stem.
Every step runs on both sides, so whatever a step conflates, it conflates consistently.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator

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

_stem = GermanStemmer().stem


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


class GermanFilter(Filter):
    """Turns tokens into terms with `normalize`; drops stop words like Whoosh's StopFilter.

    Dropped words leave no gap in the positions, on both sides, so a phrase query matches
    across a stop word. When the caller keeps stop words (the highlighter does), they pass
    through marked `stopped`.
    """

    is_morph = True

    def __init__(self, *, folded: bool, stemmed: bool) -> None:
        self.folded = folded
        self.stemmed = stemmed

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        position = None
        for token in tokens:
            term = normalize(token.text, folded=self.folded, stemmed=self.stemmed)
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


def _chain(*, folded: bool, stemmed: bool) -> CompositeAnalyzer:
    return RegexTokenizer(TOKEN_PATTERN) | GermanFilter(folded=folded, stemmed=stemmed)


# The analyzer of every searchable text field.
GERMAN_ANALYZER = _chain(folded=True, stemmed=True)
# Unstemmed folded words: the vocabulary that typo suggestions are matched against (stemmed terms
# make poor fuzzy targets, WHOOSH_NOTES pitfall 5).
SPELLING_ANALYZER = _chain(folded=True, stemmed=False)
# Unstemmed, unfolded lowercase words: how a suggested word is shown ("mädchen", not "madchen").
SURFACE_ANALYZER = _chain(folded=False, stemmed=False)


def analyze(analyzer: CompositeAnalyzer, text: str) -> list[str]:
    """Return the terms `analyzer` makes of `text`."""
    return [token.text for token in analyzer(text)]
