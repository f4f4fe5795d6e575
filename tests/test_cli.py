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


def test_index_check_notices_a_database_older_than_the_index(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """After a restore from a backup, the index has applied change numbers the database never
    had; it would skip the next changes, so only a rebuild is a good answer."""
    with app.app_context():
        newest = db.session.execute(select(func.max(IndexChange.seq))).scalar_one()
        db.session.execute(IndexChange.__table__.delete().where(IndexChange.seq > newest - 3))
        db.session.commit()
    assert app.test_client().get("/healthz").get_json()["index"]["status"] == "ahead"
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 1
    assert "applied 3 change-log numbers the database does not have" in result.output
    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0
    assert "drift: 0" in runner.invoke(args=["index", "check"]).output
    assert app.test_client().get("/healthz").get_json()["index"]["status"] == "ok"


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
        ({"partner": ["experimenta"]}, "partner"),
        ({"mode": ["on-site"]}, "mode"),
        ({"district": {"slug": "heilbronn-city"}}, "district"),
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


def _write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _offers_titled(app: Flask, *titles: str) -> dict[str, Offer]:
    with app.app_context():
        offers = db.session.execute(select(Offer).where(Offer.title.in_(titles))).scalars()
        return {offer.slug: offer for offer in offers}


def test_skip_invalid_imports_the_good_lines_and_reports_each_bad_one(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    before = counts(app)
    mixed = _write_lines(
        tmp_path / "mixed.jsonl",
        _line(title="Lötkurs A"),
        _line(title="Lötkurs B", age_min=20, age_max=10),
        "{not json",
        _line(title="Lötkurs C", status="draft"),
        "",
        _line(title="Lötkurs D", partner="nobody"),
    )
    result = runner.invoke(args=["offers", "import", "--skip-invalid", str(mixed)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 2 offers; skipped 3 bad lines.\n"
    reported = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in reported] == ["line 2", "line 3", "line 6"]
    assert "age_max" in reported[0] and "not valid JSON" in reported[1]
    assert "unbekannter Partner" in reported[2]
    assert counts(app)[2] == before[2] + 2
    imported = _offers_titled(app, "Lötkurs A", "Lötkurs B", "Lötkurs C", "Lötkurs D")
    assert sorted(offer.title for offer in imported.values()) == ["Lötkurs A", "Lötkurs C"]


def test_without_skip_invalid_one_bad_line_among_many_stops_everything(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalogue.cli.IMPORT_BATCH", 2)
    before = counts(app)
    lines = [_line(title=f"Lötkurs {n}") for n in range(1, 8)]
    lines[5] = _line(title="Lötkurs 6", summary="x" * 301)
    result = runner.invoke(
        args=["offers", "import", str(_write_lines(tmp_path / "f.jsonl", *lines))]
    )
    assert result.exit_code != 0
    assert "line 6: summary:" in result.stderr
    assert "1 bad lines; nothing was imported." in result.stderr
    assert result.stdout == ""
    assert counts(app) == before


def test_progress_goes_to_stderr_and_leaves_the_summary_alone(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two: five offers take three flushes before the one commit.
    monkeypatch.setattr("catalogue.cli.IMPORT_BATCH", 2)
    same = [_line(title="Roboter-AG im Advent") for _ in range(5)]
    result = runner.invoke(
        args=["offers", "import", str(_write_lines(tmp_path / "f.jsonl", *same))]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 5 offers.\n"
    assert "Checking lines" in result.stderr and "Writing offers" in result.stderr
    slugs = set(_offers_titled(app, "Roboter-AG im Advent"))
    assert slugs == {"roboter-ag-im-advent", *(f"roboter-ag-im-advent-{n}" for n in range(2, 6))}
    found = app.test_client().get("/api/v1/offers?q=Roboter-AG+Advent&per_page=100").get_json()
    assert {r["slug"] for r in found["results"]} >= slugs
    check = runner.invoke(args=["index", "check"])
    assert "drift: 0" in check.output, check.output


def test_an_explicit_slug_twice_in_the_file_is_a_bad_line(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    twice = _write_lines(
        tmp_path / "twice.jsonl",
        _line(title="Erster Kurs", slug="loetkurs-2027"),
        _line(title="Anderer Kurs"),
        _line(title="Zweiter Kurs", slug="loetkurs-2027"),
    )
    strict = runner.invoke(args=["offers", "import", str(twice)])
    assert strict.exit_code != 0
    assert "line 3: slug: „loetkurs-2027“ steht schon in Zeile 1" in strict.stderr
    assert _offers_titled(app, "Erster Kurs", "Anderer Kurs", "Zweiter Kurs") == {}

    lenient = runner.invoke(args=["offers", "import", "--skip-invalid", str(twice)])
    assert lenient.exit_code == 0, lenient.output
    imported = _offers_titled(app, "Erster Kurs", "Anderer Kurs", "Zweiter Kurs")
    assert imported["loetkurs-2027"].title == "Erster Kurs"
    assert sorted(offer.title for offer in imported.values()) == ["Anderer Kurs", "Erster Kurs"]


def test_an_explicit_slug_of_an_existing_offer_is_a_bad_line(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        existing = db.session.execute(select(Offer).order_by(Offer.id)).scalars().first()
        slug, title = existing.slug, existing.title
    again = _write_lines(tmp_path / "again.jsonl", _line(title="Ganz neu", slug=slug))
    result = runner.invoke(args=["offers", "import", str(again)])
    assert result.exit_code != 0
    assert f"line 1: slug: „{slug}“ gibt es schon im Katalog" in result.stderr
    assert _offers_titled(app, title)[slug].title == title


def test_slugs_made_from_titles_give_way_to_taken_and_explicit_ones(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        existing = db.session.execute(select(Offer).order_by(Offer.id)).scalars().first()
        title = existing.title
    taken = existing.slug  # the demo offer's slug, as made from its title
    result = runner.invoke(
        args=[
            "offers",
            "import",
            str(
                _write_lines(
                    tmp_path / "titles.jsonl",
                    _line(title="Mädchen löten"),
                    _line(title=title),
                    _line(title="Anderes", slug="maedchen-loeten"),
                    _line(title="Mädchen löten"),
                )
            ),
        ]
    )
    assert result.exit_code == 0, result.output
    by_slug = {slug: offer.title for slug, offer in _offers_titled(app, title, "Mädchen löten",
                                                                   "Anderes").items()}  # fmt: skip
    assert by_slug["maedchen-loeten"] == "Anderes"
    assert by_slug["maedchen-loeten-2"] == by_slug["maedchen-loeten-3"] == "Mädchen löten"
    assert by_slug[taken] == title and by_slug[f"{taken}-2"] == title


def test_an_imported_offer_has_its_status_history_and_fields(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    dated = {
        "kind": "dated",
        "sessions": [
            {"start": "2027-03-02T15:00:00+01:00", "end": "2027-03-02T17:00:00+01:00"},
            {"start": "2027-04-06T15:00:00+02:00", "end": "2027-04-06T17:00:00+02:00"},
        ],
    }
    good = _write_lines(
        tmp_path / "good.jsonl",
        _line(title="Mikroskopieren im Frühling", schedule=dated, subjects=["biology"]),
        _line(title="Mikroskopieren im Herbst", status="submitted"),
    )
    assert runner.invoke(args=["offers", "import", str(good)]).exit_code == 0
    with app.app_context():
        offers = {
            o.title: o
            for o in db.session.execute(
                select(Offer).where(Offer.title.like("Mikroskopieren im %"))
            ).scalars()
        }
        spring, autumn = offers["Mikroskopieren im Frühling"], offers["Mikroskopieren im Herbst"]
        assert (spring.status, autumn.status) == ("published", "submitted")
        assert spring.published_at is not None and autumn.published_at is None
        for offer in (spring, autumn):
            [moved] = offer.transitions
            assert (moved.from_status, moved.to_status) == (None, offer.status)
            assert moved.actor is None
            assert (moved.event, moved.reason) == ("import", "good.jsonl")
        assert spring.partner.slug == "experimenta"
        assert [t.slug for t in spring.terms_of("subject")] == ["biology"]
        assert (spring.mode.slug, spring.district.slug) == ("on-site", "heilbronn-city")
        assert [s.starts_at.hour for s in spring.sessions] == [14, 13]  # stored in UTC
        logged = db.session.execute(
            select(func.count())
            .select_from(IndexChange)
            .where(IndexChange.offer_id.in_([spring.id, autumn.id]))
        ).scalar_one()
        assert logged >= 2
    client = app.test_client()
    found = client.get("/api/v1/offers?q=Mikroskopieren&subject=biology").get_json()
    assert [r["slug"] for r in found["results"]] == ["mikroskopieren-im-fruehling"]
    assert client.get("/api/v1/offers/mikroskopieren-im-herbst").status_code == 404


def test_a_line_that_is_not_utf8_is_a_bad_line(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    before = counts(app)
    broken = tmp_path / "latin1.jsonl"
    broken.write_bytes(
        _line().encode() + b"\n" + _line(title="Kurs für Anfänger").encode("latin-1")
    )
    result = runner.invoke(args=["offers", "import", str(broken)])
    assert result.exit_code != 0
    assert "line 2: not valid UTF-8" in result.stderr
    assert counts(app) == before


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
