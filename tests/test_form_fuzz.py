"""The other ways text gets written: the public join form takes anything without a server error
and records one application or nothing; control characters typed into a form are cleaned out,
and an import holding one is refused. (PostgreSQL refuses NUL: the join and reject forms
answered 500 before.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.models import MembershipApplication, Offer
from catalogue.offer_records import CONTROL_CHARACTER_PROBLEM
from tests.conftest import Auth
from tests.test_cli import _line
from tests.test_join import VALID

EDITOR = "redaktion@example.org"

any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
one_value = st.one_of(
    any_text,
    st.builds(lambda chunk, n: chunk * n, st.text(min_size=1, max_size=5), st.integers(50, 3000)),
    st.sampled_from(["", " ", "\x00", "https://example.org", "a@b.de", "science-research"]),
)
# Half the time only the free texts change, so that many applications are accepted.
changes = st.dictionaries(
    st.sampled_from(("organisation", "contact_name", "message")), any_text, max_size=2
) | st.dictionaries(st.sampled_from(tuple(VALID)), one_value | st.lists(one_value, max_size=3))


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# One catalogue for all examples: each compares the number of applications before and after.
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changed=changes)
@example(changed={"organisation": "Tüftelwerk\x00"})
@example(changed={"message": "\x0b\x1b[31m"})
def test_any_join_form_records_one_application_or_nothing(
    app: Flask, changed: dict[str, Any]
) -> None:
    client = app.test_client()
    form = {**VALID, **changed, "csrf_token": Auth(client).csrf_token("/join")}
    before = _count(app, MembershipApplication)
    response = client.post("/join", data=form)
    event(f"status {response.status_code}")

    assert response.status_code in (302, 400), response.get_data(as_text=True)[:2000]
    expected = before + (response.status_code == 302)
    assert _count(app, MembershipApplication) == expected


@pytest.fixture
def editor(app: Flask, log_in: Callable[[FlaskClient, str], FlaskClient]) -> FlaskClient:
    return log_in(app.test_client(), EDITOR)


def test_control_characters_in_a_rejection_reason_become_spaces(
    app: Flask, editor: FlaskClient
) -> None:
    with app.app_context():
        slug = db.session.execute(
            select(Offer.slug).where(Offer.status == "submitted").order_by(Offer.slug)
        ).scalar()
    assert slug, "the demo data must hold a submitted offer"
    token = Auth(editor).csrf_token(f"/moderation/offers/{slug}")
    reason = "Bitte die Termine ergänzen,\x00danke."
    response = editor.post(
        f"/moderation/offers/{slug}/reject", data={"reason": reason, "csrf_token": token}
    )
    assert response.status_code == 302
    with app.app_context():
        offer = db.session.execute(select(Offer).where(Offer.slug == slug)).scalar_one()
        assert offer.status == "rejected"
        assert offer.transitions[-1].reason == "Bitte die Termine ergänzen, danke."


@pytest.mark.parametrize("text", ["Löten\x00", "Löten\x0b für alle", "\x1b[31mLöten"])
def test_an_import_with_a_control_character_is_refused(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, text: str
) -> None:
    offers = _count(app, Offer)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_line(title=text), encoding="utf-8")
    result = runner.invoke(args=["offers", "import", str(bad)])
    assert result.exit_code != 0
    assert f"line 1: title: {CONTROL_CHARACTER_PROBLEM}" in result.output
    assert _count(app, Offer) == offers
