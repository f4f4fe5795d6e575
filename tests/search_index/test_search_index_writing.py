"""Writing: applying changes, the applied sequence number, locking, rebuilding with a swap."""

import dataclasses
import datetime
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Term

from search_index import (
    IndexLocked,
    IndexMissing,
    OfferDocument,
    SearchIndex,
    SearchRequest,
    SearchResult,
)

MakeOffer = Callable[..., OfferDocument]


def test_apply_upserts_replace_and_deletes_remove(
    index: SearchIndex, offers: tuple[OfferDocument, ...], found: Callable[..., set[int]]
) -> None:
    robots = offers[0]
    changed = dataclasses.replace(robots, title="Drohnen fliegen", summary="Wir fliegen Drohnen.")
    index.apply([changed], [13], through_seq=11)
    assert found(text="Drohnen") == {1}
    assert found(text="Lego") == set()
    assert found(text="Spinnen") == set()
    assert index.doc_ids() == {offer.id for offer in offers} - {13}


def test_apply_adds_new_offers(
    index: SearchIndex, make_offer: MakeOffer, found: Callable[..., set[int]]
) -> None:
    assert found(text="Loetkurs") == set()
    index.apply([make_offer(99, "Lötkurs", "Löten für Einsteiger")], [], through_seq=11)
    assert found(text="Loetkurs") == {99}
    assert 99 in index.doc_ids()


def test_applying_the_same_changes_again_is_harmless(
    index: SearchIndex, offers: tuple[OfferDocument, ...], search: Callable[..., SearchResult]
) -> None:
    before = search(facets=("stage",))
    for _ in range(3):
        index.apply(offers[:5], [404], through_seq=11)
    after = search(facets=("stage",))
    assert (after.total, after.facets) == (before.total, before.facets)
    assert sorted(index.doc_ids()) == sorted(offer.id for offer in offers)


def test_applied_seq_only_grows(index: SearchIndex) -> None:
    assert index.applied_seq() == 10
    generation = index.generation()
    index.apply([], [], through_seq=15)
    assert index.applied_seq() == 15
    # Nothing to write, so no new Whoosh generation either.
    assert index.generation() == generation
    index.apply([], [1], through_seq=12)
    assert index.applied_seq() == 15
    assert 1 not in index.doc_ids()


def test_a_new_index_has_applied_nothing(index_path: Path) -> None:
    search_index = SearchIndex(index_path)
    assert not search_index.exists()
    search_index.create()
    assert search_index.exists()
    assert search_index.applied_seq() == 0
    assert search_index.doc_ids() == set()
    assert search_index.search(SearchRequest(text="Roboter")).total == 0
    search_index.close()


def test_create_leaves_an_existing_index_alone(index: SearchIndex) -> None:
    generation = index.generation()
    index.create()
    assert index.generation() == generation
    assert index.applied_seq() == 10


@pytest.fixture
def held_lock(index: SearchIndex) -> Iterator[None]:
    """Another writer (as if in another process) holding the index lock."""
    writer = whoosh_index.open_dir(str(index.path / "current")).writer()
    yield
    writer.cancel()


