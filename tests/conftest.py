"""Fixtures: a real database (SQLite file, or PostgreSQL via CATALOGUE_TEST_DATABASE_URL), a real
Whoosh index on disk, the seeded demo catalogue, the test client and the CLI runner."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from catalogue import create_app, indexing
from catalogue.config import env_flag, test_database_url
from catalogue.extensions import db
from catalogue.seeding import DEMO_PASSWORD, seed_all

IN_CI = env_flag("CI")


def _database_url(directory: Path) -> tuple[str, Callable[[], None]]:
    """A fresh, empty database and a function that drops it again."""
    server_url = test_database_url()
    if not server_url:
        return f"sqlite:///{directory / 'catalogue.sqlite3'}", lambda: None
    # One throw-away database per use on the PostgreSQL server.
    name = f"catalogue_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = server_url.rpartition("/")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


def make_app(directory: Path, *, seeded: bool = True) -> tuple[Flask, Callable[[], None]]:
    """An app on a new database and index under `directory`, migrated and optionally seeded."""
    url, drop = _database_url(directory)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INDEX_DIR": str(directory / "index"),
            "SECRET_KEY": "test-secret",
            "INDEX_LOCK_TIMEOUT": 2.0,
            "TESTING": True,
        }
    )
    with app.app_context():
        upgrade()
        if seeded:
            seed_all(db.session, demo_accounts=True)
            db.session.commit()
        indexing.rebuild_index()

    def cleanup() -> None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()

    return app, cleanup


@pytest.fixture(scope="session")
def seeded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo catalogue, shared by tests that only read."""
    app, cleanup = make_app(tmp_path_factory.mktemp("seeded"))
    yield app
    cleanup()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A demo catalogue of the test's own, for tests that write."""
    app, cleanup = make_app(tmp_path)
    yield app
    cleanup()


@pytest.fixture
def client(seeded_app: Flask) -> FlaskClient:
    return seeded_app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave artefacts (screenshots) for people to look at."""
    path = Path(__file__).resolve().parent.parent / "test-output"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    return path


class Auth:
    """Logging in and out through the real forms, CSRF token included."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on `path`."""
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf_token" value="([^"]+)"', page
        )
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, email: str = "partner@example.org", password: str = DEMO_PASSWORD):
        token = self.csrf_token("/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf_token("/")})


@pytest.fixture
def auth(app: Flask) -> Auth:
    """Log in as a demo account on the test's own catalogue (`auth.client` is its client)."""
    return Auth(app.test_client())
