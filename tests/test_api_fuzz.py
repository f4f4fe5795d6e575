"""Schemathesis against the API's own OpenAPI description (`/api/v1/openapi.json`), in-process on
the seeded demo catalogue: whatever it sends, valid or not, the answer is never a server error and
always documented (status code, content type, body schema).

Schemathesis 4.32's `schemathesis.pytest.from_fixture` sets `request.node._nodeid`, which pytest 9
no longer has; the cases are therefore drawn with `APIOperation.as_strategy` under a plain
`@given`, one test per operation and generation mode."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.models import Offer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Every documented operation but the description itself (schemathesis leaves out the document
# it was loaded from); `test_the_description_covers_every_route` keeps this list honest.
OPERATIONS = [
    "/api/v1/offers",
    "/api/v1/offers/{slug}",
    "/api/v1/partners",
    "/api/v1/taxonomy",
    "/api/v1/suggest",
]
# Derandomized and without the example database: every run, on every machine, sends the same
# requests, so a failure in CI is reproduced by running the test again.
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None)


@pytest.fixture(scope="module")
def api_schema(seeded_app: Flask) -> OpenApiSchema:
    """The description as the app serves it, with the demo catalogue's slugs; calls go to the app
    in-process."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", seeded_app)


@pytest.fixture(scope="module")
def published_slugs(seeded_app: Flask) -> list[str]:
    with seeded_app.app_context():
        return sorted(
            db.session.execute(select(Offer.slug).where(Offer.status == "published")).scalars()
        )


def test_the_description_is_valid_openapi(api_schema: OpenApiSchema) -> None:
    api_schema.validate()
    assert api_schema.raw_schema["openapi"].startswith("3.1")


def test_the_description_covers_every_route(api_schema: OpenApiSchema, seeded_app: Flask) -> None:
    routes = {
        rule.rule.replace("<slug>", "{slug}")
        for rule in seeded_app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert set(api_schema.raw_schema["paths"]) == routes
    assert set(OPERATIONS) == routes - {"/api/v1/openapi.json"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("path", OPERATIONS)
@FUZZ
@given(data=st.data())
def test_every_answer_is_documented_and_never_a_server_error(
    api_schema: OpenApiSchema,
    published_slugs: list[str],
    path: str,
    mode: GenerationMode,
    data: st.DataObject,
) -> None:
    operation = api_schema[path]["GET"]
    cases = operation.as_strategy(generation_mode=mode)
    if "{slug}" in path and mode is GenerationMode.POSITIVE:
        # Made-up slugs only ever find nothing: half the cases ask for a published offer.
        cases = st.one_of(
            cases,
            st.sampled_from(published_slugs).flatmap(
                lambda slug: operation.as_strategy(path_parameters={"slug": slug})
            ),
        )
    case = data.draw(cases, label="case")
    case.call_and_validate(checks=CHECKS)


def test_every_published_offer_matches_the_description(
    api_schema: OpenApiSchema, published_slugs: list[str]
) -> None:
    operation = api_schema["/api/v1/offers/{slug}"]["GET"]
    for slug in published_slugs:
        response = operation.Case(path_parameters={"slug": slug}).call_and_validate(checks=CHECKS)
        assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/api/v1/offers/%00", "/api/v1/offers/a%00b", "/offers/%00", "/partners/x%00",
     "/set-password/%00"],
)  # fmt: skip
def test_a_nul_in_a_url_slug_answers_404(seeded_app: Flask, path: str) -> None:
    # Found by fuzzing: PostgreSQL refuses NUL in a query, which answered 500.
    assert seeded_app.test_client().get(path).status_code == 404
