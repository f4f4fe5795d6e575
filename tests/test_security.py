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


def test_headers_over_https_add_strict_transport_security(client) -> None:
    """HSTS only where the visitor came over HTTPS; over plain HTTP it would be meaningless."""
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/").headers


def _cookie(response, name: str) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert cookies, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return cookies[-1]


def test_cookies_are_httponly_and_samesite_lax_and_not_secure_locally(auth) -> None:
    """`make run` serves plain HTTP on loopback, where a Secure cookie would never come back."""
    response = auth.login()
    assert response.status_code == 302
    for cookie in (_cookie(response, "session"), _cookie(auth.client.get("/?lang=en"), "lang")):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie


def test_cookies_are_secure_when_the_catalogue_is_served_over_https(app: Flask) -> None:
    from catalogue import create_app

    production = create_app(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "INDEX_DIR": app.config["INDEX_DIR"],
            "SECRET_KEY": "production-like",
            "BASE_URL": "https://mint.example",
            "TESTING": True,
        }
    )
    client = production.test_client()
    for cookie in (
        _cookie(client.get("/login", base_url="https://mint.example"), "session"),
        _cookie(client.get("/?lang=en", base_url="https://mint.example"), "lang"),
    ):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with production.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The catalogue with one page whose code fails, as a bug would."""

    def broken_page():
        raise RuntimeError("secret detail from deep inside")

    app.add_url_rule("/kaputt", "broken_page", broken_page)
    app.add_url_rule("/api/v1/kaputt", "broken_api", broken_page)
    return app


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("de", "Es ist ein Fehler aufgetreten"),
        ("en", "Something went wrong"),
    ],
)
def test_an_unexpected_error_shows_the_generic_translated_page(
    failing_app: Flask, lang: str, message: str
) -> None:
    response = failing_app.test_client().get(f"/kaputt?lang={lang}")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert message in body
    assert "secret detail" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_an_unexpected_api_error_answers_the_json_error_body(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/api/v1/kaputt")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"
    assert "secret detail" not in response.get_data(as_text=True)
