"""What an index holds: counts, dates, sources, size."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import compress
from pathlib import Path
from typing import Any

import numpy as np

from .columns import column_bytes, deleted_numbers, integer_values
from .folders import total_size
from .schema import UNDATED
from .store import open_index, read_meta

__all__ = ["IndexStats", "index_stats"]


@dataclass(frozen=True)
class IndexStats:
    """A summary of one index.

    :param sources: article count per source, most frequent first; articles
        without a source are counted under ``""``.
    :param segments: the parts the index is stored in; each search reads
        every one, so fewer is faster (see :mod:`index.merging`).
    """

    index_dir: str
    articles: int
    first_date: datetime | None
    last_date: datetime | None
    undated: int
    sources: list[tuple[str, int]] = field(default_factory=list)
    size_bytes: int = 0
    updated: str = ""
    schema_version: int = 0
    segments: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index_dir,
            "articles": self.articles,
            "first_date": self.first_date.date().isoformat() if self.first_date else None,
            "last_date": self.last_date.date().isoformat() if self.last_date else None,
            "undated": self.undated,
            "sources": {name: count for name, count in self.sources},
            "size_bytes": self.size_bytes,
            "updated": self.updated or None,
            "schema_version": self.schema_version,
            "segments": self.segments,
        }


def _from_seconds(value: int | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value, timezone.utc).replace(tzinfo=None)


def index_stats(index_dir: Path | str) -> IndexStats:
    """Count what the index at ``index_dir`` holds.

    :raises IndexNotFound: no index there.
    """
    index_dir = Path(index_dir)
    meta = read_meta(index_dir)
    ix = open_index(index_dir)
    try:
        sources: Counter[bytes] = Counter()
        first: int | None = None
        last: int | None = None
        undated = 0
        count = segments = 0
        with ix.reader() as reader:
            for leaf, _ in reader.leaf_readers():
                if leaf.doc_count_all() == 0:
                    continue  # an index without segments yet (its first run was killed): no columns
                segments += 1
                live = np.ones(leaf.doc_count_all(), dtype=bool)
                live[deleted_numbers(leaf)] = False
                count += int(live.sum())
                # Whole columns, segment by segment (see index.columns): a value
                # at a time, a 1M index took seconds.
                sources.update(compress(column_bytes(leaf.column_reader("source_key", translate=False)), live.tolist()))
                dates = integer_values(leaf, "date_sort", UNDATED)[live]
                dated = dates[dates != UNDATED]
                undated += len(dates) - len(dated)
                if len(dated):
                    low, high = int(dated.min()), int(dated.max())
                    first = low if first is None else min(first, low)
                    last = high if last is None else max(last, high)
    finally:
        ix.close()
    return IndexStats(
        index_dir=str(index_dir),
        articles=count,
        first_date=_from_seconds(first),
        last_date=_from_seconds(last),
        undated=undated,
        sources=sorted(((raw.decode("utf-8"), n) for raw, n in sources.items()), key=lambda item: (-item[1], item[0])),
        size_bytes=total_size([index_dir / meta.data]),
        updated=meta.updated,
        schema_version=meta.schema_version,
        segments=segments,
    )
