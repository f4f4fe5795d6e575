"""The editors' area: review queue, decisions, membership applications."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.get("/")
def queue() -> str:
    """Placeholder until the review queue lands."""
    return "moderation"
