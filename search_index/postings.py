"""Reading whole posting lists and field lengths from a Whoosh reader, fast.

Whoosh's matchers hand out one posting per method call (three calls per document); the
search needs whole lists, to turn into doc-number sets and score tables. The postings of the
whoosh3 codec are stored in blocks of up to 128 documents, and a block's ids and weights are
read here as one tuple each. This leans on the codec's block attributes (`_read_ids`, `_ids`,
`_read_weights`, `_weights`, `_next_block`, `_atend`) of the pinned Whoosh 2.7.4; any other
matcher is read through the public interface.
"""

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length


def postings(
    reader: IndexReader,
    field: str,
    text: str,
    *,
    weights: bool = True,
    leaves: frozenset[int] | None = None,
) -> tuple[list[int], list[float]]:
    """Doc numbers (ascending) and weights of the term, deleted documents included.

    Weights are what the analyzer gave: the term frequency, with compound parts counting
    less; with `weights=False` the list of weights stays empty. Callers mask out deleted
    documents with the live set. With `leaves`, only those segments (by position) are read.
    """
    with_weights = weights
    docnums: list[int] = []
    weights = []
    for number, (leaf, base) in enumerate(reader.leaf_readers()):
        if (leaves is not None and number not in leaves) or (field, text) not in leaf:
            continue
        btext = leaf._text_to_bytes(field, text)
        # The raw matcher: the reader's postings() would wrap it to skip deleted documents.
        matcher = leaf._terms.matcher(field, btext, leaf.schema[field].format)
        if isinstance(matcher, W3LeafMatcher):
            while not matcher._atend:
                matcher._read_ids()
                docnums.extend(base + docnum for docnum in matcher._ids)
                if with_weights:
                    matcher._read_weights()
                    weights.extend(matcher._weights)
                matcher._next_block()
        else:
            while matcher.is_active():
                docnums.append(base + matcher.id())
                if with_weights:
                    weights.append(matcher.weight())
                matcher.next()
    return docnums, weights


def field_lengths(reader: IndexReader, field: str) -> list[int]:
    """Every document's length of `field` in terms (as Whoosh stores it: approximated)."""
    lengths: list[int] = []
    for leaf, _base in reader.leaf_readers():
        count = leaf.doc_count_all()
        column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:
            lengths.extend([0] * count)
            continue
        # One byte per document (documents past the stored ones have length 0): read them at
        # once rather than one file access each.
        stored = column._count
        lengths.extend(_LENGTHS[value] for value in column._dbfile.get(column._basepos, stored))
        lengths.extend([0] * (count - stored))
    return lengths


_LENGTHS = tuple(byte_to_length(value) if value else 0 for value in range(256))


def deleted_docnums(reader: IndexReader) -> list[int]:
    """The doc numbers of deleted documents."""
    return [
        base + docnum
        for leaf, base in reader.leaf_readers()
        if leaf.has_deletions()
        for docnum in leaf._perdoc.deleted_docs()
    ]


def segments(reader: IndexReader) -> tuple[tuple[str, int], ...] | None:
    """Each segment's id and document count, in doc-number order; None for a reader that is
    not made of segments. Two readers agreeing on a first part number those documents alike."""
    found = []
    for leaf, _base in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None:
            return None
        found.append((segment.segment_id(), leaf.doc_count_all()))
    return tuple(found)
