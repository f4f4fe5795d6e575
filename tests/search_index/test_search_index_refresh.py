"""A searcher that follows index changes answers as one that starts afresh."""

from collections.abc import Callable
from pathlib import Path

import pytest
import whoosh.writing
from whoosh.reading import SegmentReader

from search_index import OfferDocument, SearchIndex, SearchRequest, SearchResult

REQUESTS = [
    SearchRequest(facets=("stage", "subject", "format", "district", "free")),
    SearchRequest(text="Roboter", facets=("stage", "subject")),
    SearchRequest(text="Experimente Schüler", facets=("district",)),
    SearchRequest(age=9, filters={"stage": ("primary",)}, facets=("format",)),
    SearchRequest(text="Mädchen", free=True),
    SearchRequest(sort="title", limit=100),
    SearchRequest(sort="new", limit=100),
    SearchRequest(sort="date", limit=100, offset=3),
]


def answers(index: SearchIndex) -> list[SearchResult]:
    return [index.search(request) for request in REQUESTS]


@pytest.mark.parametrize("merge", [False, True], ids=["new segments", "merged segments"])
def test_changes_after_searches_are_seen_as_by_a_fresh_searcher(
    index: SearchIndex,
    index_path: Path,
    make_offer: Callable[..., OfferDocument],
    offers: tuple[OfferDocument, ...],
    monkeypatch: pytest.MonkeyPatch,
    merge: bool,
) -> None:
    answers(index)  # fill the caches
    robots = next(o for o in offers if o.id == 1)
    changes = [
        # A new offer, an edit that moves an offer to other facets, and a withdrawal.
        (
            [
                make_offer(
                    90, "Roboter für Mädchen", "Experimente für Schüler.", stages=("primary",)
                )
            ],
            [],
        ),
        (
            [
                make_offer(
                    1, robots.title, "Nun für Ältere.", stages=("upper-secondary",), free=False
                )
            ],
            [],
        ),
        ([], [2]),
    ]
    if merge:
        # Every commit merges all segments into one: every document is numbered anew.
        monkeypatch.setattr(whoosh.writing, "MERGE_SMALL", whoosh.writing.OPTIMIZE)
    for seq, (upserts, deletes) in enumerate(changes, start=11):
        index.apply(upserts, deletes, through_seq=seq)
        following = answers(index)
        # The case this test is about: the new searcher kept the sets of the shared segments.
        assert (index._open.docsets._inherited is None) is merge
        with SearchIndex(index_path) as fresh:
            assert [(r.total, r.ids, r.facets) for r in following] == [
                (r.total, r.ids, r.facets) for r in answers(fresh)
            ]


def _merge_all_but_the_first(writer: whoosh.writing.SegmentWriter, segments: list) -> list:
    """A Whoosh merge policy: every segment but the first goes into the one being written."""
    for segment in segments[1:]:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return segments[:1]


def test_documents_of_merged_segments_are_read_again(
    make_index: Callable[..., SearchIndex],
    make_offer: Callable[..., OfferDocument],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = make_index(
        tuple(
            make_offer(number, f"Experimente {number}", "Schüler forschen.", free=number % 2 == 0)
            for number in range(1, 41)
        )
    )
    # A small segment, which the next commit merges with the newest offer while the first
    # stays: the merged documents are numbered anew.
    newcomers = [
        make_offer(91, "Roboter-Treff", "Roboter für Mädchen.", free=False),
        make_offer(92, "Chemie-Labor", "Säuren und Laugen.", stages=("lower-secondary",)),
        make_offer(93, "Physik-Labor", "Licht und Linsen.", stages=("upper-secondary",)),
    ]
    index.apply(newcomers, [], through_seq=11)
    answers(index)
    monkeypatch.setattr(whoosh.writing, "MERGE_SMALL", _merge_all_but_the_first)
    index.apply([make_offer(94, "Sternwarte am Abend", "Sterne sehen.")], [91], through_seq=12)
    following = answers(index)
    assert index._open.docsets._inherited is not None  # the big segments kept their sets
    with SearchIndex(index.path) as fresh:
        assert [(r.total, r.ids, r.facets) for r in following] == [
            (r.total, r.ids, r.facets) for r in answers(fresh)
        ]
