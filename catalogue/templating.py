"""What templates may call: formatting in the page's locale, labels, links to searches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from flask import Flask, current_app, request, url_for
from flask_babel import format_currency, format_date, format_datetime, format_time, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from catalogue.models import Offer, OfferSession
from catalogue.rendering import render_markdown
from catalogue.schedules import next_start, occurrences
from catalogue.search_params import SearchParams, parameter_label
from catalogue.timeutil import to_local
from catalogue.vocabulary import current_vocabulary
from catalogue.watchlist import MAX_WATCHLIST


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL: on the configured public base URL, never on a Host header a client sent."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def search_url(params: SearchParams) -> str:
    query = urlencode(params.to_args())
    return url_for("public.offers") + (f"?{query}" if query else "")


def label(facet: str, slug: str) -> str:
    return current_vocabulary().label(facet, slug, str(get_locale()))


def price(offer: Offer) -> str:
    if offer.is_free or offer.price_eur is None:
        return _("kostenlos")
    return format_currency(Decimal(offer.price_eur), "EUR")


def age_range(offer: Offer) -> str:
    if offer.age_max >= 99:
        return _("ab %(age)d Jahren", age=offer.age_min)
    return _("%(low)d–%(high)d Jahre", low=offer.age_min, high=offer.age_max)


def long_date(value: dt.date | dt.datetime | None) -> str:
    return format_date(value, format="long") if value else ""


def local_datetime(stored: dt.datetime | None) -> str:
    """A stored (naive UTC) datetime as Berlin wall time in the page's locale."""
    return when(to_local(stored)) if stored else ""


def when(moment: dt.datetime | None) -> str:
    """An aware datetime, e.g. "Sa., 5. Dezember 2026, 10:00"."""
    if moment is None:
        return ""
    return format_datetime(
        moment, "EEE, d. MMMM y, HH:mm" if str(get_locale()) == "de" else "EEE, MMMM d, y, h:mm a"
    )


def session_span(session: OfferSession) -> str:
    """A dated session, e.g. "Sa., 5. Dezember 2026, 10:00–15:00"."""
    start = to_local(session.starts_at)
    if session.ends_at is None:
        return when(start)
    end = to_local(session.ends_at)
    if end.date() == start.date():
        return (
            f"{when(start)}–{format_time(end, 'HH:mm' if str(get_locale()) == 'de' else 'h:mm a')}"
        )
    return f"{when(start)} – {when(end)}"


def lang_url(code: str) -> str:
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = lambda text: Markup(render_markdown(text))
    app.jinja_env.globals.update(
        search_url=search_url,
        label=label,
        price=price,
        age_range=age_range,
        long_date=long_date,
        local_datetime=local_datetime,
        when=when,
        session_span=session_span,
        next_start=next_start,
        occurrences=occurrences,
        lang_url=lang_url,
        external_url=external_url,
        SearchParams=SearchParams,
        parameter_label=parameter_label,
        MAX_WATCHLIST=MAX_WATCHLIST,
        current_locale=lambda: str(get_locale()),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
