"""Consistent backups of the catalogue's database, taken while the application goes on writing.

SQLite is copied through its online backup API: one read transaction sees one committed state of
the whole file while writers go on (the database runs in WAL mode). PostgreSQL is dumped with
`pg_dump` in its custom format, which reads everything in one snapshot. Either way the copy is
written under a temporary name beside its target and renamed only once it is complete, so a file
with a backup's name is always a whole backup.

The search index needs no backup: it is derived from the database (`index rebuild`). Restoring is
described in the README (Backup and restore).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from catalogue.config import child_environment

# File name endings of the two kinds of backup.
SQLITE_SUFFIX = ".sqlite3"
POSTGRESQL_SUFFIX = ".dump"


class BackupError(Exception):
    """A backup could not be made; the message says why, and no partial file is left."""


@dataclass(frozen=True)
class Backup:
    """A finished backup file."""

    path: Path
    size: int


def default_backup_path(database_url: str, backup_dir: Path, now: datetime | None = None) -> Path:
    """`catalogue-YYYYMMDD-HHMMSS` (UTC) under `backup_dir`, ending as the database's kind."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return backup_dir / f"catalogue-{stamp}{_suffix(_parse(database_url))}"


def back_up_database(database_url: str, output: Path, pg_dump: str = "pg_dump") -> Backup:
    """Copy the database at `database_url` consistently to `output`, which must not exist yet.

    Raises BackupError with a message for people when anything fails."""
    url = _parse(database_url)
    _suffix(url)  # refuses kinds of database it cannot back up before anything is created
    output = output.absolute()
    if output.exists():
        raise BackupError(f"{output} exists already; a backup never overwrites a file.")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise BackupError(f"{output.parent} is not a directory.") from None
    except OSError as exc:
        raise BackupError(f"Cannot create the directory {output.parent}: {exc.strerror}.") from None
    with _temporary_beside(output) as temporary:
        if url.get_backend_name() == "sqlite":
            _copy_sqlite(Path(url.database or ""), temporary)
        else:
            _dump_postgresql(url, temporary, pg_dump)
        _sync(temporary)
        try:
            # A hard link, unlike a rename, refuses a file that appeared there meanwhile; the
            # temporary name is removed on the way out.
            os.link(temporary, output)
        except FileExistsError:
            raise BackupError(
                f"{output} exists already; a backup never overwrites a file."
            ) from None
        except OSError as exc:
            raise BackupError(f"Cannot move the finished backup to {output}: {exc}.") from None
    _sync_directory(output.parent)
    return Backup(output, output.stat().st_size)


def libpq_connection(database_url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy PostgreSQL URL as a libpq connection URI for pg_dump, pg_restore and psql,
    and the environment that carries its password (PGPASSWORD), which never goes on a command
    line where other users could read it."""
    return _libpq(_parse(database_url))


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    if url.get_backend_name() != "postgresql":
        raise BackupError(f"Not a PostgreSQL URL: {url.render_as_string(hide_password=True)}")
    # postgresql+psycopg:// is SQLAlchemy's; libpq knows only postgresql://.
    # Built anew: URL.set(password=None) would keep the password.
    bare = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    uri = bare.render_as_string(hide_password=False)
    return uri, ({"PGPASSWORD": url.password} if url.password else {})


def _parse(database_url: str) -> URL:
    try:
        return make_url(database_url)
    except (ArgumentError, ValueError) as exc:
        raise BackupError(f"Cannot read the database URL: {exc}") from None


def _suffix(url: URL) -> str:
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("An in-memory SQLite database has no file to back up.")
        return SQLITE_SUFFIX
    if backend == "postgresql":
        return POSTGRESQL_SUFFIX
    raise BackupError(f"Cannot back up a {backend} database; only SQLite and PostgreSQL.")


@contextmanager
def _temporary_beside(output: Path) -> Iterator[Path]:
    """A new empty file next to `output` (same file system, so it can be linked into place
    atomically), removed again on the way out."""
    try:
        handle, name = tempfile.mkstemp(
            dir=output.parent, prefix=f".{output.name}.", suffix=".partial"
        )
    except OSError as exc:
        raise BackupError(f"Cannot write to {output.parent}: {exc.strerror}.") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        # The file itself, and what SQLite may have left beside it had the copy failed.
        for leftover in (temporary, *(Path(f"{temporary}{s}") for s in ("-journal", "-wal"))):
            leftover.unlink(missing_ok=True)


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as origin,
            closing(sqlite3.connect(target)) as copy,
        ):
            # All pages in one step: one read transaction, so one committed state of the whole
            # database, while writers carry on in the WAL. (Step by step, every write by another
            # connection would restart the copy.)
            origin.backup(copy)
            # The copy is a single self-contained file, whatever mode the original ran in.
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {source}: {exc}.") from None
    if problems != ["ok"]:
        raise BackupError(f"The copy of {source} fails SQLite's check: {'; '.join(problems)}")


def _dump_postgresql(url: URL, target: Path, pg_dump: str) -> None:
    program = shutil.which(pg_dump)
    if program is None:
        raise BackupError(
            f"{pg_dump} not found: install PostgreSQL's client tools (Debian: postgresql-client) "
            "or set CATALOGUE_PG_DUMP to the pg_dump matching the server."
        )
    uri, password = _libpq(url)
    # --dbname=… so that a URI can never be read as an option.
    command = [program, "--format=custom", "--no-password", f"--file={target}", f"--dbname={uri}"]
    try:
        result = subprocess.run(
            command, env=child_environment(password), capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise BackupError(f"Cannot run {program}: {exc}.") from None
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        if "version mismatch" in detail:
            detail += (
                "\nSet CATALOGUE_PG_DUMP to a pg_dump of the server's major version (or newer)."
            )
        raise BackupError(f"pg_dump failed: {detail}")


def _sync(path: Path) -> None:
    """Put the file's contents on disk before its name says it is a backup."""
    with path.open("rb") as file:
        os.fsync(file.fileno())


def _sync_directory(directory: Path) -> None:
    """Put the rename on disk too."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
