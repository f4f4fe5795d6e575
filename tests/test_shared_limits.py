"""Login throttling shared by several worker processes through Redis, as in production."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from catalogue import create_app
from catalogue.config import env_flag
from catalogue.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


# The machine's Redis is part of CI; only a local run without it may skip.
pytestmark = pytest.mark.skipif(
    not env_flag("CI") and not _redis_available(), reason="no Redis on 127.0.0.1:6379"
)


def worker(app: Flask, prefix: str) -> Flask:
    """Another process's app on the same database, counting in the same Redis."""
    return create_app(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "INDEX_DIR": app.config["INDEX_DIR"],
            "SECRET_KEY": "test-secret",
            "RATELIMIT_STORAGE_URL": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
            "TESTING": True,
        }
    )


def failed_login(app: Flask, email: str) -> int:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": email, "password": "falsch-falsch", "csrf_token": token}
    )
    return response.status_code


@pytest.fixture
def workers(app: Flask) -> Iterator[tuple[Flask, Flask]]:
    prefix = f"test-{uuid.uuid4().hex}"
    pair = (worker(app, prefix), worker(app, prefix))
    yield pair
    for each in pair:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def test_failed_logins_count_across_workers_sharing_redis(workers: tuple[Flask, Flask]) -> None:
    first, second = workers
    statuses = [failed_login(first if i % 2 else second, "partner@example.org") for i in range(5)]
    assert statuses == [200] * 5
    # The sixth failure is refused, whichever worker answers it.
    assert failed_login(first, "partner@example.org") == 429
    assert failed_login(second, "partner@example.org") == 429
    # Another account is not affected.
    assert failed_login(second, "redaktion@example.org") == 200
