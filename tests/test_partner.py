"""The partner area: offer form, drafts, review status, edits of live offers, isolation between
partners, CSRF, and partner text that never becomes markup — through the test client."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html.parser import HTMLParser
from itertools import islice
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from catalogue import accounts, indexing, offers
from catalogue.extensions import db
from catalogue.forms.offer import OfferForm
from catalogue.models import IndexChange, Offer, OfferRevision, OfferTransition, Partner
from catalogue.offer_records import validate_record
from catalogue.schedules import parse_rrule
from catalogue.seeding import DEMO_PASSWORD
from catalogue.vocabulary import load_vocabulary
from tests.offer_forms import EMPTY_SESSION_ROWS, offer_form

PARTNER = "partner@example.org"  # a user of experimenta
EDITOR = "redaktion@example.org"
# A user of Hochschule Heilbronn, made by the `other_partner` fixture.
OTHER = "partner-b@example.org"
OTHER_PARTNER = "hochschule-heilbronn"
OTHER_PASSWORD = "zweites-passwort-2026"
CSRF_EXPIRED = "Ihre Sitzung ist abgelaufen. Bitte senden Sie das Formular noch einmal."


# -- helpers ------------------------------------------------------------------------------------


def log_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD) -> FlaskClient:
    """Log in through the real login form."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token, "no login form"
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def log_in_by_session(app: Flask, client: FlaskClient, email: str) -> FlaskClient:
    """Log in by Flask-Login's session keys: many users at once, without hashing passwords."""
    with app.app_context():
        session_id = accounts.find_user(db.session, email).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def csrf_token(client: FlaskClient, path: str = "/partner/") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict[str, Any] | MultiDict | None = None):
    """A POST with the session's CSRF token, as the page's own forms send it."""
    form = MultiDict(data or {})
    form["csrf_token"] = csrf_token(client)
    return client.post(path, data=form)


def get_offer(app: Flask, **where: Any) -> Offer | None:
    with app.app_context():
        offer = db.session.execute(select(Offer).filter_by(**where)).scalar_one_or_none()
        if offer is not None:
            db.session.expunge(offer)
        return offer


def offer_facts(app: Flask, slug: str) -> dict[str, Any]:
    """What the partner area may change about an offer, to show that it did not."""
    with app.test_request_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        return {
            "status": offer.status,
            "record": offers.offer_record(offer),
            "updated_at": offer.updated_at,
            "transitions": len(offer.transitions),
            "revisions": db.session.execute(
                select(OfferRevision.id, OfferRevision.status, OfferRevision.data).where(
                    OfferRevision.offer_id == offer.id
                )
            ).all(),
        }


def catalogue_counts(app: Flask) -> tuple[int, ...]:
    with app.app_context():
        return tuple(
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Offer, OfferRevision, OfferTransition, IndexChange)
        )


def approve(app: Flask, slug: str) -> None:
    """The editor approves the offer's submission (or its submitted edit)."""
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        editor = accounts.find_user(db.session, EDITOR)
        offers.approve(db.session, offer, editor)
        db.session.commit()


def reject(app: Flask, slug: str, reason: str) -> None:
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        editor = accounts.find_user(db.session, EDITOR)
        offers.reject(db.session, offer, editor, reason)
        db.session.commit()


