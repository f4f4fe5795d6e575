"""The editors' review: queue, side-by-side review, approve and reject, history, stale offers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalogue import indexing, offers
from catalogue.extensions import db
from catalogue.models import MembershipApplication, Offer, OfferRevision, OfferTransition, User
from catalogue.timeutil import utcnow

EDITOR = "redaktion@example.org"
PARTNER = "partner@example.org"  # a user of experimenta
SALT = "vorschau-entwurf-experimenta-unterwegs-salz-und-sole-in-bad-rappenau"
INTERNSHIP = "vorschau-entwurf-technik-praktikum-in-betrieben-der-metall-und-elektroindustrie"
TOOL = "vorschau-entwurf-mint-staerken-online-testen-mit-dem-erkundungstool"
AMBASSADORS = "vorschau-entwurf-ausbildungsbotschafter-innen-im-klassenzimmer"
LIVE = "abend-in-der-experimenta-sternwarte-himmelsbeobachtung-fuer-astronomie-kurse"
NEW_TITLE = "Nacht der Zwielichtkunde in der experimenta-Sternwarte"
EDITORIAL = ("last_verified", "demo")


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/join").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page).group(1)


@pytest.fixture
def editor(app: Flask, log_in: Callable[[FlaskClient, str], FlaskClient]) -> FlaskClient:
    """A client of the test's own catalogue, logged in as the demo editor."""
    return log_in(app.test_client(), EDITOR)


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None):
    """A POST with the session's CSRF token, as the page's own form sends it."""
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})})


def offer_state(app: Flask, slug: str) -> tuple[str, str, int]:
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        return offer.status, offer.title, len(offer.transitions)


def found_titles(client: FlaskClient, q: str) -> dict[str, str]:
    """slug -> title of every published offer the API finds for `q`."""
    response = client.get("/api/v1/offers", query_string={"q": q, "per_page": 100})
    assert response.status_code == 200
    return {item["slug"]: item["title"] for item in response.get_json()["results"]}


def submit_revision(app: Flask, slug: str, **changes: str) -> None:
    """The offer's partner edits the live offer and submits the edit for review."""
    # A request context: the record carries the offer's public URL.
    with app.test_request_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        author = db.session.execute(select(User).where(User.email == PARTNER)).scalar_one()
        # Like the partner's form: without the fields only editors set.
        record = {
            **{k: v for k, v in offers.offer_record(offer).items() if k not in EDITORIAL},
            **changes,
        }
        offers.update_offer(db.session, offer, record, author)
        offers.submit_offer(db.session, offer, author)
        db.session.commit()


def set_waiting_since(app: Flask, slug: str, days_ago: int) -> None:
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        moment = utcnow() - dt.timedelta(days=days_ago)
        revision = offers.open_revision(offer)
        if offer.status == "submitted":
            for transition in offer.transitions:
                transition.created_at = moment
        else:
            revision.submitted_at = moment
        db.session.commit()


def test_queue_lists_submissions_oldest_first_with_kind_and_waiting_time(
    app: Flask, editor: FlaskClient
) -> None:
    submit_revision(app, LIVE, title=NEW_TITLE)
    for slug, days_ago in ((SALT, 1), (INTERNSHIP, 10), (TOOL, 3), (AMBASSADORS, 7), (LIVE, 5)):
        set_waiting_since(app, slug, days_ago)
    page = editor.get("/moderation/").get_data(as_text=True)
    order = re.findall(r'href="/moderation/offers/([a-z0-9-]+)"', page)
    assert order == [INTERNSHIP, AMBASSADORS, LIVE, TOOL, SALT]
    assert "(10 Tage)" in page and "(1 Tag)" in page
    assert page.count("Änderung einer veröffentlichten Fassung") == 1
    assert page.count("Neues Angebot") == 4
    assert f'Neuer Titel: <span lang="de">{NEW_TITLE}</span>' in page
    assert "experimenta gGmbH" in page


def test_queue_marks_an_offer_resubmitted_after_rejection(app: Flask, editor: FlaskClient) -> None:
    with app.app_context():
        offer = (
            db.session.execute(select(Offer).where(Offer.status == "rejected")).scalars().first()
        )
        user = db.session.execute(select(User).where(User.email == EDITOR)).scalar_one()
        offers.submit_offer(db.session, offer, user)
        db.session.commit()
        slug = offer.slug
    page = editor.get("/moderation/").get_data(as_text=True)
    assert "nach Ablehnung erneut eingereicht" in card_of(page, slug)
    assert "nach Ablehnung erneut eingereicht" not in card_of(page, SALT)


