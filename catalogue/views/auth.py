"""Logging in and out, passwords, invitations."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str:
    """Placeholder until the login form lands."""
    return "login"


@bp.post("/logout")
def logout() -> str:
    """Placeholder until logout lands."""
    return "logout"
