"""The offer search engine: German full-text search, filters and facet counts over Whoosh.

Plain data in (OfferDocument), plain data out (SearchResult with offer ids in rank order); it
knows nothing of Flask or the database. The application loads the offers by id.
"""

from search_index.documents import FACET_FIELDS, OfferDocument, SearchRequest, SearchResult
from search_index.errors import IndexLocked, IndexMissing
from search_index.index import SearchIndex

__all__ = [
    "FACET_FIELDS",
    "IndexLocked",
    "IndexMissing",
    "OfferDocument",
    "SearchIndex",
    "SearchRequest",
    "SearchResult",
]
