"""Text search: any input is valid, German spellings meet, all words must match."""

from collections.abc import Callable

import pytest

from search_index import FACET_FIELDS, OfferDocument, SearchIndex, SearchResult, querying

NASTY_INPUTS = [
    "",
    " ",
    "\t\n\r",
    '"',
    '"""',
    '"Roboter',
    'Roboter"',
    '""Roboter""',
    "AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "Roboter AND",
    "NOT Roboter",
    "&& ||",
    "*",
    "?",
    "Robo*",
    "*oboter",
    "~2",
    "Roboter~",
    "Roboter^10",
    "(",
    ")",
    "[Roboter TO Zebra]",
    "{",
    "\\",
    "title:Roboter",
    "id:1",
    "-",
    "+Roboter -Lego",
    "'; DROP TABLE offers; --",
    "<script>alert(1)</script>",
    "%00%ff",
    "x" * 10_000,
    "Roboter " * 2_000,
    "ä" * 10_000,
    "\x00",
    "\x00Roboter\x1f",
    "\ud800",
    "Robo\ud800ter",
    "\u200b",
    "\u00ad",
    "\ufeffRoboter",
    "😀🤖",
    # "Robot" in mathematical double-struck letters.
    "\u211d\U0001d560\U0001d553\U0001d560\U0001d565",
    "عربى",
    "中文",
    "Ma\u0308dchen",
]


@pytest.mark.parametrize("text", NASTY_INPUTS)
def test_any_text_is_a_valid_search(
    search: Callable[..., SearchResult], offers: tuple[OfferDocument, ...], text: str
) -> None:
    result = search(text=text, facets=FACET_FIELDS)
    assert isinstance(result, SearchResult)
    assert result.total == len(result.ids)
    assert set(result.ids) <= {offer.id for offer in offers}
    for counts in result.facets.values():
        assert all(count > 0 for count in counts.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Roboter", {1}),
        ("roboter", {1}),
        ("\x00Roboter\x1f", {1}),
        ("Robo\u00adter", {1}),
        ("\ufeffRoboter", {1}),
        ("Mädchen", {3}),
        ("Maedchen", {3}),
        ("Madchen", {3}),
        ("MÄDCHEN", {3}),
        ("Ma\u0308dchen", {3}),
        ("Experiment", {2, 15}),
        ("Experimente", {2, 15}),
        ("Lehrer", {4}),
        ("Lehrerinnen", {4}),
        ("LehrerInnen", {4}),
        ("Schüler", {2}),
        ("Schüler*innen", {2}),
        ("Schueler:innen", {2}),
        ("Studentin", {14}),
        ("Studenten", {14}),
        ("Spinnen", {13}),
        ("Informatik", {4, 14}),
        ("Hochschule", {3, 7, 14}),
        ("Elektrizitaet", {15}),
        ("Wasserqualität", {12}),
        ("Zebra", set()),
    ],
)
def test_text_finds_every_spelling(
    found: Callable[..., set[int]], text: str, expected: set[int]
) -> None:
    assert found(text=text) == expected


def test_every_word_must_match(found: Callable[..., set[int]]) -> None:
    assert found(text="Hochschule") == {3, 7, 14}
    assert found(text="Hochschule Maschinenbau") == {7}


def test_without_a_match_for_all_words_any_word_may_match(
    search: Callable[..., SearchResult],
) -> None:
    result = search(text="Roboter Astronomie")
    assert set(result.ids) == {1, 5}
    assert result.total == 2


def test_balanced_quotes_search_a_phrase(
    found: Callable[..., set[int]], search: Callable[..., SearchResult]
) -> None:
    assert found(text="bauen Roboter") == {1}
    assert found(text='"Roboter bauen"') == {1}
    assert found(text="„Roboter bauen“") == {1}
    assert search(text='"bauen Roboter"').total == 0


def test_a_phrase_spans_stop_words(found: Callable[..., set[int]]) -> None:
    # Offer 2 is "Chemie-Experimente im Schülerlabor".
    assert found(text='"Experimente im Schülerlabor"') == {2}
    assert found(text='"Experimente Schülerlabor"') == {2}


