"""diplosearch's indexer: reading German articles and writing them into a Whoosh index.

>>> import tempfile
>>> from index import index_paths
>>> index_paths(tempfile.mkdtemp(), ["seeds"]).added
1
"""

from typing import TYPE_CHECKING

from ._lazy import defer_english_morphology, lazy_attributes

from .errors import (
    DocumentError,
    IndexDamaged,
    IndexingFailed,
    IndexIncompatible,
    IndexLocked,
    IndexNotFound,
    QuerySyntaxError,
    SearchError,
)

defer_english_morphology()

# The rest is imported on first use: a search must not pay for the indexer's
# imports (CSV, e-mail date parsing, multiprocessing) when it starts.
_LAZY = {
    "german_analyzer": ".analysis",
    "Article": ".documents",
    "RecordFailure": ".documents",
    "parse_date": ".documents",
    "read_articles": ".documents",
    "IndexConfig": ".indexer",
    "Indexer": ".indexer",
    "IndexSummary": ".indexer",
    "index_paths": ".indexer",
    "SCHEMA_VERSION": ".schema",
    "build_schema": ".schema",
    "IndexStats": ".stats",
    "index_stats": ".stats",
    "open_index": ".store",
}

if TYPE_CHECKING:
    from .analysis import german_analyzer
    from .documents import Article, RecordFailure, parse_date, read_articles
    from .indexer import IndexConfig, Indexer, IndexSummary, index_paths
    from .schema import SCHEMA_VERSION, build_schema
    from .stats import IndexStats, index_stats
    from .store import open_index


__getattr__ = lazy_attributes(__name__, _LAZY, globals())

__all__ = [
    "Article",
    "DocumentError",
    "IndexConfig",
    "IndexDamaged",
    "IndexingFailed",
    "IndexIncompatible",
    "IndexLocked",
    "IndexNotFound",
    "IndexStats",
    "IndexSummary",
    "Indexer",
    "QuerySyntaxError",
    "RecordFailure",
    "SCHEMA_VERSION",
    "SearchError",
    "build_schema",
    "german_analyzer",
    "index_paths",
    "index_stats",
    "open_index",
    "parse_date",
    "read_articles",
]
