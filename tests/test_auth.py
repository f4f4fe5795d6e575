"""Accounts through the test client: login and its throttling, logout, passwords, invitations."""

from __future__ import annotations

import re
import sqlite3
import time
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from catalogue import accounts
from catalogue.extensions import db
from catalogue.mail import Mail
from catalogue.models import Partner, User
from catalogue.seeding import DEMO_PASSWORD

if TYPE_CHECKING:
    # For annotations only: at run time "conftest" may be tests/search_index/conftest.py.
    from conftest import Auth

PARTNER = "partner@example.org"
EDITOR = "redaktion@example.org"
NEW_PASSWORD = "ein-ganz-neues-passwort"
PROTECTED = "/account/password"


def _token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the form on `path` (the page's own form, not the logout button)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _post_login(
    client: FlaskClient, email: str, password: str, token: str, address: str = "127.0.0.1"
):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def _login(client: FlaskClient, email: str = PARTNER, password: str = DEMO_PASSWORD):
    return _post_login(client, email, password, _token(client))


def _is_logged_in(client: FlaskClient) -> bool:
    return client.get(PROTECTED).status_code == 200


def _main(page: str) -> str:
    """The page's main content without the per-session CSRF token."""
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r'value="[^"]*"', 'value=""', main)


def _invite_link(app: Flask, email: str) -> str:
    with app.test_request_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        return "/set-password/" + accounts.set_password_token(user)


def _invited_user(app: Flask, email: str = "neu@example.org") -> str:
    """A new partner user without a password, and the path of their set-password link."""
    with app.app_context():
        partner = db.session.execute(
            select(Partner).where(Partner.slug == "experimenta")
        ).scalar_one()
        accounts.create_user(db.session, email, "partner", partner)
        db.session.commit()
    return _invite_link(app, email)


# Tests on the shared demo catalogue (`client`) write nothing and never fail a login: the limiter's
# counters live as long as the newest app, and the other tests start each with an app of their own.


# --- Login -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "home"),
    [(PARTNER, "/partner/"), (EDITOR, "/moderation/"), (" Partner@Example.ORG ", "/partner/")],
)
def test_login_leads_each_role_home(auth: Auth, email: str, home: str) -> None:
    response = auth.login(email)
    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert _is_logged_in(auth.client)


def test_login_page_is_an_accessible_form(auth: Auth) -> None:
    page = auth.client.get("/login").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert '<label for="email">' in page and '<label for="password">' in page
    assert 'autocomplete="email"' in page and 'autocomplete="current-password"' in page
    failed = auth.login(PARTNER, "falsch-falsch").get_data(as_text=True)
    assert 'id="login-error" role="alert"' in failed
    assert failed.count('aria-describedby="login-error"') == 2


def test_wrong_password_and_unknown_email_answer_the_same(auth: Auth) -> None:
    wrong_password = auth.login(PARTNER, "falsches-passwort")
    unknown_email = auth.login("niemand@example.org", "falsches-passwort")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in wrong_password.get_data(as_text=True)
    assert _main(wrong_password.get_data(as_text=True)) == _main(
        unknown_email.get_data(as_text=True)
    )
    assert not _is_logged_in(auth.client)


def test_sixth_failure_for_an_account_answers_429_and_other_accounts_still_log_in(
    auth: Auth,
) -> None:
    token = _token(auth.client)
    for _ in range(5):
        assert _post_login(auth.client, PARTNER, "falsch", token).status_code == 200
    sixth = _post_login(auth.client, PARTNER, "falsch", token)
    assert sixth.status_code == 429
    assert "Zu viele Versuche" in sixth.get_data(as_text=True)
    # The account stays closed for a while, even to its right password ...
    assert _post_login(auth.client, PARTNER, DEMO_PASSWORD, token).status_code == 429
    # ... however its address is written, while another account from the same client gets in.
    assert _post_login(auth.client, " PARTNER@example.org", "falsch", token).status_code == 429
    assert _post_login(auth.client, EDITOR, DEMO_PASSWORD, token).status_code == 302


def test_successful_logins_never_count(auth: Auth) -> None:
    for _ in range(10):
        assert auth.login().status_code == 302
        assert auth.logout().status_code == 302
    token = _token(auth.client)
    for _ in range(5):
        assert _post_login(auth.client, PARTNER, "falsch", token).status_code == 200
    assert _post_login(auth.client, PARTNER, "falsch", token).status_code == 429


