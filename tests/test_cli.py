"""The command line, through Flask's CLI runner on a database of the test's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from catalogue import indexing
from catalogue.extensions import db
from catalogue.models import IndexChange, Offer, Partner, User, VocabularyTerm


def counts(app: Flask) -> tuple[int, ...]:
    with app.app_context():
        return tuple(
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (VocabularyTerm, Partner, Offer, User, IndexChange)
        )


def test_seed_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    before = counts(app)
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "0 new demo offers" in result.output
    assert counts(app) == before
    assert before[1] == 23 and before[2] >= 80 and before[3] == 2
    # Unchanged partners and offers must not send every offer through the index again.
    assert counts(app)[4] == before[4]


def test_index_check_reports_no_drift_after_seeding(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 0, result.output
    assert "drift: 0" in result.output


def test_index_check_finds_drift_and_sync_repairs_it(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        offer = (
            db.session.execute(select(Offer).where(Offer.status == "published")).scalars().first()
        )
        # A change that reached the log but not the index, as when another process held the lock.
        db.session.execute(
            Offer.__table__.update().where(Offer.id == offer.id).values(status="withdrawn")
        )
        db.session.add(IndexChange(offer_id=offer.id))
        db.session.info.pop("index_changes_pending", None)
        db.session.commit()
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 1
    assert "not published but indexed: 1" in result.output
    assert runner.invoke(args=["index", "sync"]).exit_code == 0
    assert "drift: 0" in runner.invoke(args=["index", "check"]).output


def test_index_rebuild_builds_a_complete_index(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        published = db.session.execute(
            select(func.count()).select_from(Offer).where(Offer.status == "published")
        ).scalar_one()
        assert len(indexing.get_index().doc_ids()) == published
    assert f"{published} published offers" in result.output


def _line(**changes: object) -> str:
    record = {
        "title": "Löten für Einsteiger*innen",
        "summary": "Wir bauen eine blinkende Weihnachtskarte.",
        "description": "Mit **Lötkolben** und LEDs.",
        "partner": "experimenta",
        "status": "published",
        "stages": ["lower-secondary"],
        "subjects": ["electronics"],
        "formats": ["workshop"],
        "audiences": ["participants"],
        "age_min": 11,
        "age_max": 15,
        "mode": "on-site",
        "district": "heilbronn-city",
        "municipality": "Heilbronn",
        "schedule": {"kind": "on-request", "description": "nach Absprache"},
        "cost": {"free": False, "price_eur": 12.5, "note": None},
    }
    record.update(changes)
    return json.dumps(record, ensure_ascii=False)


def test_import_is_all_or_nothing_and_names_each_bad_line(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    before = counts(app)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join([_line(), _line(age_min=20, age_max=10), "{not json", _line(stages=["nowhere"])]),
        encoding="utf-8",
    )
    result = runner.invoke(args=["offers", "import", str(bad)])
    assert result.exit_code != 0
    assert "line 2:" in result.output and "line 3:" in result.output and "line 4:" in result.output
    assert "line 1:" not in result.output
    assert counts(app) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cost": {"free": False, "price_eur": float("nan"), "note": None}}, "cost.price_eur"),
        ({"cost": {"free": False, "price_eur": "zwölf", "note": None}}, "cost.price_eur"),
        ({"cost": {"free": True, "price_eur": None, "note": "x" * 301}}, "cost.note"),
        ({"lat": float("nan")}, "lat"),
        ({"lon": 200}, "lon"),
        ({"schedule": {"kind": "on-request", "description": "x" * 301}}, "schedule.description"),
        (
            {"schedule": {"kind": "dated", "sessions": [{"start": "0001-01-01T00:00:00+01:00"}]}},
            "schedule.sessions[1].start",
        ),
        (
            {
                "schedule": {
                    "kind": "recurring",
                    "rrule": "FREQ=WEEKLY;" + "BYDAY=MO;" * 40,
                    "first_start": "2027-01-04T15:00:00+01:00",
                }
            },
            "schedule.rrule",
        ),
        ({"registration_deadline": "0001-01-01"}, "registration_deadline"),
    ],
)
def test_import_refuses_values_the_database_cannot_hold(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, changes: dict, field: str
) -> None:
    before = counts(app)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_line(**changes), encoding="utf-8")
    result = runner.invoke(args=["offers", "import", str(bad)])
    assert result.exit_code != 0
    assert f"line 1: {field}:" in result.output
    assert counts(app) == before


def test_import_adds_offers_and_indexes_them(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(
        _line() + "\n" + _line(title="Lötkurs für Fortgeschrittene", status="draft"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["offers", "import", str(good)])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    found = client.get("/api/v1/offers?q=Weihnachtskarte").get_json()
    assert [r["slug"] for r in found["results"]] == ["loeten-fuer-einsteiger-innen"]
    assert client.get("/api/v1/offers?q=Fortgeschrittene").get_json()["total"] == 0


def test_a_session_over_several_days_is_found_on_each_day(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    camp = {
        "kind": "dated",
        "sessions": [{"start": "2027-05-07T15:00:00+02:00", "end": "2027-05-09T13:00:00+02:00"}],
    }
    line = tmp_path / "camp.jsonl"
    line.write_text(_line(title="Tüftelcamp am Wochenende", schedule=camp), encoding="utf-8")
    assert runner.invoke(args=["offers", "import", str(line)]).exit_code == 0
    client = app.test_client()
    for day, found in (
        ("2027-05-06", 0),
        ("2027-05-07", 1),
        ("2027-05-08", 1),
        ("2027-05-09", 1),
        ("2027-05-10", 0),
    ):
        body = client.get(f"/api/v1/offers?q=Tüftelcamp&from={day}&to={day}").get_json()
        assert body["total"] == found, day


def test_users_create(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Neu@Example.org",
            "--role",
            "partner",
            "--partner",
            "ijf",
        ],
        input="geheim-123\ngeheim-123\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == "neu@example.org")).scalar_one()
        assert user.partner.slug == "ijf" and user.password_hash.startswith("$argon2")
    again = runner.invoke(
        args=["users", "create", "--email", "neu@example.org", "--role", "editor"],
        input="x\nx\n",
    )
    assert again.exit_code != 0 and "exists already" in again.output
