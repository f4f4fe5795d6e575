"""Highlights: escaped HTML with the matches in <mark>, for the returned page only."""

from collections.abc import Callable

from search_index import SearchResult


def test_matches_are_marked(search: Callable[..., SearchResult]) -> None:
    assert search(text="Maedchen").highlights == {
        3: "Ein Schnuppertag nur für <mark>Mädchen</mark>: Physik und Technik ausprobieren."
    }


def test_a_gendered_word_is_marked_whole(search: Callable[..., SearchResult]) -> None:
    snippet = search(text="Schüler").highlights[2]
    assert "<mark>Schülerinnen</mark> und <mark>Schüler</mark>" in snippet


def test_markup_in_the_text_is_escaped(search: Callable[..., SearchResult]) -> None:
    snippet = search(text="Experimente Strom").highlights[15]
    assert snippet == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; <mark>Experimente</mark> mit "
        "<mark>Strom</mark> &amp; Spannung."
    )
    assert "<script" not in snippet


def test_a_long_description_gives_a_short_fragment_around_the_match(
    search: Callable[..., SearchResult],
) -> None:
    snippet = search(text="Batterie").highlights[15]
    assert "<mark>Batterie</mark>" in snippet
    assert snippet.startswith("… ")
    assert len(snippet) < 260


def test_no_match_in_summary_or_description_gives_an_empty_snippet(
    search: Callable[..., SearchResult],
) -> None:
    # "Lego" is only in the title of offer 1.
    assert search(text="Lego").highlights == {1: ""}


def test_only_the_page_is_highlighted(search: Callable[..., SearchResult]) -> None:
    result = search(text="Hochschule", limit=2)
    assert set(result.highlights) == set(result.ids)
    assert len(result.highlights) == 2


def test_highlighting_can_be_switched_off(search: Callable[..., SearchResult]) -> None:
    assert search(text="Roboter", highlight=False).highlights == {}
    assert search(text="").highlights == {}