ROUTES = [
    ("get", "/moderation/"),
    ("get", f"/moderation/offers/{SALT}"),
    ("get", "/moderation/applications"),
    ("get", "/moderation/stale"),
    ("post", f"/moderation/offers/{SALT}/approve"),
    ("post", f"/moderation/offers/{SALT}/reject"),
    ("post", "/moderation/applications/1/accept"),
    ("post", "/moderation/applications/1/decline"),
]
# Valid for every POST above, so that only the access rule can refuse it.
DECISION = {"reason": "weil", "accept-1-cluster": "science-research", "decline-1-reason": "weil"}


# These run on the shared demo catalogue: nothing they do may change it, which they check.
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_partners_are_refused_every_moderation_route(
    seeded_app: Flask, log_in: Callable[[FlaskClient, str], FlaskClient], method: str, path: str
) -> None:
    client = log_in(seeded_app.test_client(), PARTNER)
    before = offer_state(seeded_app, SALT)
    response = post(client, path, DECISION) if method == "post" else client.get(path)
    assert response.status_code == 403
    assert offer_state(seeded_app, SALT) == before


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_anonymous_users_are_sent_to_the_login(
    seeded_app: Flask, client: FlaskClient, method: str, path: str
) -> None:
    before = offer_state(seeded_app, SALT)
    response = post(client, path, DECISION) if method == "post" else client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert offer_state(seeded_app, SALT) == before


def test_approve_publishes_and_the_offer_is_found_at_once(app: Flask, editor: FlaskClient) -> None:
    assert SALT not in found_titles(editor, "Sole")
    response = post(editor, f"/moderation/offers/{SALT}/approve")
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/"
    assert "ist freigegeben" in editor.get("/moderation/").get_data(as_text=True)
    assert SALT in found_titles(editor, "Sole")
    assert editor.get(f"/offers/{SALT}").status_code == 200
    with app.app_context():
        drift = indexing.check_index()
        assert (drift.total, drift.pending) == (0, 0)
        offer = db.session.execute(select(Offer).where(Offer.slug == SALT)).scalar_one()
        last = offer.transitions[-1]
        assert (last.from_status, last.to_status, last.actor.email) == (
            "submitted",
            "published",
            EDITOR,
        )


def test_approving_twice_says_there_is_nothing_left(app: Flask, editor: FlaskClient) -> None:
    post(editor, f"/moderation/offers/{SALT}/approve")
    before = offer_state(app, SALT)
    response = post(editor, f"/moderation/offers/{SALT}/approve")
    assert response.status_code == 302
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "nichts (mehr) freizugeben" in page
    assert offer_state(app, SALT) == before


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_reject_needs_a_reason_and_changes_nothing_without_one(
    app: Flask, editor: FlaskClient, reason: str
) -> None:
    before = offer_state(app, SALT)
    response = post(editor, f"/moderation/offers/{SALT}/reject", {"reason": reason})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bitte schreiben Sie, warum die Einreichung abgelehnt wird." in page
    assert 'aria-describedby="reason-hint reason-error"' in page
    assert 'id="reason-error"' in page
    assert offer_state(app, SALT) == before


def test_reject_sends_a_new_offer_back_with_the_reason_and_who_decided(
    app: Flask, editor: FlaskClient
) -> None:
    reason = "Bitte ergänzen Sie die Termine für das Schuljahr."
    response = post(editor, f"/moderation/offers/{SALT}/reject", {"reason": f"  {reason} "})
    assert response.status_code == 302
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == SALT)).scalar_one()
        last = offer.transitions[-1]
        assert offer.status == "rejected"
        assert (last.from_status, last.to_status, last.reason, last.actor.email) == (
            "submitted",
            "rejected",
            reason,
            EDITOR,
        )
    assert SALT not in found_titles(editor, "Sole")
    page = editor.get(f"/moderation/offers/{SALT}").get_data(as_text=True)
    assert reason in page and "„Eingereicht“ → „Abgelehnt“" in page


