"""Sort orders and paging."""

from collections.abc import Callable

import pytest

from search_index import OfferDocument, SearchIndex, SearchRequest, SearchResult
from search_index.analysis import sort_key


def test_title_sort_is_alphabetical_with_umlauts_as_plain_letters(
    search: Callable[..., SearchResult], offers: tuple[OfferDocument, ...]
) -> None:
    ids = search(sort="title").ids
    titles = [next(o.title for o in offers if o.id == offer_id) for offer_id in ids]
    assert titles == sorted(titles, key=sort_key)
    # "Mädchen" sorts as "Madchen": after "Kita", before "Mathe".
    assert titles.index("Mädchen in MINT") == titles.index("Mathe-Wettbewerb Känguru") - 1


def test_date_sort_puts_the_next_session_first_and_undated_offers_last(
    search: Callable[..., SearchResult],
) -> None:
    ids = search(sort="date").ids
    # Dated offers by next session; 2026-10-26 has offers 1 and 12, ordered by title.
    assert ids[:10] == [4, 6, 9, 14, 1, 12, 3, 7, 15, 5]
    assert ids[10] == 11
    # Undated offers (bookable any time) follow, by title.
    assert ids[11:] == [13, 2, 10, 8]


def test_relevance_without_text_sorts_by_date(search: Callable[..., SearchResult]) -> None:
    assert search(sort="relevance").ids == search(sort="date").ids


def test_new_sort_puts_the_latest_publication_first(
    search: Callable[..., SearchResult], offers: tuple[OfferDocument, ...]
) -> None:
    newest_first = sorted(offers, key=lambda o: o.published_at, reverse=True)
    assert search(sort="new").ids == [o.id for o in newest_first]


def test_sorts_apply_to_text_matches(search: Callable[..., SearchResult]) -> None:
    # Mädchen in MINT, Mentoring für Studentinnen, Studium schnuppern.
    assert search(text="Hochschule", sort="title").ids == [3, 14, 7]
    assert search(text="Hochschule", sort="date").ids == [14, 3, 7]
    assert search(text="Hochschule", sort="new").ids == [14, 7, 3]


@pytest.mark.parametrize("sort", ["relevance", "date", "title", "new"])
@pytest.mark.parametrize("text", ["", "Experimente Roboter Hochschule Physik"])
def test_pages_split_the_full_list(
    search: Callable[..., SearchResult], sort: str, text: str
) -> None:
    everything = search(text=text, sort=sort)
    assert everything.total >= 6
    pages = [search(text=text, sort=sort, offset=offset, limit=2) for offset in range(0, 16, 2)]
    assert [page.total for page in pages] == [everything.total] * len(pages)
    assert [offer_id for page in pages for offer_id in page.ids] == everything.ids
    assert all(len(page.ids) <= 2 for page in pages)


def test_a_page_beyond_the_end_is_empty(search: Callable[..., SearchResult]) -> None:
    result = search(offset=15, limit=20)
    assert (result.total, result.ids) == (15, [])
    assert search(limit=0).ids == []
    assert search(limit=0).total == 15


def test_a_title_match_ranks_before_a_summary_match_before_a_description_match(
    make_index: Callable[..., SearchIndex], make_offer: Callable[..., OfferDocument]
) -> None:
    # Fields of their usual lengths: short titles, longer summaries, long descriptions. The same
    # words are in the title of 2, the summary of 3 and the description of 1. By length alone
    # the description would rank first (the words take up less of a longer-than-usual field).
    words = "Vulkane und Erdbeben hautnah erleben"
    title = "Tag im Museum"
    summary = "Eine Führung durch die Sammlung mit Fundstücken aus der Region für Familien."
    description = " ".join(
        ["Wir zeigen Steine, Fossilien und Karten aus vielen Jahrhunderten."] * 6
    )
    search_index = make_index(
        (
            make_offer(1, title, summary, description=f"{words} {description}"),
            make_offer(2, words, summary, description=description),
            make_offer(3, title, f"{words} {summary}", description=description),
            *(make_offer(n, title, summary, description=description) for n in range(4, 9)),
        )
    )
    assert search_index.search(SearchRequest(text="Vulkane")).ids == [2, 3, 1]
