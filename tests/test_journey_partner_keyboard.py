"""The partner's submission journey by keyboard only, in Chromium on a desktop and a phone: every
control is reached with Tab, shows where the focus is, and is operated with keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from catalogue.seeding import DEMO_PASSWORD
from tests.conftest import FOCUS_IS_VISIBLE

pytestmark = pytest.mark.browser
TITLE = "Tastatur-Werkstatt: Morsen mit Licht"
# More Tab presses than any page of ours has controls: a control not reached by then is a trap.
MAX_TABS = 150


@pytest.fixture
def writable_live_url(app: Flask, serve) -> Iterator[str]:
    """The test's own catalogue on a loopback port: the journey writes."""
    with serve(app) as url:
        yield url


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus, and check that the focus is visible there."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError(f"{target} cannot be reached with Tab")
    assert target.evaluate(FOCUS_IS_VISIBLE), f"no visible focus on {target}"


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def tick(page: Page, target: Locator) -> None:
    tab_to(page, target)
    page.keyboard.press("Space")
    expect(target).to_be_checked()


def choose_radio(page: Page, group_first: Locator, target: Locator) -> None:
    """Reach a radio group with Tab and move to `target` with the arrow keys."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio" and page.evaluate(
            "document.activeElement.name"
        ) == group_first.get_attribute("name"):
            break
    else:
        raise AssertionError(f"the radio group of {group_first} cannot be reached with Tab")
    assert page.evaluate(f"({FOCUS_IS_VISIBLE})(document.activeElement)")
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{target} cannot be chosen with the arrow keys")


def test_partner_submits_an_offer_by_keyboard_only(
    page: Page, writable_live_url: str, output_dir: Path
) -> None:
    live_url = writable_live_url
    width = page.viewport_size["width"]
    page.goto(live_url + "/login")
    type_into(page, page.get_by_label("E-Mail"), "partner@example.org")
    type_into(page, page.get_by_label("Passwort"), DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_url}/partner/")

    tab_to(page, page.get_by_role("link", name="Neues Angebot anlegen"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Neues Angebot")

    # Saving with mistakes keeps the input and says what is wrong.
    type_into(page, page.get_by_label("Alter von"), "14")
    type_into(page, page.get_by_label("Alter bis"), "10")
    tab_to(page, page.get_by_role("button", name="Als Entwurf speichern"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Bitte geben Sie einen Titel an.").first).to_be_visible()
    assert page.get_by_label("Alter von").input_value() == "14"
    page.screenshot(path=output_dir / f"keyboard-form-errors-{width}.png", full_page=True)

    type_into(page, page.get_by_label("Titel"), TITLE)
    type_into(page, page.get_by_label("Kurzbeschreibung"), "Wir morsen mit Taschenlampen.")
    type_into(page, page.get_by_label("Alter von"), "9")
    type_into(page, page.get_by_label("Alter bis"), "12")
    tick(page, page.get_by_label("Grundschule", exact=True))
    tick(page, page.get_by_label("Physik", exact=True))
    tick(page, page.get_by_label("Workshop", exact=True))
    tick(page, page.get_by_label("Kinder & Jugendliche (Einzelanmeldung)", exact=True))
    # "Vor Ort" is chosen already: the arrow keys must move to another choice.
    choose_radio(page, page.get_by_label("Vor Ort", exact=True), page.get_by_label("Hybrid"))
    tab_to(page, page.get_by_label("Region"))
    page.keyboard.type("Stadt Heilbronn")
    expect(page.get_by_label("Region")).to_have_value("heilbronn-city")
    on_request = page.get_by_label("Nach Vereinbarung – jederzeit buchbar")
    choose_radio(page, page.locator("input[name=schedule_kind]").first, on_request)
    tab_to(page, page.get_by_role("button", name="Als Entwurf speichern"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(TITLE)

    tab_to(page, page.get_by_role("button", name="Einreichen").first)
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("In Prüfung")
    page.screenshot(path=output_dir / f"keyboard-submitted-{width}.png", full_page=True)
