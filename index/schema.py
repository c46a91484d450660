"""The Whoosh schema of a diplosearch index, built in code.

The schema is passed to Whoosh whenever an index is opened, so opening never
depends on unpickling the copy stored in the index: renaming a class here
cannot break an old index, and the stemmer is not loaded until a word needs it.
"""

from __future__ import annotations

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, TEXT, Schema

from .analysis import german_analyzer, parts_analyzer, simple_analyzer, stop_pairs_analyzer, unstemmed_analyzer
from .entities import entity_analyzer

__all__ = ["SCHEMA_VERSION", "build_schema", "TEXT_FIELDS", "QUERY_FIELDS", "UNDATED"]

#: Bumped whenever the schema or the analysis changes what is in the index;
#: an index of another version must be rebuilt (``diplosearch index --rebuild``).
SCHEMA_VERSION = 3

#: The ``date_sort`` value of an article without a date: below every real date,
#: so that newest-first puts undated articles last.
UNDATED = -(2**63)

#: Fields searched when a query names none.
TEXT_FIELDS = ("title", "body")

#: Field names a query may use, as ``name:value``.
QUERY_FIELDS = ("title", "body", "source", "category", "id", "date", "url", "person", "place", "org")


def build_schema() -> Schema:
    """The schema: analysed text, unstemmed words for prefixes, and metadata.

    * ``title``, ``body``: German analysis with positions (phrases) and
      character offsets recomputed from the stored text for highlighting;
    * ``title_words``, ``body_words``: folded, unstemmed words (no positions)
      that prefix and fuzzy terms are matched against;
    * ``title_pairs``, ``body_pairs``: each stop word joined with the word
      after it (``_der stadt``), with positions, so that a phrase with stop
      words need not read the positions of the stop words themselves (see
      :class:`index.analysis.StopPairFilter`); never scored;
    * ``parts``: the stems of the parts of compounds in headline and body
      (``Sicherheitsgarantien``: ``sich``, ``garanti``), see :mod:`index.compounds`;
    * ``source``, ``category``: searchable words; ``source_key``,
      ``category_key``: the exact values, for counts;
    * ``date`` for date queries; ``date_sort``, seconds since 1970 (or
      :data:`UNDATED`), for sorting and counting by date;
    * ``id``, ``path``, ``hash``: identity and change detection;
    * ``people``, ``places``, ``orgs``: the canonical names of the alias
      table's entities the article names, one a line (see
      :mod:`index.entities`); searched by key (``sergej lawrow``) and word,
      stored, and in a column for counting.
    """
    german = german_analyzer()
    words = unstemmed_analyzer()
    simple = simple_analyzer()
    pairs = stop_pairs_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=german, stored=True, phrase=True),
        body=TEXT(analyzer=german, stored=True, phrase=True),
        title_words=TEXT(analyzer=words, phrase=False),
        title_pairs=TEXT(analyzer=pairs, phrase=True),
        body_pairs=TEXT(analyzer=pairs, phrase=True),
        parts=TEXT(analyzer=parts_analyzer(), phrase=False),
        body_words=TEXT(analyzer=words, phrase=False),
        date=DATETIME(stored=True),
        date_sort=COLUMN(NumericColumn("q", default=UNDATED)),
        source=TEXT(analyzer=simple, stored=True, phrase=True),
        source_key=ID(sortable=True),
        category=TEXT(analyzer=simple, stored=True, phrase=True),
        category_key=ID(sortable=True),
        url=ID(stored=True),
        path=ID(stored=True, sortable=True),
        hash=ID(sortable=True),
        people=KEYWORD(analyzer=entity_analyzer(), stored=True, sortable=True),
        places=KEYWORD(analyzer=entity_analyzer(), stored=True, sortable=True),
        orgs=KEYWORD(analyzer=entity_analyzer(), stored=True, sortable=True),
    )
