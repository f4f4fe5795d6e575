"""Sort orders and paging."""

import random
from collections.abc import Callable

import pytest
from whoosh import fields
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Or, Term

from search_index import OfferDocument, SearchIndex, SearchRequest, SearchResult, bits, ranking
from search_index.analysis import sort_key
from search_index.postings import postings
from search_index.ranking import Scorer, ScoringPlan, Way


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


# Relevance scores (search_index.ranking) against Whoosh's own BM25F.


def _scoring_index() -> tuple[object, int]:
    schema = fields.Schema(title=fields.TEXT, body=fields.TEXT)
    ix = RamStorage().create_index(schema)
    rnd = random.Random(11)
    with ix.writer() as writer:
        for _ in range(400):
            title = " ".join(rnd.choice(["robot", "lego", "kurs", "ferien"]) for _ in range(3))
            body = " ".join(
                rnd.choice(["robot", "lego", "sensor", "motor", "wasser", "x"])
                for _ in range(rnd.randint(3, 60))
            )
            writer.add_document(title=title, body=body)
    return ix, 400


def _plan(reader: object, term: str, field_boosts: dict[str, float]) -> ScoringPlan:
    docs = 0
    for field in field_boosts:
        docs |= bits.from_docnums(postings(reader, field, term, weights=False)[0])
    return [[[Way(docs, tuple((field, term, boost) for field, boost in field_boosts.items()))]]]


def test_scores_are_whooshs_bm25f() -> None:
    ix, count = _scoring_index()
    boosts = {"title": 4.0, "body": 1.0}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        query = Or([Term(field, "robot", boost=boost) for field, boost in boosts.items()])
        expected = sorted(
            ((hit.score, hit.docnum) for hit in searcher.search(query, limit=None)),
            key=lambda pair: (-pair[0], pair[1]),
        )
        plan = _plan(reader, "robot", boosts)
        scorer = Scorer(reader, (1 << count) - 1)
        ranked = scorer.rank(plan, plan[0][0][0].docs, list(range(count)), len(expected))
    assert ranked == [docnum for _score, docnum in expected]


def test_the_best_hits_are_found_among_the_champions_when_there_are_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ix, count = _scoring_index()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        plan = _plan(reader, "robot", {"body": 1.0})
        hits = plan[0][0][0].docs
        exact = Scorer(reader, (1 << count) - 1).rank(plan, hits, list(range(count)), 5)
        monkeypatch.setattr(ranking, "EXACT_SCORING_LIMIT", 10)
        monkeypatch.setattr(ranking, "CHAMPIONS", 8)
        scorer = Scorer(reader, (1 << count) - 1)
        assert scorer.rank(plan, hits, list(range(count)), 5) == exact
        # Hits that are nobody's champion are still ranked, all of them scored.
        others = hits & ~bits.from_docnums(scorer.champions("body", "robot"))
        expected = Scorer(reader, (1 << count) - 1)
        monkeypatch.setattr(ranking, "EXACT_SCORING_LIMIT", 10_000)
        assert scorer.rank(plan, others, list(range(count)), 5) == expected.rank(
            plan, others, list(range(count)), 5
        )
