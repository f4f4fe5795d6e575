"""English pages show no German UI text: every German string the catalogue translates, and every
German vocabulary label, is absent from what the page itself says in English.

Offer and partner texts are German whatever the page language; the templates mark them
`lang="de"` (which also tells screen readers how to pronounce them), and they are left out here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from catalogue.vocabulary import load_vocabulary
from tests.conftest import Auth

PO_FILE = (
    Path(__file__).resolve().parent.parent
    / "catalogue"
    / "translations"
    / "en"
    / "LC_MESSAGES"
    / "messages.po"
)
FACETS = ("stage", "subject", "format", "audience", "mode", "district", "cluster")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
_EMPTY_ELEMENTS = {
    "area",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


def german_ui_phrases(app: Flask) -> set[str]:
    """German UI text that has an English translation different from it."""
    with PO_FILE.open("rb") as handle:
        catalogue = read_po(handle)
    english: set[str] = set()
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english.update(word for string in strings for word in _words(string))
        if set(ids) != set(strings):
            pairs.extend(ids)
    with app.app_context():
        vocabulary = load_vocabulary()
        for term in (t for facet in FACETS for t in vocabulary.terms(facet)):
            english.update(_words(term.label_en))
            if term.label_de != term.label_en:
                pairs.append(term.label_de)
    phrases = set()
    for text in pairs:
        for piece in _PLACEHOLDER.split(text):
            piece = " ".join(piece.split()).strip(" .,:;!?()„“\"'–-…/")
            # Words English shares ("Workshop", "Online", "Name") prove nothing.
            if len(piece) >= 4 and not _words(piece) <= english:
                phrases.add(piece)
    return phrases


class _PageText(HTMLParser):
    """The text a page says in its own language: no scripts, styles or lang="de" parts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipped: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _EMPTY_ELEMENTS:
            return
        lang = dict(attrs).get("lang") or ""
        # The <title> names the page by its offer or partner, which cannot be marked there.
        if self._skipped or tag in ("script", "style", "title") or lang.startswith("de"):
            self._skipped.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipped and self._skipped[-1] == tag:
            self._skipped.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipped:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _PageText()
    parser.feed(html)
    # Addresses shown as text (the printed offer's URL) hold German slugs.
    return re.sub(r"https?://\S+", " ", " ".join(" ".join(parser.parts).split()))


def english_page_text(html: str) -> str:
    """The page's own text, after checking that it is an English page at all: a German page
    would otherwise be all lang="de" and show no German."""
    assert '<html lang="en">' in html
    text = page_text(html)
    assert "Accessibility" in text  # the footer's link, on every page
    return text


def german_in(text: str, phrases: set[str]) -> list[str]:
    return sorted(
        phrase for phrase in phrases if re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text)
    )


@pytest.fixture(scope="module")
def phrases(seeded_app: Flask) -> set[str]:
    found = german_ui_phrases(seeded_app)
    assert {"Angebote", "Anmelden", "Grundschule"} <= found  # the check has teeth
    return found


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/offers?q=Roboter",
        "/offers?q=Roboter&stage=professionals&district=online",
        "/offers?stage=early-childhood&format=internship",
        "/partners",
        "/partners/experimenta",
        "/login",
        "/barrierefreiheit",
        "/merkliste",
        "/join",
        "/gibt-es-nicht",
    ],
)
def test_public_pages_in_english_show_no_german_ui_text(
    client: FlaskClient, phrases: set[str], path: str
) -> None:
    separator = "&" if "?" in path else "?"
    html = client.get(f"{path}{separator}lang=en").get_data(as_text=True)
    assert german_in(english_page_text(html), phrases) == []


def test_an_offer_page_in_english_shows_no_german_ui_text(
    client: FlaskClient, phrases: set[str]
) -> None:
    for offer in client.get("/api/v1/offers?per_page=100").get_json()["results"]:
        html = client.get(f"/offers/{offer['slug']}?lang=en").get_data(as_text=True)
        assert german_in(english_page_text(html), phrases) == [], offer["slug"]


def test_login_errors_in_english_show_no_german_ui_text(
    client: FlaskClient, phrases: set[str]
) -> None:
    client.get("/?lang=en")
    token = Auth(client).csrf_token("/login")
    response = client.post(
        "/login", data={"email": "x@example.org", "password": "falsch", "csrf_token": token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="login-error"' in html
    assert german_in(english_page_text(html), phrases) == []


@pytest.mark.parametrize(
    ("email", "path", "form"),
    [
        ("partner@example.org", "/partner/", None),
        ("partner@example.org", "/partner/offers/new", {"title": ""}),
        ("redaktion@example.org", "/moderation/", None),
    ],
)
def test_logged_in_pages_in_english_show_no_german_ui_text(
    auth, phrases: set[str], email: str, path: str, form: dict | None
) -> None:
    auth.login(email)
    auth.client.get("/?lang=en")
    if form is None:
        html = auth.client.get(path).get_data(as_text=True)
    else:
        form = {**form, "csrf_token": auth.csrf_token(path)}
        html = auth.client.post(path, data=form).get_data(as_text=True)
    assert german_in(english_page_text(html), phrases) == []
