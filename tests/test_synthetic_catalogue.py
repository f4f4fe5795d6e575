"""The synthetic benchmark catalogue: valid offers in the import shape, the same for one seed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from catalogue.extensions import db
from catalogue.models import Partner
from catalogue.offer_records import validate_record
from catalogue.schedules import parse_rrule
from catalogue.vocabulary import Vocabulary, load_vocabulary
from tests.benchmarks.synthetic_catalogue import write_catalogue

COUNT = 300


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    path = tmp_path_factory.mktemp("synthetic") / "offers.jsonl"
    write_catalogue(path, COUNT)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def vocabulary(seeded_app: Flask) -> Vocabulary:
    with seeded_app.app_context():
        return load_vocabulary()


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    write_catalogue(first, 50)
    write_catalogue(again, 50)
    write_catalogue(other, 50, seed=7)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert len(first.read_text(encoding="utf-8").splitlines()) == 50


def test_every_record_passes_the_import_rules(
    seeded_app: Flask, records: list[dict], vocabulary: Vocabulary
) -> None:
    with seeded_app.app_context():
        partner_slugs = set(db.session.execute(select(Partner.slug)).scalars())
    assert len(records) == COUNT
    for number, record in enumerate(records, start=1):
        clean = validate_record(record, vocabulary, partner_slugs)
        assert clean["title"], number


@pytest.mark.parametrize(
    ("field", "facet"),
    [
        ("stages", "stage"),
        ("subjects", "subject"),
        ("formats", "format"),
        ("audiences", "audience"),
        ("mode", "mode"),
        ("district", "district"),
    ],
)
def test_every_value_of_every_facet_occurs(
    records: list[dict], vocabulary: Vocabulary, field: str, facet: str
) -> None:
    used = {
        value
        for record in records
        for value in (record[field] if isinstance(record[field], list) else [record[field]])
    }
    assert used == vocabulary.slugs(facet)


def test_ages_fit_the_stages(records: list[dict], vocabulary: Vocabulary) -> None:
    for record in records:
        if "educators" in record["audiences"]:
            continue  # teachers' ages, for offers about their pupils' stages
        bands = [vocabulary.get("stage", slug) for slug in record["stages"]]
        low, high = min(b.age_min for b in bands), max(b.age_max for b in bands)
        assert record["age_min"] <= high and record["age_max"] >= low, record["title"]


def test_spreads_look_like_a_real_catalogue(records: list[dict]) -> None:
    def share(predicate) -> float:
        return sum(1 for record in records if predicate(record)) / len(records)

    assert 0.8 <= share(lambda r: r["status"] == "published") <= 0.97
    assert 0.2 <= share(lambda r: r["cost"]["free"]) <= 0.4
    assert 0.4 <= share(lambda r: r["schedule"]["kind"] == "dated") <= 0.65
    assert 0.12 <= share(lambda r: r["schedule"]["kind"] == "recurring") <= 0.3
    assert share(lambda r: r["district"] in ("heilbronn-city", "heilbronn-county")) >= 0.6
    assert share(lambda r: 2 <= r["age_max"] - r["age_min"] <= 6) >= 0.5
    assert all(80 <= len(r["description"].split()) <= 230 for r in records)
    assert len({r["municipality"] for r in records}) >= 30


def test_schedules_stay_in_their_window(records: list[dict]) -> None:
    first, last = dt.date(2026, 12, 1), dt.date(2027, 12, 31)
    for record in records:
        schedule = record["schedule"]
        if schedule["kind"] == "dated":
            starts = [dt.datetime.fromisoformat(s["start"]) for s in schedule["sessions"]]
            assert 1 <= len(starts) <= 6
            assert all(first <= start.date() <= last for start in starts)
            assert all(start.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))
                       for start in starts)  # fmt: skip
        elif schedule["kind"] == "recurring":
            start = dt.datetime.fromisoformat(schedule["first_start"])
            dates = list(parse_rrule(schedule["rrule"], start))
            assert dates[0] == start, schedule
            assert 4 <= len(dates) <= 40, schedule
