"""Accessibility in Chromium: axe-core finds no serious or critical violation on any page type,
logged out and in, in German and English; pages reflow at 320 px; the skip link comes first;
every control shows its focus; error messages are tied to their fields; the error summary takes
focus."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from catalogue.config import env_flag
from catalogue.extensions import db
from catalogue.models import Offer
from catalogue.seeding import DEMO_PASSWORD
from tests.conftest import FOCUS_IS_VISIBLE

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
LANGUAGES = ["de", "en"]


@pytest.fixture(scope="module")
def axe_source() -> Path:
    """axe-core as `make install` puts it (npm ci); without npm the tests skip, except in CI."""
    if not AXE.exists() and not env_flag("CI"):
        pytest.skip("axe-core is not installed here (make install needs npm)")
    assert AXE.exists(), f"{AXE} is missing: `make install` runs `npm ci`"
    return AXE


@pytest.fixture(scope="module")
def slugs(seeded_app: Flask) -> dict[str, str]:
    """The slugs the page paths name: a published offer and one waiting for review."""
    with seeded_app.app_context():
        first = {
            status: db.session.execute(
                select(Offer.slug).where(Offer.status == status).order_by(Offer.id).limit(1)
            ).scalar_one()
            for status in ("published", "submitted")
        }
    return {"offer": first["published"], "submitted": first["submitted"]}


def _with_lang(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login?lang=de")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(lambda url: "/login" not in url)


@contextmanager
def _browser_page(
    browser: Browser,
    live_url: str,
    user: str | None,
    *,
    width: int = 1280,
    height: int = 900,
    bypass_csp: bool = False,
) -> Iterator[Page]:
    """A German-speaking page of a fresh browser, logged in as `user` when there is one."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="de-DE", bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        if user:
            _log_in(page, live_url, user)
        yield page
    finally:
        context.close()


def _failed_login(page: Page) -> None:
    page.locator("input[name=email]").fill("niemand@example.org")
    page.locator("input[name=password]").fill("falsch-falsch")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#login-error")


def _join_form_with_errors(page: Page) -> None:
    # The form's own `required` checks would stop the browser first; the server's are tested here.
    page.locator("form.join-form").evaluate("form => { form.noValidate = true; }")
    page.locator("form.join-form button[type=submit]").click()
    page.wait_for_selector(".field-error")


def _offer_form_with_errors(page: Page) -> None:
    page.locator("#age_min").fill("14")
    page.locator("#age_max").fill("10")
    page.locator("button[name=action][value=save]").click()
    page.wait_for_selector("#error-summary")


@dataclass(frozen=True)
class Visit:
    """A page to check: its path, who is logged in, and what to do on it before checking."""

    path: str
    user: str | None = None
    then: Callable[[Page], None] | None = None


PAGES = {
    "home": Visit("/"),
    "search-results": Visit("/offers?q=Roboter"),
    "search-no-results": Visit("/offers?q=Quantenkryptographie&stage=early-childhood"),
    "offer": Visit("/offers/{offer}"),
    "partners": Visit("/partners"),
    "partner": Visit("/partners/experimenta"),
    "login": Visit("/login"),
    "login-errors": Visit("/login", then=_failed_login),
    "join-errors": Visit("/join", then=_join_form_with_errors),
    "watchlist": Visit("/merkliste?angebote={offer}"),
    "not-found": Visit("/offers/gibt-es-nicht"),
    "accessibility-statement": Visit("/barrierefreiheit"),
    "offer-form-errors": Visit(
        "/partner/offers/new", user="partner@example.org", then=_offer_form_with_errors
    ),
    "partner-area": Visit("/partner/", user="partner@example.org"),
    "moderation-queue": Visit("/moderation/", user="redaktion@example.org"),
    "moderation-review": Visit("/moderation/offers/{submitted}", user="redaktion@example.org"),
}


def _violations(page: Page, axe: Path) -> list[dict]:
    page.add_script_tag(path=str(axe))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        AXE_TAGS,
    )


def _blocking_violations(
    browser: Browser, live_url: str, axe: Path, visit: Visit, path: str, **viewport: int
) -> tuple[str | None, list[dict]]:
    """The page's language and axe-core's serious and critical findings on `path`, after the
    visit's own steps."""
    # The site's Content-Security-Policy forbids injected scripts, axe-core's included.
    with _browser_page(browser, live_url, visit.user, bypass_csp=True, **viewport) as page:
        page.goto(live_url + path)
        language = page.locator("html").get_attribute("lang")
        if visit.then:
            visit.then(page)
        violations = _violations(page, axe)
    return language, [v for v in violations if v["impact"] in BLOCKING]


def _report(violations: list[dict]) -> str:
    return "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']} — {', '.join(v['targets'][:8])}"
        for v in violations
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_or_critical_axe_violation(
    browser: Browser,
    axe_source: Path,
    live_url: str,
    slugs: dict[str, str],
    name: str,
    language: str,
) -> None:
    visit = PAGES[name]
    path = _with_lang(visit.path.format(**slugs), language)
    page_language, blocking = _blocking_violations(browser, live_url, axe_source, visit, path)
    assert page_language == language
    assert not blocking, f"{name} ({language}):\n{_report(blocking)}"


