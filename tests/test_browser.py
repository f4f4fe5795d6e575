"""Journeys in Debian's Chromium through Playwright, against the app served over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from catalogue.seeding import DEMO_PASSWORD
from tests.conftest import open_filters

pytestmark = pytest.mark.browser


def test_search_filter_by_age_and_open_an_offer(
    page: Page, live_url: str, output_dir: Path
) -> None:
    width = page.viewport_size["width"]
    page.goto(live_url + "/")
    page.get_by_label("Was suchen Sie?").fill("Roboter")
    page.get_by_role("button", name="Suchen").click()
    expect(page).to_have_url(f"{live_url}/offers?q=Roboter")
    results = page.locator("#results-heading")
    expect(results).to_contain_text("für „Roboter“")
    unfiltered = int(results.inner_text().split()[0])

    open_filters(page)
    page.get_by_label("Alter", exact=True).fill("10")
    page.get_by_role("button", name="Filter anwenden").click()
    expect(page).to_have_url(re.compile(r"[?&]age=10(&|$)"))
    filtered = int(page.locator("#results-heading").inner_text().split()[0])
    assert 0 < filtered <= unfiltered
    page.screenshot(path=output_dir / f"search-age-{width}.png", full_page=True)

    # No horizontal scrolling, even on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    first = page.locator(".card-title a").first
    title = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".offer-facts")).to_contain_text("Alter")
    page.screenshot(path=output_dir / f"offer-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(
    "path", ["/", "/offers?q=Roboter", "/partners", "/partners/experimenta", "/offers?age=abc"]
)
def test_pages_reflow_at_320_px_without_horizontal_scrolling(
    browser: Browser, live_url: str, path: str
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        for suffix in ("", "&lang=en" if "?" in path else "?lang=en"):
            page.goto(live_url + path + suffix)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path + suffix
    finally:
        context.close()


def test_every_offer_page_fits_a_320_px_phone(browser: Browser, live_url: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_url + "/api/v1/offers?per_page=100")
        slugs = [
            r["slug"] for r in page.evaluate("() => JSON.parse(document.body.innerText)")["results"]
        ]
        assert len(slugs) > 50
        too_wide = []
        for slug in slugs:
            page.goto(f"{live_url}/offers/{slug}")
            if page.evaluate("document.documentElement.scrollWidth") > 320:
                too_wide.append(slug)
        assert too_wide == []
    finally:
        context.close()


def test_amounts_and_coordinates_keep_their_decimal_comma_in_a_german_browser(
    page: Page, live_url: str
) -> None:
    """A partner types "12,50" as the form's hint says; a number field of a German Chromium
    would drop the comma and send 1250."""
    page.goto(live_url + "/login")
    page.get_by_label("E-Mail").fill("partner@example.org")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/partner/$"))
    page.goto(live_url + "/partner/offers/new")
    page.locator("#price_eur").press_sequentially("12,50")
    page.locator("#lat").press_sequentially("49,1478")
    # Saved with mistakes (no title), so the form comes back with what the server read.
    page.locator("button[name=action][value=save]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.locator("#price_eur").input_value().replace(",", ".") in ("12.50", "12.5")
    assert page.locator("#lat").input_value().replace(",", ".") == "49.1478"
