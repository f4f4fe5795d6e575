"""The Whoosh schema of the offer index."""

from whoosh import columns, fields

from search_index.analysis import Analyzers
from search_index.completion import WORDS_ANALYZER

# Bump when a field or an analyzer changes: an index built with another version is treated as
# missing, so the application rebuilds it instead of querying terms it no longer produces.
# (The list of compound parts is data: a changed list splits the offers indexed after the
# change, and all of them after the next rebuild; queries work either way.)
SCHEMA_VERSION = 4

# Searchable text fields and their query-time boosts.
TEXT_FIELD_BOOSTS = {
    "title": 4.0,
    "partner_name": 2.0,
    "summary": 2.0,
    "keywords": 1.5,
    "description": 1.0,
}

# Facet name (as in FACET_FIELDS) -> field holding its values as untokenized terms.
MULTI_VALUED_FACETS = ("stage", "subject", "format", "audience")
SINGLE_VALUED_FACETS = ("district", "mode", "partner", "free")

# Sorts an offer without a next session after every dated one (signed 64-bit column).
NO_NEXT_START = 2**62


def _facet_list() -> fields.KEYWORD:
    return fields.KEYWORD(commas=True, scorable=False, lowercase=False)


def build_schema(analyzers: Analyzers | None = None) -> fields.Schema:
    """Return the schema with `analyzers` (default: no compound splitting)."""
    analyzers = analyzers or Analyzers.build()
    return fields.Schema(
        # The offer id as a unique term: update_document and delete_by_term key on it.
        id=fields.ID(unique=True),
        # The same id as a column, so result pages and `doc_ids` read ids without unpickling
        # stored fields.
        offer_id=fields.COLUMN(columns.NumericColumn("q")),
        # Stored: the texts the spelling field is made of, for the spelling a suggestion shows
        # ("mädchen", not "madchen"); summary and description also for highlighting. The
        # application loads everything else from the database.
        title=fields.TEXT(analyzer=analyzers.text, stored=True),
        partner_name=fields.TEXT(analyzer=analyzers.text, stored=True),
        summary=fields.TEXT(analyzer=analyzers.text, stored=True),
        description=fields.TEXT(analyzer=analyzers.text, stored=True),
        keywords=fields.TEXT(analyzer=analyzers.text, stored=True),
        spelling=fields.TEXT(analyzer=analyzers.spelling, phrase=False),
        # Every title word, folded and unstemmed, for completion (search_index.completion); the
        # field lengths rank shorter titles first.
        title_words=fields.TEXT(analyzer=WORDS_ANALYZER, phrase=False),
        **{name: _facet_list() for name in MULTI_VALUED_FACETS},
        **{name: fields.ID() for name in SINGLE_VALUED_FACETS},
        # Every covered year of age as a term: one term lookup instead of NumericRange trie
        # expansion (WHOOSH_NOTES pitfall 7).
        ages=fields.KEYWORD(scorable=False),
        # Every session day as a "YYYYMMDD" term; lexical order is date order.
        days=fields.KEYWORD(scorable=False),
        anytime=fields.ID(),
        title_sort=fields.COLUMN(columns.VarBytesColumn()),
        next_start=fields.COLUMN(columns.NumericColumn("q", default=NO_NEXT_START)),
        published=fields.COLUMN(columns.NumericColumn("q")),
    )