def create(client: FlaskClient, **changes: Any) -> str:
    """Create an offer through the form; returns its slug."""
    response = post(client, "/partner/offers/new", offer_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r"/partner/offers/([a-z0-9-]+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def published_slug(app: Flask, partner: str = "experimenta", exclude: str = "") -> str:
    """A published demo offer of `partner`."""
    with app.app_context():
        return (
            db.session.execute(
                select(Offer.slug)
                .join(Offer.partner)
                .where(Partner.slug == partner, Offer.status == "published", Offer.slug != exclude)
                .order_by(Offer.id)
            )
            .scalars()
            .first()
        )


def is_public(client: FlaskClient, slug: str, word: str) -> bool:
    """Whether the offer shows up anywhere public: its page, the search, the API."""
    api = client.get("/api/v1/offers", query_string={"q": word, "per_page": 100}).get_json()
    found = [
        client.get(f"/offers/{slug}").status_code != 404,
        client.get(f"/api/v1/offers/{slug}").status_code != 404,
        any(item["slug"] == slug for item in api["results"]),
        slug in client.get("/offers", query_string={"q": word}).get_data(as_text=True),
        slug in client.get("/partners/experimenta").get_data(as_text=True),
        slug in client.get("/").get_data(as_text=True),
    ]
    return any(found)


class FormReader(HTMLParser):
    """The values a browser would send for the offer form on a page (buttons aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: MultiDict = MultiDict()
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form" and "offer-form" in (attr.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = attr.get("name")
        if tag == "input" and name and attr.get("type") != "submit":
            if attr.get("type") in ("checkbox", "radio"):
                if "checked" in attr:
                    self.values.add(name, attr.get("value") or "y")
            else:
                self.values.add(name, attr.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.add(name, "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attr:
            self.values.add(self._select, attr.get("value") or "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            values = self.values.getlist(self._textarea)
            values[-1] += data
            self.values.setlist(self._textarea, values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            if self._textarea:
                # The browser drops the one newline that follows <textarea>.
                values = self.values.getlist(self._textarea)
                values[-1] = values[-1].removeprefix("\r").removeprefix("\n")
                self.values.setlist(self._textarea, values)
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_values(page: str) -> MultiDict:
    reader = FormReader()
    reader.feed(page)
    return reader.values


class MarkupReader(HTMLParser):
    """Everything in a page that would run: scripts, event handlers, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.executable: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.executable.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.executable.append(f"<{tag} {name}={value}>")
        # The site's own script file is the only script a page may have.
        if tag == "script" and dict(attrs).get("src") != "/static/app.js":
            self.executable.append("<script>")


def executable_markup(html: str) -> list[str]:
    reader = MarkupReader()
    reader.feed(html)
    return reader.executable


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def partner(app: Flask) -> FlaskClient:
    """A client logged in as the demo partner (experimenta) on the test's own catalogue."""
    return log_in(app.test_client(), PARTNER)


@pytest.fixture
def other_partner(app: Flask) -> FlaskClient:
    """A user of another partner, logged in on a client of its own."""
    with app.app_context():
        partner = db.session.execute(
            select(Partner).where(Partner.slug == OTHER_PARTNER)
        ).scalar_one()
        user = accounts.create_user(db.session, OTHER, "partner", partner)
        accounts.set_password(user, OTHER_PASSWORD)
        db.session.commit()
    return log_in(app.test_client(), OTHER, OTHER_PASSWORD)


@pytest.fixture
def seeded_partner(seeded_app: Flask) -> FlaskClient:
    """The demo partner on the shared catalogue, for requests that change nothing."""
    return log_in(seeded_app.test_client(), PARTNER)


# -- the list, the form, the preview ------------------------------------------------------------


def test_a_draft_with_every_field_is_saved_listed_and_previewed(
    app: Flask, partner: FlaskClient
) -> None:
    slug = create(partner)
    with app.test_request_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        record = offers.offer_record(offer)
        assert offer.status == "draft"
        assert offer.partner.slug == "experimenta"
        assert [t.to_status for t in offer.transitions] == ["draft"]
    assert record["title"] == "Roboter bauen in den Herbstferien"
    assert record["stages"] == ["primary", "lower-secondary"]
    assert set(record["subjects"]) == {"robotics", "programming"}
    assert record["formats"] == ["workshop", "holiday-programme"]
    assert record["audiences"] == ["participants"]
    assert (record["age_min"], record["age_max"]) == (8, 12)
    assert (record["mode"], record["district"], record["municipality"]) == (
        "on-site",
        "heilbronn-county",
        "Neckarsulm",
    )
    assert record["venue"] == "Bildungshaus, Raum 3"
    assert record["address"] == "Marktstraße 1, 74172 Neckarsulm"
    assert (record["lat"], record["lon"]) == (49.1927, 9.2245)
    assert record["schedule"] == {
        "kind": "dated",
        "sessions": [
            {"start": "2027-10-26T09:00:00+02:00", "end": "2027-10-26T15:00:00+02:00"},
            {"start": "2027-10-27T09:00:00+02:00", "end": "2027-10-27T15:00:00+02:00"},
            # Over two days: 30 October 2027 is still summer time.
            {"start": "2027-10-29T17:00:00+02:00", "end": "2027-10-30T12:00:00+02:00"},
        ],
        "description": "Mittags gibt es ein Vesper.",
    }
    assert record["registration_deadline"] == "2027-10-15"
    assert (record["group_size_min"], record["group_size_max"]) == (6, 14)
    assert record["cost"] == {"free": False, "price_eur": 25.5, "note": "inklusive Material"}
    assert record["languages"] == ["de", "en"]
    assert record["accessibility_note"] == "Barrierefreier Zugang, Aufzug vorhanden."
    assert record["registration_url"] == "https://example.org/anmeldung"
    assert record["contact_email"] == "robotik@example.org"
    assert record["contact_phone"] == "07132 / 12345-0"
    assert record["demo"] is False

    listing = partner.get("/partner/").get_data(as_text=True)
    assert "Roboter bauen in den Herbstferien" in listing
    assert "Entwurf" in listing
    assert f'action="/partner/offers/{slug}/submit"' in listing

    preview = partner.get(f"/partner/offers/{slug}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<h3>Ablauf</h3>" in page and "<strong>Mitbringen:</strong>" in page
    assert "25,50" in page and "inklusive Material" in page
    assert "Neckarsulm" in page and "Bildungshaus, Raum 3" in page
    assert "8–12 Jahre" in page
    assert "Verlauf" in page and "angelegt als „Entwurf“" in page


def test_the_list_shows_every_status_in_german_with_the_editors_reasons(
    app: Flask, partner: FlaskClient
) -> None:
    draft = create(partner, title="Noch ein Entwurf")
    rejected = create(partner, title="Abgelehntes Angebot", action="submit")
    reject(app, rejected, "Bitte die Zielgruppe genauer angeben.")
    submitted = create(partner, title="Eingereichtes Angebot", action="submit")
    own = slugs_by_status(app, own=True)
    live = own["published"]
    assert post(partner, f"/partner/offers/{live}/edit", offer_form(title="Neu")).status_code == 302
    assert post(partner, f"/partner/offers/{live}/submit").status_code == 302
    reject(app, live, "Der neue Titel ist zu knapp.")
    withdrawn = published_slug(app, exclude=live)
    assert post(partner, f"/partner/offers/{withdrawn}/withdraw").status_code == 302

    page = partner.get("/partner/").get_data(as_text=True)
    for status, label in (
        ("draft", "Entwurf"),
        ("submitted", "In Prüfung"),
        ("published", "Veröffentlicht"),
        ("rejected", "Abgelehnt"),
        ("withdrawn", "Zurückgezogen"),
        ("archived", "Archiviert"),
    ):
        assert f'<span class="badge badge-status-{status}">{label}</span>' in page, status
    assert "Bitte die Zielgruppe genauer angeben." in page
    assert "Änderung abgelehnt: Der neue Titel ist zu knapp." in page
    actions = set(re.findall(r'action="/partner/offers/([a-z0-9-]+)/(submit|withdraw)"', page))
    assert {(draft, "submit"), (rejected, "submit"), (live, "withdraw")} <= actions
    assert not {(submitted, "submit"), (withdrawn, "withdraw"), (own["archived"], "submit")} & (
        actions
    )


def test_a_published_offer_with_an_edit_in_review_says_so(app: Flask, partner: FlaskClient) -> None:
    live = published_slug(app)
    response = post(partner, f"/partner/offers/{live}/edit", offer_form(action="submit"))
    assert response.status_code == 302
    page = partner.get("/partner/").get_data(as_text=True)
    assert "Änderung in Prüfung" in page


def test_the_form_offers_every_field_accessibly(seeded_partner: FlaskClient) -> None:
    page = seeded_partner.get("/partner/offers/new").get_data(as_text=True)
    for name in (
        "title", "summary", "description", "stages", "subjects", "formats", "audiences",
        "age_min", "age_max", "mode", "district", "municipality", "venue", "address", "lat",
        "lon", "schedule_kind", "sessions-0-start_date", "sessions-2-end_time", "first_date",
        "first_time", "duration_minutes", "frequency", "weekdays", "until", "custom_rrule",
        "schedule_description", "registration_deadline", "group_size_min", "group_size_max",
        "free", "price_eur", "cost_note", "languages", "accessibility_note",
        "registration_url", "contact_email", "contact_phone",
    ):  # fmt: skip
        assert f'name="{name}"' in page, name
    assert "sessions-3-start_date" not in page
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', page)) - {"csrf_token"}
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    assert ids and ids <= labelled
    assert page.count("<legend>") >= 12
    assert '<option value="Eppingen">' in page
    assert 'class="check check-child"' in page
    assert 'name="action" value="save"' in page
    assert 'name="action" value="submit"' in page
    assert "<script" not in page.split("</head>")[1]


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        (
            {"age_min": "12", "age_max": "8"},
            "age_max",
            "Das Höchstalter muss mindestens so groß sein wie das Mindestalter.",
        ),
        ({"title": ""}, "title", "Bitte geben Sie einen Titel an."),
        (
            {"price_eur": ""},
            "price_eur",
            "Bitte geben Sie einen Preis an oder kreuzen Sie „kostenlos“ an.",
        ),
        (
            {"registration_url": "javascript:alert(1)"},
            "registration_url",
            "Bitte eine Webadresse, die mit http:// oder https:// beginnt.",
        ),
        ({"summary": "x" * 301}, "summary", "Die Kurzbeschreibung hat höchstens 300 Zeichen."),
        ({"stages": None}, "stages-0", "Bitte wählen Sie mindestens eine Stufe."),
        ({"age_min": "zwölf"}, "age_min", "Bitte eine ganze Zahl."),
        ({"district": ""}, "district", "Bitte wählen Sie die Region."),
        ({"price_eur": "NaN"}, "price_eur", "Bitte eine Zahl angeben."),
        ({"lat": "Infinity"}, "lat", "Bitte eine Zahl angeben."),
        ({"lon": "Ost"}, "lon", "Bitte eine Zahl angeben."),
        ({"lat": "91"}, "lat", "Ein Breitengrad liegt zwischen -90 und 90."),
        ({"sessions-0-start_date": "0001-01-01"}, "sessions-0-start_date",
         "Bitte ein Datum zwischen 2000 und 2100."),
        ({"registration_deadline": "morgen"}, "registration_deadline",
         "Bitte ein Datum wie 26.10.2027."),
        ({"group_size_min": "20", "group_size_max": "10"}, "group_size_max",
         "Die größte Gruppe muss mindestens so groß sein wie die kleinste."),
        ({"subjects": ["robotics", "alchemy"]}, "subjects-0", "Diese Auswahl gibt es nicht"),
        ({"contact_email": "keine Adresse"}, "contact_email", "Bitte eine E-Mail-Adresse"),
        (
            {"sessions-1-start_time": "", "sessions-1-end_time": ""},
            "sessions-1-start_time",
            "Bitte geben Sie an, wann der Termin beginnt.",
        ),
        ({"sessions-0-end_time": "08:00"}, "sessions-0-end_time", "Das Ende liegt vor dem Beginn."),
        (
            EMPTY_SESSION_ROWS,
            "sessions-0-start_date",
            "Bitte geben Sie mindestens einen Termin an.",
        ),
        (
            {"schedule_kind": "recurring", "first_date": "2027-04-14", "first_time": "14:30",
             "duration_minutes": "90", "weekdays": ["MO"], "until": "2027-07-21"},
            "weekdays-0",
            "Der erste Termin muss auf einen der gewählten Wochentage fallen.",
        ),
        (
            {"schedule_kind": "recurring", "first_date": "2027-04-14", "first_time": "14:30",
             "duration_minutes": "90", "schedule_description": ""},
            "schedule_description",
            "Bitte beschreiben Sie die Termine in Worten",
        ),
        (
            {"schedule_kind": "recurring", "first_date": "2027-04-14", "first_time": "14:30",
             "duration_minutes": "90", "frequency": "custom", "custom_rrule": "FREQ=SOMETIMES"},
            "custom_rrule",
            "Das ist keine gültige Regel nach RFC 5545",
        ),
    ],
)  # fmt: skip
def test_mistakes_are_explained_in_german_next_to_the_field_and_the_input_stays(
    seeded_app: Flask,
    seeded_partner: FlaskClient,
    changes: dict[str, Any],
    field_id: str,
    message: str,
) -> None:
    before = catalogue_counts(seeded_app)
    data = offer_form(venue="Bildungshaus <Mitte>", **changes)
    response = post(seeded_partner, "/partner/offers/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    # The message sits with its field, which points at it, and the summary links to the field.
    error_id = f"{field_id.removesuffix('-0')}-error"
    assert f'id="{error_id}"' in page
    assert f'href="#{field_id}"' in page
    if not field_id.endswith("-0"):
        field = re.search(rf'<(?:input|select|textarea)[^>]* id="{field_id}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field
        assert error_id in field
    # Everything else that was typed is still there, exactly as typed.
    values = form_values(page)
    for name, value in data.items():
        if name not in changes and name != "action":
            typed = sorted(value) if isinstance(value, list) else [value]
            assert sorted(values.getlist(name)) == typed, name
    assert 'value="Bildungshaus &lt;Mitte&gt;"' in page
    assert catalogue_counts(seeded_app) == before


@pytest.mark.parametrize(
    ("problem", "anchor"),
    [
        ("title", "title"),
        ("cost.price_eur", "price_eur"),
        ("cost.note", "cost_note"),
        # Row 2 is left empty: the record's sessions are the filled rows, counted from 1.
        ("schedule.sessions[1].start", "sessions-0-start_date"),
        ("schedule.sessions[2].end", "sessions-2-end_time"),
        ("schedule.sessions", "sessions-0-start_date"),
        ("schedule.first_start", "first_date"),
        ("schedule.rrule", "frequency-0"),
        ("subjects", "subjects-0"),
        ("partner", None),
        ("schedule.sessions[3].start", None),
    ],
)
def test_the_record_rules_findings_land_next_to_their_fields(
    seeded_app: Flask, problem: str, anchor: str | None
) -> None:
    """The rules every offer meets (`validate_record`) speak in record field names; the form
    shows each finding at its own field, and anything without a field above the form."""
    data = offer_form(**{"sessions-1-start_date": "", "sessions-1-start_time": "",
                         "sessions-1-end_time": ""})  # fmt: skip
    with seeded_app.test_request_context("/partner/offers/new", method="POST", data=data):
        form = OfferForm(meta={"csrf": False})
        assert form.validate(), form.errors
        form.add_record_problems([(problem, "passt nicht")])
        summary = form.error_summary()
    if anchor is None:
        assert summary == []
        assert len(form.form_errors) == 1 and problem in str(form.form_errors[0])
    else:
        assert [(found, message) for found, _label, message in summary] == [(anchor, "passt nicht")]
        assert form.form_errors == []


def test_a_new_offer_can_be_submitted_at_once_and_then_nothing_of_it_is_public(
    app: Flask, partner: FlaskClient
) -> None:
    client = app.test_client()
    slug = create(partner, title="Zauberwürfel-Werkstatt", action="submit")
    offer = get_offer(app, slug=slug)
    assert offer.status == "submitted"
    assert not is_public(client, slug, "Zauberwürfel")
    page = partner.get(f"/partner/offers/{slug}").get_data(as_text=True)
    assert "In Prüfung – Änderungen sind nach der Entscheidung möglich." in page


def test_a_draft_is_submitted_with_its_button(app: Flask, partner: FlaskClient) -> None:
    slug = create(partner)
    response = post(partner, f"/partner/offers/{slug}/submit", {"back": "index"})
    assert response.status_code == 302 and response.headers["Location"] == "/partner/"
    assert get_offer(app, slug=slug).status == "submitted"
    # Twice is no error and no second transition.
    transitions = offer_facts(app, slug)["transitions"]
    post(partner, f"/partner/offers/{slug}/submit")
    assert offer_facts(app, slug)["transitions"] == transitions


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "withdrawn"])
def test_offers_that_are_not_published_appear_nowhere_public(
    app: Flask, partner: FlaskClient, status: str
) -> None:
    slug = create(
        partner, title="Zauberwürfel-Werkstatt", action="submit" if status != "draft" else "save"
    )
    if status == "rejected":
        reject(app, slug, "Noch nicht.")
    if status == "withdrawn":
        approve(app, slug)
        assert is_public(app.test_client(), slug, "Zauberwürfel")
        assert post(partner, f"/partner/offers/{slug}/withdraw").status_code == 302
    assert get_offer(app, slug=slug).status == status
    assert not is_public(app.test_client(), slug, "Zauberwürfel")


