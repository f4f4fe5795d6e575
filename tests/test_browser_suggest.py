"""Search suggestions on /offers in Debian's Chromium: a combobox by keyboard and by mouse."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_suggestions_open_by_keyboard(page: Page, live_url: str) -> None:
    page.goto(live_url + "/offers")
    field = page.get_by_role("combobox", name="Suchbegriff")
    expect(field).to_have_attribute("aria-expanded", "false")
    field.press_sequentially("Robo", delay=30)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Roboter-AG für Mädchen")
    expect(listbox).to_contain_text("Robotik · Fach")
    # No horizontal scrolling on a phone, suggestions open.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    subject = [i for i, text in enumerate(options.all_inner_texts()) if text.endswith("· Fach")]
    for _ in range(subject[0] + 1):
        field.press("ArrowDown")
    chosen = page.locator("[role=option][aria-selected=true]")
    expect(chosen).to_have_text("Robotik · Fach")
    expect(field).to_have_attribute("aria-activedescendant", chosen.get_attribute("id"))
    field.press("Enter")
    expect(page).to_have_url(f"{live_url}/offers?subject=robotics")


def test_escape_closes_the_suggestions_and_enter_still_searches(page: Page, live_url: str) -> None:
    page.goto(live_url + "/offers")
    field = page.get_by_role("combobox", name="Suchbegriff")
    field.press_sequentially("Maedchen", delay=30)
    expect(page.get_by_role("listbox")).to_be_visible()
    field.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(field).to_have_value("Maedchen")
    field.press("Enter")
    expect(page).to_have_url(f"{live_url}/offers?q=Maedchen")


def test_a_suggestion_opens_with_a_click(page: Page, live_url: str) -> None:
    page.goto(live_url + "/offers")
    page.get_by_role("combobox", name="Suchbegriff").press_sequentially("Roboter-AG", delay=30)
    page.get_by_role("listbox").get_by_role("option").first.click()
    expect(page).to_have_url(
        f"{live_url}/offers/roboter-ag-fuer-maedchen-bauen-programmieren-wettbewerbe-meistern"
    )
