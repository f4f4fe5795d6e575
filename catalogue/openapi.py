"""The OpenAPI 3.1 description of the public JSON API, served at `/api/v1/openapi.json`.

Parameter names, limits and sort orders come from `search_params`, the facets from
`offer_search` and `serializers`; the allowed slugs are the vocabulary's and the partners' at the
time of asking. The response schemas admit no undocumented field, so that the fuzzing tests
(tests/test_api_fuzz.py) notice when a serializer and this description part ways.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from catalogue.models import FACETS as VOCABULARY_FACETS
from catalogue.offer_search import FACETS
from catalogue.search_params import (
    DEFAULT_PER_PAGE,
    DEFAULT_SUGGESTIONS,
    FILTER_PARAMS,
    MAX_AGE,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    MAX_SUGGESTIONS,
    SORTS,
)
from catalogue.suggestions import SUGGESTED_FACETS
from catalogue.vocabulary import Vocabulary

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
JSON = "application/json"

_FILTER_DESCRIPTIONS = {
    "stage": "Stage of the education chain",
    "subject": "Subject; a parent subject includes its children",
    "format": "Format of the offer",
    "audience": "Audience",
    "district": "District",
    "mode": "On site, online or hybrid",
    "partner": "Partner organisation",
}


# -- schema helpers ------------------------------------------------------------------------------


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """An object with exactly these fields, all present (a value may still be null)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}
SLUGS = {"type": "array", "items": STRING}
AGE = {"type": "integer", "minimum": 0, "maximum": MAX_AGE}


def _offer_summary_fields() -> dict[str, Any]:
    return {
        "slug": STRING,
        "title": STRING,
        "summary": STRING,
        "url": URL,
        "partner": _object({"slug": STRING, "name": STRING}),
        "stages": SLUGS,
        "subjects": SLUGS,
        "formats": SLUGS,
        "audiences": SLUGS,
        "age_min": AGE,
        "age_max": AGE,
        "mode": STRING,
        "district": STRING,
        "municipality": _nullable(STRING),
        "free": BOOLEAN,
        "price_eur": _nullable(NUMBER),
        "next_date": _nullable(DATE_TIME),
    }


def _schedule_schema() -> dict[str, Any]:
    note = _nullable(STRING)
    session = {
        "type": "object",
        "properties": {"start": DATE_TIME, "end": _nullable(DATE_TIME)},
        "required": ["start", "end"],
        "additionalProperties": False,
    }
    return {
        "oneOf": [
            _object(
                {
                    "kind": {"const": "dated"},
                    "sessions": {"type": "array", "items": session},
                    "description": note,
                }
            ),
            _object(
                {
                    "kind": {"const": "recurring"},
                    "rrule": _nullable(STRING),
                    "first_start": _nullable(DATE_TIME),
                    "duration_minutes": _nullable(INTEGER),
                    "description": note,
                }
            ),
            _object({"kind": {"const": "on-request"}, "description": note}),
        ],
        "description": "Dated sessions, an RFC 5545 recurrence rule, or bookable on request.",
    }


def _schemas() -> dict[str, Any]:
    summary_fields = _offer_summary_fields()
    facet_value = _object({"value": STRING, "label": STRING, "count": INTEGER})
    label = _object({"de": STRING, "en": STRING})
    term = {
        "type": "object",
        "properties": {
            "value": STRING,
            "label": label,
            "parent": _nullable(STRING),
            "age_min": _nullable(INTEGER),
            "age_max": _nullable(INTEGER),
            "kim_level": _nullable(STRING),
        },
        "required": ["value", "label"],
        "additionalProperties": False,
    }
    return {
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": STRING,
                        "parameter": {
                            "type": "string",
                            "description": "The parameter at fault, for invalid_parameter.",
                        },
                        "message": STRING,
                    },
                    "required": ["code", "message"],
                    "additionalProperties": False,
                }
            },
            "required": ["error"],
            "additionalProperties": False,
        },
        "OfferSummary": _object(
            {**summary_fields, "highlight": {**STRING, "description": "HTML with <mark>"}}
        ),
        "SearchResult": _object(
            {
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "pages": {"type": "integer", "minimum": 0},
                "results": {"type": "array", "items": _ref("OfferSummary")},
                "facets": _object(
                    {facet: {"type": "array", "items": facet_value} for facet in FACETS}
                ),
                "suggestion": {
                    **_nullable(STRING),
                    "description": "A spelling to try when the text found little",
                },
            }
        ),
        "Offer": _object(
            {
                **summary_fields,
                "description": {**STRING, "description": "Markdown"},
                "description_html": {**STRING, "description": "The description as safe HTML"},
                "venue": _nullable(STRING),
                "address": _nullable(STRING),
                "lat": _nullable(NUMBER),
                "lon": _nullable(NUMBER),
                "schedule": _schedule_schema(),
                "registration_deadline": _nullable(DATE),
                "group_size_min": _nullable(INTEGER),
                "group_size_max": _nullable(INTEGER),
                "cost": _object(
                    {"free": BOOLEAN, "price_eur": _nullable(NUMBER), "note": _nullable(STRING)}
                ),
                "languages": SLUGS,
                "accessibility_note": _nullable(STRING),
                "registration_url": _nullable(STRING),
                "contact_email": _nullable(STRING),
                "contact_phone": _nullable(STRING),
                "last_verified": _nullable(DATE),
                "updated_at": _nullable(DATE_TIME),
                "demo": {**BOOLEAN, "description": "Demo content, not a real offer"},
            }
        ),
        "Partner": _object(
            {
                "slug": STRING,
                "name": STRING,
                "short_name": STRING,
                "cluster": STRING,
                "founding_member": BOOLEAN,
                "website": _nullable(STRING),
                "description": STRING,
                "address": {
                    "oneOf": [
                        _object(
                            {
                                "street": _nullable(STRING),
                                "postal_code": _nullable(STRING),
                                "city": STRING,
                            }
                        ),
                        {"type": "null"},
                    ]
                },
                "url": URL,
                "offer_count": {"type": "integer", "minimum": 0},
            }
        ),
        "Taxonomy": _object(
            {facet: {"type": "array", "items": term} for facet in VOCABULARY_FACETS}
        ),
        "Suggestions": _object(
            {
                "query": STRING,
                "suggestions": {
                    "type": "array",
                    "items": _object(
                        {
                            "kind": {"enum": ["offer", "partner", *SUGGESTED_FACETS]},
                            "value": STRING,
                            "label": STRING,
                            "url": URL,
                        }
                    ),
                },
            }
        ),
    }