def test_editing_a_draft_changes_it_and_keeps_its_slug(app: Flask, partner: FlaskClient) -> None:
    slug = create(partner)
    page = partner.get(f"/partner/offers/{slug}/edit").get_data(as_text=True)
    values = form_values(page)
    assert values["title"] == "Roboter bauen in den Herbstferien"
    values["title"] = "Roboter bauen in den Winterferien"
    values["action"] = "save"
    response = partner.post(f"/partner/offers/{slug}/edit", data=values)
    assert response.status_code == 302
    offer = get_offer(app, slug=slug)
    assert offer.title == "Roboter bauen in den Winterferien"
    assert offer.status == "draft"


def test_saving_sessions_offers_three_more_empty_rows(app: Flask, partner: FlaskClient) -> None:
    slug = create(partner)
    page = partner.get(f"/partner/offers/{slug}/edit").get_data(as_text=True)
    assert 'id="sessions-5-start_date"' in page
    assert 'id="sessions-6-start_date"' not in page
    values = form_values(page)
    values["sessions-3-start_date"] = "2027-11-02"
    values["sessions-3-start_time"] = "10:00"
    values["sessions-5-start_date"] = "2027-11-03"
    values["sessions-5-start_time"] = "10:00"
    values["action"] = "save"
    assert partner.post(f"/partner/offers/{slug}/edit", data=values).status_code == 302
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        assert len(offer.sessions) == 5
    page = partner.get(f"/partner/offers/{slug}/edit").get_data(as_text=True)
    assert 'id="sessions-7-start_date"' in page
    assert 'id="sessions-8-start_date"' not in page


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (
            {"first_date": "2027-04-14", "weekdays": ["WE"], "until": "2027-07-21"},
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;UNTIL=20270721T215959Z",
        ),
        (
            {"first_date": "2027-01-15", "frequency": "biweekly", "until": "2027-03-26"},
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;UNTIL=20270326T225959Z",
        ),
        (
            {"first_date": "2027-06-07", "weekdays": ["WE", "MO"], "until": "2027-07-28"},
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;UNTIL=20270728T215959Z",
        ),
        ({"first_date": "2027-01-06", "frequency": "monthly"},
         "FREQ=MONTHLY;INTERVAL=1;BYDAY=1WE"),
        ({"first_date": "2027-03-31", "frequency": "monthly"},
         "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1WE"),
        (
            {"first_date": "2027-01-12", "frequency": "custom",
             "custom_rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=10"},
            "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        ),
    ],
)  # fmt: skip
def test_a_recurring_schedule_becomes_an_rfc_5545_rule_with_until_in_utc(
    app: Flask, partner: FlaskClient, choice: dict[str, Any], expected: str
) -> None:
    slug = create(
        partner,
        schedule_kind="recurring",
        first_time="16:30",
        duration_minutes="90",
        schedule_description="mittwochs 16:30–18:00 Uhr",
        **choice,
    )
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        assert offer.sessions == []
    offer = get_offer(app, slug=slug)
    assert offer.schedule_kind == "recurring"
    assert offer.rrule == expected
    assert offer.duration_minutes == 90
    # The first start is stored in UTC: 16:30 in Berlin.
    assert offer.recurrence_start.strftime("%H:%M") in ("14:30", "15:30")
    # Opened again, the form shows the same choice.
    values = form_values(partner.get(f"/partner/offers/{slug}/edit").get_data(as_text=True))
    for name, value in choice.items():
        wanted = sorted(value) if isinstance(value, list) else [value]
        assert sorted(values.getlist(name)) == wanted, name


