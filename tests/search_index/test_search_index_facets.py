"""Facet counts: disjunctive, and each equal to the total its value would give."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from search_index import FACET_FIELDS, SearchResult

BASE_REQUESTS: list[dict[str, Any]] = [
    {},
    {"text": "Hochschule"},
    {"text": "Roboter Astronomie"},
    {"filters": {"stage": ("primary",)}},
    {"filters": {"stage": ("primary", "lower-secondary"), "district": ("heilbronn-city",)}},
    {"filters": {"subject": ("natural-sciences",), "audience": ("families", "participants")}},
    {"free": True, "filters": {"format": ("event", "workshop")}},
    {"age": 10, "filters": {"district": ("heilbronn-county", "heilbronn-city")}},
    {"date_from": datetime.date(2026, 10, 1), "date_to": datetime.date(2026, 12, 31)},
    {"text": "Experimente", "free": True, "age": 8},
]


def _with_only(request: dict[str, Any], facet: str, value: str) -> dict[str, Any]:
    """`request` with the filter of `facet` replaced by `value` alone."""
    return {**request, "filters": {**request.get("filters", {}), facet: (value,)}}


@pytest.mark.parametrize("request_fields", BASE_REQUESTS)
def test_each_count_is_the_total_of_choosing_that_value(
    search: Callable[..., SearchResult], request_fields: dict[str, Any]
) -> None:
    result = search(**request_fields, facets=FACET_FIELDS)
    everything = search(facets=FACET_FIELDS).facets
    checked = 0
    for facet in FACET_FIELDS:
        if facet == "free":
            continue
        # Every value in the index, so values left out as zero are checked too.
        for value in everything[facet]:
            expected = search(**_with_only(request_fields, facet, value)).total
            assert result.facets[facet].get(value, 0) == expected, (facet, value)
            checked += 1
    assert checked > 40


@pytest.mark.parametrize("request_fields", BASE_REQUESTS)
def test_free_counts_split_the_total_without_the_free_filter(
    search: Callable[..., SearchResult], request_fields: dict[str, Any]
) -> None:
    counts = search(**request_fields, facets=("free",)).facets["free"]
    free_total = search(**{**request_fields, "free": True}).total
    any_total = search(**{**request_fields, "free": False}).total
    assert counts.get("1", 0) == free_total
    assert counts.get("0", 0) == any_total - free_total


def test_counts_ignore_their_own_filter_but_apply_the_others(
    search: Callable[..., SearchResult],
) -> None:
    result = search(
        filters={"stage": ("primary",), "district": ("heilbronn-county",)},
        facets=("stage", "district"),
    )
    assert result.total == 1  # offer 5
    # Stage counts are taken over Landkreis offers of any stage ...
    assert result.facets["stage"] == {"lower-secondary": 3, "primary": 1, "vocational": 1}
    # ... district counts over primary-school offers of any district.
    assert result.facets["district"] == {"heilbronn-city": 3, "elsewhere": 1, "heilbronn-county": 1}


def test_counts_are_ordered_largest_first(search: Callable[..., SearchResult]) -> None:
    counts = search(facets=("subject",)).facets["subject"]
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    assert next(iter(counts)) == "natural-sciences"


def test_only_requested_facets_are_counted(search: Callable[..., SearchResult]) -> None:
    assert set(search(facets=("mode", "free")).facets) == {"mode", "free"}
    assert search().facets == {}
