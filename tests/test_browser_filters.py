"""The search page with JavaScript: a changed filter updates results, counts and address in place;
the address stays the link to share, and Back returns to the search before."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import open_filters

pytestmark = pytest.mark.browser


def total(page: Page) -> int:
    return int(page.locator("#results-heading").inner_text().split()[0])


def test_a_filter_updates_the_results_in_place_and_the_address_stays_shareable(
    page: Page, browser: Browser, live_url: str
) -> None:
    page.goto(live_url + "/offers?free=1")
    before = total(page)
    open_filters(page)
    page.evaluate("window.stayedOnPage = true")
    primary = page.get_by_label(re.compile(r"^Grundschule\b"))
    primary.check()

    expect(page).to_have_url(f"{live_url}/offers?stage=primary&free=1")
    expect(page.locator("details.filters > summary")).to_contain_text("2 aktiv")
    after = total(page)
    assert 0 < after < before
    assert page.evaluate("window.stayedOnPage === true")
    expect(page.locator("#f-stage-primary")).to_be_focused()
    expect(page.locator("#f-stage-primary")).to_be_checked()
    # The new cards have their "Merken" buttons too.
    expect(page.locator(".card .watch-toggle")).to_have_count(page.locator(".card").count())

    # The address is the search: opened elsewhere, it shows the same.
    other = browser.new_context(locale="de-DE").new_page()
    other.goto(page.url)
    assert total(other) == after
    expect(other.locator("#f-stage-primary")).to_be_checked()
    other.context.close()

    page.go_back()
    expect(page).to_have_url(f"{live_url}/offers?free=1")
    expect(page.locator("#results-heading")).to_contain_text(f"{before} Angebote")
    expect(page.locator("#f-stage-primary")).not_to_be_checked()
    assert page.evaluate("window.stayedOnPage === true")


def test_a_bad_value_falls_back_to_loading_the_page(page: Page, live_url: str) -> None:
    page.goto(live_url + "/offers")
    open_filters(page)
    page.locator("#age").evaluate("field => field.setAttribute('type', 'text')")
    page.locator("#age").fill("neun")
    page.get_by_role("button", name="Filter anwenden").click()
    expect(page).to_have_url(f"{live_url}/offers?age=neun")
    expect(page.locator("#search-error")).to_be_visible()


def test_links_in_the_results_turn_pages_in_place(page: Page, live_url: str) -> None:
    """ "Weiter", "Zurück" and a suggested spelling load the next search into the page; the
    address follows, the results' heading takes the focus, and Back walks through them."""
    page.goto(live_url + "/offers?per_page=5")
    page.evaluate("window.stayedOnPage = true")
    first_card = page.locator(".card h3").first.inner_text()
    page.locator(".pagination a[rel=next]").click()

    expect(page).to_have_url(f"{live_url}/offers?page=2&per_page=5")
    expect(page.locator(".pagination")).to_contain_text("Seite 2 von")
    expect(page.locator("#results-heading")).to_be_focused()
    assert page.locator(".card h3").first.inner_text() != first_card
    assert page.evaluate("window.stayedOnPage === true")

    page.go_back()
    expect(page).to_have_url(f"{live_url}/offers?per_page=5")
    expect(page.locator(".card h3").first).to_have_text(first_card)
    assert page.evaluate("window.stayedOnPage === true")


def test_a_suggested_spelling_replaces_the_search_text_in_place(page: Page, live_url: str) -> None:
    page.goto(live_url + "/offers?q=Robotikk")
    page.evaluate("window.stayedOnPage = true")
    suggestion = page.locator(".suggestion a")
    word = suggestion.inner_text()
    suggestion.click()

    expect(page).to_have_url(re.compile(r"/offers\?q=" + re.escape(word) + "$"))
    expect(page.locator("#q")).to_have_value(word)
    expect(page.locator("#results-heading")).to_contain_text(f"für „{word}“")
    assert page.evaluate("window.stayedOnPage === true")