def test_an_on_request_offer_needs_no_dates(app: Flask, partner: FlaskClient) -> None:
    slug = create(
        partner,
        schedule_kind="on-request",
        schedule_description="Dienstag bis Freitag vormittags",
        free="y",
        price_eur="",
        **EMPTY_SESSION_ROWS,
    )
    offer = get_offer(app, slug=slug)
    assert offer.schedule_kind == "on-request"
    assert offer.schedule_note == "Dienstag bis Freitag vormittags"
    assert offer.is_free and offer.price_eur is None


def test_opening_and_saving_any_offer_changes_none_of_its_content(app: Flask) -> None:
    """Every demo offer, whatever its schedule (COUNT rules, sessions over several days, "last
    Wednesday" …), goes through its partner's form unchanged."""
    with app.test_request_context():
        rows = db.session.execute(
            select(Offer, Partner.slug)
            .join(Offer.partner)
            .where(Offer.status.in_((*offers.DIRECTLY_EDITABLE, "published")))
        ).all()
        before = {offer.slug: offers.offer_record(offer) for offer, _ in rows}
        owners = {offer.slug: partner_slug for offer, partner_slug in rows}
        for partner_slug in set(owners.values()):
            partner = db.session.execute(
                select(Partner).where(Partner.slug == partner_slug)
            ).scalar_one()
            accounts.create_user(db.session, f"{partner_slug}@example.org", "partner", partner)
        db.session.commit()
    assert len(before) > 50
    clients = {
        partner_slug: log_in_by_session(app, app.test_client(), f"{partner_slug}@example.org")
        for partner_slug in set(owners.values())
    }
    for slug, partner_slug in owners.items():
        client = clients[partner_slug]
        values = form_values(client.get(f"/partner/offers/{slug}/edit").get_data(as_text=True))
        values["action"] = "save"
        response = client.post(f"/partner/offers/{slug}/edit", data=values)
        errors = re.findall(r'class="field-error"[^>]*>(.*?)</p>', response.get_data(as_text=True))
        assert response.status_code == 302, (slug, errors)

    with app.test_request_context():
        vocabulary = load_vocabulary()
        partner_slugs = set(owners.values())
        for slug, old_record in before.items():
            offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
            # A live offer's edit is a revision: the record it would be published with.
            new_record = {**offers.offer_record(offer), "partner": owners[slug]}
            old, new = (
                validate_record(record, vocabulary, partner_slugs)
                for record in (old_record, new_record)
            )
            for key in ("slug", "status", "last_verified", "is_demo", "schedule"):
                del old[key], new[key]
            assert new == old, slug
            old_schedule, new_schedule = old_record["schedule"], new_record["schedule"]
            # Rules may be written differently (INTERVAL=1, UNTIL at midnight in Berlin) but
            # must give the same dates.
            assert {**new_schedule, "rrule": None} == {**old_schedule, "rrule": None}, slug
            if old_schedule["kind"] == "recurring":
                first = dt.datetime.fromisoformat(old_schedule["first_start"])
                assert list(islice(parse_rrule(new_schedule["rrule"], first), 300)) == list(
                    islice(parse_rrule(old_schedule["rrule"], first), 300)
                ), slug


