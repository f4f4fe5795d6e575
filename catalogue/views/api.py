"""The public JSON API, version 1: published offers, partners and the vocabulary."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_babel import get_locale
from sqlalchemy import func, select

from catalogue import indexing, suggestions
from catalogue.errors import api_error
from catalogue.extensions import csrf, db
from catalogue.models import Offer, Partner
from catalogue.offer_search import search_offers
from catalogue.openapi import openapi_document
from catalogue.search_params import InvalidParameter, parse_search_params, parse_suggest_params
from catalogue.serializers import offer_full, offer_summary, partner_data, taxonomy_data
from catalogue.vocabulary import current_vocabulary

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SUGGEST_MAX_AGE = 60  # seconds
csrf.exempt(bp)  # read-only and cookie-free: nothing here changes state


@bp.errorhandler(InvalidParameter)
def invalid_parameter(error: InvalidParameter) -> Response:
    """A bad search parameter: 400 with the parameter named."""
    return api_error(400, "invalid_parameter", error.message, error.parameter)


def _partner_slugs() -> set[str]:
    return set(db.session.execute(select(Partner.slug)).scalars())


@bp.get("/offers")
def offers() -> Response:
    """Search published offers."""
    vocabulary = current_vocabulary()
    params = parse_search_params(request.args, vocabulary, _partner_slugs())
    found = search_offers(params, vocabulary, str(get_locale()))
    if found.index_missing:
        return api_error(
            503, "index_unavailable", "The search index is being rebuilt; try again soon."
        )
    return jsonify(
        {
            "total": found.total,
            "page": params.page,
            "per_page": params.per_page,
            "pages": found.pages,
            "results": [offer_summary(o, found.highlights.get(o.id, "")) for o in found.offers],
            "facets": {
                facet: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for facet, values in found.facets.items()
            },
            "suggestion": found.suggestion,
        }
    )


@bp.get("/suggest")
def suggest() -> Response:
    """Suggestions as someone types a search: offer titles, partners, vocabulary terms."""
    text, limit = parse_suggest_params(request.args)
    try:
        found = suggestions.suggest(text, limit, str(get_locale()))
    except indexing.IndexMissing:
        return api_error(
            503, "index_unavailable", "The search index is being rebuilt; try again soon."
        )
    response = jsonify({"query": text, "suggestions": [asdict(item) for item in found]})
    # Asked at every keystroke: the browser may answer a repeated one itself for a minute.
    # Shared caches may not, so that a withdrawn offer does not stay visible to others; the
    # labels follow the language chosen by header or cookie.
    response.cache_control.private = True
    response.cache_control.max_age = SUGGEST_MAX_AGE
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/offers/<slug>")
def offer(slug: str) -> Response:
    """One published offer in full."""
    found = db.session.execute(
        select(Offer).where(Offer.slug == slug, Offer.status == "published")
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    return jsonify(offer_full(found))


@bp.get("/partners")
def partners() -> Response:
    """All active partners with their number of published offers."""
    counts = dict(
        db.session.execute(
            select(Offer.partner_id, func.count())
            .where(Offer.status == "published")
            .group_by(Offer.partner_id)
        ).all()
    )
    rows = db.session.execute(
        select(Partner).where(Partner.is_active.is_(True)).order_by(Partner.name)
    ).scalars()
    return jsonify({"results": [partner_data(p, counts.get(p.id, 0)) for p in rows]})


@bp.get("/taxonomy")
def taxonomy() -> Response:
    """The vocabulary with German and English labels."""
    return jsonify(taxonomy_data(current_vocabulary()))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI description of this API, with the slugs known now."""
    return jsonify(
        openapi_document(
            current_vocabulary(), sorted(_partner_slugs()), current_app.config["LANGUAGES"]
        )
    )