# -- operations ------------------------------------------------------------------------------------


def _json(description: str, schema_name: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(schema_name)}}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _repeatable(name: str, slugs: Iterable[str]) -> dict[str, Any]:
    return {
        **_query(
            name,
            {"type": "array", "items": {"type": "string", "enum": sorted(slugs)}},
            f"{_FILTER_DESCRIPTIONS[name]}: repeat for several (OR within, AND across filters).",
        ),
        "style": "form",
        "explode": True,
    }


def _search_parameters(
    vocabulary: Vocabulary, partner_slugs: Iterable[str]
) -> list[dict[str, Any]]:
    filters = [
        _repeatable(name, partner_slugs if facet == "partner" else vocabulary.slugs(facet))
        for name, facet in FILTER_PARAMS.items()
    ]
    return [
        _query(
            "q",
            STRING,
            "Search text (German analysis, typo tolerant); any text is valid, "
            f"longer than {MAX_QUERY_LENGTH} characters is cut.",
        ),
        *filters,
        _query("age", AGE, "An age: offers whose age range includes it."),
        _query("free", {"type": "string", "enum": ["0", "1"]}, "1: free offers only."),
        _query("from", DATE, "Offers with a date on or after this day."),
        _query("to", DATE, "Offers with a date on or before this day (not before `from`)."),
        _query(
            "sort",
            {"type": "string", "enum": list(SORTS)},
            "Order; relevance by default with q, else date.",
        ),
        _query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            "Page of results.",
        ),
        _query(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
            "Results per page.",
        ),
    ]


def _operation(
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters or [],
            "responses": responses,
        }
    }


def openapi_document(
    vocabulary: Vocabulary, partner_slugs: Iterable[str], languages: Iterable[str]
) -> dict[str, Any]:
    """The API's OpenAPI description; the slugs allowed are those known now."""
    lang = _query(
        "lang",
        {"type": "string", "enum": list(languages)},
        "Language of labels and messages (else Accept-Language); kept in a cookie.",
    )
    bad_parameter = _json("A parameter value that cannot be used; `parameter` names it.", "Error")
    not_found = _json("No published offer with this slug.", "Error")
    rebuilding = _json("The search index is being rebuilt; try again soon.", "Error")
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "MINT-Angebotskatalog API",
            "version": API_VERSION,
            "description": (
                "Published MINT (STEM) education offers of the Zukunftsallianz MINT-Region "
                "Heilbronn, their partners and the vocabulary. Read-only; errors answer "
                '{"error": {"code", "parameter"?, "message"}}.'
            ),
        },
        "paths": {
            "/api/v1/offers": _operation(
                "searchOffers",
                "Search published offers, with facet counts",
                {
                    "200": _json("One page of results.", "SearchResult"),
                    "400": bad_parameter,
                    "503": rebuilding,
                },
                [*_search_parameters(vocabulary, partner_slugs), lang],
            ),
            "/api/v1/offers/{slug}": _operation(
                "getOffer",
                "One published offer in full",
                {"200": _json("The offer.", "Offer"), "404": not_found},
                [
                    {
                        "name": "slug",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1},
                    },
                    lang,
                ],
            ),
            "/api/v1/partners": _operation(
                "listPartners",
                "Active partners with their number of published offers",
                {
                    "200": {
                        "description": "All active partners, by name.",
                        "content": {
                            JSON: {
                                "schema": _object(
                                    {"results": {"type": "array", "items": _ref("Partner")}}
                                )
                            }
                        },
                    }
                },
                [lang],
            ),
            "/api/v1/taxonomy": _operation(
                "getTaxonomy",
                "The vocabulary with German and English labels",
                {"200": _json("Every facet's terms in display order.", "Taxonomy")},
                [lang],
            ),
            "/api/v1/suggest": _operation(
                "suggest",
                "Suggestions while someone types: offer titles, partners, vocabulary terms",
                {
                    "200": _json("The suggestions, best first.", "Suggestions"),
                    "400": bad_parameter,
                    "503": rebuilding,
                },
                [
                    _query("q", STRING, "The text typed so far."),
                    _query(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_SUGGESTIONS,
                            "default": DEFAULT_SUGGESTIONS,
                        },
                        "How many suggestions at most.",
                    ),
                    lang,
                ],
            ),
            "/api/v1/openapi.json": _operation(
                "getOpenApi",
                "This description",
                {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    }
                },
            ),
        },
        "components": {"schemas": _schemas()},
    }
