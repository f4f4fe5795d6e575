"""Relevance: BM25F scores from per-term tables, computed only for hits that can make the page.

Whoosh scores a query by stepping a tree of matchers through every matching document, several
method calls per document and term: 75 ms for one common word at 4,000 offers, far more at
100,000. Here each (field, term) gets a table doc -> score once per searcher, with its
best-scoring documents (its "champions") picked out. A page is then ranked by scoring

- every hit, when there are at most EXACT_SCORING_LIMIT of them (exact), or else
- the hits among the champions of the query's terms, when they fill the page. A hit that is
  no term's champion can rank lower than it would by its exact score; it needs a score in
  the range where every term has CHAMPIONS better documents, which only pages far back reach.

The score of a document is the one Whoosh's BM25F gives the same query: the sum over words of
the best way each word matches, each way the sum over its terms and fields of
field boost x way boost x BM25 of the term in the field.
"""

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

from whoosh.reading import IndexReader

from search_index import bits
from search_index.postings import field_lengths, postings

# Whoosh's BM25F defaults.
K1 = 1.2
B = 0.75
# Best documents kept per (field, term).
CHAMPIONS = 256
EXACT_SCORING_LIMIT = 2000
# Score tables are large for common terms; the cache holds this many entries in all.
_MAX_CACHED_ENTRIES = 3_000_000


@dataclass(frozen=True)
class Way:
    """One way a clause matches: the documents it matches, and the (field, term, weight)
    triples that score it."""

    docs: int
    scored: tuple[tuple[str, str, float], ...]


# A query to score: words (all summed) -> clauses (all summed) -> ways (the best one counts).
ScoringPlan = Sequence[Sequence[Sequence[Way]]]


class Scorer:
    """Score tables of one reader, built on demand and cached."""

    def __init__(self, reader: IndexReader, live: int) -> None:
        self.reader = reader
        self.live = live
        self.doc_count = max(1, bits.count(live))
        self.has_deletions = bits.count(live) < reader.doc_count_all()
        self._lengths: dict[str, tuple[list[int], float]] = {}
        self._tables: dict[tuple[str, str], dict[int, float]] = {}
        self._champions: dict[tuple[str, str], list[int]] = {}
        self._entries = 0

    def table(self, field: str, term: str) -> dict[int, float]:
        """Doc number -> BM25 score of `term` in `field`, for live documents with the term."""
        key = (field, term)
        cached = self._tables.get(key)
        if cached is not None:
            return cached
        lengths, average = self._field_lengths(field)
        docnums, weights = postings(self.reader, field, term)
        pairs = list(zip(docnums, weights, strict=True))
        if self.has_deletions:
            live = bits.Membership(self.live)
            pairs = [(d, w) for d, w in pairs if d in live]
        idf = math.log(self.doc_count / (len(pairs) + 1)) + 1
        norm = K1 * (1 - B)
        per_length = K1 * B / average
        table = {
            docnum: idf * (weight * (K1 + 1)) / (weight + norm + per_length * lengths[docnum])
            for docnum, weight in pairs
        }
        if self._entries + len(table) > _MAX_CACHED_ENTRIES:
            self._tables.clear()
            self._champions.clear()
            self._entries = 0
        self._tables[key] = table
        self._entries += len(table)
        return table

    def champions(self, field: str, term: str) -> list[int]:
        """The CHAMPIONS documents where `term` scores best in `field`."""
        key = (field, term)
        cached = self._champions.get(key)
        if cached is None:
            table = self.table(field, term)
            cached = (
                list(table)
                if len(table) <= CHAMPIONS
                else heapq.nlargest(CHAMPIONS, table, key=table.__getitem__)
            )
            self._champions[key] = cached
        return cached

    def rank(self, plan: ScoringPlan, hits: int, tie_rank: list[int], end: int) -> list[int]:
        """The best `end` hits, best first; equal scores in `tie_rank` order."""
        triples = {
            (field, term)
            for clauses in plan
            for ways in clauses
            for way in ways
            for field, term, _weight in way.scored
        }
        candidates = hits
        if bits.count(hits) > EXACT_SCORING_LIMIT:
            champions = bits.from_docnums(
                docnum for field, term in triples for docnum in self.champions(field, term)
            )
            if bits.count(champions & hits) >= end:
                candidates = champions & hits
        scores = self._scores(plan, candidates)
        return heapq.nsmallest(end, scores, key=lambda docnum: (-scores[docnum], tie_rank[docnum]))

    def _scores(self, plan: ScoringPlan, candidates: int) -> dict[int, float]:
        """Doc number -> score of every document in `candidates`."""
        scores = dict.fromkeys(bits.docnums(candidates), 0.0)
        for clauses in plan:
            for ways in clauses:
                best: dict[int, float] = {}
                for way in ways:
                    # A document with an entry in a one-term way's tables has the term, so it
                    # matches the way; with several terms it must have them all.
                    one_term = len({term for _field, term, _weight in way.scored}) <= 1
                    allowed = scores if one_term else set(bits.docnums(way.docs & candidates))
                    score: dict[int, float] = {}
                    for field, term, weight in way.scored:
                        table = self.table(field, term)
                        if len(table) <= len(allowed):
                            pairs = [(d, v) for d, v in table.items() if d in allowed]
                        else:
                            pairs = [(d, table[d]) for d in allowed if d in table]
                        for docnum, value in pairs:
                            score[docnum] = score.get(docnum, 0.0) + weight * value
                    for docnum, value in score.items():
                        if value > best.get(docnum, 0.0):
                            best[docnum] = value
                for docnum, value in best.items():
                    scores[docnum] += value
        return scores

    def _field_lengths(self, field: str) -> tuple[list[int], float]:
        cached = self._lengths.get(field)
        if cached is None:
            lengths = field_lengths(self.reader, field)
            average = (sum(lengths) / len(lengths)) if lengths else 1.0
            cached = (lengths, average or 1.0)
            self._lengths[field] = cached
        return cached
