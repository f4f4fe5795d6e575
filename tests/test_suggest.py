"""The autocomplete endpoint /api/v1/suggest, through the test client on the demo catalogue."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from catalogue import suggestions
from catalogue.extensions import db
from catalogue.models import Offer, Partner

DEMO_OFFERS = [
    json.loads(line)
    for line in (Path(__file__).resolve().parent.parent / "seeds" / "demo-offers.jsonl")
    .read_text("utf-8")
    .splitlines()
    if line.strip()
]
UNPUBLISHED_TITLES = [offer["title"] for offer in DEMO_OFFERS if offer["status"] != "published"]
# Every word of the unpublished demo offers' titles, and its first three letters.
UNPUBLISHED_WORDS = sorted(
    {
        typed
        for title in UNPUBLISHED_TITLES
        for word in re.findall(r"\w+", title)
        if len(word) >= 2
        for typed in (word, word[:3])
    }
)


def suggest(client: FlaskClient, query: str = "", **headers: str) -> list[dict]:
    """The suggestions for a query string like "q=Robo&limit=3" (spaces allowed)."""
    args = [tuple(pair.split("=", 1)) for pair in query.split("&") if pair]
    response = client.get("/api/v1/suggest", query_string=args, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["suggestions"]


def labels(client: FlaskClient, query: str, kind: str | None = None, **headers: str) -> list[str]:
    return [s["label"] for s in suggest(client, query, **headers) if kind in (None, s["kind"])]


def test_suggest_answers_the_documented_shape(client: FlaskClient) -> None:
    response = client.get("/api/v1/suggest?q=robo")
    body = response.get_json()
    assert set(body) == {"query", "suggestions"}
    assert body["query"] == "robo"
    kinds = {s["kind"] for s in body["suggestions"]}
    assert {"offer", "subject"} <= kinds
    for item in body["suggestions"]:
        assert set(item) == {"kind", "value", "label", "url"}
        assert item["url"].startswith("http")
        if item["kind"] == "offer":
            assert item["url"].endswith(f"/offers/{item['value']}")
        elif item["kind"] == "partner":
            assert item["url"].endswith(f"/partners/{item['value']}")
        else:
            assert item["url"].endswith(f"/offers?{item['kind']}={item['value']}")
    offers = [s for s in body["suggestions"] if s["kind"] == "offer"]
    assert (
        offers[0]["label"] == "Roboter-AG für Mädchen: Bauen, programmieren, Wettbewerbe meistern"
    )
    assert {"kind": "subject", "value": "robotics", "label": "Robotik"}.items() <= next(
        s for s in body["suggestions"] if s["kind"] == "subject"
    ).items()


def test_suggestions_may_be_kept_by_the_browser_for_a_minute_but_not_by_shared_caches(
    client: FlaskClient,
) -> None:
    response = client.get("/api/v1/suggest?q=robo")
    assert response.cache_control.private
    assert response.cache_control.max_age == 60
    assert not response.cache_control.public
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


@pytest.mark.parametrize("text", ["Mädchen", "Maedchen", "Madchen", "MÄDCH", "maed", "Mäd"])
def test_umlauts_fold_in_every_spelling(client: FlaskClient, text: str) -> None:
    found = labels(client, f"q={text}", "offer")
    assert "Roboter-AG für Mädchen: Bauen, programmieren, Wettbewerbe meistern" in found
    assert any(label.startswith("Mädchen in MINT") for label in found)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Roboter-A", "Roboter-AG für Mädchen: Bauen, programmieren, Wettbewerbe meistern"),
        ("AG Robo", "Roboter-AG für Mädchen: Bauen, programmieren, Wettbewerbe meistern"),
        ("mädchen wettb", "Roboter-AG für Mädchen: Bauen, programmieren, Wettbewerbe meistern"),
        ("Sternena", "Familien-Sternenabend: Mond und Planeten durchs Teleskop beobachten"),
        ("Schüler:innen ab 16", "Python-Abend für Schüler:innen ab 16: gemeinsam programmieren"),
        ("Schülerinnen ab", "Python-Abend für Schüler:innen ab 16: gemeinsam programmieren"),
        ("Berufseinsteiger*i", "Zertifikatskurs Agiles Projektmanagement für Technik-Berufs"),
        ("Mechatronikerin", "Handwerk ausprobieren: Mechatroniker*in und Elektroniker*in"),
    ],
)
def test_every_typed_word_begins_a_word_of_the_title(
    client: FlaskClient, text: str, title: str
) -> None:
    assert any(label.startswith(title) for label in labels(client, f"q={text}", "offer"))


def test_words_must_begin_words_not_appear_inside_them(client: FlaskClient) -> None:
    assert labels(client, "q=oboter", "offer") == []
    assert labels(client, "q=Roboter Chemie", "offer") == []


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("experi", "experimenta"),
        ("Hochsch", "hochschule-heilbronn"),
        ("HHN", "hochschule-heilbronn"),
        ("Forscherinnen", "ijf"),
        ("Fuehrungsfrauen", "fuehrungsfrauen-raum-heilbronn"),
        ("Sudwest", "suedwestmetall-heilbronn-franken"),
    ],
)
def test_partners_are_suggested_by_name_and_short_name(
    client: FlaskClient, text: str, slug: str
) -> None:
    partners = [s for s in suggest(client, f"q={text}") if s["kind"] == "partner"]
    assert slug in [p["value"] for p in partners]
    assert all(p["url"].endswith(f"/partners/{p['value']}") for p in partners)


@pytest.mark.parametrize(
    ("query", "headers", "expected"),
    [
        ("q=Robo", {}, ("subject", "robotics", "Robotik")),
        ("q=Robo&lang=en", {}, ("subject", "robotics", "Robotics")),
        ("q=Robo", {"Accept-Language": "en-GB,en;q=0.8"}, ("subject", "robotics", "Robotics")),
        ("q=Grundsch", {}, ("stage", "primary", "Grundschule")),
        ("q=primary&lang=en", {}, ("stage", "primary", "Primary school")),
        ("q=Schülerlab", {}, ("format", "lab-visit", "Schülerlabor")),
        ("q=Schulkl", {}, ("audience", "school-classes", "Schulklassen")),
        ("q=school cl&lang=en", {}, ("audience", "school-classes", "School classes")),
    ],
)
def test_vocabulary_terms_are_suggested_in_the_page_language(
    seeded_app: Flask, query: str, headers: dict[str, str], expected: tuple[str, str, str]
) -> None:
    # A client of its own: ?lang= sets a cookie that would speak for later tests.
    client = seeded_app.test_client()
    terms = [
        (s["kind"], s["value"], s["label"])
        for s in suggest(client, query, **headers)
        if s["kind"] not in ("offer", "partner")
    ]
    assert expected in terms


def test_labels_of_the_other_language_are_not_matched(seeded_app: Flask) -> None:
    assert labels(seeded_app.test_client(), "q=Primary", "stage") == []
    assert labels(seeded_app.test_client(), "q=Grundschule&lang=en", "stage") == []


def test_each_kind_gets_a_share_of_the_limit(client: FlaskClient) -> None:
    # "Heilbronn": many offer titles, many partners, no vocabulary term.
    kinds = [s["kind"] for s in suggest(client, "q=Heilbronn")]
    assert len(kinds) == 8
    assert kinds == sorted(kinds, key=["offer", "partner"].index)
    assert kinds.count("offer") == 4 and kinds.count("partner") == 4
    assert [s["kind"] for s in suggest(client, "q=Heilbronn&limit=3")] == [
        "offer",
        "offer",
        "partner",
    ]


@pytest.mark.parametrize("limit", ["1", "5", "20"])
def test_limit_caps_the_suggestions(client: FlaskClient, limit: str) -> None:
    every = suggest(client, "q=he&limit=20")
    assert len(every) > 8
    assert len(suggest(client, "q=he")) == 8
    assert len(suggest(client, f"q=he&limit={limit}")) == min(int(limit), len(every))


@pytest.mark.parametrize(
    "limit", ["0", "21", "-1", "abc", "1.5", "1e3", "٣", " 99999999999999999999"]
)
def test_a_bad_limit_is_a_clear_400(client: FlaskClient, limit: str) -> None:
    response = client.get("/api/v1/suggest", query_string={"q": "robo", "limit": limit})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] == "limit"
    assert error["message"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        '"',
        '"Robo',
        "*",
        "-",
        "AND",
        "&& ||",
        "((",
        "title:Robo",
        "'; DROP TABLE offers; --",
        "<script>alert(1)</script>",
        "x" * 10_000,
        "Robo " * 2_000,
        "\x00\x1f",
        "\x00Robo\x1f",
        "\u00ad",
        "😀🤖",
        "%",
        "_",
        "Lehrer*",
    ],
)
def test_any_text_is_a_valid_suggest_query(client: FlaskClient, text: str) -> None:
    response = client.get("/api/v1/suggest", query_string={"q": text})
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["suggestions"]) <= 8
    if not text.strip():
        assert body["suggestions"] == []


def test_invalid_utf8_and_repeated_parameters_are_harmless(client: FlaskClient) -> None:
    assert client.get("/api/v1/suggest?q=%ED%A0%80%FF").status_code == 200
    assert client.get("/api/v1/suggest?q=robo&q=x&limit=2&limit=30").status_code == 200


@pytest.mark.parametrize("text", UNPUBLISHED_WORDS)
def test_unpublished_offers_are_never_suggested(
    seeded_app: Flask, client: FlaskClient, text: str
) -> None:
    assert UNPUBLISHED_TITLES
    with seeded_app.app_context():
        unpublished = set(
            db.session.execute(select(Offer.slug).where(Offer.status != "published")).scalars()
        )
    offers = [s for s in suggest(client, f"q={text}&limit=20") if s["kind"] == "offer"]
    assert not {s["value"] for s in offers} & unpublished
    assert not any("Vorschau-Entwurf" in s["label"] for s in offers)


def test_the_database_decides_what_is_published_whatever_the_index_holds(app: Flask) -> None:
    client = app.test_client()
    title = "Roboter-AG für Mädchen: Bauen, programmieren, Wettbewerbe meistern"
    assert title in labels(client, "q=Roboter-AG", "offer")
    with app.app_context():
        # A bulk update writes no change-log row: the index still holds the offer.
        db.session.execute(update(Offer).where(Offer.title == title).values(status="withdrawn"))
        db.session.commit()
    assert title not in labels(client, "q=Roboter-AG", "offer")


def test_a_deactivated_partner_is_no_longer_suggested(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Names are kept for up to LABELS_MAX_AGE seconds per process; here not at all.
    monkeypatch.setattr(suggestions, "LABELS_MAX_AGE", 0.0)
    client = app.test_client()
    assert "ijf" in [s["value"] for s in suggest(client, "q=Forscherinnen")]
    with app.app_context():
        db.session.execute(update(Partner).where(Partner.slug == "ijf").values(is_active=False))
        db.session.commit()
    assert "ijf" not in [s["value"] for s in suggest(client, "q=Forscherinnen")]


def test_without_an_index_suggest_answers_503(app: Flask) -> None:
    shutil.rmtree(app.config["INDEX_DIR"])
    response = app.test_client().get("/api/v1/suggest?q=robo")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "index_unavailable"
