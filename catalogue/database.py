"""Connection settings every database connection gets."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event


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


def init_database(app: Flask) -> None:
    """Register the per-connection settings (once per process)."""
    if not event.contains(Engine, "connect", _configure_sqlite):
        event.listen(Engine, "connect", _configure_sqlite)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
