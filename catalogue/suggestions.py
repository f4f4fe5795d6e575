"""Suggestions while someone types a search: offer titles, partners and vocabulary terms."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from catalogue import indexing
from catalogue.extensions import db
from catalogue.models import Offer, Partner, VocabularyTerm
from catalogue.templating import external_url

# The facets whose terms are suggested, as filters of /offers: what an offer is about and for.
SUGGESTED_FACETS = ("subject", "stage", "format", "audience")
# How long a process keeps the partner names and vocabulary labels it matches (seconds): as
# long as a browser may keep an answer.
LABELS_MAX_AGE = 60.0


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "offer", "partner" or one of SUGGESTED_FACETS
    value: str  # the slug
    label: str
    url: str


def _offers(text: str, limit: int) -> list[Suggestion]:
    """Published offers, best first; the index ranks, the database decides what is published."""
    ids = indexing.complete(text, limit)
    if not ids:
        return []
    rows = db.session.execute(
        select(Offer.id, Offer.slug, Offer.title).where(
            Offer.id.in_(ids), Offer.status == "published"
        )
    ).all()
    by_id = {row.id: row for row in rows}
    return [
        Suggestion("offer", row.slug, row.title, external_url("public.offer_detail", slug=row.slug))
        for row in (by_id[i] for i in ids if i in by_id)
    ]


@dataclass(frozen=True)
class _Labels:
    """Active partners (slug, name, short name) and the suggested terms (facet, slug, German
    and English label), in the order they are listed."""

    read_at: float
    partners: list[tuple[str, str, str]]
    terms: list[tuple[str, str, str, str]]


def _labels() -> _Labels:
    """The names and labels to match, read at most every LABELS_MAX_AGE seconds per process.

    They change seldom and are asked for at every keystroke; offers, which come and go, are
    checked in the database every time.
    """
    cached = current_app.extensions.get("suggestion_labels")
    now = time.monotonic()
    if cached is None or now - cached.read_at > LABELS_MAX_AGE:
        partners = db.session.execute(
            select(Partner.slug, Partner.name, Partner.short_name)
            .where(Partner.is_active.is_(True))
            .order_by(Partner.name)
        ).all()
        terms = db.session.execute(
            select(
                VocabularyTerm.facet,
                VocabularyTerm.slug,
                VocabularyTerm.label_de,
                VocabularyTerm.label_en,
            )
            .where(VocabularyTerm.facet.in_(SUGGESTED_FACETS))
            .order_by(VocabularyTerm.position)
        ).all()
        cached = _Labels(
            now,
            [(slug, name, short_name or "") for slug, name, short_name in partners],
            sorted(map(tuple, terms), key=lambda term: SUGGESTED_FACETS.index(term[0])),
        )
        current_app.extensions["suggestion_labels"] = cached
    return cached


def _partners(text: str, limit: int) -> list[Suggestion]:
    partners = _labels().partners
    ranked = indexing.rank_labels(text, [(name, short) for _slug, name, short in partners])
    return [
        Suggestion("partner", slug, name, external_url("public.partner_detail", slug=slug))
        for slug, name, _short in (partners[i] for i in ranked[:limit])
    ]


def _terms(text: str, limit: int, locale: str) -> list[Suggestion]:
    # Only the label people see is matched: a match in the other language would look random.
    shown = [(facet, slug, en if locale == "en" else de) for facet, slug, de, en in _labels().terms]
    ranked = indexing.rank_labels(text, [(label,) for _facet, _slug, label in shown])
    return [
        Suggestion(facet, slug, label, external_url("public.offers", **{facet: slug}))
        for facet, slug, label in (shown[i] for i in ranked[:limit])
    ]


def _shares(limit: int, available: list[int]) -> list[int]:
    """How many of each kind to show: one of each in turn, until `limit` or none are left."""
    counts = [0] * len(available)
    while sum(counts) < limit and counts != available:
        for kind, count in enumerate(available):
            if counts[kind] < count and sum(counts) < limit:
                counts[kind] += 1
    return counts


def suggest(text: str, limit: int, locale: str) -> list[Suggestion]:
    """Up to `limit` suggestions for `text`: offers, then partners, then vocabulary terms, each
    kind with a fair share. Raises IndexMissing when there is no search index."""
    if not text:
        return []
    groups = [
        _offers(text, limit),
        _partners(text, limit),
        _terms(text, limit, locale),
    ]
    counts = _shares(limit, [len(group) for group in groups])
    return [item for group, count in zip(groups, counts, strict=True) for item in group[:count]]
