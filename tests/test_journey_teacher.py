"""The teacher's journey in Chromium: search, filter for a class, open an offer, print it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import open_filters

pytestmark = pytest.mark.browser


def test_teacher_finds_a_school_lab_for_a_class_in_the_county_and_prints_it(
    page: Page, live_url: str, output_dir: Path
) -> None:
    width = page.viewport_size["width"]
    page.goto(live_url + "/")
    page.get_by_label("Was suchen Sie?").fill("Schülerlabor Chemie")
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator("#results-heading")).to_contain_text("für „Schülerlabor Chemie“")
    unfiltered = int(page.locator("#results-heading").inner_text().split()[0])

    open_filters(page)
    page.get_by_label("Sekundarstufe I", exact=False).first.check()
    page.get_by_label("Schulklassen", exact=False).first.check()
    page.get_by_label("Landkreis Heilbronn", exact=False).first.check()
    page.get_by_role("button", name="Filter anwenden").click()
    for parameter in (
        "stage=lower-secondary",
        "audience=school-classes",
        "district=heilbronn-county",
    ):
        expect(page).to_have_url(re.compile(rf"[?&]{parameter}(&|$)"))
    # With JavaScript each ticked box updates the results in place: wait until they have.
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    filtered = int(page.locator("#results-heading").inner_text().split()[0])
    assert 0 < filtered < unfiltered
    page.screenshot(path=output_dir / f"teacher-results-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("link", name=re.compile("Chemie-Schülerlabor Neckarsulm")).click()
    expect(page.locator("h1")).to_contain_text("Chemie-Schülerlabor Neckarsulm")
    offer_url = page.url

    # Printed: no navigation or buttons, every detail, and the address to find it again.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator(".offer-facts")).to_be_visible()
    expect(page.locator(".offer-facts")).to_contain_text("Alter")
    expect(page.locator(".offer-facts")).to_contain_text("Neckarsulm")
    expect(page.locator(".print-url")).to_be_visible()
    expect(page.locator(".print-url")).to_have_text(offer_url)
    page.screenshot(path=output_dir / f"teacher-print-{width}.png", full_page=True)
    pdf = page.pdf(path=str(output_dir / f"teacher-print-{width}.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
