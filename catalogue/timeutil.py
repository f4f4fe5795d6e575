"""Time helpers: the database keeps naive UTC; people see Europe/Berlin."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def utcnow() -> dt.datetime:
    """The current time as naive UTC, the form every datetime column stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def to_storage(moment: dt.datetime) -> dt.datetime:
    """An aware datetime (or a naive one meant as Berlin wall time) as naive UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BERLIN)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def to_local(stored: dt.datetime) -> dt.datetime:
    """A stored naive-UTC datetime as an aware Europe/Berlin datetime."""
    return stored.replace(tzinfo=dt.UTC).astimezone(BERLIN)
