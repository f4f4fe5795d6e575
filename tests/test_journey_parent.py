"""The parent's journey in Chromium over real HTTP: the child's age on the home page, free holiday
offers, two offers on the watchlist kept in the browser, the watchlist opened from its shared link
in a fresh browser; and the watchlist page through the test client."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.models import Offer
from catalogue.watchlist import MAX_WATCHLIST
from tests.conftest import open_filters

# The demo catalogue has free holiday programmes for teenagers only; at 14 there are three.
AGE = 14
VIEWPORTS = [(1280, 900), (360, 740)]


def new_context(browser: Browser, width: int, height: int) -> BrowserContext:
    """A browser context of its own: empty localStorage, like another device."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    context.set_default_timeout(10_000)
    return context


def card_titles(page: Page) -> list[str]:
    return [title.strip() for title in page.locator(".card-title").all_inner_texts()]


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_parent_finds_free_holiday_offers_and_shares_a_watchlist(
    browser: Browser, live_url: str, output_dir: Path, viewport: tuple[int, int]
) -> None:
    width, height = viewport
    shots = output_dir / "journey-parent"
    shots.mkdir(exist_ok=True)
    context = new_context(browser, width, height)
    page = context.new_page()

    # 1. The child's age, in the one field on the home page.
    page.goto(live_url + "/")
    page.get_by_label("Alter meines Kindes").fill(str(AGE))
    page.get_by_role("button", name="Passende Angebote").click()
    expect(page).to_have_url(f"{live_url}/offers?age={AGE}")
    page.screenshot(path=shots / f"1-age-{width}.png", full_page=True)

    # 2. Only free holiday programmes.
    open_filters(page)
    # With JavaScript each filter acts at once, without loading the page again.
    page.evaluate("window.stayedOnPage = true")
    page.get_by_label(re.compile(r"^Ferienprogramm\b")).check()
    expect(page).to_have_url(re.compile(r"format=holiday-programme"))
    page.get_by_label(re.compile(r"^kostenlos\b")).check()
    expect(page).to_have_url(re.compile(r"free=1"))
    assert page.evaluate("window.stayedOnPage === true")
    query = parse_qs(urlsplit(page.url).query)
    assert query["age"] == [str(AGE)] and query["free"] == ["1"]
    cards = page.locator("article.card")
    assert cards.count() >= 2
    for i in range(cards.count()):
        expect(cards.nth(i).locator(".badge-free")).to_have_text("kostenlos")
    page.screenshot(path=shots / f"2-free-holiday-offers-{width}.png", full_page=True)
    assert fits(page)

    # 3. Two offers on the watchlist: one from its card, one from its own page.
    watchlist_link = page.get_by_role("link", name=re.compile(r"^Merkliste"))
    expect(watchlist_link).to_have_text("Merkliste")
    first, second = card_titles(page)[:2]
    save_first = cards.nth(0).get_by_role("button", name="Merken")
    expect(save_first).to_have_attribute("aria-pressed", "false")
    save_first.click()
    expect(save_first).to_have_attribute("aria-pressed", "true")
    expect(watchlist_link).to_have_text("Merkliste (1)")

    cards.nth(1).locator(".card-title a").click()
    expect(page.locator("h1")).to_have_text(second)
    save_second = page.locator(".offer-head").get_by_role("button", name="Merken")
    save_second.click()
    expect(save_second).to_have_attribute("aria-pressed", "true")
    expect(watchlist_link).to_have_text("Merkliste (2)")
    page.screenshot(path=shots / f"3-offer-saved-{width}.png", full_page=True)
    assert fits(page)

    # 4. The watchlist: its address names both offers and is the link to share.
    watchlist_link.click()
    expect(page).to_have_url(re.compile(r"/merkliste\?angebote="))
    expect(page.locator(".card-title")).to_have_count(2)
    assert sorted(card_titles(page)) == sorted([first, second])
    share_url = page.locator("[data-share-link]").get_attribute("href")
    assert share_url and share_url.startswith(live_url + "/merkliste?angebote=")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page.get_by_role("button", name="Link teilen").click()
    expect(page.locator("[data-share-status]")).to_have_text("Link kopiert")
    assert page.evaluate("navigator.clipboard.readText()") == share_url
    expect(page.get_by_role("button", name="Alle auf meine Merkliste")).to_have_count(0)
    page.screenshot(path=shots / f"4-watchlist-{width}.png", full_page=True)
    assert fits(page)

    # The plain address fills itself from the list kept in this browser.
    page.goto(live_url + "/merkliste")
    expect(page).to_have_url(re.compile(r"/merkliste\?angebote="))
    expect(page.locator(".card-title")).to_have_count(2)
    context.close()

    # 5. Another device: nothing stored, the shared link alone shows the same two offers.
    fresh = new_context(browser, width, height)
    other = fresh.new_page()
    other.goto(share_url)
    expect(other.locator(".card-title")).to_have_count(2)
    assert sorted(card_titles(other)) == sorted([first, second])
    expect(other.get_by_role("link", name=re.compile(r"^Merkliste"))).to_have_text("Merkliste")
    buttons = other.get_by_role("button", name="Merken")
    expect(buttons).to_have_count(2)
    for button in buttons.all():
        expect(button).to_have_attribute("aria-pressed", "false")
    expect(other.get_by_text("Zum Merken braucht Ihr Browser JavaScript.")).to_be_hidden()
    other.screenshot(path=shots / f"5-shared-watchlist-{width}.png", full_page=True)
    assert fits(other)

    # The shared list can become this browser's own.
    other.get_by_role("button", name="Alle auf meine Merkliste").click()
    expect(other.get_by_role("link", name=re.compile(r"^Merkliste"))).to_have_text("Merkliste (2)")
    expect(buttons).to_have_count(2)
    for button in buttons.all():
        expect(button).to_have_attribute("aria-pressed", "true")
    expect(other.get_by_role("button", name="Alle auf meine Merkliste")).to_have_count(0)
    fresh.close()