# -- live offers: edits, withdrawal, copies ------------------------------------------------------


def test_an_edit_of_a_published_offer_waits_for_review_while_the_old_text_stays(
    app: Flask, partner: FlaskClient
) -> None:
    client = app.test_client()
    slug = published_slug(app)
    old_title = get_offer(app, slug=slug).title
    page = partner.get(f"/partner/offers/{slug}/edit").get_data(as_text=True)
    assert (
        "Die veröffentlichte Fassung bleibt sichtbar, bis die Redaktion Ihre Änderung freigibt."
        in page
    )
    values = form_values(page)
    values["title"] = "Nacht der Zwielichtkunde"
    values["action"] = "submit"
    assert partner.post(f"/partner/offers/{slug}/edit", data=values).status_code == 302

    offer = get_offer(app, slug=slug)
    assert offer.status == "published" and offer.title == old_title
    with app.app_context():
        revision = db.session.execute(
            select(OfferRevision).where(OfferRevision.offer_id == offer.id)
        ).scalar_one()
        assert revision.status == "submitted"
        assert revision.data["title"] == "Nacht der Zwielichtkunde"
    public = client.get(f"/offers/{slug}").get_data(as_text=True)
    assert old_title.replace("&", "&amp;") in public and "Zwielichtkunde" not in public
    assert client.get(f"/api/v1/offers/{slug}").get_json()["title"] == old_title
    assert client.get("/api/v1/offers?q=Zwielichtkunde").get_json()["total"] == 0
    preview = partner.get(f"/partner/offers/{slug}").get_data(as_text=True)
    assert "Nacht der Zwielichtkunde" in preview and "Veröffentlichte Fassung" in preview
    assert "Änderung in Prüfung" in preview

    approve(app, slug)
    assert "Nacht der Zwielichtkunde" in client.get(f"/offers/{slug}").get_data(as_text=True)
    assert client.get("/api/v1/offers?q=Zwielichtkunde").get_json()["total"] == 1
    # The demo flag and the editors' last check survive a partner's edit.
    offer = get_offer(app, slug=slug)
    assert offer.is_demo and offer.last_verified is not None


