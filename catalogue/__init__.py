"""The MINT-Angebotskatalog: the Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from catalogue import access, cli, errors, indexing, locale, security, templating
from catalogue.config import MIGRATIONS_DIR, load_config
from catalogue.database import init_database
from catalogue.extensions import babel, csrf, db, limiter, migrate
from catalogue.views import api, auth, moderation, partner, public


class PathSegmentConverter(BaseConverter):
    """A URL's `<slug>` or `<token>`: any text but a slash or NUL. No slug or token holds NUL, and
    PostgreSQL refuses it in any query, so such a URL answers 404 before it reaches one."""

    regex = "[^/\\x00]+"
    part_isolating = True  # it never matches a slash (Werkzeug only guesses from the "/")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application from `CATALOGUE_*` settings, or from `test_config` in tests."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config(test_config))
    app.json.sort_keys = False  # keep the documented order of the API's keys
    app.url_map.converters["default"] = PathSegmentConverter
    if app.config["PROXY_HOPS"]:
        # Behind a proxy, rate limits must count the visitor's address, not the proxy's.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    init_database(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    babel.init_app(app, locale_selector=locale.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    access.init_app(app)
    indexing.init_app(app)
    locale.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)

    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(partner.bp)
    app.register_blueprint(moderation.bp)
    cli.init_app(app)
    return app
