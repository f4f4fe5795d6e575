"""Filters: OR within a facet, AND across facets; age, free and date ranges."""

import datetime
from collections.abc import Callable

import pytest

from search_index import OfferDocument, SearchResult

IdsWhere = Callable[[Callable[[OfferDocument], bool]], set[int]]


def test_values_of_one_facet_are_ored(found: Callable[..., set[int]], ids_where: IdsWhere) -> None:
    primary = found(filters={"stage": ("primary",)})
    lower = found(filters={"stage": ("lower-secondary",)})
    both = found(filters={"stage": ("primary", "lower-secondary")})
    assert primary == ids_where(lambda o: "primary" in o.stages)
    assert lower == ids_where(lambda o: "lower-secondary" in o.stages)
    assert both == primary | lower
    assert both > primary and both > lower


def test_facets_are_anded(found: Callable[..., set[int]], ids_where: IdsWhere) -> None:
    result = found(filters={"stage": ("lower-secondary",), "district": ("heilbronn-county",)})
    assert result == ids_where(
        lambda o: "lower-secondary" in o.stages and o.district == "heilbronn-county"
    )
    assert result == {3, 5, 12}


def test_filters_and_text_combine(found: Callable[..., set[int]]) -> None:
    assert found(text="Hochschule", filters={"format": ("mentoring", "event")}) == {3, 14}


def test_a_parent_subject_finds_offers_of_its_children(found: Callable[..., set[int]]) -> None:
    # The caller indexes ancestor slugs, so this is a plain term match.
    assert found(filters={"subject": ("computer-science",)}) == {1, 4, 6, 10, 14}
    assert found(filters={"subject": ("robotics",)}) == {1}


@pytest.mark.parametrize(
    "filters",
    [
        {"stage": ("no-such-stage",)},
        {"partner": ("x" * 5_000,)},
        {"district": ("\ud800",)},
        {"mode": ("",)},
        {"format": ("workshop,club",)},
    ],
)
def test_unknown_filter_values_find_nothing(
    search: Callable[..., SearchResult], filters: dict[str, tuple[str, ...]]
) -> None:
    result = search(filters=filters, facets=("audience",))
    assert (result.total, result.ids, result.facets) == (0, [], {"audience": {}})


def test_an_empty_value_tuple_is_no_filter(
    found: Callable[..., set[int]], offers: tuple[OfferDocument, ...]
) -> None:
    assert found(filters={"stage": ()}) == {offer.id for offer in offers}


@pytest.mark.parametrize(
    "request_fields",
    [
        {"filters": {"free": ("1",)}},
        {"filters": {"colour": ("red",)}},
        {"facets": ("colour",)},
        {"sort": "random"},
        {"offset": -1},
        {"limit": -1},
    ],
)
def test_a_malformed_request_raises_value_error(
    search: Callable[..., SearchResult], request_fields: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        search(**request_fields)


@pytest.mark.parametrize("age", [0, 3, 5, 6, 10, 12, 13, 15, 16, 18, 30, 31, 99, 100, -1])
def test_age_keeps_offers_whose_range_includes_it(
    found: Callable[..., set[int]], ids_where: IdsWhere, age: int
) -> None:
    assert found(age=age) == ids_where(lambda o: o.age_min <= age <= o.age_max)


def test_age_bounds_are_inclusive(found: Callable[..., set[int]]) -> None:
    # Offer 2 is for ages 13 to 15.
    assert 2 not in found(age=12)
    assert 2 in found(age=13)
    assert 2 in found(age=15)
    assert 2 not in found(age=16)


def test_free_keeps_only_free_offers(found: Callable[..., set[int]], ids_where: IdsWhere) -> None:
    assert found(free=True) == ids_where(lambda o: o.free)
    assert found(free=True, filters={"partner": ("ssa",)}) == set()


D = datetime.date


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (D(2026, 10, 26), D(2026, 10, 26)),
        (D(2026, 10, 27), D(2026, 10, 31)),
        (D(2026, 10, 28), D(2026, 11, 13)),
        (D(2026, 12, 1), None),
        (None, D(2026, 9, 16)),
        (D(2027, 3, 18), D(2027, 3, 18)),
        (D(2030, 1, 1), None),
        (D(2026, 11, 1), D(2026, 10, 1)),
    ],
)
def test_date_range_keeps_offers_with_a_day_in_it_or_bookable_any_time(
    found: Callable[..., set[int]],
    ids_where: IdsWhere,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
) -> None:
    def matches(offer: OfferDocument) -> bool:
        return offer.bookable_any_time or any(
            (date_from is None or date_from <= day) and (date_to is None or day <= date_to)
            for day in offer.days
        )

    assert found(date_from=date_from, date_to=date_to) == ids_where(matches)


def test_date_range_example(found: Callable[..., set[int]], ids_where: IdsWhere) -> None:
    anytime = ids_where(lambda o: o.bookable_any_time)
    assert anytime == {2, 8, 10, 13}
    # Offers 1 and 12 have a session on 26 October; 1 also on the 27th.
    assert found(date_from=D(2026, 10, 26), date_to=D(2026, 10, 26)) == anytime | {1, 12}
    assert found(date_from=D(2026, 10, 27), date_to=D(2026, 10, 27)) == anytime | {1}
    assert found(date_from=D(2026, 10, 28), date_to=D(2026, 10, 30)) == anytime
