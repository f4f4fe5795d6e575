"""The partner area: a partner's own offers, their forms and their review status."""

from flask import Blueprint

bp = Blueprint("partner", __name__, url_prefix="/partner")


@bp.get("/")
def index() -> str:
    """Placeholder until the partner area lands."""
    return "partner"
