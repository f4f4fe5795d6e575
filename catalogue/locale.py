"""Which language a page speaks: `?lang=`, then the remembered choice, then the browser's wish."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request

COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    wanted = request.args.get("lang", "")
    if wanted in languages:
        g.chosen_locale = wanted
        return wanted
    remembered = request.cookies.get(COOKIE, "")
    if remembered in languages:
        return remembered
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _remember_choice(response: Response) -> Response:
    chosen = g.get("chosen_locale")
    if chosen:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=ONE_YEAR,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def init_app(app: Flask) -> None:
    app.after_request(_remember_choice)
