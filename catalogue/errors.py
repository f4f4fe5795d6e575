"""Error pages for people and error bodies for the API; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from catalogue.extensions import db

log = logging.getLogger(__name__)


def api_error(status: int, code: str, message: str, parameter: str | None = None) -> Response:
    """The API's error body: {"error": {"code", ["parameter",] "message"}}."""
    body = {"code": code, **({"parameter": parameter} if parameter else {}), "message": message}
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _message(status: int) -> str:
    messages = {
        400: _("Die Anfrage war fehlerhaft."),
        404: _("Diese Seite gibt es nicht (mehr)."),
        405: _("Diese Aktion ist hier nicht möglich."),
        413: _("Die gesendeten Daten sind zu groß."),
        429: _("Zu viele Versuche. Bitte warten Sie einen Moment."),
    }
    return messages.get(
        status, _("Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal.")
    )


def _respond(error: HTTPException):
    status = error.code or 500
    # Keep what the error says about itself, e.g. the Allow header of a 405.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if request.path.startswith("/api/") or request.path == "/healthz":
        codes = {
            400: "bad_request",
            404: "not_found",
            405: "method_not_allowed",
            429: "too_many_requests",
        }
        response = api_error(status, codes.get(status, "server_error"), _message(status))
        response.headers.extend(headers)
        return response
    page = render_template("errors/error.html", status=status, message=_message(status))
    return page, status, headers


def _unexpected(error: Exception):
    log.exception("unhandled error", exc_info=error)
    # A failed flush leaves the session unusable; the error page (its user menu) reads from it.
    db.session.rollback()
    return _respond(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _respond)
    app.register_error_handler(Exception, _unexpected)
