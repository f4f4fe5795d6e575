"""Accounts: logging in, passwords, invitations with one-time set-password links."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.models import Partner, User, new_token
from catalogue.passwords import hash_password, verify_password

SET_PASSWORD_MAX_AGE = 7 * 24 * 3600
MIN_PASSWORD_LENGTH = 10
# Verifying against a real hash when the account is unknown keeps both answers equally slow.
_DUMMY_HASH = hash_password("not-a-real-password")


class AccountError(ValueError):
    """A request about an account that cannot be granted; the message is for people."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose e-mail and password these are, or None; the same for every failure."""
    user = find_user(session, email)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not user.is_enabled or not verify_password(user.password_hash, password):
        return None
    return user


def load_user(session: Session, session_id: str) -> User | None:
    """The user of a login session, unless that session was ended since (Flask-Login hook)."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_enabled or user.session_token != token:
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password; every other session and every open set-password link ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    user.session_token = new_token()


def create_user(session: Session, email: str, role: str, partner: Partner | None = None) -> User:
    """A new account without a password (it is set through an invitation link)."""
    email = normalise_email(email)
    if find_user(session, email) is not None:
        raise AccountError("exists")
    user = User(email=email, role=role, partner=partner, password_hash=None)
    session.add(user)
    session.flush()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def set_password_token(user: User) -> str:
    """A signed token for a one-time set-password link (valid 7 days, void once used)."""
    return _serializer().dumps({"user": user.id, "session": user.session_token})


def user_for_set_password_token(session: Session, token: str) -> User | None:
    """The user a set-password token is for, if it is genuine, fresh and unused."""
    try:
        data = _serializer().loads(token, max_age=SET_PASSWORD_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = session.get(User, data["user"])
    if user is None or not user.is_enabled or user.session_token != data.get("session"):
        return None
    return user