@pytest.mark.browser
def test_the_watchlist_page_explains_itself_without_javascript(
    browser: Browser, live_url: str
) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="de-DE", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(live_url + "/offers?format=holiday-programme")
        expect(page.get_by_role("button", name="Merken")).to_have_count(0)
        offer_path = page.locator(".card-title a").first.get_attribute("href")
        page.get_by_role("link", name="Merkliste").click()
        expect(page.get_by_role("heading", name="So funktioniert die Merkliste")).to_be_visible()
        expect(page.get_by_text("Zum Merken braucht Ihr Browser JavaScript.")).to_be_visible()

        # A shared link works without JavaScript; its address is there to copy, as a plain link.
        slug = offer_path.rsplit("/", 1)[1]
        page.goto(f"{live_url}/merkliste?angebote={slug}")
        expect(page.locator(".card-title")).to_have_count(1)
        expect(page.get_by_role("link", name=f"/merkliste?angebote={slug}")).to_be_visible()
        expect(page.get_by_role("button", name="Link teilen")).to_have_count(0)
        expect(page.get_by_role("button", name="Alle auf meine Merkliste")).to_have_count(0)
    finally:
        context.close()


def published_slugs(app: Flask, count: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Offer.slug).where(Offer.status == "published").order_by(Offer.slug)
            )
            .scalars()
            .all()[:count]
        )


def unpublished(app: Flask) -> list[Offer]:
    with app.app_context():
        offers = (
            db.session.execute(select(Offer).where(Offer.status != "published")).scalars().all()
        )
        db.session.expunge_all()
        return list(offers)


