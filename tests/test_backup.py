"""`flask --app wsgi backup`: a consistent copy while offers are being written, the README's restore
procedure brings the catalogue back, and failures say why and leave no partial file. Runs on the
test database in use: SQLite, or PostgreSQL (pg_dump and pg_restore) with
CATALOGUE_TEST_DATABASE_URL."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import Engine, create_engine, delete, select, text, update

from catalogue.backup import libpq_connection
from catalogue.config import child_environment, env_flag
from catalogue.config import test_database_url as server_url  # not test_…: pytest would collect it
from catalogue.extensions import db
from catalogue.models import Offer

ON_POSTGRESQL = server_url() is not None
SUFFIX = ".dump" if ON_POSTGRESQL else ".sqlite3"
only_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL only")

# The writer beside a backup stops after this many transactions or seconds, whichever comes first.
MAX_WRITES = 5000
MAX_WRITE_SECONDS = 30.0


def require(tool: str) -> str:
    """The path of a PostgreSQL client tool; skips locally without it, fails in CI."""
    path = shutil.which(tool)
    if path is None:
        if env_flag("CI"):
            pytest.fail(f"{tool} is missing: CI needs PostgreSQL's client tools")
        pytest.skip(f"{tool} is not installed here")
    return path


@pytest.fixture(autouse=True)
def _client_tools() -> None:
    """On PostgreSQL the backup needs pg_dump and these tests restore with pg_restore."""
    if ON_POSTGRESQL:
        require("pg_dump")
        require("pg_restore")


def back_up(runner: FlaskCliRunner, output: Path) -> Path:
    result = runner.invoke(args=["backup", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert f"Backup written to {output} ({output.stat().st_size:,} bytes)." in result.output
    return output


def pg_restore(backup: Path, database_url: str, *options: str) -> None:
    """Restore a custom-format dump into the database, as the README says."""
    uri, password = libpq_connection(database_url)
    result = subprocess.run(
        [require("pg_restore"), "--exit-on-error", "--no-owner", *options, f"--dbname={uri}",
         str(backup)],
        env=child_environment(password), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@contextmanager
def opened(backup: Path) -> Iterator[Engine]:
    """The backup as a database of its own, after checking that it is whole: SQLite's integrity
    check, or on PostgreSQL a complete pg_restore into a fresh database."""
    if not ON_POSTGRESQL:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.close()
        engine = create_engine(f"sqlite:///{backup}")
        yield engine
        engine.dispose()
        return
    admin = create_engine(server_url(), isolation_level="AUTOCOMMIT")
    name = f"catalogue_restore_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{server_url().rpartition('/')[0]}/{name}"
    engine = create_engine(url)
    try:
        pg_restore(backup, url)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def offer_titles(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return {slug: title for slug, title in connection.execute(select(Offer.slug, Offer.title))}


class TitleWriter(threading.Thread):
    """Renames two offers to „Schreiblast N“ in one transaction per N, through its own engine,
    until stopped (or MAX_WRITES / MAX_WRITE_SECONDS): a consistent copy shows both at one N."""

    def __init__(self, url: str, offer_ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.offer_ids = offer_ids
        self.committed = 0
        self.error: BaseException | None = None
        self.stopping = threading.Event()
        self.progress = threading.Condition()

    def run(self) -> None:
        engine = create_engine(self.url)
        deadline = time.monotonic() + MAX_WRITE_SECONDS
        try:
            for number in range(1, MAX_WRITES + 1):
                if self.stopping.is_set() or time.monotonic() > deadline:
                    break
                with engine.begin() as connection:
                    # One statement per offer: a copy taken mid-transaction would show them apart.
                    for offer_id in self.offer_ids:
                        connection.execute(
                            update(Offer)
                            .where(Offer.id == offer_id)
                            .values(title=f"Schreiblast {number}")
                        )
                with self.progress:
                    self.committed = number
                    self.progress.notify_all()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            engine.dispose()
            with self.progress:
                self.stopping.set()
                self.progress.notify_all()

    def wait_for(self, count: int) -> int:
        """Wait until `count` transactions are committed; the number committed by then."""
        with self.progress:
            self.progress.wait_for(
                lambda: self.committed >= count or self.stopping.is_set(), timeout=MAX_WRITE_SECONDS
            )
            assert self.error is None, self.error
            assert self.committed >= count, "the writer stopped early"
            return self.committed


def test_backup_during_writes_is_one_committed_state(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        slugs = list(db.session.execute(select(Offer.slug).order_by(Offer.id)).scalars())
        *ids, earlier_id = db.session.execute(
            select(Offer.id).order_by(Offer.id).limit(3)
        ).scalars()
        committed_earlier = db.session.get(Offer, earlier_id)
        committed_earlier.title = "Vor der Sicherung gespeichert"
        db.session.commit()
        earlier_slug = committed_earlier.slug
    writer = TitleWriter(app.config["SQLALCHEMY_DATABASE_URI"], ids)
    writer.start()
    try:
        before_backup = writer.wait_for(5)
        backup = back_up(runner, tmp_path / f"during-writes{SUFFIX}")
        # Writers were not shut out: they go on while and after the copy is taken.
        writer.wait_for(writer.committed + 5)
    finally:
        writer.stopping.set()
        writer.join()
    assert writer.error is None, writer.error

    with opened(backup) as copy:
        titles = offer_titles(copy)
        with copy.connect() as connection:
            written = connection.execute(
                select(Offer.title).where(Offer.id.in_(ids)).order_by(Offer.id)
            ).scalars()
            first, second = written
    assert sorted(titles) == sorted(slugs)
    assert titles[earlier_slug] == "Vor der Sicherung gespeichert"
    assert first == second, "the copy mixes two transactions"
    number = int(re.fullmatch(r"Schreiblast (\d+)", first).group(1))
    assert before_backup <= number <= writer.committed


def restore(app: Flask, backup: Path) -> None:
    """The README's procedure, with the server stopped (all connections closed)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if ON_POSTGRESQL:
        pg_restore(backup, url, "--clean", "--if-exists", "--single-transaction")
    else:
        database = Path(url.removeprefix("sqlite:///"))
        for sidecar in ("-wal", "-shm"):
            Path(f"{database}{sidecar}").unlink(missing_ok=True)
        shutil.copyfile(backup, database)


