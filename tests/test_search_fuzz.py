"""Property tests of the search parameters, the same on `/offers` and `/api/v1/offers`: any query
string, however odd, answers 200 or 400, never a server error; a 400 names a parameter that was
sent and says why, and the page shows the same message as the API."""

from __future__ import annotations

import html

from flask import Flask
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from catalogue.search_params import FILTER_PARAMS, MAX_AGE, MAX_PER_PAGE, SORTS

SEARCH_PARAMS = ("q", *FILTER_PARAMS, "age", "free", "from", "to", "sort", "page", "per_page")
# A few slugs that exist in the demo catalogue, so that some searches find something.
KNOWN_VALUES = (
    "primary", "lower-secondary", "robotics", "computer-science", "workshop", "participants",
    "heilbronn-city", "on-site", "experimenta", *SORTS,
)  # fmt: skip

# Anything a query string can carry: control characters, quotes, operators, emoji (no lone
# surrogates: they cannot be sent as UTF-8).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
huge_text = st.builds(
    lambda chunk, times: chunk * times, st.text(min_size=1, max_size=8), st.integers(500, 3000)
)
numbers = st.integers(-(10**20), 10**20).map(str) | st.integers(-5, MAX_PER_PAGE + 5).map(str)
dates = st.dates().map(lambda day: day.isoformat()) | st.builds(
    "{}-{:02d}-{:02d}".format, st.integers(0, 99999), st.integers(0, 13), st.integers(0, 32)
)
values = st.one_of(
    any_text,
    huge_text,
    numbers,
    dates,
    st.sampled_from(KNOWN_VALUES),
    st.sampled_from(['"', "'", "*", "AND", "NOT", "(", "\\", "%", "\x00", " ", "1", "0"]),
)
names = st.sampled_from(SEARCH_PARAMS) | st.sampled_from(("lang", "stage[]", "Q", "")) | any_text
query_strings = st.lists(st.tuples(names, values), max_size=8)
# What browsers send, and what they should not.
accept_languages = st.sampled_from(["de-DE,de;q=0.9", "en-GB,en;q=0.8", "fr", "*", ""]) | st.text(
    st.characters(min_codepoint=32, max_codepoint=126), max_size=40
)

FUZZ = settings(max_examples=80, deadline=None, derandomize=True, database=None)


@FUZZ
@given(pairs=query_strings, language=accept_languages)
@example(pairs=[("q", "\x00"), ("partner", "\x00"), ("lang", "\x00")], language="de;q=nan")
@example(pairs=[("from", "0001-01-01"), ("to", "9999-12-31"), ("page", "10000")], language="")
def test_any_search_parameters_answer_200_or_400_naming_the_parameter(
    seeded_app: Flask, pairs: list[tuple[str, str]], language: str
) -> None:
    client = seeded_app.test_client()  # a new one each time: no language cookie carried over
    headers = {"Accept-Language": language}
    api = client.get("/api/v1/offers", query_string=pairs, headers=headers)
    page = client.get("/offers", query_string=pairs, headers=headers)

    event(f"status {api.status_code}")
    assert api.status_code in (200, 400), api.get_data(as_text=True)[:500]
    assert page.status_code == api.status_code
    if api.status_code == 200:
        body = api.get_json()
        assert 1 <= body["per_page"] <= MAX_PER_PAGE and len(body["results"]) <= body["per_page"]
        return
    error = api.get_json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["parameter"] in {name for name, _value in pairs}
    assert error["parameter"] in SEARCH_PARAMS and error["message"].strip()
    assert error["message"] in html.unescape(page.get_data(as_text=True))


@FUZZ
# Mostly near the limits, where a mistake would be, and now and then far out.
@given(
    age=st.integers(-3, MAX_AGE + 3) | st.integers(-(10**6), 10**6),
    per_page=st.integers(-2, MAX_PER_PAGE + 3) | st.integers(-1000, 1000),
)
def test_numbers_out_of_range_are_named_and_those_in_range_accepted(
    seeded_app: Flask, age: int, per_page: int
) -> None:
    response = seeded_app.test_client().get(
        "/api/v1/offers", query_string={"age": age, "per_page": per_page}
    )
    if not 0 <= age <= MAX_AGE:
        assert response.get_json()["error"]["parameter"] == "age"
    elif not 1 <= per_page <= MAX_PER_PAGE:
        assert response.get_json()["error"]["parameter"] == "per_page"
    else:
        assert response.status_code == 200
        assert response.get_json()["per_page"] == per_page
