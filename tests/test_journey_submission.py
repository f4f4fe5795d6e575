"""The submission journey in Chromium over real HTTP: a partner submits, an editor rejects with a
reason, the partner corrects and resubmits, the editor approves, and the public finds the offer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser
PASSWORD = "mint-demo-2026"
TITLE = "Lötwerkstatt: blinkende Weihnachtssterne"
WORD = "Glitzerplatine"


@pytest.fixture
def live_url(app: Flask, serve) -> Iterator[str]:
    """The test's own writable catalogue on a loopback port."""
    with serve(app) as url:
        yield url


def log_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE").new_page()
    page.set_default_timeout(10_000)
    page.goto(base + "/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    return page


def test_partner_submits_editor_rejects_partner_corrects_editor_approves_public_finds(
    browser: Browser, live_url: str, output_dir: Path
) -> None:
    partner = log_in(browser, live_url, "partner@example.org")
    expect(partner).to_have_url(f"{live_url}/partner/")
    partner.get_by_role("link", name="Neues Angebot anlegen").click()

    # First attempt with mistakes: no title, ages the wrong way round.
    partner.get_by_label("Alter von").fill("14")
    partner.get_by_label("Alter bis").fill("10")
    partner.get_by_role("button", name="Als Entwurf speichern").click()
    expect(partner.locator("#title-error, [id^='title'][id$='error']").first).to_be_visible()
    expect(partner.get_by_text("Bitte geben Sie einen Titel an.").first).to_be_visible()
    assert partner.get_by_label("Alter von").input_value() == "14"  # input kept
    partner.screenshot(path=output_dir / "journey-form-errors.png", full_page=True)

    partner.get_by_label("Titel").fill(TITLE)
    partner.get_by_label("Kurzbeschreibung").fill("Wir löten LED-Sterne für das Fenster.")
    partner.get_by_label("Beschreibung", exact=True).fill(
        f"Jede Person baut eine **{WORD}** mit sechs LEDs und nimmt sie mit nach Hause."
    )
    partner.get_by_label("Alter von").fill("10")
    partner.get_by_label("Alter bis").fill("14")
    partner.get_by_label("Sekundarstufe I", exact=True).check()
    partner.get_by_label("Elektronik", exact=True).check()
    partner.get_by_label("Workshop", exact=True).check()
    partner.get_by_label("Kinder & Jugendliche (Einzelanmeldung)", exact=True).check()
    partner.get_by_label("Vor Ort", exact=True).check()
    partner.get_by_label("Region").select_option("heilbronn-city")
    partner.get_by_label("Nach Vereinbarung – jederzeit buchbar").check()
    partner.get_by_label("Termine in Worten").fill("dienstags und donnerstags nach Absprache")
    partner.get_by_role("button", name="Als Entwurf speichern").click()
    expect(partner.locator("h1")).to_contain_text(TITLE)
    partner.get_by_role("button", name="Einreichen").first.click()
    expect(partner.locator("body")).to_contain_text("In Prüfung")

    # Nothing public yet.
    partner.goto(f"{live_url}/offers?q={WORD}")
    expect(partner.locator("#results-heading")).to_contain_text("0 Angebote")

    editor = log_in(browser, live_url, "redaktion@example.org")
    expect(editor).to_have_url(f"{live_url}/moderation/")
    editor.get_by_role("link", name=TITLE).click()
    editor.get_by_label("Begründung für den Partner").fill(
        "Bitte nennen Sie den Veranstaltungsort."
    )
    editor.get_by_role("button", name="Ablehnen").click()
    expect(editor).to_have_url(f"{live_url}/moderation/")

    partner.goto(f"{live_url}/partner/")
    expect(partner.locator("body")).to_contain_text("Bitte nennen Sie den Veranstaltungsort.")
    partner.screenshot(path=output_dir / "journey-rejected.png", full_page=True)
    partner.locator("a[href$='/edit']").filter(has_text=TITLE).click()
    partner.get_by_label("Veranstaltungsort").fill("experimenta, Werkstatt 2")
    partner.get_by_role("button", name="Speichern und zur Prüfung einreichen").click()
    expect(partner.locator("body")).to_contain_text("In Prüfung")

    editor.goto(f"{live_url}/moderation/")
    editor.get_by_role("link", name=TITLE).click()
    expect(editor.locator("body")).to_contain_text("experimenta, Werkstatt 2")
    editor.get_by_role("button", name="Freigeben und veröffentlichen").click()
    expect(editor).to_have_url(f"{live_url}/moderation/")

    # Found by the very first search after the approval: indexing happened with the commit, so
    # nobody has to wait for a background job. (How fast is a benchmark's business, not a test's.)
    visitor = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    visitor.goto(f"{live_url}/offers?q={WORD}")
    assert visitor.locator(".card-title a").all_inner_texts() == [TITLE]
    visitor.locator(".card-title a").click()
    expect(visitor.locator(".offer-facts")).to_contain_text("experimenta, Werkstatt 2")
    visitor.screenshot(path=output_dir / "journey-published-360.png", full_page=True)