def test_watchlist_link_shows_the_published_offers_it_names_in_its_order(
    seeded_app: Flask, client: FlaskClient
) -> None:
    first, second = published_slugs(seeded_app, 2)
    response = client.get(f"/merkliste?angebote={second},{first}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="card"') == 2
    assert page.index(f'data-watch-slug="{second}"') < page.index(f'data-watch-slug="{first}"')
    assert f"/merkliste?angebote={second},{first}" in page  # the link to share
    assert "2 gemerkte Angebote" in page
    assert 'name="robots" content="noindex"' in page


def test_watchlist_drops_unknown_and_unpublished_offers_silently(
    seeded_app: Flask, client: FlaskClient
) -> None:
    (known,) = published_slugs(seeded_app, 1)
    hidden = unpublished(seeded_app)
    assert any("Vorschau-Entwurf" in offer.title for offer in hidden)
    slugs = ["gibt-es-nicht", *(offer.slug for offer in hidden), known]
    page = client.get("/merkliste?angebote=" + ",".join(slugs)).get_data(as_text=True)
    assert page.count('class="card"') == 1
    assert "Vorschau-Entwurf" not in page
    for offer in hidden:
        assert f"/offers/{offer.slug}" not in page
        assert offer.title not in page
    assert "/offers/gibt-es-nicht" not in page
    assert f"angebote={known}<" in page or f'angebote={known}"' in page

    nothing = client.get("/merkliste?angebote=" + hidden[0].slug).get_data(as_text=True)
    assert "Keines der Angebote aus diesem Link ist zurzeit im Katalog." in nothing
    assert 'class="card"' not in nothing


@pytest.mark.parametrize(
    "query",
    [
        "angebote=",
        "angebote=,,,",
        "angebote=%00%01",
        "angebote=../../etc/passwd",
        "angebote=%3Cscript%3Ealert(1)%3C/script%3E",
        "angebote=" + "x" * 10_000,
        "angebote=" + ",".join(["a-"] * 3000),
        "angebote=%C3%A4pfel,%FF%FE",
        "angebote=a&angebote=b&angebote=",
        "angebote[]=1",
        "angebote=" + ",".join(f"s{i}" for i in range(5000)),
    ],
)
def test_odd_watchlist_links_answer_200_with_nothing_found(client: FlaskClient, query: str) -> None:
    response = client.get("/merkliste?" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="card"' not in page
    assert "<script>alert" not in page


def test_watchlist_reads_at_most_the_first_fifty_slugs(
    seeded_app: Flask, client: FlaskClient
) -> None:
    slugs = published_slugs(seeded_app, MAX_WATCHLIST + 5)
    assert len(slugs) == MAX_WATCHLIST + 5
    mixed = ",".join([slugs[0], "Nicht GÜLTIG", slugs[0].upper(), *slugs[1:]])
    page = client.get("/merkliste?angebote=" + mixed).get_data(as_text=True)
    assert page.count('class="card"') == MAX_WATCHLIST
    assert f'data-watch-slug="{slugs[MAX_WATCHLIST - 1]}"' in page
    assert f'data-watch-slug="{slugs[MAX_WATCHLIST]}"' not in page
    assert f"Es werden die ersten {MAX_WATCHLIST} gezeigt." in page


def test_watchlist_without_a_link_explains_how_it_works(client: FlaskClient) -> None:
    page = client.get("/merkliste").get_data(as_text=True)
    assert "Ihre Merkliste ist noch leer." in page
    assert "So funktioniert die Merkliste" in page
    assert "Zum Merken braucht Ihr Browser JavaScript." in page
    assert 'data-requested="false"' in page
    assert 'href="/merkliste"' in page and 'aria-current="page"' in page


def test_watchlist_in_english(seeded_app: Flask, client: FlaskClient) -> None:
    first, second = published_slugs(seeded_app, 2)
    page = client.get(f"/merkliste?angebote={first},{second}&lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<title>Watchlist" in page
    for text in ("2 saved offers", "Share the watchlist", "Share link", "How the watchlist works"):
        assert text in page
    assert 'data-label-add="Save"' in page
    for german in ("Merkliste", "Merken", "gemerkte", "Link teilen"):
        assert german not in page, german
