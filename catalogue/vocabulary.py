"""The vocabulary (stages, subjects, formats, …) as read from the database, with its lookups."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.extensions import db
from catalogue.models import VocabularyTerm


@dataclass(frozen=True)
class Term:
    facet: str
    slug: str
    label_de: str
    label_en: str
    parent: str | None
    age_min: int | None
    age_max: int | None
    kim_level: str | None

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_de


class Vocabulary:
    """All terms, grouped by facet in display order."""

    def __init__(self, terms: list[Term]) -> None:
        self._by_facet: dict[str, list[Term]] = defaultdict(list)
        self._by_key: dict[tuple[str, str], Term] = {}
        for term in terms:
            self._by_facet[term.facet].append(term)
            self._by_key[(term.facet, term.slug)] = term

    def terms(self, facet: str) -> list[Term]:
        return list(self._by_facet.get(facet, []))

    def get(self, facet: str, slug: str) -> Term | None:
        return self._by_key.get((facet, slug))

    def slugs(self, facet: str) -> set[str]:
        return {term.slug for term in self._by_facet.get(facet, [])}

    def label(self, facet: str, slug: str, locale: str) -> str:
        term = self.get(facet, slug)
        return term.label(locale) if term else slug

    def with_ancestors(self, facet: str, slugs: list[str]) -> tuple[str, ...]:
        """The slugs plus every parent above them, so that a parent's filter finds its children."""
        expanded: list[str] = []
        for slug in slugs:
            term = self.get(facet, slug)
            while term is not None and term.slug not in expanded:
                expanded.append(term.slug)
                term = self.get(facet, term.parent) if term.parent else None
        return tuple(expanded)

    def children(self, facet: str, slug: str) -> list[Term]:
        return [term for term in self._by_facet.get(facet, []) if term.parent == slug]


def load_vocabulary(session: Session | None = None) -> Vocabulary:
    """Read the vocabulary from the database."""
    rows = (
        (session or db.session)
        .execute(select(VocabularyTerm).order_by(VocabularyTerm.facet, VocabularyTerm.position))
        .scalars()
    )
    return Vocabulary(
        [
            Term(
                facet=row.facet,
                slug=row.slug,
                label_de=row.label_de,
                label_en=row.label_en,
                parent=row.parent.slug if row.parent else None,
                age_min=row.age_min,
                age_max=row.age_max,
                kim_level=row.kim_level,
            )
            for row in rows
        ]
    )


# The vocabulary changes only when `flask seed` runs; a process reads it at most this often.
VOCABULARY_MAX_AGE = 60  # seconds


@dataclass(frozen=True)
class _Cached:
    vocabulary: Vocabulary
    read_at: float


def current_vocabulary() -> Vocabulary:
    """The vocabulary, read at most every VOCABULARY_MAX_AGE seconds per process.

    Every search and page needs it; reading it per request was a sixth of a search's time.
    """
    cached = current_app.extensions.get("vocabulary")
    now = time.monotonic()
    if cached is None or now - cached.read_at > VOCABULARY_MAX_AGE:
        cached = _Cached(load_vocabulary(), now)
        current_app.extensions["vocabulary"] = cached
    return cached.vocabulary