@pytest.mark.parametrize("name", ["home", "search-results", "offer", "offer-form-errors"])
def test_phone_layout_has_no_serious_or_critical_axe_violation(
    browser: Browser, axe_source: Path, live_url: str, slugs: dict[str, str], name: str
) -> None:
    """The 360 px layout is another page for axe: collapsed filters, stacked cards, wrapped
    navigation."""
    visit = PAGES[name]
    path = visit.path.format(**slugs)
    _language, blocking = _blocking_violations(
        browser, live_url, axe_source, visit, path, width=360, height=740
    )
    assert not blocking, f"{name} (phone):\n{_report(blocking)}"


@pytest.mark.parametrize("name", ["home", "search-results", "offer", "offer-form-errors"])
def test_page_reflows_at_320_px_without_horizontal_scrolling(
    browser: Browser, live_url: str, slugs: dict[str, str], name: str
) -> None:
    visit = PAGES[name]
    with _browser_page(browser, live_url, visit.user, width=320, height=640) as page:
        for language in LANGUAGES:
            page.goto(live_url + _with_lang(visit.path.format(**slugs), language))
            if visit.then:
                visit.then(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{name} ({language}) is {width} px wide"


@pytest.mark.parametrize("name", list(PAGES))
def test_skip_link_is_the_first_focusable_element_and_focus_is_visible(
    browser: Browser, live_url: str, slugs: dict[str, str], name: str
) -> None:
    visit = PAGES[name]
    with _browser_page(browser, live_url, visit.user) as page:
        page.goto(live_url + visit.path.format(**slugs))
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement, style = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                return {text: el.textContent.trim(), href: el.getAttribute('href'),
                        visible: (FOCUS_IS_VISIBLE)(el), top: box.top, bottom: box.bottom};
            }""".replace("FOCUS_IS_VISIBLE", FOCUS_IS_VISIBLE)
        )
        assert focused["text"] == "Zum Inhalt springen"
        assert focused["href"] == "#main"
        assert focused["visible"]  # the focus shows
        assert focused["top"] >= 0 and focused["bottom"] > 0  # on screen when focused
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("name", ["login-errors", "join-errors", "offer-form-errors"])
def test_every_error_message_is_tied_to_its_field(
    browser: Browser, live_url: str, slugs: dict[str, str], name: str
) -> None:
    visit = PAGES[name]
    with _browser_page(browser, live_url, visit.user) as page:
        page.goto(live_url + visit.path.format(**slugs))
        assert visit.then
        visit.then(page)
        # Each invalid control, or the group (fieldset) it belongs to, is described by a message
        # that exists and says something; each message on the page describes some control.
        problems = page.evaluate(
            """() => {
                const ids = el => (el && el.getAttribute('aria-describedby') || '').split(/\\s+/)
                    .filter(Boolean);
                const problems = [], described = new Set();
                const invalid = [...document.querySelectorAll('[aria-invalid="true"]')];
                for (const control of invalid) {
                    const refs = [...ids(control), ...ids(control.closest('fieldset'))];
                    refs.forEach(id => described.add(id));
                    const texts = refs.map(id => document.getElementById(id))
                        .filter(Boolean).map(el => el.textContent.trim()).filter(Boolean);
                    if (!texts.length) problems.push('undescribed: #' + control.id);
                }
                for (const error of document.querySelectorAll('.field-error, #login-error')) {
                    if (!described.has(error.id)) problems.push('not tied: #' + error.id);
                }
                if (!invalid.length) problems.push('no control is marked invalid');
                return problems;
            }"""
        )
    assert problems == []


@pytest.mark.parametrize("name", ["home", "search-results", "offer", "offer-form-errors"])
def test_keyboard_focus_is_visible_on_every_control(
    browser: Browser, live_url: str, slugs: dict[str, str], name: str
) -> None:
    visit = PAGES[name]
    with _browser_page(browser, live_url, visit.user) as page:
        page.goto(live_url + visit.path.format(**slugs))
        if visit.then:
            visit.then(page)
        page.locator("body").focus()
        unmarked, seen = [], 0
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                    const el = document.activeElement;
                    if (!el || el === document.body) return null;
                    const label = (el.textContent || el.getAttribute('name') || '').trim();
                    return {marked: (FOCUS_IS_VISIBLE)(el),
                            name: `${el.tagName}#${el.id} ${label.slice(0, 30)}`};
                }""".replace("FOCUS_IS_VISIBLE", FOCUS_IS_VISIBLE)
            )
            if focused is None:
                break
            seen += 1
            if not focused["marked"]:
                unmarked.append(focused["name"])
    assert seen > 5
    assert unmarked == []


def test_a_form_with_errors_puts_focus_on_its_error_summary(
    browser: Browser, live_url: str, slugs: dict[str, str]
) -> None:
    visit = PAGES["offer-form-errors"]
    with _browser_page(browser, live_url, visit.user, width=360, height=740) as page:
        page.goto(live_url + visit.path)
        _offer_form_with_errors(page)
        expect(page.locator("#error-summary")).to_be_focused()
        # Its links lead to the fields, which come into view with their label and message.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        field = page.locator("#title")
        expect(field).to_be_focused()
        height = page.viewport_size["height"]
        for shown in (page.locator("label[for=title]"), page.locator("#title-error")):
            box = shown.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height
