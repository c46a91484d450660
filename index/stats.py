"""What an index holds: counts, dates, sources, size."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .indexer import total_size
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
        sources: Counter[str] = Counter()
        first = last = None
        undated = 0
        count = segments = 0
        with ix.reader() as reader:
            # Segment by segment: a segment whose articles all lack a date has no
            # date_sort column, and Whoosh's multi-segment column reader then
            # mixes up document numbers.
            for leaf, _ in reader.leaf_readers():
                if leaf.doc_count_all() == 0:
                    continue  # an index without segments yet (its first run was killed): no columns
                segments += 1
                has_dates = leaf.has_column("date_sort")
                dates = leaf.column_reader("date_sort", translate=False) if has_dates else None
                sources_column = leaf.column_reader("source_key")
                for docnum in leaf.all_doc_ids():
                    count += 1
                    sources[sources_column[docnum]] += 1
                    value = dates[docnum] if dates is not None else UNDATED
                    if value == UNDATED:
                        undated += 1
                        continue
                    first = value if first is None or value < first else first
                    last = value if last is None or value > last else last
    finally:
        ix.close()
    return IndexStats(
        index_dir=str(index_dir),
        articles=count,
        first_date=_from_seconds(first),
        last_date=_from_seconds(last),
        undated=undated,
        sources=sorted(sources.items(), key=lambda item: (-item[1], item[0])),
        size_bytes=total_size([index_dir / meta.data]),
        updated=meta.updated,
        schema_version=meta.schema_version,
        segments=segments,
    )
