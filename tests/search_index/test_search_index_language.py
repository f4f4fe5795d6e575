"""Language data: compound parts, synonyms and broader terms, given to SearchIndex as plain data."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from search_index import OfferDocument, SearchIndex, SearchRequest

LANGUAGE = {
    "note": "ignored",
    "synonyms": [
        ["Kita", "Kindergarten"],
        ["Informatik", "Programmieren", "Coding", "Coden"],
        ["KI", "Künstliche Intelligenz"],
    ],
    "broader": {"Naturwissenschaften": ["Chemie", "Physik"]},
    "compound_parts": ["Labor", "Kurs", "Roboter", "Ferien", "Programm", "Forschung", "Chemie"],
}


@pytest.fixture
def offers(make_offer: Callable[..., OfferDocument]) -> tuple[OfferDocument, ...]:
    return (
        make_offer(1, "Roboterkurs für Einsteiger", "Wir bauen und steuern kleine Fahrzeuge."),
        make_offer(2, "Chemielabor für Schulklassen", "Im Chemielabor mischen Klassen Säuren."),
        make_offer(3, "Ferienprogramm im Sommer", "Eine Woche basteln und bauen."),
        make_offer(4, "Forschungslabor der Hochschule", "Echte Forschung zum Anfassen."),
        make_offer(5, "Kindergarten entdeckt Wasser", "Experimente für die Kleinsten."),
        make_offer(6, "Kita-Ausflug in den Wald", "Bäume und Tiere bestimmen."),
        make_offer(
            7,
            "Programmieren, Coding, Coden",
            "Programmieren lernen: Coding für Kinder.",
            description="Programmieren macht Spaß, Coden auch. Wir programmieren Spiele.",
        ),
        make_offer(8, "Informatik entdecken", "Ein Nachmittag voller Rätsel."),
        make_offer(9, "Künstliche Intelligenz verstehen", "Wie lernen Maschinen?"),
        make_offer(10, "KI im Alltag", "Sprachassistenten ausprobieren."),
        make_offer(11, "Künstliche Blumen falten", "Intelligenz und Geduld sind gefragt."),
        make_offer(12, "Physik-Show", "Strom und Spannung erleben."),
        make_offer(13, "Naturwissenschaften für alle", "Ein Tag zum Staunen."),
        make_offer(14, "Labor für Chemie", "Wir mischen Farben."),
        make_offer(15, "Spieleabend", "Wir spielen.", description="Zwischendurch etwas Coding."),
    )


@pytest.fixture
def language_index(
    make_index: Callable[..., SearchIndex], offers: tuple[OfferDocument, ...]
) -> SearchIndex:
    return make_index(offers, LANGUAGE)


@pytest.fixture
def found(language_index: SearchIndex) -> Callable[[str], set[int]]:
    return lambda text: set(language_index.search(SearchRequest(text=text, limit=100)).ids)


@pytest.fixture
def ranked(language_index: SearchIndex) -> Callable[[str], list[int]]:
    return lambda text: language_index.search(SearchRequest(text=text, limit=100)).ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Roboter", {1}),
        ("Kurs", {1}),
        ("Ferien", {3}),
        ("Chemie", {2, 14}),
        # Forschung-s-labor, Chemie-labor and the word on its own.
        ("Labor", {2, 4, 14}),
    ],
)
def test_a_part_finds_the_compound(
    found: Callable[[str], set[int]], text: str, expected: set[int]
) -> None:
    assert found(text) == expected


def test_a_whole_word_ranks_before_a_compound_part(ranked: Callable[[str], list[int]]) -> None:
    assert ranked("Labor")[0] == 14


def test_a_typed_compound_finds_its_parts_as_separate_words(
    ranked: Callable[[str], list[int]],
) -> None:
    # 14 is "Labor für Chemie"; the compound itself ranks first.
    assert ranked("Chemielabor") == [2, 14]


def test_a_compound_that_matches_nothing_finds_its_known_part(
    found: Callable[[str], set[int]],
) -> None:
    assert found("Roboterwerkstatt") == {1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kita", {5, 6}),
        ("Kindergarten", {5, 6}),
        ("Informatik", {7, 8, 15}),
        ("Coding", {7, 8, 15}),
        ("programmiert", {7, 8, 15}),
    ],
)
def test_synonyms_find_each_other(
    found: Callable[[str], set[int]], text: str, expected: set[int]
) -> None:
    assert found(text) == expected


def test_a_broader_word_finds_the_narrower_ones_but_not_back(
    found: Callable[[str], set[int]],
) -> None:
    assert found("Naturwissenschaften") == {2, 12, 13, 14}
    assert found("Physik") == {12}


def test_a_multi_word_synonym_is_matched_as_a_phrase(found: Callable[[str], set[int]]) -> None:
    # 11 has "Künstliche" and "Intelligenz", but not together.
    assert found("KI") == {9, 10}


def test_typed_words_that_form_a_synonym_find_it(found: Callable[[str], set[int]]) -> None:
    assert {9, 10} <= found("künstliche Intelligenz")
    assert found("Künstliche Intelligenz verstehen") == {9}


def test_the_word_as_typed_ranks_before_its_synonyms(ranked: Callable[[str], list[int]]) -> None:
    # 7 has three synonyms all over, 8 says "Informatik" once: a synonym may find an offer,
    # but synonyms must not add up to more than the word itself.
    assert ranked("Informatik") == [8, 7, 15]
    assert ranked("Coding")[0] == 7


def test_synonyms_apply_at_query_time(language_index: SearchIndex) -> None:
    other = SearchIndex(language_index.path, synonyms={"synonyms": [["Wald", "Labor"]]})
    try:
        assert set(other.search(SearchRequest(text="Wald")).ids) == {2, 4, 6, 14}
        assert set(other.search(SearchRequest(text="Kita")).ids) == {6}
    finally:
        other.close()


def test_a_compound_is_marked_whole_when_a_part_matches(language_index: SearchIndex) -> None:
    highlights = language_index.search(SearchRequest(text="Labor")).highlights
    assert highlights[2] == "Im <mark>Chemielabor</mark> mischen Klassen Säuren."
    assert highlights[14] == ""


@pytest.mark.parametrize(
    "data",
    [
        "Kita Kindergarten",
        ["Kita", "Kindergarten"],
        {"synonyms": "Kita"},
        {"synonyms": [["Kita"]]},
        {"synonyms": [["Kita", 3]]},
        {"synonyms": [["Kita", "  "]]},
        {"synonyms": [["und", "oder"]]},
        {"broader": ["MINT"]},
        {"broader": {"MINT": "Mathe"}},
        {"compound_parts": "Labor"},
    ],
)
def test_malformed_language_data_is_refused(tmp_path: Path, data: Any) -> None:
    with pytest.raises(ValueError):
        SearchIndex(tmp_path, synonyms=data)
