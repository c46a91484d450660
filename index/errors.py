"""The exceptions diplosearch raises. Each message says what to do next."""

from __future__ import annotations

__all__ = [
    "SearchError",
    "IndexNotFound",
    "IndexLocked",
    "IndexIncompatible",
    "IndexDamaged",
    "IndexingFailed",
    "DocumentError",
    "QuerySyntaxError",
]


class SearchError(Exception):
    """Base of every error diplosearch raises on purpose."""


class IndexNotFound(SearchError):
    """There is no diplosearch index at the given directory."""


class IndexLocked(SearchError):
    """Another process is writing the index and did not finish in time."""


class IndexIncompatible(SearchError):
    """The index was written with another schema version and must be rebuilt."""


class IndexDamaged(SearchError):
    """The index files cannot be read (truncated, deleted or corrupt)."""


class IndexingFailed(SearchError):
    """An index run could not finish a commit (a worker process ended early); the index keeps its last commit."""


class DocumentError(SearchError):
    """An input file or record cannot be read as an article."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class QuerySyntaxError(SearchError):
    """A query cannot be parsed.

    :param message: what is wrong, for a person.
    :param position: the character offset in the query where it went wrong, if known.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
