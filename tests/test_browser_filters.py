"""The search page with JavaScript: a changed filter updates results, counts and address in place;
the address stays the link to share, and Back returns to the search before."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def total(page: Page) -> int:
    return int(page.locator("#results-heading").inner_text().split()[0])


def open_filters(page: Page) -> None:
    filters = page.locator("details.filters")
    if filters.get_attribute("open") is None:  # folded away on phones
        filters.locator("summary").click()


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