def test_form_mistakes_do_not_count_as_failed_logins(auth: Auth) -> None:
    token = _token(auth.client)
    for _ in range(8):
        assert _post_login(auth.client, PARTNER, "", token).status_code == 200
    assert _post_login(auth.client, PARTNER, DEMO_PASSWORD, token).status_code == 302


def test_fiftieth_failure_from_one_address_answers_429(auth: Auth) -> None:
    token = _token(auth.client)
    address = "198.51.100.7"
    for number in range(49):
        response = _post_login(auth.client, f"person{number}@example.org", "falsch", token, address)
        assert response.status_code == 200, number
    assert (
        _post_login(auth.client, "person50@example.org", "falsch", token, address).status_code
        == 429
    )
    assert _post_login(auth.client, EDITOR, DEMO_PASSWORD, token, address).status_code == 429
    assert _post_login(auth.client, EDITOR, DEMO_PASSWORD, token, "198.51.100.8").status_code == 302


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("/partner/", "/partner/"),
        ("/offers?stage=primary", "/offers?stage=primary"),
        ("//evil.example", "/partner/"),
        ("https://evil.example", "/partner/"),
        ("/\\evil.example", "/partner/"),
        ("/\t/evil.example", "/partner/"),
        ("javascript:alert(1)", "/partner/"),
        ("evil.example", "/partner/"),
        ("", "/partner/"),
    ],
)
def test_next_only_ever_leads_to_a_path_on_this_site(
    client: FlaskClient, next_value: str, expected: str
) -> None:
    token = _token(client, "/login?next=")
    response = client.post(
        "/login",
        query_string={"next": next_value},
        data={"email": PARTNER, "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_a_protected_page_sends_to_login_and_back(client: FlaskClient) -> None:
    response = client.get(PROTECTED)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    token = _token(client, response.headers["Location"])
    back = client.post(
        response.headers["Location"],
        data={"email": PARTNER, "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert back.headers["Location"] == PROTECTED


def test_logged_in_users_are_sent_home_from_the_login_page(client: FlaskClient) -> None:
    _login(client, EDITOR)
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/"


@pytest.mark.parametrize(
    "data",
    [
        {"email": "x" * 10_000 + "@example.org", "password": "p"},
        {"email": "jürgen.müller@bäckerei.example", "password": "ßüöä😀\u202e"},
        {"email": "", "password": ""},
        {"email": "\x00\x01", "password": "x" * 5000},
        {"password": "nur-passwort"},
        {},
    ],
)
def test_garbage_on_the_login_form_gets_the_form_again(auth: Auth, data: dict[str, str]) -> None:
    token = _token(auth.client)
    response = auth.client.post("/login", data={**data, "csrf_token": token})
    assert response.status_code == 200
    assert 'name="email"' in response.get_data(as_text=True)
    assert not _is_logged_in(auth.client)


# --- Logout ------------------------------------------------------------------------------------


def test_logout_ends_the_session(auth: Auth) -> None:
    auth.login()
    assert _is_logged_in(auth.client)
    response = auth.logout()
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Sie sind abgemeldet." in auth.client.get("/").get_data(as_text=True)
    after = auth.client.get(PROTECTED)
    assert after.status_code == 302 and after.headers["Location"].startswith("/login")


def test_logout_needs_post_and_the_csrf_token(auth: Auth) -> None:
    auth.login()
    assert auth.client.post("/logout").status_code == 400
    assert auth.client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert auth.client.get("/logout").status_code == 405
    assert _is_logged_in(auth.client)


# --- Changing the password ---------------------------------------------------------------------


def _change_password(auth: Auth, current: str, new: str, repeat: str | None = None):
    return auth.client.post(
        PROTECTED,
        data={
            "current_password": current,
            "new_password": new,
            "new_password_repeat": new if repeat is None else repeat,
            "csrf_token": auth.csrf_token(PROTECTED),
        },
    )


def test_password_change_ends_other_sessions_and_keeps_this_one(app: Flask, auth: Auth) -> None:
    other = app.test_client()
    _login(other)
    auth.login()
    assert _is_logged_in(other)
    response = _change_password(auth, DEMO_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/partner/"
    assert _is_logged_in(auth.client)
    assert other.get(PROTECTED).headers["Location"].startswith("/login")
    assert _login(app.test_client(), PARTNER, DEMO_PASSWORD).status_code == 200
    assert _login(app.test_client(), PARTNER, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("falsch", NEW_PASSWORD, None, "current_password", "nicht richtig"),
        (DEMO_PASSWORD, "kurz", None, "new_password", "mindestens 10 Zeichen"),
        (DEMO_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "new_password_repeat", "stimmen nicht"),
        ("", NEW_PASSWORD, None, "current_password", "bisheriges Passwort ein"),
    ],
)
def test_password_change_mistakes_are_shown_at_the_field(
    app: Flask, auth: Auth, current: str, new: str, repeat: str | None, field: str, message: str
) -> None:
    auth.login()
    response = _change_password(auth, current, new, repeat)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="field-error" id="{field}-error">' in page
    assert message in page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert re.search(
        rf'<input [^>]*aria-describedby="[^"]*{field}-error[^"]*"[^>]*id="{field}"', page
    )
    assert _login(app.test_client(), PARTNER, DEMO_PASSWORD).status_code == 302


def test_password_change_page_has_the_autocomplete_hints(auth: Auth) -> None:
    auth.login()
    page = auth.client.get(PROTECTED).get_data(as_text=True)
    assert page.count("<h1") == 1
    assert page.count('autocomplete="new-password"') == 2
    assert 'autocomplete="current-password"' in page
    assert 'aria-describedby="new_password-hint"' in page


def test_guessing_the_current_password_is_throttled(auth: Auth) -> None:
    auth.login()
    for _ in range(5):
        assert _change_password(auth, "falsch", NEW_PASSWORD).status_code == 200
    assert _change_password(auth, "falsch", NEW_PASSWORD).status_code == 429


# --- Set-password links ------------------------------------------------------------------------


def _set_password(client: FlaskClient, link: str, password: str = NEW_PASSWORD):
    return client.post(
        link,
        data={
            "new_password": password,
            "new_password_repeat": password,
            "csrf_token": _token(client, link),
        },
    )


def test_set_password_link_works_once(app: Flask) -> None:
    link = _invited_user(app)
    client = app.test_client()
    page = client.get(link)
    assert page.status_code == 200
    assert '<meta name="referrer" content="no-referrer">' in page.get_data(as_text=True)
    response = _set_password(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/partner/"
    assert _is_logged_in(client)
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "Dieser Link gilt nicht mehr" in again.get_data(as_text=True)
    assert _login(app.test_client(), "neu@example.org", NEW_PASSWORD).status_code == 302


def test_set_password_link_keeps_the_password_rules(app: Flask) -> None:
    link = _invited_user(app)
    client = app.test_client()
    assert _set_password(client, link, "kurz").status_code == 200
    assert not _is_logged_in(client)
    assert client.get(link).status_code == 200


class _LongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - accounts.SET_PASSWORD_MAX_AGE - 60


def test_expired_and_forged_links_are_refused(app: Flask) -> None:
    link = _invited_user(app)
    token = link.rsplit("/", 1)[1]
    payload = URLSafeTimedSerializer("test-secret", salt="set-password").loads(token)
    expired = URLSafeTimedSerializer("test-secret", salt="set-password", signer=_LongAgo).dumps(
        payload
    )
    forged = URLSafeTimedSerializer("another-secret", salt="set-password").dumps(payload)
    client = app.test_client()
    for bad in (expired, forged, token[:-3] + "abc", "nonsense", "x" * 5000):
        assert client.get(f"/set-password/{bad}").status_code == 410
        response = client.post(
            f"/set-password/{bad}",
            data={"new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD},
        )
        assert response.status_code in (400, 410)
    assert client.get(link).status_code == 200


# --- Invitations -------------------------------------------------------------------------------


@pytest.fixture
def sent(app: Flask) -> list[Mail]:
    """The mail the app sends, instead of the log."""
    mails: list[Mail] = []
    app.extensions["mail_sender"] = mails.append
    return mails


def _invite(client: FlaskClient, email: str, partner: str | int):
    return client.post(
        "/users/invite",
        data={"email": email, "partner": partner, "csrf_token": _token(client, "/users/invite")},
    )


def _partner_id(app: Flask, slug: str = "experimenta") -> int:
    with app.app_context():
        return db.session.execute(select(Partner.id).where(Partner.slug == slug)).scalar_one()


def test_editor_invites_a_partner_user_by_mail(app: Flask, auth: Auth, sent: list[Mail]) -> None:
    auth.login(EDITOR)
    response = _invite(auth.client, " Neue.Person@Example.org", _partner_id(app))
    assert response.status_code == 302 and response.headers["Location"] == "/users/invite"
    page = auth.client.get("/users/invite").get_data(as_text=True)
    assert "Die Einladung an neue.person@example.org ist verschickt." in page
    assert "neue.person@example.org" in page.split('id="users-heading"', 1)[1]
    assert "Einladung offen" in page
    [mail] = sent
    assert mail.to == "neue.person@example.org"
    link = re.search(r"http://localhost(/set-password/\S+)", mail.body).group(1)
    assert "experimenta" in mail.body
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == mail.to)).scalar_one()
        assert (user.role, user.partner.slug, user.password_hash) == (
            "partner",
            "experimenta",
            None,
        )
    invited = app.test_client()
    assert _set_password(invited, link).headers["Location"] == "/partner/"


def test_inviting_an_existing_address_is_refused_at_the_field(
    app: Flask, auth: Auth, sent: list[Mail]
) -> None:
    auth.login(EDITOR)
    response = _invite(auth.client, "PARTNER@example.org", _partner_id(app))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<p class="field-error" id="email-error">' in page
    assert "gibt es schon einen Zugang" in page
    assert sent == []


@pytest.mark.parametrize(
    ("email", "partner", "field"),
    [
        ("keine-adresse", "experimenta", "email"),
        ("", "experimenta", "email"),
        ("a" * 300 + "@example.org", "experimenta", "email"),
        ("neu@example.org", "0", "partner"),
        ("neu@example.org", "abc", "partner"),
        ("neu@example.org", "999999", "partner"),
    ],
)
def test_invitation_mistakes_are_shown_at_the_field(
    seeded_app: Flask, client: FlaskClient, email: str, partner: str, field: str
) -> None:
    _login(client, EDITOR)
    value = _partner_id(seeded_app) if partner == "experimenta" else partner
    response = _invite(client, email, value)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with seeded_app.app_context():
        assert accounts.find_user(db.session, email) is None


def test_only_editors_may_invite(seeded_app: Flask, client: FlaskClient) -> None:
    anonymous = client.get("/users/invite")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    _login(client, PARTNER)
    assert client.get("/users/invite").status_code == 403
    response = client.post(
        "/users/invite",
        data={"email": "neu@example.org", "partner": "1", "csrf_token": _token(client, PROTECTED)},
    )
    assert response.status_code == 403
    with seeded_app.app_context():
        assert accounts.find_user(db.session, "neu@example.org") is None


def test_an_invitation_whose_mail_fails_creates_nothing(app: Flask, auth: Auth) -> None:
    def refuse(mail: Mail) -> None:
        raise ConnectionRefusedError("no mail server")

    app.extensions["mail_sender"] = refuse
    auth.login(EDITOR)
    response = _invite(auth.client, "neu@example.org", _partner_id(app))
    assert response.status_code == 200
    assert "konnte nicht verschickt werden" in response.get_data(as_text=True)
    with app.app_context():
        assert accounts.find_user(db.session, "neu@example.org") is None
    sent: list[Mail] = []
    app.extensions["mail_sender"] = sent.append
    assert _invite(auth.client, "neu@example.org", _partner_id(app)).status_code == 302
    assert [mail.to for mail in sent] == ["neu@example.org"]


def test_logging_in_does_not_wait_for_other_writers(app: Flask, auth: Auth) -> None:
    """On SQLite, write requests take the database's one write lock first; logging in writes
    nothing and must not queue behind (or, while hashing, hold up) partners saving offers."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock only")
    other_writer = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other_writer.execute("BEGIN IMMEDIATE")  # another worker in the middle of a save
        response = auth.login()
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/partner/")
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
