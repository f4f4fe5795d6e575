"""Writing: turning offers into index fields, applying changes, building a fresh generation."""

import datetime
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from whoosh import index
from whoosh.fields import Schema
from whoosh.index import FileIndex, LockError

from search_index import generations
from search_index.analysis import sort_key
from search_index.documents import OfferDocument
from search_index.errors import IndexLocked
from search_index.schema import NO_NEXT_START, SCHEMA_VERSION

MIN_AGE = 0
MAX_AGE = 99


def document_fields(document: OfferDocument) -> dict[str, object]:
    """Return the Whoosh fields of one offer."""
    # NFC, so that a decomposed "a + ◌̈" from some keyboards analyzes like "ä", and the stored
    # text keeps the character offsets the highlighter computes on it.
    title, partner_name, summary, description, keywords = (
        unicodedata.normalize("NFC", text)
        for text in (
            document.title,
            document.partner_name,
            document.summary,
            document.description,
            document.keywords,
        )
    )
    # The words typos are corrected to: those that say what an offer is. Descriptions are left
    # out; they hold most of an offer's distinct words, and indexing them a second time (folded
    # and unstemmed) cost more than half of the index build.
    naming_text = "\n".join((title, partner_name, summary, keywords))
    youngest = max(MIN_AGE, document.age_min)
    oldest = min(MAX_AGE, document.age_max)
    fields: dict[str, object] = {
        "id": str(document.id),
        "offer_id": document.id,
        "title": title,
        "partner_name": partner_name,
        "summary": summary,
        "description": description,
        "keywords": keywords,
        "spelling": naming_text,
        "title_words": title,
        "ages": " ".join(str(age) for age in range(youngest, oldest + 1)),
        "days": " ".join(day.strftime("%Y%m%d") for day in sorted(set(document.days))),
        "anytime": "1" if document.bookable_any_time else "0",
        "free": "1" if document.free else "0",
        "title_sort": sort_key(title).encode("utf-8"),
        "next_start": (
            NO_NEXT_START
            if document.next_start is None
            else _timestamp(document.next_start, "next_start")
        ),
        "published": _timestamp(document.published_at, "published_at"),
    }
    for name, values in (
        ("stage", document.stages),
        ("subject", document.subjects),
        ("format", document.formats),
        ("audience", document.audiences),
    ):
        # The field splits on commas, so a comma inside a slug would make two values.
        present = [value for value in values if value]
        if present:
            fields[name] = ",".join(present)
    for name, value in (
        ("district", document.district),
        ("mode", document.mode),
        ("partner", document.partner),
    ):
        # An empty term would show up as a facet value "".
        if value:
            fields[name] = value
    return fields


def _timestamp(moment: datetime.datetime, name: str) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive datetime would be read as the server's local time: wrong by hours, silently.
        raise ValueError(f"OfferDocument.{name} must be timezone-aware, got {moment!r}")
    return int(moment.timestamp())


def open_index(generation_dir: Path, schema: Schema) -> FileIndex:
    """Open one generation with the code's `schema`.

    Passing the schema means the pickled copy in the index is never unpickled, and analysis at
    write time is the analysis the query side uses.
    """
    return index.open_dir(str(generation_dir), schema=schema)


def apply_changes(
    ix: FileIndex,
    upserts: Iterable[OfferDocument],
    deletes: Iterable[int],
    *,
    lock_timeout: float,
) -> int:
    """Upsert and delete offers in one commit; return the number of changes.

    The inputs are consumed only once the writer lock is held, so a lazy iterable that reads
    the database sees state at least as new as every commit before this one; two processes
    applying at once then cannot leave the older version of an offer in the index.
    """
    try:
        # Whoosh's default timeout is 0 s: a busy lock would fail at once (WHOOSH_NOTES pitfall 3).
        writer = ix.writer(timeout=lock_timeout)
    except LockError as exc:
        raise IndexLocked(f"index writer lock busy for more than {lock_timeout} s") from exc
    changes = 0
    searcher = None
    try:
        # One searcher for every deletion: update_document and a plain delete_by_term open a
        # reader over all segments each time (WHOOSH_NOTES pitfall 4), minutes for an import.
        searcher = writer.searcher()
        reader = searcher.reader()
        for document in upserts:
            key = str(document.id)
            if ("id", key) in reader:
                writer.delete_by_term("id", key, searcher=searcher)
            writer.add_document(**document_fields(document))
            changes += 1
        for offer_id in deletes:
            key = str(offer_id)
            # Most deletions are of offers that were never published (a draft saved, an offer
            # submitted): deleting nothing must not cost a commit, which every worker's searcher
            # would then have to pick up.
            if ("id", key) in reader:
                writer.delete_by_term("id", key, searcher=searcher)
                changes += 1
    except BaseException:
        writer.cancel()
        raise
    finally:
        if searcher is not None:
            searcher.close()
    if changes:
        writer.commit()
    else:
        # Nothing to write: an empty commit would only add a generation.
        writer.cancel()
    return changes


def build_generation(
    root: Path, documents: Iterable[OfferDocument], through_seq: int, schema: Schema
) -> int:
    """Build a complete index in a new generation, make it current, and return its size.

    The caller takes `through_seq` before it starts reading `documents`: changes made while the
    build runs then have larger numbers and are applied to the new generation afterwards.
    """
    generation_dir = generations.new_generation_dir(root)
    try:
        ix = index.create_in(str(generation_dir), schema)
        count = _add_all(ix, documents)
        generations.write_state(
            generation_dir,
            applied_seq=through_seq,
            schema_version=SCHEMA_VERSION,
            build_id=generations.new_build_id(),
        )
    except BaseException:
        generations.remove_generation(generation_dir)
        raise
    previous = generations.switch_current(root, generation_dir.name)
    # The generation just replaced stays: a search in another process may still be reading it.
    # Those processes switch at their next search, so anything older is no longer needed.
    keep = {generation_dir.name} | ({previous} if previous else set())
    generations.remove_old_generations(root, keep)
    return count


# Memory for sorting postings before a writer spills them to temporary files; spilling (pickling
# every posting twice) cost a third of the build time at the default 128 MB.
BUILD_POOL_MB = 512


def build_processes() -> int:
    """How many processes build an index: one per core, at most 2 segments to search."""
    return max(1, min(2, os.cpu_count() or 1))


def _add_all(ix: FileIndex, documents: Iterable[OfferDocument]) -> int:
    # A fresh, private directory: nobody else can hold its lock. With several processes, this
    # one turns offers into fields while the others analyze and write one segment each
    # (multisegment: the segments are not merged, which would cost as much again).
    procs = build_processes()
    writer = (
        ix.writer(procs=procs, multisegment=True, limitmb=BUILD_POOL_MB // procs)
        if procs > 1
        else ix.writer(limitmb=BUILD_POOL_MB)
    )
    seen: set[int] = set()
    try:
        for document in documents:
            if document.id in seen:
                # add_document cannot replace a document of the same commit.
                raise ValueError(f"offer {document.id} appears twice in the rebuild input")
            seen.add(document.id)
            writer.add_document(**document_fields(document))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return len(seen)
