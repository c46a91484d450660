"""The article ids an indexing run has read, kept in about 20 bytes an id.

An indexing run remembers every id it read, to report duplicates and to know
which indexed articles vanished. In a dict that cost some 150 bytes an id, the
one part of the indexing process that grew with the corpus (150 MB at a
million articles). Here each id is a 128-bit BLAKE2b digest (two ids sharing
one is not a practical concern) with the number of the file it came from:
the latest ids in a dict, the rest as fixed-size records in one sorted
buffer, found by bisection.
"""

from __future__ import annotations

import hashlib

__all__ = ["SeenIds"]

_DIGEST = 16
_RECORD = _DIGEST + 4  # digest, then the file's number (big-endian)


def _digest(article_id: str) -> bytes:
    return hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=_DIGEST).digest()


class SeenIds:
    """A set of article ids, each with the file it was read from."""

    def __init__(self, recent_limit: int = 65_536) -> None:
        self._recent_limit = recent_limit
        self._recent: dict[bytes, int] = {}
        self._sorted = bytearray()  # records in digest order
        self._paths: list[str] = []
        self._path_numbers: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._recent) + len(self._sorted) // _RECORD

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self.path_of(article_id) is not None

    def path_of(self, article_id: str) -> str | None:
        """The file ``article_id`` was read from, or None when it was not read."""
        digest = _digest(article_id)
        number = self._recent.get(digest)
        if number is None:
            number = self._find(digest)
        return None if number is None else self._paths[number]

    def add(self, article_id: str, path: str) -> str | None:
        """Remember ``article_id`` as read from ``path``.

        :returns: None, or the file the id was read from before (which it keeps).
        """
        digest = _digest(article_id)
        number = self._recent.get(digest)
        if number is None:
            number = self._find(digest)
        if number is not None:
            return self._paths[number]
        number = self._path_numbers.get(path)
        if number is None:
            number = self._path_numbers[path] = len(self._paths)
            self._paths.append(path)
        self._recent[digest] = number
        if len(self._recent) >= self._recent_limit:
            self._fold_recent()
        return None

    def _find(self, digest: bytes) -> int | None:
        records = self._sorted
        start = _lower_bound(records, digest, 0) * _RECORD
        if records[start : start + _DIGEST] == digest:
            return int.from_bytes(records[start + _DIGEST : start + _RECORD], "big")
        return None

    def _fold_recent(self) -> None:
        """Merge the recent ids into the sorted buffer, copying the old records in runs."""
        old, merged = self._sorted, bytearray()
        copied = 0  # records of ``old`` already in ``merged``
        for digest in sorted(self._recent):
            below = _lower_bound(old, digest, copied)
            merged += old[copied * _RECORD : below * _RECORD]
            merged += digest + self._recent[digest].to_bytes(4, "big")
            copied = below
        merged += old[copied * _RECORD :]
        self._sorted = merged
        self._recent = {}


def _lower_bound(records: bytearray, digest: bytes, low: int) -> int:
    """The number of the first record, from ``low`` on, whose digest is not below ``digest``."""
    high = len(records) // _RECORD
    while low < high:
        middle = (low + high) // 2
        start = middle * _RECORD
        if records[start : start + _DIGEST] < digest:
            low = middle + 1
        else:
            high = middle
    return low
