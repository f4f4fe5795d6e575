"""Suggestions while someone types a search: offer titles, partners and vocabulary terms."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from catalogue import indexing
from catalogue.extensions import db
from catalogue.models import Offer, Partner, VocabularyTerm
from catalogue.templating import external_url

# The facets whose terms are suggested, as filters of /offers: what an offer is about and for.
SUGGESTED_FACETS = ("subject", "stage", "format", "audience")


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


def _partners(text: str, limit: int) -> list[Suggestion]:
    partners = db.session.execute(
        select(Partner.slug, Partner.name, Partner.short_name)
        .where(Partner.is_active.is_(True))
        .order_by(Partner.name)
    ).all()
    ranked = indexing.rank_labels(text, [(p.name, p.short_name or "") for p in partners])
    return [
        Suggestion("partner", p.slug, p.name, external_url("public.partner_detail", slug=p.slug))
        for p in (partners[i] for i in ranked[:limit])
    ]


def _terms(text: str, limit: int, locale: str) -> list[Suggestion]:
    # Only the label people see is matched: a match in the other language would look random.
    # Three columns, not the whole Vocabulary: this runs at every keystroke.
    label = VocabularyTerm.label_en if locale == "en" else VocabularyTerm.label_de
    rows = db.session.execute(
        select(VocabularyTerm.facet, VocabularyTerm.slug, label)
        .where(VocabularyTerm.facet.in_(SUGGESTED_FACETS))
        .order_by(VocabularyTerm.position)
    ).all()
    terms = sorted(rows, key=lambda row: SUGGESTED_FACETS.index(row[0]))
    ranked = indexing.rank_labels(text, [(row[2],) for row in terms])
    return [
        Suggestion(facet, slug, shown, external_url("public.offers", **{facet: slug}))
        for facet, slug, shown in (terms[i] for i in ranked[:limit])
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
