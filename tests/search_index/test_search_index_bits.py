"""Doc-number sets as integers, and whole posting lists read block by block."""

import random

import pytest
from whoosh import fields
from whoosh.filedb.filestore import RamStorage

from search_index import bits
from search_index.postings import deleted_docnums, field_lengths, postings


@pytest.mark.parametrize(
    "docnums",
    [
        [],
        [0],
        [7],
        [8],
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
        [3, 900, 901, 100_000],
        list(range(0, 5000, 3)),
    ],
)
def test_a_set_of_doc_numbers_round_trips(docnums: list[int]) -> None:
    docs = bits.from_docnums(docnums)
    assert bits.docnums(docs) == docnums
    assert bits.count(docs) == len(docnums)
    member = bits.Membership(docs)
    assert all(docnum in member for docnum in docnums)
    assert not any(docnum in member for docnum in set(range(0, 1000)) - set(docnums))
    assert 10**9 not in member


def test_set_operations_are_integer_operations() -> None:
    rnd = random.Random(4)
    first = set(rnd.sample(range(20_000), 5000))
    second = set(rnd.sample(range(20_000), 5000))
    a, b = bits.from_docnums(sorted(first), 20_000), bits.from_docnums(sorted(second))
    assert bits.docnums(a & b) == sorted(first & second)
    assert bits.docnums(a | b) == sorted(first | second)
    assert bits.count(a & ~b) == len(first - second)


def test_postings_are_read_whole_across_segments_and_blocks() -> None:
    schema = fields.Schema(id=fields.ID(unique=True, stored=True), body=fields.TEXT)
    ix = RamStorage().create_index(schema)
    # Three segments, the first with more documents than one posting block holds (128).
    for first, last in ((0, 600), (600, 610), (610, 620)):
        with ix.writer() as writer:
            for number in range(first, last):
                words = "robot robot lego" if number % 3 == 0 else "lego"
                writer.add_document(id=str(number), body=words + " x" * (number % 5))
    with ix.writer() as writer:
        writer.delete_by_term("id", "3")
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) > 1
        docnums, weights = postings(reader, "body", "robot")
        matcher = reader.postings("body", "robot")
        live = []
        while matcher.is_active():
            live.append((matcher.id(), matcher.weight()))
            matcher.next()
        deleted = deleted_docnums(reader)
        assert len(deleted) == 1
        assert [(d, w) for d, w in zip(docnums, weights, strict=True) if d not in deleted] == live
        assert set(weights) == {2.0}
        assert postings(reader, "body", "robot", weights=False) == (docnums, [])
        assert postings(reader, "body", "unknown") == ([], [])
        lengths = field_lengths(reader, "body")
        assert len(lengths) == reader.doc_count_all()
        assert lengths == [reader.doc_field_length(d, "body", 0) for d in range(len(lengths))]
