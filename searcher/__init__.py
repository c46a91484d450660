"""diplosearch's query layer: parse a query, rank articles, mark the matches.

>>> import tempfile
>>> from index import index_paths
>>> from searcher import Searcher
>>> index_dir = tempfile.mkdtemp()
>>> _ = index_paths(index_dir, ["seeds"])
>>> with Searcher(index_dir) as searcher:
...     result = searcher.search("Lawrow AND Treffen", limit=5)
...     print(result.total, [hit.title for hit in result.hits])
1 ['NATO-Chef: Putin darf die Ukraine nie wieder angreifen']
"""

from index.errors import (
    DocumentError,
    IndexDamaged,
    IndexIncompatible,
    IndexLocked,
    IndexNotFound,
    QuerySyntaxError,
    SearchError,
)

from typing import TYPE_CHECKING

from index._lazy import lazy_attributes

# Imported on first use, so that the command line starts quickly.
_LAZY = {
    "Snippet": ".highlight",
    "parse_query": ".query",
    "Article": ".searcher",
    "ArticleNotFound": ".searcher",
    "Hit": ".searcher",
    "Searcher": ".searcher",
    "SearchResult": ".searcher",
    "SortOrder": ".searcher",
}

if TYPE_CHECKING:
    from .highlight import Snippet
    from .query import parse_query
    from .searcher import Article, ArticleNotFound, Hit, Searcher, SearchResult, SortOrder


__getattr__ = lazy_attributes(__name__, _LAZY, globals())

__all__ = [
    "Article",
    "ArticleNotFound",
    "DocumentError",
    "Hit",
    "IndexDamaged",
    "IndexIncompatible",
    "IndexLocked",
    "IndexNotFound",
    "QuerySyntaxError",
    "SearchError",
    "SearchResult",
    "Searcher",
    "Snippet",
    "SortOrder",
    "parse_query",
]
