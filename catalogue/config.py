"""All configuration, read from `CATALOGUE_*` environment variables in this one place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PREFIX = "CATALOGUE_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SEEDS_DIR = PROJECT_ROOT / "seeds"

# name -> (default, parser). Every setting the application reads is listed here and nowhere else.
_SETTINGS: dict[str, tuple[Any, Any]] = {
    "DATABASE_URL": (f"sqlite:///{INSTANCE_DIR / 'catalogue.sqlite3'}", str),
    "INDEX_DIR": (str(INSTANCE_DIR / "index"), str),
    # Only for local use; production sets a real secret (see README).
    "SECRET_KEY": ("dev-only-not-secret", str),
    "INDEX_LOCK_TIMEOUT": (5.0, float),
    "BASE_URL": ("", str),
    "DEFAULT_LOCALE": ("de", str),
    # Where rate-limit counters live: memory:// for one process, redis://… shared by all workers.
    "RATELIMIT_STORAGE_URL": ("memory://", str),
    # How many reverse proxies stand in front of the app; their X-Forwarded-* headers are
    # trusted for exactly that many hops (0: none, as with `make run`).
    "PROXY_HOPS": (0, int),
    # Outgoing mail: with no SMTP host, mail is written to the log (local use, tests).
    "SMTP_HOST": ("", str),
    "SMTP_PORT": (587, int),
    "SMTP_USERNAME": ("", str),
    "SMTP_PASSWORD": ("", str),
    "SMTP_STARTTLS": (True, lambda raw: raw.lower() in {"1", "true", "yes"}),
    "MAIL_SENDER": ("MINT-Angebote <noreply@example.org>", str),
    # Where people report accessibility barriers; named in the accessibility statement.
    "ACCESSIBILITY_CONTACT": ("barrierefreiheit@example.org", str),
    # Where `flask --app wsgi backup` writes when given no --output.
    "BACKUP_DIR": (str(INSTANCE_DIR / "backups"), str),
    # The pg_dump that backs up PostgreSQL; its major version must be at least the server's
    # (e.g. /usr/lib/postgresql/16/bin/pg_dump when several are installed).
    "PG_DUMP": ("pg_dump", str),
}


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the Flask config mapping built from the environment and `overrides`."""
    values: dict[str, Any] = {}
    for name, (default, parse) in _SETTINGS.items():
        raw = os.environ.get(PREFIX + name)
        values[name] = default if raw in (None, "") else parse(raw)
    values.update(overrides or {})
    return {
        "SECRET_KEY": values["SECRET_KEY"],
        "SQLALCHEMY_DATABASE_URI": values["DATABASE_URL"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "INDEX_DIR": values["INDEX_DIR"],
        "INDEX_LOCK_TIMEOUT": values["INDEX_LOCK_TIMEOUT"],
        "BASE_URL": values["BASE_URL"],
        "RATELIMIT_STORAGE_URI": values["RATELIMIT_STORAGE_URL"],
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_STRATEGY": "moving-window",
        "PROXY_HOPS": values["PROXY_HOPS"],
        "SMTP": {
            "host": values["SMTP_HOST"],
            "port": values["SMTP_PORT"],
            "username": values["SMTP_USERNAME"],
            "password": values["SMTP_PASSWORD"],
            "starttls": values["SMTP_STARTTLS"],
        },
        "MAIL_SENDER": values["MAIL_SENDER"],
        "ACCESSIBILITY_CONTACT": values["ACCESSIBILITY_CONTACT"],
        "BACKUP_DIR": values["BACKUP_DIR"],
        "PG_DUMP": values["PG_DUMP"],
        "BABEL_DEFAULT_LOCALE": values["DEFAULT_LOCALE"],
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("de", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Production is served over HTTPS at its BASE_URL: cookies then never travel in clear.
        "SESSION_COOKIE_SECURE": values["BASE_URL"].lower().startswith("https://"),
        **{k: v for k, v in (overrides or {}).items() if k not in _SETTINGS},
    }


def test_database_url() -> str | None:
    """The database the test suite should use instead of a temporary SQLite file, if any."""
    return os.environ.get(PREFIX + "TEST_DATABASE_URL") or None


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment plus `extra`, for a tool run as a child process (pg_dump)."""
    return {**os.environ, **extra}


def env_flag(name: str) -> bool:
    """Whether a plain environment flag (such as CI) is set to a true value."""
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}
