"""Curated language data: synonyms, broader terms and compound parts, given as plain data.

The data is a mapping (the application keeps it in seeds/synonyms.json):

    {"synonyms": [["Kita", "Kindergarten", "Kindertagesstätte"], ...],
     "broader": {"Naturwissenschaften": ["Biologie", "Chemie", "Physik"]},
     "compound_parts": ["Labor", "Kurs", ...]}

Every word of a synonym group finds the others; a broader word finds its narrower words but not
the other way round. Synonyms apply at query time only, so changing them needs no reindex.
Compounds are split where a part is a compound part or a synonym word of MIN_SYNONYM_PART_CHARS
letters or more (see analysis.Decompounder); that happens at index time. Other keys (a "note")
are ignored.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from search_index.analysis import GERMAN_ANALYZER, Analyzers, analyze, fold

Terms = tuple[str, ...]

# Shorter synonyms are mostly abbreviations and slang ("STEM", "Uni", "AG"), poor compound parts:
# "Ökosy|stem". The curated compound parts are used whatever their length.
MIN_SYNONYM_PART_CHARS = 5


@dataclass(frozen=True)
class Synonyms:
    """Analyzed terms of a word or phrase -> the term sequences it also finds."""

    expansions: Mapping[Terms, tuple[Terms, ...]] = field(default_factory=dict)

    @property
    def longest(self) -> int:
        """The most terms of any word or phrase that has synonyms."""
        return max(map(len, self.expansions), default=0)

    def of(self, terms: Terms) -> tuple[Terms, ...]:
        """What `terms` also finds (multi-term entries are phrases), or ()."""
        return self.expansions.get(terms, ())


@dataclass(frozen=True)
class Language:
    """Everything an index needs to know about words beyond the fixed analysis rules."""

    analyzers: Analyzers
    synonyms: Synonyms

    @classmethod
    def from_data(cls, data: Mapping[str, object] | None) -> "Language":
        """Build from the plain data described above; None means no synonyms and no splitting.

        Raises ValueError naming the first malformed entry.
        """
        if data is None:
            return cls(Analyzers.build(), Synonyms())
        if not isinstance(data, Mapping):
            raise ValueError("synonym data must be a mapping")
        groups = _word_lists(data.get("synonyms", []), "synonyms")
        broader = data.get("broader", {})
        if not isinstance(broader, Mapping):
            raise ValueError("'broader' must map a word to a list of narrower words")
        narrower = {
            _word(broad, "broader"): _words(words, f"broader[{broad!r}]")
            for broad, words in broader.items()
        }
        parts = _words(data.get("compound_parts", []), "compound_parts")

        expansions: dict[Terms, list[Terms]] = {}

        def add(source: str, targets: Iterable[str]) -> None:
            key = _terms(source)
            for target in targets:
                terms = _terms(target)
                if terms != key and terms not in expansions.setdefault(key, []):
                    expansions[key].append(terms)

        for group in groups:
            for word in group:
                add(word, group)
        for broad, words in narrower.items():
            add(broad, words)

        synonym_words = [word for group in groups for word in group]
        synonym_words += [*narrower, *(word for words in narrower.values() for word in words)]
        compound_words = parts + [
            word for word in synonym_words if len(fold(word.lower())) >= MIN_SYNONYM_PART_CHARS
        ]
        return cls(
            Analyzers.build(compound_words),
            Synonyms({key: tuple(values) for key, values in expansions.items() if values}),
        )


def _terms(word: str) -> Terms:
    terms = tuple(analyze(GERMAN_ANALYZER, word))
    if not terms:
        raise ValueError(f"synonym {word!r} has no searchable word (only stop words?)")
    return terms


def _word(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {value!r} is not a word")
    return value


def _words(values: object, where: str) -> list[str]:
    if not isinstance(values, list):
        raise ValueError(f"{where} must be a list of words")
    return [_word(value, where) for value in values]


def _word_lists(values: object, where: str) -> list[list[str]]:
    if not isinstance(values, list):
        raise ValueError(f"{where} must be a list of word lists")
    groups = [_words(group, f"{where}[{number}]") for number, group in enumerate(values)]
    for number, group in enumerate(groups):
        if len(group) < 2:
            raise ValueError(f"{where}[{number}] needs at least two words")
    return groups