@pytest.mark.usefixtures("held_lock")
def test_a_busy_lock_raises_index_locked_after_the_timeout(
    index_path: Path, index: SearchIndex, make_offer: MakeOffer, found: Callable[..., set[int]]
) -> None:
    waiting = SearchIndex(index_path, lock_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(IndexLocked):
        waiting.apply([make_offer(99, "Lötkurs", "Löten")], [], through_seq=11)
    # It waited for the lock instead of giving up at once (Whoosh's default timeout is 0 s).
    assert time.monotonic() - started >= 0.25
    assert waiting.applied_seq() == 10
    assert found(text="Lötkurs") == set()


def test_apply_waits_for_a_lock_released_within_the_timeout(
    index_path: Path, index: SearchIndex, make_offer: MakeOffer, found: Callable[..., set[int]]
) -> None:
    writer = whoosh_index.open_dir(str(index_path / "current")).writer()
    release = threading.Timer(0.2, writer.cancel)
    release.start()
    SearchIndex(index_path, lock_timeout=5).apply(
        [make_offer(99, "Lötkurs", "Löten")], [], through_seq=11
    )
    release.join()
    assert found(text="Lötkurs") == {99}


def test_rebuild_swaps_while_an_open_index_keeps_answering(
    index_path: Path,
    index: SearchIndex,
    offers: tuple[OfferDocument, ...],
    make_offer: MakeOffer,
    found: Callable[..., set[int]],
) -> None:
    assert found(text="Roboter") == {1}
    old_generation = index.generation()
    # A reader that has the old generation open, like a search running in another process.
    old_dir = index_path / os.readlink(index_path / "current")
    old_reader = whoosh_index.open_dir(str(old_dir)).searcher()

    other_process = SearchIndex(index_path)
    fresh = [*offers[1:], make_offer(99, "Lötkurs", "Löten für Einsteiger")]
    assert other_process.rebuild(fresh, through_seq=42) == len(fresh)

    assert len(list(old_reader.docs_for_query(Term("id", "1")))) == 1
    old_reader.close()
    assert found(text="Roboter") == set()
    assert found(text="Lötkurs") == {99}
    assert index.applied_seq() == 42
    assert index.doc_ids() == {offer.id for offer in fresh}
    assert index.generation() != old_generation
    other_process.close()


def test_an_index_directory_removed_and_built_again_is_read_anew(
    index_path: Path,
    index: SearchIndex,
    offers: tuple[OfferDocument, ...],
    make_offer: MakeOffer,
    found: Callable[..., set[int]],
) -> None:
    assert found(text="Roboter") == {1}  # this process has the generation open
    name = os.readlink(index_path / "current")
    shutil.rmtree(index_path)
    other_process = SearchIndex(index_path)
    fresh = [*offers[1:], make_offer(99, "Lötkurs", "Löten für Einsteiger")]
    other_process.rebuild(fresh, through_seq=42)
    other_process.close()
    # The same name, another index: the open searcher must not answer from the removed files.
    assert os.readlink(index_path / "current") == name
    assert found(text="Roboter") == set()
    assert found(text="Lötkurs") == {99}


def test_rebuild_keeps_the_previous_generation_and_removes_older_ones(
    index_path: Path, index: SearchIndex, offers: tuple[OfferDocument, ...]
) -> None:
    for through_seq in (20, 30, 40):
        index.rebuild(offers, through_seq)
    generations = sorted(path.name for path in index_path.iterdir() if path.is_dir())
    assert generations == ["current", "gen-3", "gen-4"]
    assert os.readlink(index_path / "current") == "gen-4"
    assert index.applied_seq() == 40


def test_a_failed_rebuild_leaves_the_current_index(
    index_path: Path, index: SearchIndex, offers: tuple[OfferDocument, ...]
) -> None:
    def broken() -> Iterator[OfferDocument]:
        yield offers[0]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        index.rebuild(broken(), through_seq=99)
    with pytest.raises(ValueError, match="twice"):
        index.rebuild([offers[0], offers[0]], through_seq=99)
    assert index.applied_seq() == 10
    assert len(index.doc_ids()) == len(offers)
    assert sorted(path.name for path in index_path.iterdir()) == ["current", "gen-1"]


def test_generation_changes_with_every_commit(index: SearchIndex) -> None:
    first = index.generation()
    index.apply([], [1], through_seq=11)
    second = index.generation()
    index.rebuild([], through_seq=12)
    third = index.generation()
    assert len({first, second, third}) == 3


def test_deleting_offers_the_index_does_not_hold_commits_nothing(index: SearchIndex) -> None:
    before = index.generation()
    index.apply([], [404, 405], through_seq=11)
    assert index.generation() == before
    assert index.applied_seq() == 11


def test_naive_datetimes_are_refused(index: SearchIndex, make_offer: MakeOffer) -> None:
    naive = make_offer(99, "Lötkurs", "Löten", published_at=datetime.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        index.apply([naive], [], through_seq=11)
    assert 99 not in index.doc_ids()


def _every_call(search_index: SearchIndex) -> list[Callable[[], object]]:
    return [
        search_index.applied_seq,
        search_index.doc_ids,
        search_index.generation,
        lambda: search_index.search(SearchRequest()),
        lambda: search_index.apply([], [], 1),
    ]


@pytest.mark.parametrize("call", range(5))
def test_a_missing_index_raises_index_missing(tmp_path: Path, call: int) -> None:
    search_index = SearchIndex(tmp_path / "nowhere")
    assert not search_index.exists()
    with pytest.raises(IndexMissing):
        _every_call(search_index)[call]()
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("call", range(5))
def test_an_unreadable_index_raises_index_missing(index_path: Path, call: int) -> None:
    search_index = SearchIndex(index_path)
    search_index.create()
    (index_path / "gen-1" / "state.json").write_text("{", encoding="utf-8")
    assert not search_index.exists()
    with pytest.raises(IndexMissing):
        _every_call(search_index)[call]()


def test_an_index_of_another_schema_version_counts_as_missing(index: SearchIndex) -> None:
    state = index.path / "current" / "state.json"
    state.write_text('{"applied_seq": 10, "schema_version": 0}', encoding="utf-8")
    assert not index.exists()
    with pytest.raises(IndexMissing):
        index.search(SearchRequest())


def test_threads_search_while_changes_are_applied(
    index: SearchIndex, offers: tuple[OfferDocument, ...], make_offer: MakeOffer
) -> None:
    errors: list[BaseException] = []
    totals: list[int] = []

    def searching() -> None:
        try:
            for _ in range(30):
                result = index.search(SearchRequest(text="Lötkurs Roboter", facets=("stage",)))
                totals.append(result.total)
        except BaseException as error:  # collected, so the test reports it
            errors.append(error)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for thread in threads:
        thread.start()
    for seq in range(11, 31):
        index.apply([make_offer(100 + seq, f"Lötkurs {seq}", "Löten")], [], through_seq=seq)
    for thread in threads:
        thread.join()
    assert errors == []
    # "Roboter" (offer 1) always, plus the courses applied so far.
    assert len(totals) == 120
    assert all(1 <= total <= 21 for total in totals)
    assert index.search(SearchRequest(text="Lötkurs")).total == 20
