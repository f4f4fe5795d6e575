"""The JSON API, through the test client against the seeded demo catalogue."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.models import Offer

VOCABULARY = json.loads(
    (Path(__file__).resolve().parent.parent / "seeds" / "vocabulary.json").read_text("utf-8")
)
FACETS = ("stage", "subject", "format", "audience", "district", "mode", "free")


def all_slugs(client: FlaskClient, query: str) -> list[str]:
    """Every result slug of a search, following the pages."""
    slugs, page = [], 1
    while True:
        body = client.get(f"/api/v1/offers?{query}&per_page=100&page={page}").get_json()
        slugs += [r["slug"] for r in body["results"]]
        if page >= body["pages"]:
            return slugs
        page += 1


def published(app: Flask, *conditions) -> set[str]:
    with app.app_context():
        return set(
            db.session.execute(
                select(Offer.slug).where(Offer.status == "published", *conditions)
            ).scalars()
        )


def test_search_answers_the_documented_shape(client: FlaskClient) -> None:
    body = client.get("/api/v1/offers?q=Roboter").get_json()
    assert set(body) == {"total", "page", "per_page", "pages", "results", "facets", "suggestion"}
    assert body["total"] > 0 and body["page"] == 1 and body["per_page"] == 20
    result = body["results"][0]
    assert set(result) == {
        "slug", "title", "summary", "url", "partner", "stages", "subjects", "formats",
        "audiences", "age_min", "age_max", "mode", "district", "municipality", "free",
        "price_eur", "next_date", "highlight",
    }  # fmt: skip
    assert result["url"].endswith(f"/offers/{result['slug']}")
    assert set(body["facets"]) == set(FACETS)
    assert any("<mark>" in r["highlight"] for r in body["results"])


@pytest.mark.parametrize("stage", [s["slug"] for s in VOCABULARY["stages"]])
def test_every_stage_finds_offers(client: FlaskClient, stage: str) -> None:
    assert client.get(f"/api/v1/offers?stage={stage}").get_json()["total"] > 0


@pytest.mark.parametrize(
    "subject", [s["slug"] for s in VOCABULARY["subjects"] if s["parent"] is None]
)
def test_every_top_level_subject_finds_offers_including_its_children(
    client: FlaskClient, subject: str
) -> None:
    children = [s["slug"] for s in VOCABULARY["subjects"] if s["parent"] == subject]
    parent_hits = set(all_slugs(client, f"subject={subject}"))
    assert parent_hits
    for child in children:
        assert set(all_slugs(client, f"subject={child}")) <= parent_hits


@pytest.mark.parametrize("age", [0, 3, 6, 9, 10, 14, 16, 19, 25, 27, 40, 99])
def test_age_keeps_exactly_the_offers_whose_range_covers_it(
    seeded_app: Flask, client: FlaskClient, age: int
) -> None:
    expected = published(seeded_app, Offer.age_min <= age, Offer.age_max >= age)
    found = all_slugs(client, f"age={age}")
    assert len(found) == len(set(found))
    assert set(found) == expected


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=Roboter",
        "stage=primary",
        "age=10&district=heilbronn-county",
        "stage=primary&stage=lower-secondary&free=1",
    ],
)
def test_facet_counts_equal_the_totals_of_the_searches_they_link_to(
    client: FlaskClient, query: str
) -> None:
    body = client.get(f"/api/v1/offers?{query}").get_json()
    base = [pair for pair in query.split("&") if pair]
    checked = 0
    for facet, values in body["facets"].items():
        others = [pair for pair in base if not pair.startswith(f"{facet}=")]
        for value in values:
            # Disjunctive counts: the value on its own, with every other facet's filter kept.
            linked = "&".join([*others, f"{facet}={value['value']}"])
            total = client.get(f"/api/v1/offers?{linked}").get_json()["total"]
            assert total == value["count"], (facet, value)
            checked += 1
    assert checked > 5


def test_filters_are_or_within_and_and_across_facets(client: FlaskClient) -> None:
    primary = set(all_slugs(client, "stage=primary"))
    kita = set(all_slugs(client, "stage=early-childhood"))
    county = set(all_slugs(client, "district=heilbronn-county"))
    assert set(all_slugs(client, "stage=primary&stage=early-childhood")) == primary | kita
    assert set(all_slugs(client, "stage=primary&district=heilbronn-county")) == primary & county


def _slugs_with_word(app: Flask, pattern: str) -> set[str]:
    with app.app_context():
        offers = db.session.execute(select(Offer).where(Offer.status == "published")).scalars()
        return {
            o.slug for o in offers if re.search(pattern, f"{o.title} {o.summary} {o.description}")
        }


def test_inflected_word_finds_its_stem(seeded_app: Flask, client: FlaskClient) -> None:
    singular_only = _slugs_with_word(seeded_app, r"\bExperiment\b")
    assert singular_only, "the demo data must say 'Experiment' somewhere"
    assert singular_only <= set(all_slugs(client, "q=Experimente"))


def test_transliterated_umlaut_finds_the_umlaut(seeded_app: Flask, client: FlaskClient) -> None:
    with_umlaut = _slugs_with_word(seeded_app, r"Mädchen")
    assert with_umlaut
    assert with_umlaut <= set(all_slugs(client, "q=Maedchen"))


@pytest.mark.parametrize(
    "q",
    ['"Roboter', "AND", "OR NOT", "*", "?", "-", "(", ")))", "x" * 10_000, "Robo\x00ter\x1b[31m",
     "a:b", "title:", "\\", "%", "ü" * 300, "🙂 Chemie", "NOT Chemie", "' OR 1=1 --"],
)  # fmt: skip
def test_any_query_text_is_a_valid_search(client: FlaskClient, q: str) -> None:
    response = client.get("/api/v1/offers", query_string={"q": q})
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["results"]) == min(body["total"], 20)
    page = client.get("/offers", query_string={"q": q})
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("age=abc", "age"),
        ("age=-1", "age"),
        ("age=100", "age"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("per_page=0", "per_page"),
        ("stage=no-such-stage", "stage"),
        ("subject=robotics&subject=knitting", "subject"),
        ("partner=nobody", "partner"),
        ("sort=random", "sort"),
        ("from=2026-13-01", "from"),
        ("from=2027-01-02&to=2027-01-01", "to"),
        ("free=yes", "free"),
        ("age=1_0", "age"),
        ("age=%2B5", "age"),
        ("age=%D9%A5", "age"),  # an Arabic-Indic five
        ("from=20261205", "from"),
        ("to=2026-W49-1", "to"),
    ],
)
def test_bad_parameter_answers_400_with_a_clear_message(
    client: FlaskClient, query: str, parameter: str
) -> None:
    response = client.get(f"/api/v1/offers?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] == parameter
    assert len(error["message"]) > 10
    page = client.get(f"/offers?{query}")
    assert page.status_code == 400
    assert error["message"] in page.get_data(as_text=True)


def test_unpublished_offers_appear_in_no_api_answer(seeded_app: Flask, client: FlaskClient) -> None:
    with seeded_app.app_context():
        hidden = list(
            db.session.execute(select(Offer.slug).where(Offer.status != "published")).scalars()
        )
    assert len(hidden) >= 5, "the demo data must include offers in other states"
    listed = set(all_slugs(client, "")) | set(all_slugs(client, "q=Vorschau-Entwurf"))
    for slug in hidden:
        assert slug not in listed
        assert client.get(f"/api/v1/offers/{slug}").status_code == 404
    everything = client.get("/api/v1/partners").get_data(as_text=True)
    assert "Vorschau-Entwurf" not in everything


def test_offer_detail_answers_the_full_offer(client: FlaskClient) -> None:
    slug = client.get("/api/v1/offers?q=Roboter").get_json()["results"][0]["slug"]
    offer = client.get(f"/api/v1/offers/{slug}").get_json()
    assert offer["slug"] == slug
    assert {"description", "schedule", "cost", "venue", "languages"} <= set(offer)
    assert client.get("/api/v1/offers/no-such-offer").get_json()["error"]["code"] == "not_found"


def test_partners_and_taxonomy(client: FlaskClient) -> None:
    partners = client.get("/api/v1/partners").get_json()["results"]
    assert len(partners) == 23
    assert {p["cluster"] for p in partners} == {
        "science-research",
        "labour-market",
        "schools-learning-places",
    }
    taxonomy = client.get("/api/v1/taxonomy").get_json()
    assert [s["value"] for s in taxonomy["stage"]] == [s["slug"] for s in VOCABULARY["stages"]]
    assert taxonomy["stage"][0]["kim_level"] == "level_0"


def alphabetical(title: str) -> str:
    """German dictionary order: umlauts sort with their base letter."""
    return unicodedata.normalize("NFKD", title.casefold()).encode("ascii", "ignore").decode()


def test_paging_and_sorting(client: FlaskClient) -> None:
    first = client.get("/api/v1/offers?per_page=5&sort=title").get_json()
    second = client.get("/api/v1/offers?per_page=5&sort=title&page=2").get_json()
    titles = [r["title"] for r in first["results"] + second["results"]]
    assert len(titles) == 10 and len(set(titles)) == 10
    assert titles == sorted(titles, key=alphabetical)
    assert first["total"] == second["total"] and first["pages"] == -(-first["total"] // 5)
    beyond = client.get(f"/api/v1/offers?per_page=5&page={first['pages'] + 1}").get_json()
    assert beyond["results"] == [] and beyond["total"] == first["total"]