def test_an_edit_stays_invisible_until_approved_then_replaces_the_live_version(
    app: Flask, editor: FlaskClient
) -> None:
    _, old_title, _ = offer_state(app, LIVE)
    submit_revision(app, LIVE, title=NEW_TITLE)
    # Before the decision the public sees the published version only.
    assert old_title in editor.get(f"/offers/{LIVE}").get_data(as_text=True)
    assert found_titles(editor, "Zwielichtkunde") == {}
    assert found_titles(editor, "Sternwarte").get(LIVE) == old_title

    page = editor.get(f"/moderation/offers/{LIVE}").get_data(as_text=True)
    assert "Veröffentlichte Fassung" in page and "Eingereichte Änderung" in page
    assert "Geändert: Titel" in page
    assert page.count('<span class="badge badge-changed">geändert</span>') == 2

    response = post(editor, f"/moderation/offers/{LIVE}/approve")
    assert response.status_code == 302
    assert found_titles(editor, "Zwielichtkunde") == {LIVE: NEW_TITLE}
    assert old_title not in found_titles(editor, "Sternwarte").values()
    assert NEW_TITLE in editor.get(f"/offers/{LIVE}").get_data(as_text=True)
    with app.app_context():
        drift = indexing.check_index()
        assert (drift.total, drift.pending) == (0, 0)
        revision = db.session.execute(select(OfferRevision)).scalar_one()
        assert revision.status == "approved"
        offer = db.session.execute(select(Offer).where(Offer.slug == LIVE)).scalar_one()
        assert offer.last_verified is not None


def test_rejecting_an_edit_keeps_the_live_version(app: Flask, editor: FlaskClient) -> None:
    status, old_title, _ = offer_state(app, LIVE)
    submit_revision(app, LIVE, title=NEW_TITLE)
    reason = "Der neue Titel verrät nicht, dass es um Astronomie geht."
    response = post(editor, f"/moderation/offers/{LIVE}/reject", {"reason": reason})
    assert response.status_code == 302
    assert offer_state(app, LIVE)[:2] == (status, old_title) == ("published", old_title)
    assert old_title in editor.get(f"/offers/{LIVE}").get_data(as_text=True)
    assert found_titles(editor, "Zwielichtkunde") == {}
    with app.app_context():
        revision = db.session.execute(select(OfferRevision)).scalar_one()
        assert (revision.status, revision.reason) == ("rejected", reason)
        event = (
            db.session.execute(select(OfferTransition).order_by(OfferTransition.id.desc()))
            .scalars()
            .first()
        )
        assert event.actor.email == EDITOR and reason in event.reason
    assert LIVE not in editor.get("/moderation/").get_data(as_text=True)


@pytest.fixture
def application_id(app: Flask) -> int:
    with app.app_context():
        application = MembershipApplication(
            organisation="Tüftelwerk Eppingen e. V.",
            contact_name="Ada Muster",
            contact_email="ada@example.org",
        )
        db.session.add(application)
        db.session.commit()
        return application.id


@pytest.mark.parametrize(
    "path",
    [
        f"/moderation/offers/{SALT}/approve",
        f"/moderation/offers/{SALT}/reject",
        "/moderation/applications/{id}/accept",
        "/moderation/applications/{id}/decline",
    ],
)
def test_every_post_without_csrf_token_answers_400_and_changes_nothing(
    app: Flask, editor: FlaskClient, application_id: int, path: str
) -> None:
    before = offer_state(app, SALT)
    data = {"reason": "weil", f"accept-{application_id}-cluster": "science-research"}
    response = editor.post(path.format(id=application_id), data=data)
    assert response.status_code == 400
    assert offer_state(app, SALT) == before
    with app.app_context():
        assert db.session.get(MembershipApplication, application_id).status == "pending"


def test_review_renders_markdown_safely_and_shows_the_history(
    app: Flask, editor: FlaskClient
) -> None:
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == SALT)).scalar_one()
        offer.description = "**Salz** <script>alert(1)</script> [x](javascript:alert(1))"
        db.session.commit()
    page = editor.get(f"/moderation/offers/{SALT}").get_data(as_text=True)
    assert "<strong>Salz</strong>" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert "Verlauf" in page and "angelegt als „Eingereicht“" in page
    assert f'action="/moderation/offers/{SALT}/approve"' in page
    assert re.search(r"<h1[^>]*>[^<]*Salz und Sole", page)


def test_an_offer_without_a_submission_shows_no_decision(editor: FlaskClient) -> None:
    page = editor.get(f"/moderation/offers/{LIVE}").get_data(as_text=True)
    assert "Bei diesem Angebot wartet nichts auf eine Entscheidung." in page
    assert "/approve" not in page


