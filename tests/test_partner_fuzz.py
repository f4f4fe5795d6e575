"""Property tests of the partner's offer form: whatever a logged-in partner posts in whatever
field, the answer is never a server error; a refused form changes nothing in the database. An
accepted new offer is exactly one draft (or submission) of that partner, an accepted edit of a
live offer waits as its one open revision, and an accepted edit of a draft changes that draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.models import Offer, OfferRevision, OfferTransition, Partner
from catalogue.offer_records import CONTROL_CHARACTERS
from tests.conftest import Auth
from tests.offer_forms import offer_form

PARTNER = "partner@example.org"  # a user of experimenta
# Every field of the form as a browser posts it (the three empty session rows included).
FIELDS = tuple(offer_form())
CHOICES = (
    "primary", "robotics", "programming", "workshop", "participants", "on-site", "online",
    "heilbronn-county", "dated", "recurring", "on-request", "weekly", "biweekly", "monthly",
    "custom", "MO", "WE", "de", "en", "submit", "save",
)  # fmt: skip

any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
one_value = st.one_of(
    any_text,
    st.builds(lambda chunk, n: chunk * n, st.text(min_size=1, max_size=5), st.integers(100, 5000)),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda day: day.isoformat()),
    st.dates().map(lambda day: day.strftime("%d.%m.%Y")),
    st.times().map(lambda moment: moment.strftime("%H:%M")),
    st.sampled_from(CHOICES),
    st.sampled_from(["", " ", "\x00", "NaN", "-Infinity", "1,5", "FREQ=DAILY;COUNT=3", "RRULE:"]),
)
field_value = one_value | st.lists(one_value, max_size=4)
TEXT_FIELDS = (
    "title", "summary", "description", "municipality", "venue", "address", "cost_note",
    "schedule_description", "accessibility_note",
)  # fmt: skip
# The complete valid form with some of its fields replaced by anything or left out; half the
# time only free text changes, so that many forms are accepted and their text saved.
changes = st.dictionaries(st.sampled_from(TEXT_FIELDS), any_text, max_size=3) | st.dictionaries(
    st.sampled_from(FIELDS), field_value | st.none(), max_size=6
)


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Offer, OfferRevision, OfferTransition)
        }


def _posted(partner: FlaskClient, **changed: Any) -> dict[str, Any]:
    """The complete offer form with these changes, and the session's CSRF token."""
    return {**offer_form(**changed), "csrf_token": Auth(partner).csrf_token("/partner/offers/new")}


def _row(app: Flask, slug: str) -> dict[str, Any]:
    """Every column of one offer, for comparing before and after."""
    with app.app_context():
        return dict(
            db.session.execute(select(Offer.__table__).where(Offer.slug == slug)).one()._mapping
        )


# One catalogue for all examples of a test: each example compares the database before and after
# itself, so what earlier examples saved does not matter.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def partner(app: Flask, log_in: Callable[[FlaskClient, str], FlaskClient]) -> FlaskClient:
    return log_in(app.test_client(), PARTNER)


@FUZZ
@given(changed=changes)
@example(changed={"title": "Roboter\x00"})  # answered 500 on PostgreSQL
@example(changed={"cost_note": "\x0b"})
def test_any_offer_form_is_saved_as_one_draft_or_refused_without_a_trace(
    app: Flask, partner: FlaskClient, changed: dict[str, Any]
) -> None:
    form = _posted(partner, **changed)
    before = _counts(app)
    response = partner.post("/partner/offers/new", data=form)
    after = _counts(app)
    event(f"status {response.status_code}")

    assert response.status_code in (302, 400), response.get_data(as_text=True)[:2000]
    if response.status_code == 400:
        assert after == before
        return
    slug = response.headers["Location"].rsplit("/", 1)[-1]
    assert after["Offer"] == before["Offer"] + 1
    assert after["OfferRevision"] == before["OfferRevision"]
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        assert offer.partner.slug == "experimenta"
        assert offer.status == ("submitted" if form.get("action") == "submit" else "draft")


@FUZZ
@given(changed=changes)
@example(changed={"schedule_description": "\x00"})
def test_any_edit_of_a_live_offer_waits_as_one_revision_or_changes_nothing(
    app: Flask, partner: FlaskClient, changed: dict[str, Any]
) -> None:
    with app.app_context():
        live = db.session.execute(
            select(Offer.slug, Offer.title)
            .join(Partner)
            .where(Partner.slug == "experimenta", Offer.status == "published")
            .order_by(Offer.slug)
        ).first()
    assert live is not None, "the demo partner needs a published offer"
    form = _posted(partner, **changed)
    before, row_before = _counts(app), _row(app, live.slug)
    response = partner.post(f"/partner/offers/{live.slug}/edit", data=form)
    after, row_after = _counts(app), _row(app, live.slug)
    event(f"status {response.status_code}")

    assert response.status_code in (302, 400), response.get_data(as_text=True)[:2000]
    assert row_after["title"] == live.title, "a live offer changes only when an editor approves"
    if response.status_code == 400:
        assert (after, row_after) == (before, row_before)
        return
    assert after["Offer"] == before["Offer"]
    with app.app_context():
        waiting = db.session.execute(
            select(func.count())
            .select_from(OfferRevision)
            .join(Offer)
            .where(Offer.slug == live.slug, OfferRevision.status.in_(("draft", "submitted")))
        ).scalar_one()
    assert waiting == 1, "the edit waits as the offer's one open revision"


@pytest.fixture
def draft_slug(app: Flask, partner: FlaskClient) -> str:
    """A draft of the demo partner's, saved through the form."""
    form = _posted(partner)
    response = partner.post("/partner/offers/new", data=form)
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


@FUZZ
@given(changed=changes)
def test_any_edit_of_a_draft_is_saved_or_changes_nothing(
    app: Flask, partner: FlaskClient, draft_slug: str, changed: dict[str, Any]
) -> None:
    form = {**_posted(partner, **changed), "action": "save"}
    before, row_before = _counts(app), _row(app, draft_slug)
    response = partner.post(f"/partner/offers/{draft_slug}/edit", data=form)
    after, row_after = _counts(app), _row(app, draft_slug)
    event(f"status {response.status_code}")

    assert response.status_code in (302, 400), response.get_data(as_text=True)[:2000]
    if response.status_code == 400:
        assert (after, row_after) == (before, row_before)
        return
    assert after["Offer"] == before["Offer"] and row_after["status"] == "draft"
    posted = form.get("title")
    if isinstance(posted, list):
        posted = posted[0] if posted else None
    # A field left out of the post keeps what the draft had (WTForms reads the form's data then).
    expected = (
        row_before["title"] if posted is None else CONTROL_CHARACTERS.sub(" ", posted).strip()
    )
    assert row_after["title"] == expected


def test_control_characters_typed_in_a_text_become_spaces(app: Flask, partner: FlaskClient) -> None:
    # Found by fuzzing: a NUL in the title answered 500 on PostgreSQL. Word's line break is \x0b.
    form = _posted(partner, title="Roboter\x0bbauen\x00")
    response = partner.post("/partner/offers/new", data=form)
    assert response.status_code == 302
    assert _row(app, response.headers["Location"].rsplit("/", 1)[-1])["title"] == "Roboter bauen"
