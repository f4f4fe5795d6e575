"""The public pages, through the test client against the seeded demo catalogue."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from catalogue import offers
from catalogue.extensions import db
from catalogue.models import Offer, Partner
from catalogue.timeutil import to_storage


def test_home_offers_search_age_and_the_stages(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'name="q"' in page and 'name="age"' in page
    assert "Alter meines Kindes" in page
    for stage in ("Frühkindliche Bildung", "Grundschule", "Studium"):
        assert stage in page
    assert "/offers?stage=primary" in page


def test_search_page_shows_results_filters_with_counts_and_paging(client: FlaskClient) -> None:
    response = client.get("/offers?per_page=5")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="card"') == 5
    assert 'name="stage" value="primary"' in page
    assert 'class="count"' in page
    assert 'rel="next"' in page


def test_search_page_marks_the_selected_filter_and_keeps_the_text(client: FlaskClient) -> None:
    page = client.get("/offers?q=Roboter&stage=primary").get_data(as_text=True)
    assert 'value="Roboter"' in page
    assert 'name="stage" value="primary" checked' in page


def test_search_without_results_says_which_filter_to_drop(client: FlaskClient) -> None:
    page = client.get("/offers?stage=early-childhood&format=internship").get_data(as_text=True)
    assert "Leider passt kein Angebot" in page
    assert "ohne „" in page
    assert "/offers?stage=early-childhood" in page or "/offers?format=internship" in page


def test_search_that_no_single_filter_spoils_offers_to_drop_them_all(client: FlaskClient) -> None:
    # Robots exist, but neither for professionals nor online: dropping one filter is not enough.
    for alone in ("/offers?q=Roboter&stage=professionals", "/offers?q=Roboter&district=online"):
        assert "Leider passt kein Angebot" in client.get(alone).get_data(as_text=True)
    found = client.get("/api/v1/offers?q=Roboter").get_json()["total"]
    page = client.get("/offers?q=Roboter&stage=professionals&district=online").get_data(
        as_text=True
    )
    assert "ohne „" not in page
    assert f'<a href="/offers?q=Roboter">Ohne alle Filter: {found} Angebote</a>' in page
    link = client.get("/offers?q=Roboter").get_data(as_text=True)
    assert f"{found} Angebote" in link


def test_offer_page_shows_everything_rendered_safely(
    seeded_app: Flask, client: FlaskClient
) -> None:
    with seeded_app.app_context():
        offer = (
            db.session.execute(
                select(Offer).where(Offer.status == "published", Offer.schedule_kind == "dated")
            )
            .scalars()
            .first()
        )
        slug, title, partner = offer.slug, offer.title, offer.partner.name
    page = client.get(f"/offers/{slug}").get_data(as_text=True)
    assert title.replace("&", "&amp;") in page or title in page
    assert partner.replace("&", "&amp;") in page
    assert "Termine" in page and "Alter" in page and "Kosten" in page
    # The public page links the partner and the stages and prints its own address.
    assert 'href="/partners/' in page and 'class="badge badge-stage" href="/offers?stage=' in page
    assert f"/offers/{slug}</p>" in page and 'class="print-url"' in page


def test_unpublished_offers_appear_on_no_page(seeded_app: Flask, client: FlaskClient) -> None:
    with seeded_app.app_context():
        hidden = db.session.execute(
            select(Offer.slug, Offer.title).where(Offer.status != "published")
        ).all()
        partner_slugs = list(db.session.execute(select(Partner.slug)).scalars())
    pages = [
        client.get(p).get_data(as_text=True)
        for p in (
            "/",
            "/offers?per_page=100",
            "/offers?per_page=100&page=2",
            "/offers?q=Vorschau-Entwurf",
            "/partners",
        )
    ]
    pages += [client.get(f"/partners/{slug}").get_data(as_text=True) for slug in partner_slugs]
    for slug, title in hidden:
        assert client.get(f"/offers/{slug}").status_code == 404
        for page in pages:
            assert f'/offers/{slug}"' not in page
            assert escape(title) not in page


def test_partners_are_grouped_by_cluster(client: FlaskClient) -> None:
    page = client.get("/partners").get_data(as_text=True)
    positions = [
        page.index(c)
        for c in (
            "Wissenschaft &amp; Forschung",
            "Arbeitsmarkt",
            "Schulen &amp; außerschulische Lernorte",
        )
    ]
    assert positions == sorted(positions)
    assert page.count("<li>") >= 23
    partner = client.get("/partners/experimenta").get_data(as_text=True)
    assert "experimenta" in partner and 'class="card"' in partner
    assert client.get("/partners/nobody").status_code == 404


def test_a_page_past_the_end_leads_back_to_the_last(client: FlaskClient) -> None:
    page = client.get("/offers?page=500").get_data(as_text=True)
    assert "Diese Seite gibt es bei dieser Suche nicht." in page
    last = client.get("/api/v1/offers").get_json()["pages"]
    assert f'href="/offers?page={last}"' in page
    assert 'rel="prev"' not in page


def test_a_wrong_method_answers_405_with_allow(client: FlaskClient) -> None:
    for path in ("/api/v1/offers", "/offers", "/healthz"):
        response = client.post(path)
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]
    assert client.post("/api/v1/offers").get_json()["error"]["code"] == "method_not_allowed"


def test_bad_parameter_on_the_page_names_the_field_as_people_know_it(client: FlaskClient) -> None:
    page = client.get("/offers?age=-1&q=Roboter").get_data(as_text=True)
    assert "Beim Feld „Alter“" in page and "0 bis 99" in page
    assert 'value="Roboter"' in page


def test_healthz_reports_database_and_index(client: FlaskClient) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["index"]["lag"] == 0


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in response.get_data(as_text=True)


def test_language_switch_is_remembered(client: FlaskClient) -> None:
    english = client.get("/offers?lang=en")
    assert 'lang="en"' in english.get_data(as_text=True)
    assert "lang=en" in english.headers.get("Set-Cookie", "")
    assert 'lang="en"' in client.get("/partners").get_data(as_text=True)


def test_german_is_the_default_and_the_browser_can_ask_for_english(seeded_app: Flask) -> None:
    assert '<html lang="de">' in seeded_app.test_client().get("/").get_data(as_text=True)
    asked = seeded_app.test_client().get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in asked.get_data(as_text=True)


def test_english_pages_use_the_english_catalogue(client: FlaskClient) -> None:
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "My child's age" in home and "Alter meines Kindes" not in home
    empty = client.get("/offers?stage=early-childhood&format=internship").get_data(as_text=True)
    assert "Sorry, no offers match this search." in empty and "Internship" in empty


def test_accessibility_statement_is_linked_from_every_page_and_names_the_contact(
    seeded_app: Flask, client: FlaskClient, monkeypatch
) -> None:
    monkeypatch.setitem(seeded_app.config, "ACCESSIBILITY_CONTACT", "a11y@mint.example")
    slug = client.get("/api/v1/offers?per_page=1").get_json()["results"][0]["slug"]
    for path in ("/", "/offers", f"/offers/{slug}", "/partners", "/login", "/gibt-es-nicht"):
        assert 'href="/barrierefreiheit"' in client.get(path).get_data(as_text=True), path
    response = client.get("/barrierefreiheit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in page
    assert "WCAG) 2.1 auf Stufe AA" in page and "BITV 2.0" in page
    assert "teilweise vereinbar" in page and "Bekannte Einschränkungen" in page
    assert 'href="mailto:a11y@mint.example"' in page
    assert "§ 16 des Behindertengleichstellungsgesetzes" in page
    assert "am 21. November 2026 erstellt" in page


def test_accessibility_statement_in_english(client: FlaskClient) -> None:
    page = client.get("/barrierefreiheit?lang=en").get_data(as_text=True)
    assert "<h1>Accessibility statement</h1>" in page
    assert "partially compliant" in page and "Known limitations" in page
    assert "section 16 of the German Disability Equality Act" in page
    assert "on November 21, 2026." in page
    assert "Bekannte Einschränkungen" not in page


def test_dates_and_prices_are_written_the_way_each_language_writes_them(app: Flask) -> None:
    """German pages say "5. Dezember 2026" and "12,50 €"; English ones "December 5, 2026" and
    "€12.50"."""
    with app.app_context():
        offer = db.session.execute(
            select(Offer).where(Offer.title.startswith("Winter-Forscherwerkstatt"))
        ).scalar_one()
        offer.price_eur = Decimal("12.50")
        offer.registration_deadline = dt.date(2026, 12, 1)
        first = min(offer.sessions, key=lambda session: session.starts_at)
        first.starts_at = to_storage(
            dt.datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        )
        first.ends_at = None
        slug = offer.slug
        db.session.commit()
    client = app.test_client()

    def page(lang: str) -> str:
        # Babel puts a no-break space between amount and currency, as typesetting wants.
        return client.get(f"/offers/{slug}?lang={lang}").get_data(as_text=True).replace("\xa0", " ")

    german = page("de")
    assert "12,50 €" in german
    assert "5. Dezember 2026, 10:00" in german
    assert "1. Dezember 2026" in german  # the registration deadline
    english = page("en")
    assert "€12.50" in english
    assert "December 5, 2026, 10:00 AM" in english
    assert "December 1, 2026" in english


def test_a_search_page_weighs_under_100_kb_before_images(client: FlaskClient) -> None:
    """A parent on a weak phone connection: the page with 20 results, its styles and its script
    (uncompressed) stay under 100 KB."""
    response = client.get("/offers")
    page = response.get_data()
    assert response.status_code == 200 and page.count(b'class="card"') == 20
    assets = re.findall(rb'<(?:link rel="stylesheet" href|script src)="([^"]+)"', page)
    assert len(assets) == 2, assets  # style.css and app.js, nothing loaded from elsewhere
    weight = len(page)
    for asset in assets:
        asset_response = client.get(asset.decode())
        weight += len(asset_response.get_data())
        asset_response.close()
    assert weight < 100_000, f"{weight} bytes"


def test_home_shows_the_alliance_and_its_three_clusters(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Die Zukunftsallianz MINT-Region Heilbronn" in page
    for cluster in ("science-research", "labour-market", "schools-learning-places"):
        assert f'href="/partners#cluster-{cluster}"' in page
    assert "23 Partner aus Bildung" in page
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "23 partners from education" in english and "Science &amp; research" in english


def test_a_partner_page_shows_a_first_dozen_and_links_the_search_for_all(app: Flask) -> None:
    with app.test_request_context():
        experimenta = db.session.execute(
            select(Partner).where(Partner.slug == "experimenta")
        ).scalar_one()
        published = [o for o in experimenta.offers if o.status == "published"]
        for number in range(15 - len(published)):
            copy = offers.duplicate_offer(db.session, published[0], None)
            copy.title = f"Zusatzangebot {number:02d}"
            copy.status = "published"
        db.session.commit()
    client = app.test_client()
    page = client.get("/partners/experimenta").get_data(as_text=True)
    assert "15 Angebote" in page
    assert page.count('class="card"') == 12
    assert "Alle 15 Angebote durchsuchen und filtern" in page
    assert 'href="/offers?partner=experimenta"' in page
    assert client.get("/api/v1/offers?partner=experimenta").get_json()["total"] == 15
