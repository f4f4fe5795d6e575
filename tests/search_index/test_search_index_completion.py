"""Completion: titles whose words begin with what someone is typing, names and labels likewise."""

from collections.abc import Callable

import pytest

from search_index import OfferDocument, SearchIndex
from search_index.completion import MAX_EXPANSIONS, MAX_WORDS, MIN_PREFIX_CHARS, rank_labels

MakeOffer = Callable[..., OfferDocument]
MakeIndex = Callable[..., SearchIndex]

# The hostile inputs of test_search_index_text, and a few of completion's own.
NASTY_INPUTS = [
    "",
    " ",
    '"',
    '"Robo',
    "*",
    "Robo*",
    "-",
    "AND",
    "&& ||",
    "(",
    "title:Ro",
    "'; DROP TABLE offers; --",
    "<script>alert(1)</script>",
    "x" * 10_000,
    "Ro " * 5_000,
    "ä" * 10_000,
    "\x00",
    "\x00Robo\x1f",
    "\ud800",
    "Robo\ud800",
    "\u200b",
    "\u00ad",
    "😀🤖",
    "中文",
    "Ma\u0308d",
    "Lehrer*",
    "Lehrer(",
    "*in",
    "%",
    "_",
]


@pytest.mark.parametrize("text", NASTY_INPUTS)
def test_any_text_is_a_valid_completion(
    index: SearchIndex, offers: tuple[OfferDocument, ...], text: str
) -> None:
    ids = index.complete(text, 8)
    assert set(ids) <= {offer.id for offer in offers}
    assert len(ids) <= 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Robo", [1]),
        ("robo", [1]),
        ("ROBOTER", [1]),
        ("Lego", [1]),
        ("Rob Leg", [1]),
        ("Leg rob", [1]),
        ("Roboter bauen mit Lego", [1]),
        ("\x00Robo\x1f", [1]),
        ("Robo\u00adt", [1]),
        ("Mäd", [3]),
        ("Maed", [3]),
        ("Mad", [3]),
        ("MÄDCHEN", [3]),
        ("Ma\u0308dchen", [3]),
        ("Mädchen in", [3]),
        ("Mädchen in MI", [3]),
        ("Cod", [6]),
        ("AG", [6]),
        ("AG Cod", [6]),
        ("Kängu", [11]),
        ("Kaengu", [11]),
        ("Roboter Chemie", []),
        ("Zebra", []),
        ("obot", []),
    ],
)
def test_typed_words_complete_words_of_titles(
    index: SearchIndex, text: str, expected: list[int]
) -> None:
    assert index.complete(text, 8) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Lehrer",
        "Lehrerin",
        "Lehrerinnen",
        "Lehreri",
        "Lehrerinne",
        "Lehrer*",
        "Lehrer*i",
        "Lehrer*in",
        "Lehrer*innen",
        "Lehrer:inn",
        "Lehrer/-i",
        "Lehrer(in",
        "Lehrer_inne",
        "LehrerI",
        "LehrerInn",
        "LehrerInnen",
        "Lehrer*innen Fort",
    ],
)
def test_gendered_forms_complete_to_the_base_noun(index: SearchIndex, text: str) -> None:
    # Offer 4 is "Fortbildung Informatik für Lehrer*innen".
    assert index.complete(text, 8) == [4]


def test_only_words_of_the_title_count(index: SearchIndex) -> None:
    # "Experimente" is in the title of offer 2 and the summary of 15; "Teleskopen" and
    # "Nachthimmel" only in the summary of 5, "Sternwarte: Astronomie für Familien".
    assert index.complete("Experi", 8) == [2]
    assert index.complete("Teleskop", 8) == []
    assert index.complete("Nacht", 8) == []
    assert index.complete("Sternw", 8) == [5]


def test_a_beginning_needs_two_letters_a_single_letter_matches_whole_words(
    make_index: MakeIndex, make_offer: MakeOffer
) -> None:
    assert MIN_PREFIX_CHARS == 2
    index = make_index(
        (
            make_offer(1, "Programmieren in C", ""),
            make_offer(2, "Physik-Show", ""),
            make_offer(3, "Programmieren mit Scratch", ""),
        )
    )
    assert index.complete("P", 8) == []
    assert index.complete("Ph", 8) == [2]
    assert index.complete("C", 8) == [1]
    # A last letter after other words may begin the next word: it need not match, but a title
    # with it as a word ranks first.
    assert index.complete("Programmieren C", 8) == [1, 3]
    assert sorted(index.complete("Programmieren S", 8)) == [1, 3]
    assert index.complete("Physik-S", 8) == [2]
    assert index.complete("Physik-Show P", 8) == [2]


def test_whole_words_rank_before_beginnings_then_shorter_titles(
    make_index: MakeIndex, make_offer: MakeOffer
) -> None:
    index = make_index(
        (
            make_offer(1, "Mathematik", ""),
            make_offer(2, "Mathe für Kinder: Knobeln, Rätseln und Rechnen", ""),
            make_offer(3, "Mathe-AG", ""),
            make_offer(4, "Mathewettbewerb der Grundschulen im Landkreis", ""),
            make_offer(5, "Spiele mit Mathe", ""),
        )
    )
    assert index.complete("Mathe", 8) == [3, 5, 2, 1, 4]
    assert index.complete("Math", 8) == [1, 3, 5, 4, 2]
    assert index.complete("Mathe", 2) == [3, 5]


