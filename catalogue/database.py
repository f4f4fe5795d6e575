"""Connection settings every database connection gets, and how SQLite transactions begin.

Python's sqlite3 driver begins a transaction only right before the first INSERT, UPDATE or
DELETE: everything a request read before that was read outside the transaction, so two requests
could decide on the same stale state (two new offers taking the same free slug, an update based
on a row another worker has changed since). On SQLite, a write request (POST, PUT, PATCH,
DELETE) therefore begins its session's transaction with BEGIN IMMEDIATE: it takes the database's
one write lock before its first read, waits for it (busy timeout) instead of failing, and reads
what the previous writer committed. Reading requests, the CLI and the index's own sessions keep
the driver's way, so a long `index rebuild` never holds the write lock. PostgreSQL needs none of
this; there, writers that must not decide on the same state take locks where they decide: the
change-log order (`indexing`), a new offer's slug (`offer_records.unique_slug`), an editor's
decision (`views.moderation`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask, request
from sqlalchemy import Connection, Engine, event

from catalogue.extensions import db

# Execution option of the connection of a write request's session (SQLite only).
_BEGIN_IMMEDIATE = "catalogue_begin_immediate"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Posts that write nothing to the database. Logging in spends its time hashing the password,
# which under the write lock would make every other writer wait for it.
_POSTS_WRITING_NOTHING = frozenset({"auth.login", "auth.logout"})


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; the busy timeout makes a second writer wait
    # instead of failing; SQLite leaves foreign keys off unless asked.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _begin(connection: Connection) -> None:
    """A write request's transaction takes the write lock first (see the module docstring)."""
    if connection.get_execution_options().get(_BEGIN_IMMEDIATE):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _write_requests_begin_immediate() -> None:
    if (
        request.method in _SAFE_METHODS
        or request.endpoint in _POSTS_WRITING_NOTHING
        or db.engine.dialect.name != "sqlite"
    ):
        return
    # A test that keeps an app context open may hand its session, already in use, to a request.
    if db.session().get_transaction() is None:
        db.session.connection(execution_options={_BEGIN_IMMEDIATE: True})


def init_database(app: Flask) -> None:
    """Register the per-connection settings (once per process) and write requests' BEGIN."""
    if not event.contains(Engine, "connect", _configure_sqlite):
        event.listen(Engine, "connect", _configure_sqlite)
        event.listen(Engine, "begin", _begin)
    # Registered before every other extension's hook, so no statement of the request runs first.
    app.before_request(_write_requests_begin_immediate)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
