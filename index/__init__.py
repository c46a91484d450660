"""diplosearch's indexer: reading German articles and writing them into a Whoosh index.

>>> import tempfile
>>> from index import index_paths
>>> index_paths(tempfile.mkdtemp(), ["seeds"]).added
1
"""

from .analysis import german_analyzer
from .documents import Article, RecordFailure, parse_date, read_articles
from .errors import (
    DocumentError,
    IndexDamaged,
    IndexIncompatible,
    IndexLocked,
    IndexNotFound,
    QuerySyntaxError,
    SearchError,
)
from .indexer import IndexConfig, Indexer, IndexSummary, index_paths
from .schema import SCHEMA_VERSION, build_schema
from .stats import IndexStats, index_stats
from .store import open_index

__all__ = [
    "Article",
    "DocumentError",
    "IndexConfig",
    "IndexDamaged",
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
