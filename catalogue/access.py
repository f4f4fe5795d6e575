"""Who may reach what: login, roles, and offers that belong to the user's partner."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, request
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from catalogue import accounts
from catalogue.extensions import db, login_manager
from catalogue.models import Offer, User
from catalogue.offers import can_edit, offer_by_slug


def role_required(*roles: str) -> Callable:
    """Only logged-in users with one of `roles`; others get 403, anonymous users the login."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def editable_offer_or_404(slug: str) -> Offer:
    """The offer if the current user may edit it; 404 otherwise, so that another partner's
    offers cannot even be confirmed to exist."""
    # A request that changes the offer holds its row until it commits (offers.offer_by_slug).
    offer = offer_by_slug(db.session, slug, for_update=request.method not in ("GET", "HEAD"))
    if offer is None or not can_edit(current_user, offer):
        abort(404)
    return offer


def _load_user(session_id: str) -> User | None:
    return accounts.load_user(db.session, session_id)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Bitte melden Sie sich an, um diese Seite zu sehen.")
    login_manager.login_message_category = "info"
