"""The partner's offer form as a browser posts it, for the tests and for `make load`.

Only the standard library: the load test's Locust process imports it too, and the application
never runs there.
"""

from __future__ import annotations

from typing import Any


def offer_form(**changes: Any) -> dict[str, Any]:
    """A complete offer form as a browser posts it; `None` leaves a field out."""
    data: dict[str, Any] = {
        "title": "Roboter bauen in den Herbstferien",
        "summary": "Kinder bauen und programmieren in drei Tagen einen kleinen Roboter.",
        "description": "## Ablauf\n\n- bauen\n- programmieren\n\n**Mitbringen:** Neugier",
        "stages": ["primary", "lower-secondary"],
        "subjects": ["robotics", "programming"],
        "formats": ["workshop", "holiday-programme"],
        "audiences": ["participants"],
        "age_min": "8",
        "age_max": "12",
        "mode": "on-site",
        "district": "heilbronn-county",
        "municipality": "Neckarsulm",
        "venue": "Bildungshaus, Raum 3",
        "address": "Marktstraße 1, 74172 Neckarsulm",
        "lat": "49,1927",
        "lon": "9,2245",
        "schedule_kind": "dated",
        "sessions-0-start_date": "2027-10-26",
        "sessions-0-start_time": "09:00",
        "sessions-0-end_time": "15:00",
        "sessions-0-end_date": "",
        "sessions-1-start_date": "2027-10-27",
        "sessions-1-start_time": "09:00",
        "sessions-1-end_time": "15:00",
        "sessions-1-end_date": "",
        "sessions-2-start_date": "2027-10-29",
        "sessions-2-start_time": "17:00",
        "sessions-2-end_time": "12:00",
        "sessions-2-end_date": "2027-10-30",
        "first_date": "",
        "first_time": "",
        "duration_minutes": "",
        "frequency": "weekly",
        "until": "",
        "custom_rrule": "",
        "schedule_description": "Mittags gibt es ein Vesper.",
        "registration_deadline": "2027-10-15",
        "group_size_min": "6",
        "group_size_max": "14",
        "price_eur": "25,50",
        "cost_note": "inklusive Material",
        "languages": ["de", "en"],
        "accessibility_note": "Barrierefreier Zugang, Aufzug vorhanden.",
        "registration_url": "https://example.org/anmeldung",
        "contact_email": "robotik@example.org",
        "contact_phone": "07132 / 12345-0",
        "action": "save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Three session rows left empty, as for an offer without dated sessions.
EMPTY_SESSION_ROWS = {
    f"sessions-{n}-{part}": ""
    for n in range(3)
    for part in ("start_date", "start_time", "end_time", "end_date")
}