def test_restore_brings_back_the_backed_up_catalogue(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        backed_up = offer_titles(db.engine)
        published = (
            db.session.execute(select(Offer).where(Offer.status == "published").order_by(Offer.id))
            .scalars()
            .all()
        )
        changed, deleted = published[0], published[1]
        changed_slug, deleted_slug = changed.slug, deleted.slug
    backup = back_up(runner, tmp_path / f"before-changes{SUFFIX}")

    with app.app_context():
        db.session.execute(
            update(Offer).where(Offer.slug == changed_slug).values(title="Nach der Sicherung")
        )
        db.session.execute(delete(Offer).where(Offer.slug == deleted_slug))
        db.session.commit()
        after_changes = offer_titles(db.engine)
    assert after_changes[changed_slug] == "Nach der Sicherung"
    assert deleted_slug not in after_changes

    restore(app, backup)
    for command in (["db", "upgrade"], ["index", "rebuild"], ["index", "check"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, (command, result.output)
    assert "drift: 0" in result.output

    with app.app_context():
        assert offer_titles(db.engine) == backed_up
    client = app.test_client()
    answer = client.get(f"/api/v1/offers/{deleted_slug}")
    assert answer.status_code == 200
    assert answer.get_json()["title"] == backed_up[deleted_slug]
    found = client.get("/api/v1/offers", query_string={"q": backed_up[changed_slug]}).get_json()
    assert changed_slug in [offer["slug"] for offer in found["results"]]


def test_backup_without_output_goes_to_the_backup_directory(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    app.config["BACKUP_DIR"] = str(tmp_path / "backups" / "daily")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    written = list((tmp_path / "backups" / "daily").iterdir())
    assert len(written) == 1
    assert re.fullmatch(rf"catalogue-\d{{8}}-\d{{6}}{re.escape(SUFFIX)}", written[0].name)
    assert f"{written[0]} ({written[0].stat().st_size:,} bytes)" in result.output
    with opened(written[0]) as copy:
        assert len(offer_titles(copy)) >= 80


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    """An empty directory for backups, apart from the test's database and index."""
    directory = tmp_path / "backups"
    directory.mkdir()
    return directory


def _file_in_the_way(backups: Path) -> Path:
    (backups / "target").write_text("not a directory")
    return backups / "target" / f"catalogue{SUFFIX}"


def test_unwritable_output_fails_clearly_and_leaves_nothing(
    runner: FlaskCliRunner, backups: Path
) -> None:
    """A place nobody can write to, root included (CI runs as root, for whom a read-only
    directory is no obstacle): a file where the directory should be."""
    output = _file_in_the_way(backups)
    before = sorted(backups.rglob("*"))
    result = runner.invoke(args=["backup", "--output", str(output)])
    assert result.exit_code != 0
    assert "No backup made." in result.output
    assert "is not a directory" in result.output
    assert sorted(backups.rglob("*")) == before


def test_failing_copy_leaves_no_partial_file(
    app: Flask, runner: FlaskCliRunner, backups: Path
) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if ON_POSTGRESQL:
        missing, message = "no_such_catalogue", 'database "no_such_catalogue" does not exist'
    else:
        missing, message = "gone.sqlite3", "There is no SQLite database at"
    app.config["SQLALCHEMY_DATABASE_URI"] = f"{url.rpartition('/')[0]}/{missing}"
    try:
        result = runner.invoke(args=["backup", "--output", str(backups / f"c{SUFFIX}")])
    finally:
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    assert result.exit_code != 0
    assert message in result.output
    # The temporary file existed while the copy ran; it is gone, and nothing took its name.
    assert list(backups.iterdir()) == []


def test_backup_never_overwrites_a_file(runner: FlaskCliRunner, backups: Path) -> None:
    earlier = backups / f"earlier{SUFFIX}"
    earlier.write_text("an earlier backup")
    result = runner.invoke(args=["backup", "--output", str(earlier)])
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert earlier.read_text() == "an earlier backup"
    assert list(backups.iterdir()) == [earlier]


@only_postgresql
def test_missing_pg_dump_fails_clearly(app: Flask, runner: FlaskCliRunner, backups: Path) -> None:
    app.config["PG_DUMP"] = str(backups / "no-such-pg_dump")
    result = runner.invoke(args=["backup", "--output", str(backups / "c.dump")])
    assert result.exit_code != 0
    assert "no-such-pg_dump not found" in result.output
    assert "CATALOGUE_PG_DUMP" in result.output
    assert list(backups.iterdir()) == []


def test_postgresql_url_becomes_a_libpq_uri_without_its_password() -> None:
    uri, environment = libpq_connection(
        "postgresql+psycopg://katalog:s%40cret@db.example:5433/mint"
    )
    assert uri == "postgresql://katalog@db.example:5433/mint"
    assert environment == {"PGPASSWORD": "s@cret"}
    assert libpq_connection("postgresql+psycopg://postgres@127.0.0.1/mint") == (
        "postgresql://postgres@127.0.0.1/mint",
        {},
    )
