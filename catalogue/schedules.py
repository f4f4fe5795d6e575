"""When an offer takes place: next session, session days, calendar rules.

An offer's schedule is one of: dated sessions, a recurring RFC 5545 rule, or bookable on request.
"""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import rrule, rrulestr

from catalogue.models import Offer
from catalogue.timeutil import BERLIN, to_local, utcnow

# Recurring offers are expanded this far ahead for date filters; later dates are rarely planned.
RECURRENCE_HORIZON = dt.timedelta(days=400)
MAX_OCCURRENCES = 400


def parse_rrule(rule: str, first_start: dt.datetime) -> rrule:
    """The rule anchored at its first start (Berlin wall time); raises ValueError when malformed."""
    if first_start.tzinfo is None:
        first_start = first_start.replace(tzinfo=BERLIN)
    parsed = rrulestr(rule, dtstart=first_start.astimezone(BERLIN))
    if not isinstance(parsed, rrule):
        raise ValueError("expected a single RRULE")
    return parsed


def occurrences(offer: Offer, *, since: dt.datetime | None = None) -> list[dt.datetime]:
    """Aware start datetimes of the offer's sessions from `since` (default: now), capped."""
    since = since or utcnow().replace(tzinfo=dt.UTC)
    if offer.schedule_kind == "dated":
        starts = []
        for session in offer.sessions:
            ends = session.ends_at or session.starts_at
            if to_local(ends) >= since:
                starts.append(to_local(session.starts_at))
        return starts[:MAX_OCCURRENCES]
    if offer.schedule_kind == "recurring" and offer.rrule and offer.recurrence_start:
        try:
            rule = parse_rrule(offer.rrule, to_local(offer.recurrence_start))
        except ValueError:
            return []
        found = []
        for start in rule.xafter(since.astimezone(BERLIN) - dt.timedelta(seconds=1), inc=True):
            if start > since + RECURRENCE_HORIZON or len(found) >= MAX_OCCURRENCES:
                break
            found.append(start)
        return found
    return []


def next_start(offer: Offer) -> dt.datetime | None:
    """The next (or currently running) session's start, or None."""
    if offer.schedule_kind == "recurring" and offer.rrule and offer.recurrence_start:
        # Only the first occurrence is needed: no need to expand the whole rule.
        try:
            rule = parse_rrule(offer.rrule, to_local(offer.recurrence_start))
        except ValueError:
            return None
        now = utcnow().replace(tzinfo=dt.UTC).astimezone(BERLIN)
        return rule.after(now - dt.timedelta(seconds=1), inc=True)
    upcoming = occurrences(offer)
    return upcoming[0] if upcoming else None


def session_days(offer: Offer) -> tuple[dt.date, ...]:
    """The Berlin calendar days on which the offer takes place, from today on.

    A session over several days (a hackathon, a holiday camp) counts on each of its days."""
    today = utcnow().replace(tzinfo=dt.UTC).astimezone(BERLIN).date()
    days: set[dt.date] = set()
    for start, end in spans(offer):
        day, last = start.astimezone(BERLIN).date(), end.astimezone(BERLIN).date()
        while day <= last and len(days) < MAX_OCCURRENCES:
            if day >= today:
                days.add(day)
            day += dt.timedelta(days=1)
    return tuple(sorted(days))


def spans(offer: Offer) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) of each upcoming session; a session without an end lasts until its start."""
    if offer.schedule_kind == "dated":
        return [
            (to_local(s.starts_at), to_local(s.ends_at or s.starts_at))
            for s in offer.sessions
            if to_local(s.ends_at or s.starts_at) >= utcnow().replace(tzinfo=dt.UTC)
        ][:MAX_OCCURRENCES]
    length = dt.timedelta(minutes=offer.duration_minutes or 0)
    return [(start, start + length) for start in occurrences(offer)]
