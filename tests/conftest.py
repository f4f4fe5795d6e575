"""Fixtures: a real database (SQLite file, or PostgreSQL via CATALOGUE_TEST_DATABASE_URL), a real
Whoosh index on disk, the seeded demo catalogue, the test client and the CLI runner."""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import create_engine, event, text
from werkzeug.serving import make_server

from catalogue import create_app, indexing
from catalogue.config import env_flag, test_database_url
from catalogue.extensions import db
from catalogue.seeding import DEMO_PASSWORD, seed_all

IN_CI = env_flag("CI")


@dataclass(frozen=True)
class Catalogue:
    """A database and an index directory holding one catalogue."""

    url: str
    index_dir: Path
    drop: Callable[[], None]


def _admin_engine():
    return create_engine(test_database_url(), isolation_level="AUTOCOMMIT")


def _new_database(directory: Path, template: str | None = None) -> tuple[str, Callable[[], None]]:
    """A new database (a copy of `template`'s database if given) and a function that drops it."""
    server_url = test_database_url()
    if not server_url:
        path = directory / "catalogue.sqlite3"
        if template:
            shutil.copyfile(template.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}", lambda: None
    # One throw-away database per use on the PostgreSQL server; copies come from a template
    # database, which PostgreSQL clones far faster than migrating and seeding again.
    name = f"catalogue_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        clause = f' TEMPLATE "{template.rpartition("/")[2]}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    base = server_url.rpartition("/")[0]

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


def app_on(url: str, index_dir: Path) -> Flask:
    return create_app(
        {
            "DATABASE_URL": url,
            "INDEX_DIR": str(index_dir),
            "SECRET_KEY": "test-secret",
            "INDEX_LOCK_TIMEOUT": 2.0,
            "TESTING": True,
        }
    )


def _close(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def build_catalogue(directory: Path, *, seeded: bool = True) -> Catalogue:
    """Migrate a new database, seed it with the demo catalogue and build its index."""
    url, drop = _new_database(directory)
    app = app_on(url, directory / "index")
    with app.app_context():
        upgrade()
        if seeded:
            seed_all(db.session, demo_accounts=True)
            db.session.commit()
        indexing.rebuild_index()
    # All connections closed: SQLite folds its WAL into the file, PostgreSQL can copy it.
    _close(app)
    return Catalogue(url, directory / "index", drop)


def copy_catalogue(template: Catalogue, directory: Path) -> Catalogue:
    url, drop = _new_database(directory, template=template.url)
    index_dir = directory / "index"
    shutil.copytree(template.index_dir, index_dir, symlinks=True)
    return Catalogue(url, index_dir, drop)


@pytest.fixture(scope="session")
def catalogue_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    """The seeded demo catalogue, built once; tests get copies of it."""
    template = build_catalogue(tmp_path_factory.mktemp("template"))
    yield template
    template.drop()


@pytest.fixture(scope="session")
def seeded_app(
    catalogue_template: Catalogue, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The demo catalogue, shared by tests that only read."""
    shared = copy_catalogue(catalogue_template, tmp_path_factory.mktemp("seeded"))
    app = app_on(shared.url, shared.index_dir)
    yield app
    _close(app)
    shared.drop()


@pytest.fixture
def app(catalogue_template: Catalogue, tmp_path: Path) -> Iterator[Flask]:
    """A demo catalogue of the test's own, for tests that write."""
    own = copy_catalogue(catalogue_template, tmp_path)
    app = app_on(own.url, own.index_dir)
    yield app
    _close(app)
    own.drop()


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
def log_in() -> Callable[[FlaskClient, str], FlaskClient]:
    """`log_in(client, email)`: the client, logged in as that demo account through the form."""

    def log_in(client: FlaskClient, email: str) -> FlaskClient:
        response = Auth(client).login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return log_in


@pytest.fixture
def auth(app: Flask) -> Auth:
    """Log in as a demo account on the test's own catalogue (`auth.client` is its client)."""
    return Auth(app.test_client())


@pytest.fixture
def query_count(app: Flask) -> Callable[[Callable[[], object]], int]:
    """`query_count(action)`: how many SQL statements `action` sends to the test's database."""

    def count(action: Callable[[], object]) -> int:
        statements: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            action()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    return count


CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def _serve(app: Flask) -> Iterator[str]:
    """The app on a loopback port, served by a real threaded HTTP server; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def serve() -> Callable[[Flask], AbstractContextManager[str]]:
    """`with serve(app) as base_url:` runs the app behind a real HTTP server on loopback."""
    return _serve


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (no browser download works here)."""
    if not CHROMIUM.exists() and not IN_CI:
        pytest.skip("Debian's chromium is not installed here")
    # In CI a missing Chromium fails here instead of skipping.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


# The two screens every journey is proven on.
VIEWPORTS = {"desktop": (1280, 900), "phone": (360, 740)}


@pytest.fixture(scope="module")
def live_url(seeded_app: Flask, serve) -> Iterator[str]:
    """The seeded demo catalogue on a loopback port, shared by a module's read-only tests."""
    with serve(seeded_app) as url:
        yield url


# Whether an element shows where the keyboard focus is, as a JavaScript function of the element:
# our own ring (a 2 px or wider outline, or a box-shadow), not Chromium's thin default one.
FOCUS_IS_VISIBLE = """element => {
    const style = getComputedStyle(element);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
        || style.boxShadow !== 'none';
}"""


def open_filters(page: Page) -> None:
    """Open the search page's filters, which its script folds away on phones once it has run."""
    page.wait_for_load_state("load")
    filters = page.locator("details.filters")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()


@pytest.fixture(params=list(VIEWPORTS.values()), ids=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A German-speaking browser page, once on a desktop and once on a phone."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