def test_an_edit_saved_as_draft_is_submitted_with_the_button(
    app: Flask, partner: FlaskClient
) -> None:
    slug = published_slug(app)
    assert post(partner, f"/partner/offers/{slug}/edit", offer_form()).status_code == 302
    page = partner.get("/partner/").get_data(as_text=True)
    assert f'action="/partner/offers/{slug}/submit"' in page
    assert post(partner, f"/partner/offers/{slug}/submit").status_code == 302
    with app.app_context():
        statuses = db.session.execute(select(OfferRevision.status)).scalars().all()
    assert statuses == ["submitted"]
    assert get_offer(app, slug=slug).status == "published"


def test_withdrawing_a_published_offer_takes_it_off_every_public_list(
    app: Flask, partner: FlaskClient
) -> None:
    client = app.test_client()
    slug = published_slug(app)
    title = get_offer(app, slug=slug).title
    word = title.split()[0]
    assert is_public(client, slug, word)
    response = post(partner, f"/partner/offers/{slug}/withdraw", {"back": "index"})
    assert response.status_code == 302
    assert get_offer(app, slug=slug).status == "withdrawn"
    assert not is_public(client, slug, word)
    with app.app_context():
        drift = indexing.check_index()
    assert drift.total == 0 and drift.pending == 0
    page = partner.get("/partner/").get_data(as_text=True)
    assert "Zurückgezogen" in page


def test_only_published_offers_can_be_withdrawn(app: Flask, partner: FlaskClient) -> None:
    slug = create(partner)
    response = post(partner, f"/partner/offers/{slug}/withdraw")
    assert response.status_code == 302
    assert get_offer(app, slug=slug).status == "draft"
    page = partner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nur veröffentlichte Angebote können zurückgezogen werden." in page


def test_duplicating_makes_a_new_draft_named_kopie(app: Flask, partner: FlaskClient) -> None:
    slug = published_slug(app)
    original = get_offer(app, slug=slug)
    response = post(partner, f"/partner/offers/{slug}/duplicate")
    assert response.status_code == 302
    copy_slug = re.fullmatch(r"/partner/offers/([a-z0-9-]+)/edit", response.headers["Location"])
    copy = get_offer(app, slug=copy_slug.group(1))
    assert copy.title == f"{original.title} (Kopie)"
    assert copy.status == "draft" and copy.partner_id == original.partner_id
    assert copy.slug != original.slug and copy.slug.endswith("kopie")
    assert not copy.is_demo and copy.last_verified is None
    assert copy.summary == original.summary and copy.age_min == original.age_min
    assert get_offer(app, slug=slug).status == "published"


def test_a_submitted_offer_is_read_only_until_the_decision(
    app: Flask, partner: FlaskClient
) -> None:
    slug = create(partner, action="submit")
    page = partner.get(f"/partner/offers/{slug}/edit").get_data(as_text=True)
    assert "In Prüfung – Änderungen sind nach der Entscheidung möglich." in page
    assert 'name="title"' not in page
    before = offer_facts(app, slug)
    response = post(partner, f"/partner/offers/{slug}/edit", offer_form(title="Heimlich geändert"))
    assert response.status_code == 302
    assert offer_facts(app, slug) == before


def test_a_rejected_offer_is_edited_and_submitted_again(app: Flask, partner: FlaskClient) -> None:
    slug = create(partner, action="submit")
    reject(app, slug, "Bitte ein Foto der Anleitung weglassen.")
    page = partner.get(f"/partner/offers/{slug}/edit").get_data(as_text=True)
    assert "Bitte ein Foto der Anleitung weglassen." in page
    response = post(
        partner, f"/partner/offers/{slug}/edit", offer_form(title="Überarbeitet", action="submit")
    )
    assert response.status_code == 302
    offer = get_offer(app, slug=slug)
    assert (offer.status, offer.title, offer.slug) == ("submitted", "Überarbeitet", slug)


# -- who may do what -----------------------------------------------------------------------------

# Every route of the partner area for one offer: (method, path).
OFFER_ROUTES = [
    ("GET", "/partner/offers/{slug}"),
    ("GET", "/partner/offers/{slug}/edit"),
    ("POST", "/partner/offers/{slug}/edit"),
    ("POST", "/partner/offers/{slug}/submit"),
    ("POST", "/partner/offers/{slug}/withdraw"),
    ("POST", "/partner/offers/{slug}/duplicate"),
]
ALL_ROUTES = [("GET", "/partner/"), ("GET", "/partner/offers/new"), ("POST", "/partner/offers/new")]
ALL_ROUTES += OFFER_ROUTES


