"""Cross-cutting guarantees: every form is CSRF-protected, and a rejected POST changes nothing."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from sqlalchemy import select, text

from catalogue.extensions import db
from catalogue.models import Offer

TABLES = (
    "offers", "offer_terms", "offer_sessions", "offer_transitions", "offer_revisions",
    "partners", "users", "membership_applications", "index_changes",
)  # fmt: skip


def fingerprint(app: Flask) -> str:
    """A digest of every row that a POST could change."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in TABLES:
            rows = db.session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            digest.update(repr(rows).encode())
    return digest.hexdigest()


def post_urls(app: Flask) -> list[str]:
    """Every route that takes POST, with real values for its variables."""
    with app.app_context():
        slug = (
            db.session.execute(
                select(Offer.slug).join(Offer.partner).where(Offer.status == "published")
            )
            .scalars()
            .first()
        )
    values = {"slug": slug, "token": "x", "id": "1", "application_id": "1", "offer_id": "1"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", values.get(name, "1"))
            for converter in ("int", "string", "path"):
                path = path.replace(f"<{converter}:{name}>", values.get(name, "1"))
        urls.append(path)
    return sorted(urls)


@pytest.mark.parametrize("role_email", [None, "partner@example.org", "redaktion@example.org"])
def test_every_post_without_csrf_token_answers_400_and_changes_nothing(
    app: Flask, auth, role_email: str | None
) -> None:
    if role_email:
        response = auth.login(role_email)
        assert response.status_code == 302
    urls = post_urls(app)
    assert "/logout" in urls and len(urls) >= 3
    before = fingerprint(app)
    for url in urls:
        response = auth.client.post(url, data={"title": "x", "reason": "x", "email": "a@b.de"})
        assert response.status_code == 400, url
    assert fingerprint(app) == before


@pytest.mark.parametrize(
    "path", ["/", "/offers?age=abc", "/nowhere", "/api/v1/offers", "/static/style.css"]
)
def test_every_response_carries_the_security_headers(client, path: str) -> None:
    response = client.get(path)
    response.close()  # static files are streamed from an open file
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
