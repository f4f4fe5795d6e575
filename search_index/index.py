"""SearchIndex: the one object the application uses."""

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from whoosh.index import FileIndex
from whoosh.reading import MultiReader, SegmentReader
from whoosh.searching import Searcher

from search_index import bits, generations
from search_index.completion import Completer
from search_index.documents import OfferDocument, SearchRequest, SearchResult
from search_index.errors import IndexMissing
from search_index.language import Language
from search_index.querying import DocSets, run_search
from search_index.schema import SCHEMA_VERSION, build_schema
from search_index.writing import apply_changes, build_generation, open_index


class _OpenGeneration:
    """An open generation: its index, a searcher, and the searcher's cached doc sets."""

    def __init__(self, name: str, build_id: str | None, ix: FileIndex) -> None:
        self.name = name
        self.build_id = build_id
        self.docsets = DocSets(ix.searcher())

    @property
    def searcher(self) -> Searcher:
        return self.docsets.searcher

    def refresh(self) -> None:
        # Cheap when nothing was committed (WHOOSH_NOTES pitfall 10). A new searcher gets new
        # doc sets, which keep what the old ones read from the segments both share.
        if not self.searcher.up_to_date():
            self.docsets = DocSets(_newer_searcher(self.searcher), previous=self.docsets)

    def close(self) -> None:
        self.searcher.close()


def _newer_searcher(searcher: Searcher) -> Searcher:
    """A searcher over the index's latest commit that keeps the old one's segment readers where
    the segment and its deletions are unchanged.

    Searcher.refresh() in Whoosh 2.7.4 means to do the same, but looks the readers up by the
    wrong key and so opens every segment again; opening one copies its term file into memory,
    0.1 s for half of 100,000 offers, after every publish.
    """
    ix = searcher._ix
    toc = ix._read_toc()
    old = {
        leaf.segment().segment_id(): leaf
        for leaf, _base in searcher.reader().leaf_readers()
        if leaf.segment() is not None
    }
    readers = []
    for segment in toc.segments:
        kept = old.pop(segment.segment_id(), None)
        if kept is not None and kept.segment().deleted_count() == segment.deleted_count():
            readers.append(kept)
        else:
            if kept is not None:
                old[segment.segment_id()] = kept
            readers.append(SegmentReader(ix.storage, ix.schema, segment, generation=toc.generation))
    for unused in old.values():
        unused.close()
    if not readers:
        return ix.searcher()
    return Searcher(MultiReader(readers, generation=toc.generation), fromindex=ix)


