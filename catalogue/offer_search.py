"""Searching published offers: the index ranks and counts, the database supplies the rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from catalogue import indexing
from catalogue.extensions import db
from catalogue.models import Offer, offer_list_options
from catalogue.search_params import SearchParams, parameter_label
from catalogue.vocabulary import Vocabulary

# The facets whose counts the page and the API show, in display order.
FACETS = ("stage", "subject", "format", "audience", "district", "mode", "free")


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    depth: int = 0  # 1 for a subject below its parent


@dataclass(frozen=True)
class Relaxation:
    """Dropping one filter of a search that found nothing, and what that would find."""

    parameter: str
    label: str
    count: int
    params: SearchParams


@dataclass
class OfferSearch:
    params: SearchParams
    total: int = 0
    offers: list[Offer] = field(default_factory=list)
    highlights: dict[int, str] = field(default_factory=dict)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    relaxations: list[Relaxation] = field(default_factory=list)
    # When no single filter is to blame: how many the same text finds without any filter.
    unfiltered: int = 0
    index_missing: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.params.per_page))


def _index_request(
    params: SearchParams, *, facets: tuple[str, ...] = FACETS, limit: int | None = None
) -> indexing.SearchRequest:
    return indexing.SearchRequest(
        text=params.q,
        filters={name: values for name, values in params.filters.items() if values},
        age=params.age,
        free=params.free,
        date_from=params.date_from,
        date_to=params.date_to,
        sort=params.effective_sort,
        offset=(params.page - 1) * params.per_page,
        limit=params.per_page if limit is None else limit,
        facets=facets,
        highlight=limit is None,
    )


def _facet_values(
    facet: str, counts: dict[str, int], params: SearchParams, vocabulary: Vocabulary, locale: str
) -> list[FacetValue]:
    if facet == "free":
        count = counts.get("1", 0)
        return [FacetValue("1", _("kostenlos"), count, params.free)] if count or params.free else []
    selected = set(params.filters.get(facet, ()))
    return [
        FacetValue(
            term.slug,
            term.label(locale),
            counts.get(term.slug, 0),
            term.slug in selected,
            depth=1 if term.parent else 0,
        )
        for term in vocabulary.terms(facet)
        if counts.get(term.slug, 0) or term.slug in selected
    ]


def _load_published(ids: list[int]) -> list[Offer]:
    """Rows for the ids in rank order; anything unpublished is dropped, whatever the index says."""
    if not ids:
        return []
    rows = db.session.execute(
        select(Offer)
        .where(Offer.id.in_(ids), Offer.status == "published")
        .options(*offer_list_options())
    ).scalars()
    by_id = {offer.id: offer for offer in rows}
    return [by_id[i] for i in ids if i in by_id]


def _relaxations(params: SearchParams, vocabulary: Vocabulary, locale: str) -> list[Relaxation]:
    names = [name for name, values in params.filters.items() if values]
    names += [
        name for name, active in (("age", params.age is not None), ("free", params.free)) if active
    ]
    if params.date_from or params.date_to:
        names.append("dates")
    found = []
    for name in names:
        relaxed = params.without(name)
        count = indexing.search(_index_request(relaxed, facets=(), limit=0)).total
        if count:
            label = _describe(name, params, vocabulary, locale)
            found.append(Relaxation(name, label, count, relaxed))
    return sorted(found, key=lambda r: -r.count)


def _describe(name: str, params: SearchParams, vocabulary: Vocabulary, locale: str) -> str:
    """A filter as people chose it, e.g. "Format: Praktikum" or "Alter: 9"."""
    if name == "age":
        return _("%(filter)s: %(values)s", filter=parameter_label(name), values=params.age)
    if name == "free":
        return _("nur kostenlose")
    if name in ("dates", "partner"):
        return parameter_label(name)
    chosen = ", ".join(vocabulary.label(name, v, locale) for v in params.filters.get(name, ()))
    return _("%(filter)s: %(values)s", filter=parameter_label(name), values=chosen)


def search_offers(params: SearchParams, vocabulary: Vocabulary, locale: str) -> OfferSearch:
    """Run a search for people and the API alike."""
    outcome = OfferSearch(params=params)
    try:
        result = indexing.search(_index_request(params))
        outcome.total = result.total
        outcome.offers = _load_published(result.ids)
        outcome.highlights = result.highlights
        outcome.suggestion = result.suggestion
        outcome.facets = {
            facet: _facet_values(facet, result.facets.get(facet, {}), params, vocabulary, locale)
            for facet in FACETS
        }
        if result.total == 0 and params.has_filters:
            outcome.relaxations = _relaxations(params, vocabulary, locale)
            if not outcome.relaxations and params.active_filter_count > 1:
                unfiltered = _index_request(params.without_filters(), facets=(), limit=0)
                outcome.unfiltered = indexing.search(unfiltered).total
    except indexing.IndexMissing:
        outcome.index_missing = True
    return outcome