def test_words_typed_whole_rank_first_in_every_position(
    make_index: MakeIndex, make_offer: MakeOffer
) -> None:
    index = make_index(
        (
            make_offer(1, "Kinderuni Roboter", ""),
            make_offer(2, "Kinder bauen einen Roboter", ""),
            make_offer(3, "Roboter und Kinder", ""),
        )
    )
    assert index.complete("Kinder Robo", 8) == [3, 2, 1]
    assert index.complete("Kinder Roboter", 8) == [3, 2, 1]


def test_offers_with_the_same_title_are_suggested_once(
    make_index: MakeIndex, make_offer: MakeOffer
) -> None:
    index = make_index(
        (
            make_offer(1, "Ferienprogramm", "", partner="a"),
            make_offer(2, "Ferienprogramm", "", partner="b"),
            make_offer(3, "FERIENPROGRAMM", "", partner="c"),
            make_offer(4, "Ferienprogramm Physik", ""),
        )
    )
    ids = index.complete("Ferien", 8)
    assert len(ids) == 2
    assert ids[0] in {1, 2, 3} and ids[1] == 4


def test_a_beginning_expands_to_the_most_frequent_words_only(
    make_index: MakeIndex, make_offer: MakeOffer
) -> None:
    frequent = [f"Kurs{chr(ord('a') + n)}" for n in range(MAX_EXPANSIONS)]
    offers = [
        make_offer(100 + 2 * n + copy, f"{word} für alle, die gern lange Titel lesen, {copy}", "")
        for n, word in enumerate(frequent)
        for copy in (0, 1)
    ]
    # Rarer words with shorter titles: they would rank first if they were expanded at all.
    offers += [make_offer(n, f"Kurszz{n}", "") for n in range(1, 6)]
    index = make_index(tuple(offers))
    ids = index.complete("Kurs", 50)
    assert len(ids) == 2 * MAX_EXPANSIONS
    assert all(offer_id >= 100 for offer_id in ids)
    # Typed further, the rare words are the only ones left and are found.
    assert sorted(index.complete("Kursz", 50)) == [1, 2, 3, 4, 5]


def test_more_words_than_anyone_types_find_nothing(index: SearchIndex) -> None:
    assert index.complete("Roboter " * MAX_WORDS, 8) == [1]
    assert index.complete("Roboter " * (MAX_WORDS + 1), 8) == []


def test_limit_is_respected(index: SearchIndex) -> None:
    # "Mädchen in MINT", "Praktikum in der …" whole, then "… Informatik …", "… Intelligenz",
    # "… Insekten".
    every = index.complete("In", 50)
    assert every[:2] == [3, 8] and sorted(every[2:]) == [4, 10, 13]
    assert index.complete("In", 2) == every[:2]
    assert index.complete("In", 0) == []


def test_completion_follows_changes_and_never_suggests_deleted_offers(
    index: SearchIndex, make_offer: MakeOffer
) -> None:
    assert index.complete("Robo", 8) == [1]
    index.apply([make_offer(99, "Robotik-Camp", "")], [1], through_seq=11)
    assert index.complete("Robo", 8) == [99]
    assert index.complete("Lego", 8) == []
    assert index.complete("Roboter bau", 8) == []
    assert index.complete("Robotik Camp", 8) == [99]


def test_an_empty_index_completes_nothing(tmp_path) -> None:
    with SearchIndex(tmp_path / "empty") as empty:
        empty.create()
        assert empty.complete("Robo", 8) == []


def test_many_matches_rank_by_beginnings_then_title_length(
    make_index: MakeIndex, make_offer: MakeOffer
) -> None:
    offers = [make_offer(n, f"Kinder {'und ' * (n % 7)}Roboter {n}", "") for n in range(1, 801)]
    offers.append(make_offer(900, "Kinder Robotik", ""))
    index = make_index(tuple(offers))
    ids = index.complete("Kinder Robo", 10)
    assert ids[:1] == [900]
    lengths = {offer.id: len(offer.title.split()) for offer in offers}
    assert [lengths[i] for i in ids[1:]] == sorted(lengths[i] for i in ids[1:])
    assert [lengths[i] for i in ids[1:]] == [3] * 9
    # Typed whole, "Roboter" puts every title with the word before the shorter "Robotik".
    whole = index.complete("Kinder Roboter", 10)
    assert 900 not in whole and [lengths[i] for i in whole] == [3] * 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("robo", [0]),
        ("Robotik", [0]),
        ("rob", [0]),
        ("Hoch", [1]),
        ("HHN", [1]),
        ("heil", [1, 2]),
        ("Heilbronn", [1, 2]),
        ("Schulamt Heil", [2]),
        ("Lehrkraft", [3]),
        ("Kraft", []),
        ("Lehrkräfte", [3]),
        ("Lehrkraefte", [3]),
        ("Lehrer", [4]),
        ("Lehrer*innen", [4]),
        ("Lehreri", [4]),
        ("x", []),
        ("", []),
        ("\x00", []),
        ("x" * 10_000, []),
    ],
)
def test_labels_are_completed_like_titles(text: str, expected: list[int]) -> None:
    candidates = [
        ("Robotik", "Robotics"),
        ("Hochschule Heilbronn", "HHN"),
        ("Staatliches Schulamt Heilbronn",),
        ("Lehrkräfte und Kita-Fachkräfte", "Educators"),
        ("Fortbildung für Lehrer*innen",),
    ]
    assert rank_labels(text, candidates) == expected