class SearchIndex:
    """A Whoosh offer index in directory `path`, shared by the threads of one process.

    Several processes may use the same directory: writes take Whoosh's file lock (waiting up to
    `lock_timeout` seconds), and every search first picks up other processes' commits and
    rebuilds.

    `synonyms` is the plain data of search_index.language (synonym groups, broader terms,
    compound parts); None means none. Raises ValueError when it is malformed.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = 5.0,
        synonyms: Mapping[str, object] | None = None,
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._language = Language.from_data(synonyms)
        self._schema = build_schema(self._language.analyzers)
        # One searcher serves all threads. Whoosh readers seek and read shared file objects, so
        # a whole search holds the lock; searching is pure Python, so under the GIL threads
        # would not run searches in parallel anyway.
        self._lock = threading.Lock()
        self._open: _OpenGeneration | None = None
        self._completer: Completer | None = None

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def exists(self) -> bool:
        """Whether a usable index (current schema version) is there."""
        try:
            self._current_dir()
        except IndexMissing:
            return False
        return True

    def create(self) -> None:
        """Create an empty index with applied sequence 0, unless a usable one exists.

        Prefer `rebuild` where the change log may have been pruned: an empty index only catches
        up with the changes still in the log.
        """
        if not self.exists():
            build_generation(self.path, (), 0, self._schema)

    def applied_seq(self) -> int:
        """The last change-log sequence number applied to the current generation."""
        return int(self._state(self._current_dir())["applied_seq"])

    def apply(
        self,
        upserts: Iterable[OfferDocument],
        deletes: Iterable[int],
        through_seq: int,
        *,
        lock_timeout: float | None = None,
    ) -> None:
        """Upsert and delete offers in one commit, then record `through_seq` if it is larger.

        Idempotent. Raises IndexLocked when another writer holds the lock beyond the timeout
        (`lock_timeout`, else the index's own); the caller leaves the changes for the next sync
        then. A crash between the commit and recording the number only means the same changes
        are applied again.
        """
        timeout = self.lock_timeout if lock_timeout is None else lock_timeout
        generation_dir = self._current_dir()
        try:
            ix = open_index(generation_dir, self._schema)
        except Exception as exc:
            raise IndexMissing(f"cannot open the index in {generation_dir}") from exc
        apply_changes(ix, upserts, deletes, lock_timeout=timeout)
        generations.raise_applied_seq(generation_dir, through_seq, timeout=timeout)

    def rebuild(self, documents: Iterable[OfferDocument], through_seq: int) -> int:
        """Build a fresh index from `documents`, swap it in atomically, return its size.

        Take `through_seq` before reading the documents. Searches keep being answered from the
        old generation until the swap, and switch at their next call after it.
        """
        return build_generation(self.path, documents, through_seq, self._schema)

    def doc_ids(self) -> set[int]:
        """Every offer id in the index."""
        with self._lock:
            docsets = self._refreshed().docsets
            return set(docsets.offer_ids(bits.docnums(docsets.all_docs())))

    def generation(self) -> str:
        """Identify the current index state, e.g. "gen-3.12" (directory . Whoosh generation)."""
        generation_dir = self._current_dir()
        try:
            whoosh_generation = open_index(generation_dir, self._schema).latest_generation()
        except Exception as exc:
            raise IndexMissing(f"cannot open the index in {generation_dir}") from exc
        return f"{generation_dir.name}.{whoosh_generation}"

    def search(self, request: SearchRequest) -> SearchResult:
        """Run one search; any text is valid, only a malformed request raises ValueError."""
        with self._lock:
            return run_search(self._refreshed().docsets, request, self._language)

    def complete(self, text: str, limit: int) -> list[int]:
        """The ids of up to `limit` offers whose titles `text` completes, best first, one per
        distinct title; any text is valid (search_index.completion)."""
        with self._lock:
            searcher = self._refreshed().searcher
            if self._completer is None or self._completer.searcher is not searcher:
                # Its caches hold doc numbers, which only this searcher's are.
                self._completer = Completer(searcher)
            return self._completer.complete(text, limit)

    def close(self) -> None:
        """Release the open searcher; the object stays usable and reopens on demand."""
        with self._lock:
            self._completer = None
            if self._open is not None:
                self._open.close()
                self._open = None

    def _refreshed(self) -> _OpenGeneration:
        """Return the current generation, opened and up to date (caller holds the lock)."""
        generation_dir, state = self._current()
        # The same name is not enough: after the index directory was removed and built again,
        # the open `gen-1` is another index than the current `gen-1`, and its searcher would go
        # on answering from the removed files.
        build_id = state.get("build_id")
        if self._open is not None and (self._open.name, self._open.build_id) == (
            generation_dir.name,
            build_id,
        ):
            self._open.refresh()
            return self._open
        try:
            opened = _OpenGeneration(
                generation_dir.name, build_id, open_index(generation_dir, self._schema)
            )
        except Exception as exc:
            raise IndexMissing(f"cannot open the index in {generation_dir}") from exc
        if self._open is not None:
            self._open.close()
        self._open = opened
        return opened

    def _current_dir(self) -> Path:
        return self._current()[0]

    def _current(self) -> tuple[Path, dict[str, Any]]:
        """The current generation's directory and state; raises IndexMissing."""
        name = generations.current_name(self.path)
        if name is None:
            raise IndexMissing(f"no search index in {self.path}")
        generation_dir = self.path / name
        state = self._state(generation_dir)
        if state.get("schema_version") != SCHEMA_VERSION:
            raise IndexMissing(f"the index in {generation_dir} was built with another schema")
        return generation_dir, state

    @staticmethod
    def _state(generation_dir: Path) -> dict[str, Any]:
        try:
            return generations.read_state(generation_dir)
        except (OSError, ValueError) as exc:
            raise IndexMissing(f"cannot read the index state in {generation_dir}") from exc
