"""The change log that index replicas follow: rows become visible in sequence order, a replica
that could not apply them catches up while it serves, and /healthz shows how far behind it is."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from whoosh.filedb.filestore import FileStorage

from catalogue import indexing
from catalogue.config import test_database_url as configured_test_database
from catalogue.extensions import db
from catalogue.models import IndexChange, Offer
from search_index import generations


@contextmanager
def index_writer_lock_held(app: Flask) -> Iterator[None]:
    """Hold the current generation's Whoosh writer lock, as a writing process would."""
    with app.app_context():
        root = indexing.get_index().path
    lock = FileStorage(str(root / generations.current_name(root))).lock("MAIN_WRITELOCK")
    assert lock.acquire(blocking=False)
    try:
        yield
    finally:
        lock.release()


def _published_offer_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Offer.id).where(Offer.status == "published").order_by(Offer.id)
            ).scalars()
        )


def _set_status(app: Flask, offer_id: int, status: str) -> None:
    with app.app_context():
        db.session.get(Offer, offer_id).status = status
        db.session.commit()


def _drift(app: Flask) -> indexing.Drift:
    with app.app_context():
        return indexing.check_index()


def _lag(app: Flask) -> int:
    return app.test_client().get("/healthz").get_json()["index"]["lag"]


@pytest.fixture
def slow_follower(monkeypatch: pytest.MonkeyPatch) -> None:
    """The replica looks at the change log only when a test says so (or in ten minutes)."""
    monkeypatch.setattr(indexing, "FOLLOW_INTERVAL", 600.0)


def test_a_change_the_index_missed_shows_as_lag_and_is_applied_while_serving(
    app: Flask, slow_follower: None
) -> None:
    app.extensions["search_index"].lock_timeout = 0.1
    offer_id = _published_offer_ids(app)[0]
    with index_writer_lock_held(app):
        _set_status(app, offer_id, "withdrawn")
        assert _lag(app) == 1
    assert _drift(app).extra == {offer_id}
    # The next request after the follow interval applies the row: no sync by hand.
    app.extensions["change_log_follower"]["checked_at"] = 0.0
    app.test_client().get("/")
    assert _drift(app).total == 0
    assert _lag(app) == 0


def test_a_replica_looks_at_the_change_log_at_most_once_an_interval(
    app: Flask, slow_follower: None
) -> None:
    offer_id = _published_offer_ids(app)[0]
    app.test_client().get("/")  # the follower has looked just now
    with index_writer_lock_held(app):
        app.extensions["search_index"].lock_timeout = 0.1
        _set_status(app, offer_id, "withdrawn")
    app.test_client().get("/")
    assert _lag(app) == 1


@pytest.mark.skipif(
    not configured_test_database(), reason="PostgreSQL only: SQLite has one writer at a time"
)
def test_on_postgresql_change_rows_commit_in_sequence_order(app: Flask) -> None:
    """A second transaction that changes offers waits until the first commits, so it can never
    commit a higher sequence number before a lower one becomes visible."""
    first_id, second_id = _published_offer_ids(app)[:2]
    committed: list[str] = []
    with app.app_context():
        engine = db.engine
    first = Session(engine)
    first.get(Offer, first_id).title = "Erste Änderung"
    first.flush()  # takes the change log's lock, writes its change row

    def second_transaction() -> None:
        with Session(engine) as second:
            second.get(Offer, second_id).title = "Zweite Änderung"
            second.commit()
            committed.append("second")

    worker = threading.Thread(target=second_transaction)
    worker.start()
    worker.join(timeout=1.0)
    # Still waiting for the first transaction's lock (a safety bound, not a speed measure).
    assert worker.is_alive() and committed == []
    first.commit()
    committed.append("first")
    first.close()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert committed == ["first", "second"]
    with app.app_context():
        rows = dict(
            db.session.execute(
                select(IndexChange.offer_id, func.max(IndexChange.seq))
                .where(IndexChange.offer_id.in_([first_id, second_id]))
                .group_by(IndexChange.offer_id)
            ).all()
        )
    assert rows[first_id] < rows[second_id]