def test_unknown_offer_answers_404(editor: FlaskClient) -> None:
    assert editor.get("/moderation/offers/gibt-es-nicht").status_code == 404
    assert post(editor, "/moderation/offers/gibt-es-nicht/approve").status_code == 404


@pytest.mark.parametrize(
    ("last_verified", "is_listed"),
    [
        (None, True),
        (dt.date.today() - dt.timedelta(days=400), True),
        (dt.date.today() - dt.timedelta(days=30), False),
    ],
)
def test_stale_list_shows_offers_not_verified_for_a_year(
    app: Flask, editor: FlaskClient, last_verified: dt.date | None, is_listed: bool
) -> None:
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == LIVE)).scalar_one()
        offer.last_verified = last_verified
        db.session.commit()
    page = editor.get("/moderation/stale").get_data(as_text=True)
    assert (f'href="/moderation/offers/{LIVE}"' in page) is is_listed


def test_stale_list_shows_offers_whose_dates_are_all_past(app: Flask, editor: FlaskClient) -> None:
    with app.app_context():
        offer = (
            db.session.execute(
                select(Offer).where(Offer.status == "published", Offer.schedule_kind == "dated")
            )
            .scalars()
            .first()
        )
        offer.last_verified = dt.date.today()
        for session in offer.sessions:
            session.starts_at = dt.datetime(2020, 1, 1, 9)
            session.ends_at = dt.datetime(2020, 1, 1, 12)
        db.session.commit()
        slug = offer.slug
    page = editor.get("/moderation/stale").get_data(as_text=True)
    assert "alle Termine vorbei" in card_of(page, slug)


def card_of(page: str, slug: str) -> str:
    """The card on `page` that links to the offer."""
    cards = re.findall(r"<article class=\"card\">.*?</article>", page, flags=re.DOTALL)
    return next(card for card in cards if f'/offers/{slug}"' in card)


def test_the_history_names_each_event_in_the_readers_language(
    app: Flask, editor: FlaskClient, log_in: Callable[[FlaskClient, str], FlaskClient]
) -> None:
    submit_revision(app, LIVE, title=NEW_TITLE)
    assert post(editor, f"/moderation/offers/{LIVE}/approve").status_code == 302
    submit_revision(app, LIVE, title="Zu knapp")
    response = post(
        editor, f"/moderation/offers/{LIVE}/reject", {"reason": "Der Titel ist zu knapp."}
    )
    assert response.status_code == 302

    german = editor.get(f"/moderation/offers/{LIVE}?lang=de").get_data(as_text=True)
    for words in ("Änderung zur Prüfung eingereicht", "Änderung freigegeben", "Änderung abgelehnt"):
        assert words in german
    assert 'Begründung: <span lang="de">Der Titel ist zu knapp.</span>' in german
    english = editor.get(f"/moderation/offers/{LIVE}?lang=en").get_data(as_text=True)
    for words in ("Change submitted for review", "Change approved", "Change rejected"):
        assert words in english
    assert "Änderung" not in english
    # The partner sees the same history, with "Redaktion" instead of the editor's address.
    partner = log_in(app.test_client(), PARTNER)
    preview = partner.get(f"/partner/offers/{LIVE}?lang=en").get_data(as_text=True)
    assert "Change approved" in preview and EDITOR not in preview


def test_the_queue_reads_its_items_in_the_same_few_queries_however_many_wait(
    app: Flask, editor: FlaskClient, query_count: Callable[[Callable[[], object]], int]
) -> None:
    """125 submissions waiting after a partners' meeting: not a query per item."""

    def queries_for_the_queue() -> int:
        answers = []
        count = query_count(lambda: answers.append(editor.get("/moderation/")))
        assert answers[0].status_code == 200
        return count

    submit_revision(app, LIVE, title=NEW_TITLE)  # new offers and edits of live ones wait
    before = queries_for_the_queue()
    # A request context: a submitted record carries the offer's public URL.
    with app.test_request_context():
        author = db.session.execute(select(User).where(User.email == PARTNER)).scalar_one()
        published = db.session.execute(
            select(Offer)
            .where(Offer.status == "published", Offer.partner_id == author.partner_id)
            .where(Offer.slug != LIVE)
        ).scalars()
        own = list(published)[:6]
        for offer in own[1:]:
            copy = offers.duplicate_offer(db.session, offer, author)
            offers.submit_offer(db.session, copy, author)
        db.session.commit()
        another_live = own[0].slug
    submit_revision(app, another_live, title="Noch eine Änderung")
    assert queries_for_the_queue() == before