def test_unbalanced_quotes_are_ignored(found: Callable[..., set[int]]) -> None:
    assert found(text='"bauen Roboter') == {1}


def test_a_title_match_ranks_before_a_summary_match(search: Callable[..., SearchResult]) -> None:
    # "Physik" is the title of 15 and in the summary of 3.
    assert search(text="Physik").ids == [15, 3]


def test_text_without_searchable_words_lists_everything(
    search: Callable[..., SearchResult], offers: tuple[OfferDocument, ...]
) -> None:
    result = search(text="und oder *")
    assert result.total == len(offers)
    assert result.suggestion is None


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Robotr", "roboter"),
        ("Mädchn", "mädchen"),
        ("Maedchn", "mädchen"),
        ("Roboter Astronmie", "Roboter astronomie"),
        ('Astronmie "Roboter bauen"', 'astronomie "Roboter bauen"'),
        ("Roboter", None),
        ("Roboter Astronomie", None),
        ("xqzvwk", None),
    ],
)
def test_unknown_words_get_a_suggestion(
    search: Callable[..., SearchResult], text: str, suggestion: str | None
) -> None:
    assert search(text=text).suggestion == suggestion


def test_a_suggestion_keeps_a_leading_umlaut(
    index: SearchIndex,
    make_offer: Callable[..., OfferDocument],
    search: Callable[..., SearchResult],
) -> None:
    index.apply([make_offer(99, "Ölmühle", "Wie aus Samen Öl wird.")], [], through_seq=11)
    assert search(text="Ölmühel").suggestion == "ölmühle"
    assert search(text="Oelmuehel").suggestion == "ölmühle"


def test_words_of_deleted_offers_are_never_suggested(
    index: SearchIndex,
    make_offer: Callable[..., OfferDocument],
    search: Callable[..., SearchResult],
) -> None:
    index.apply([make_offer(99, "Kristallzucht", "Kristalle züchten im Glas.")], [], through_seq=11)
    assert search(text="Kristale").suggestion == "kristalle"
    index.apply([], [99], through_seq=12)
    assert search(text="Kristale").suggestion is None


@pytest.mark.parametrize(
    ("text", "expected", "suggestion"),
    [
        ("Robter", {1}, "roboter"),
        ("Progammieren", {1, 4, 6}, "programmieren"),
        # Two typos from 7 letters on.
        ("Progamieren", {1, 4, 6}, "programmieren"),
        ("Astronmie", {5}, "astronomie"),
        ("Maedchn", {3}, "mädchen"),
        ("Roboter Astronmie", {1, 5}, "Roboter astronomie"),
        ("Mädchn Physik", {3}, "mädchen Physik"),
        # Only in the partner's name.
        ("Staatlches", {4, 11}, "staatliches"),
    ],
)
def test_a_word_that_matches_nothing_is_retried_with_typos(
    search: Callable[..., SearchResult], text: str, expected: set[int], suggestion: str
) -> None:
    result = search(text=text)
    assert set(result.ids) == expected
    assert result.total == len(expected)
    assert result.suggestion == suggestion


@pytest.mark.parametrize("text", ["Rbter", "Robtrr", "Rob", "Xoboter"])
def test_typos_are_limited_by_word_length_and_the_first_letter(
    found: Callable[..., set[int]], text: str
) -> None:
    # One typo below 7 letters, none below 4, and the first letter must be right.
    assert found(text=text) == set()


def test_a_typo_that_is_in_one_offer_does_not_hide_the_offers_meant(
    index: SearchIndex,
    make_offer: Callable[..., OfferDocument],
    found: Callable[..., set[int]],
) -> None:
    index.apply(
        [
            make_offer(98, "Roboter-Zirkus", "Roboter tanzen im Takt."),
            make_offer(99, "Robter-Treffen", "Ein Tippfehler im Titel."),
        ],
        [],
        through_seq=11,
    )
    assert found(text="Robter") == {1, 98, 99}


def test_a_search_with_enough_results_never_looks_for_typos(
    search: Callable[..., SearchResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise AssertionError("looked for typos")

    monkeypatch.setattr(querying, "forgiving", fail)
    monkeypatch.setattr(querying, "suggest", fail)
    assert search(text="Hochschule").total == 3