def slugs_by_status(app: Flask, *, own: bool) -> dict[str, str]:
    """status -> slug of one demo offer in that status, of experimenta (`own`) or of others."""
    with app.app_context():
        mine = Partner.slug == "experimenta"
        rows = db.session.execute(
            select(Offer.status, Offer.slug)
            .join(Offer.partner)
            .where(mine if own else ~mine)
            .order_by(Offer.id)
        ).all()
    found: dict[str, str] = {}
    for status, slug in rows:
        found.setdefault(status, slug)
    return found


def request_as(client: FlaskClient, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return post(client, url, offer_form(title="Übernommen", action="submit"))


@pytest.mark.parametrize(("method", "path"), OFFER_ROUTES)
def test_a_partner_gets_404_for_another_partners_offers_in_every_status(
    seeded_app: Flask, seeded_partner: FlaskClient, method: str, path: str
) -> None:
    others = slugs_by_status(seeded_app, own=False)
    assert set(others) == {"draft", "submitted", "published", "rejected", "withdrawn", "archived"}
    for slug in others.values():
        before, counts = offer_facts(seeded_app, slug), catalogue_counts(seeded_app)
        response = request_as(seeded_partner, method, path.format(slug=slug))
        assert response.status_code == 404, (slug, response.status_code)
        assert before["record"]["title"] not in response.get_data(as_text=True)
        assert offer_facts(seeded_app, slug) == before
        assert catalogue_counts(seeded_app) == counts
    listing = seeded_partner.get("/partner/").get_data(as_text=True)
    assert not any(slug in listing for slug in others.values())


def test_a_second_partners_drafts_are_out_of_reach_by_any_route(
    app: Flask, partner: FlaskClient, other_partner: FlaskClient
) -> None:
    draft = create(other_partner, title="Entwurf der Hochschule", action="save")
    submitted = create(other_partner, title="Eingereicht von der Hochschule", action="submit")
    for slug in (draft, submitted):
        for method, path in OFFER_ROUTES:
            before, counts = offer_facts(app, slug), catalogue_counts(app)
            response = request_as(partner, method, path.format(slug=slug))
            assert response.status_code == 404, (method, path, response.status_code)
            assert "Hochschule" not in response.get_data(as_text=True)
            assert offer_facts(app, slug) == before
            assert catalogue_counts(app) == counts
        # The offer's own partner reaches it.
        assert other_partner.get(f"/partner/offers/{slug}").status_code == 200
    listing = partner.get("/partner/").get_data(as_text=True)
    assert "Hochschule" not in listing
    assert "Entwurf der Hochschule" in other_partner.get("/partner/").get_data(as_text=True)


@pytest.mark.parametrize(
    "smuggled",
    [
        {"status": "published"},
        {"partner_id": "{other_id}"},
        {"partner": OTHER_PARTNER},
        {"status": "published", "partner_id": "{other_id}", "partner": OTHER_PARTNER,
         "slug": "fremder-slug", "demo": "true", "last_verified": "2030-01-01"},
    ],
)  # fmt: skip
def test_posted_status_and_partner_fields_are_ignored(
    app: Flask, partner: FlaskClient, smuggled: dict[str, str]
) -> None:
    with app.app_context():
        other_id = db.session.execute(
            select(Partner.id).where(Partner.slug == OTHER_PARTNER)
        ).scalar_one()
        own_id = db.session.execute(
            select(Partner.id).where(Partner.slug == "experimenta")
        ).scalar_one()
    fields = {key: value.format(other_id=other_id) for key, value in smuggled.items()}
    slug = create(partner, **fields)
    offer = get_offer(app, slug=slug)
    assert (offer.status, offer.partner_id) == ("draft", own_id)
    assert offer.slug != "fremder-slug" and not offer.is_demo and offer.last_verified is None

    live = published_slug(app)
    response = post(partner, f"/partner/offers/{live}/edit", offer_form(**fields))
    assert response.status_code == 302
    offer = get_offer(app, slug=live)
    assert (offer.status, offer.partner_id) == ("published", own_id)
    with app.app_context():
        revision = db.session.execute(select(OfferRevision)).scalar_one()
        assert revision.status == "draft" and revision.data["partner"] == "experimenta"


@pytest.mark.parametrize(("method", "path"), ALL_ROUTES)
def test_anonymous_users_are_sent_to_the_login(seeded_app: Flask, method: str, path: str) -> None:
    client = seeded_app.test_client()
    slug = published_slug(seeded_app)
    url = path.format(slug=slug)
    if method == "GET":
        response = client.get(url)
    else:
        # A valid token of this browser's session, as after the login session ended.
        log_in(client, PARTNER)
        token = csrf_token(client)
        with client.session_transaction() as session:
            session.pop("_user_id", None)
        before = catalogue_counts(seeded_app)
        response = client.post(url, data={**offer_form(), "csrf_token": token})
        assert catalogue_counts(seeded_app) == before
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert url.replace("/", "%2F") in response.headers["Location"]


@pytest.mark.parametrize(("method", "path"), ALL_ROUTES)
def test_editors_use_the_moderation_area_not_the_partner_area(
    seeded_app: Flask, method: str, path: str
) -> None:
    editor = log_in(seeded_app.test_client(), EDITOR)
    url = path.format(slug=published_slug(seeded_app))
    before = catalogue_counts(seeded_app)
    response = editor.get(url) if method == "GET" else post(editor, url, offer_form())
    assert response.status_code == 403
    assert catalogue_counts(seeded_app) == before


def test_partners_cannot_reach_the_moderation_area(seeded_partner: FlaskClient) -> None:
    assert seeded_partner.get("/moderation/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/partner/offers/new",
        "/partner/offers/{slug}/edit",
        "/partner/offers/{slug}/submit",
        "/partner/offers/{slug}/withdraw",
        "/partner/offers/{slug}/duplicate",
    ],
)
@pytest.mark.parametrize("token", [None, "", "abgelaufen-oder-gefälscht"])
def test_every_post_without_a_valid_csrf_token_answers_400_and_changes_nothing(
    seeded_app: Flask, seeded_partner: FlaskClient, path: str, token: str | None
) -> None:
    own = slugs_by_status(seeded_app, own=True)
    for slug in (own["published"], own["submitted"]):
        before, counts = offer_facts(seeded_app, slug), catalogue_counts(seeded_app)
        data = offer_form(title="Ohne Token gespeichert", action="submit")
        if token is not None:
            data["csrf_token"] = token
        response = seeded_partner.post(path.format(slug=slug), data=data)
        assert response.status_code == 400
        assert CSRF_EXPIRED in response.get_data(as_text=True)
        assert offer_facts(seeded_app, slug) == before
        assert catalogue_counts(seeded_app) == counts


@pytest.mark.parametrize("path", ["/partner/offers/new", "/partner/offers/{slug}/edit"])
def test_an_offer_form_with_an_expired_token_comes_back_with_everything_typed(
    app: Flask, partner: FlaskClient, path: str
) -> None:
    url = path.format(slug=create(partner))
    response = partner.post(
        url, data={**offer_form(title="Mühsam getippter Titel"), "csrf_token": "abgelaufen"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert CSRF_EXPIRED in page
    values = form_values(page)
    assert values["title"] == "Mühsam getippter Titel"
    assert values["venue"] == "Bildungshaus, Raum 3"
    assert values.getlist("subjects") == ["programming", "robotics"]
    assert values["sessions-2-end_date"] == "2027-10-30"
    assert values["price_eur"] == "25,50"
    # Sent again with the page's new token, it is saved.
    response = partner.post(url, data=values)
    assert response.status_code == 302
    assert get_offer(app, title="Mühsam getippter Titel") is not None


def test_another_partners_form_is_not_shown_for_an_expired_token(
    app: Flask, partner: FlaskClient, other_partner: FlaskClient
) -> None:
    slug = create(other_partner, title="Entwurf der Hochschule")
    response = partner.post(f"/partner/offers/{slug}/edit", data=offer_form(csrf_token="x"))
    assert response.status_code == 400
    assert 'name="title"' not in response.get_data(as_text=True)


# -- partner text never becomes markup -----------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
LINK = "[x](javascript:alert(1))"
ATTACKS = f"Quarkexperiment {SCRIPT} {IMAGE} {LINK}"


def test_script_and_html_in_every_text_field_stay_text_everywhere(
    app: Flask, partner: FlaskClient
) -> None:
    texts = {
        name: ATTACKS
        for name in (
            "title", "summary", "description", "venue", "address", "municipality",
            "cost_note", "accessibility_note", "schedule_description",
        )
    }  # fmt: skip
    slug = create(
        partner,
        registration_url='https://example.org/"><script>alert(1)</script>',
        contact_email='"><script>alert(1)</script>@example.org',
        action="submit",
        **texts,
    )
    preview = partner.get(f"/partner/offers/{slug}").get_data(as_text=True)
    assert executable_markup(preview) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview
    assert executable_markup(partner.get("/partner/").get_data(as_text=True)) == []
    assert (
        executable_markup(partner.get(f"/partner/offers/{slug}/edit").get_data(as_text=True)) == []
    )

    approve(app, slug)
    client = app.test_client()
    pages = {
        "detail": client.get(f"/offers/{slug}"),
        "search": client.get("/offers?q=Quarkexperiment"),
        "partner": client.get("/partners/experimenta"),
    }
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert slug in page, name
        assert executable_markup(page) == [], name
    detail = pages["detail"].get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in detail

    api = client.get(f"/api/v1/offers/{slug}")
    assert api.mimetype == "application/json"
    body = api.get_json()
    # Plain fields are text, for clients to escape; the only HTML the API sends is sanitised.
    assert body["title"] == ATTACKS
    assert executable_markup(body["description_html"]) == []
    for markup in ("<script", "<img", 'href="javascript:'):
        assert markup not in body["description_html"]
    search = client.get("/api/v1/offers?q=Quarkexperiment").get_json()
    assert [item["slug"] for item in search["results"]] == [slug]
    highlight = search["results"][0]["highlight"]
    assert "<mark>" in highlight
    assert "<script" not in highlight and "<img" not in highlight
    assert executable_markup(highlight) == []


def test_the_list_reads_its_offers_in_the_same_few_queries_however_many_there_are(
    app: Flask, partner: FlaskClient, query_count: Callable[[Callable[[], object]], int]
) -> None:
    """A member with hundreds of offers: the list must not ask the database once per offer."""

    def queries_for_the_list() -> int:
        answers = []
        count = query_count(lambda: answers.append(partner.get("/partner/")))
        assert answers[0].status_code == 200
        return count

    before = queries_for_the_list()
    # A request context: a submitted record carries the offer's public URL.
    with app.test_request_context():
        own = db.session.execute(
            select(Offer).join(Offer.partner).where(Partner.slug == "experimenta").limit(12)
        ).scalars()
        author = accounts.find_user(db.session, "partner@example.org")
        for offer in list(own):
            copy = offers.duplicate_offer(db.session, offer, author)
            offers.submit_offer(db.session, copy, author)
        db.session.commit()
    assert queries_for_the_list() == before
