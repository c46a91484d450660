"""Which segments a commit merges: small ones of similar size, never large ones.

Whoosh's own policy (``MERGE_SMALL``) decides by a Fibonacci rule on the
segments' sizes; as an archive grows past a few hundred thousand articles it
starts merging most of the index again, in the committing process, article by
article. At 1M articles that was most of a 3.2-hour run. Here a commit merges
only segments of one size class (a power of ten), ten of them at a time, and
only while the merged segment stays small enough to write in seconds. Larger
segments, such as the ones the indexing workers write, stay as they are.
"""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["MERGE_FACTOR", "MERGE_LIMIT", "merge_similar_segments", "segments_to_merge"]

#: Segments of one size class that a commit merges into one.
MERGE_FACTOR = 10
#: A merge never writes a segment of more articles than this: merging goes
#: through Whoosh's writer, posting by posting, while the commit waits.
MERGE_LIMIT = 20_000


def _size_class(articles: int) -> int:
    """The exponent of the power of ten at or below ``articles``: 0 for 1 to 9, 1 for 10 to 99, ..."""
    return len(str(max(articles, 1))) - 1


def segments_to_merge(sizes: Sequence[tuple[int, int]]) -> list[int]:
    """The positions of the segments to merge, given each one's (live, stored) article counts.

    Merged are: segments without live articles (merging drops them); segments
    at least half deleted, when their live articles fit in one merge; and in
    each size class holding :data:`MERGE_FACTOR` or more small segments, those
    segments, smallest first, up to :data:`MERGE_LIMIT` live articles.
    """
    chosen: set[int] = set()
    by_class: dict[int, list[int]] = {}
    for position, (live, stored) in enumerate(sizes):
        if live == 0 or (2 * live <= stored and live <= MERGE_LIMIT):
            chosen.add(position)
        elif live <= MERGE_LIMIT // MERGE_FACTOR:
            by_class.setdefault(_size_class(live), []).append(position)
    for members in by_class.values():
        if len(members) < MERGE_FACTOR:
            continue
        total = 0
        for position in sorted(members, key=lambda p: sizes[p][0]):
            if total + sizes[position][0] > MERGE_LIMIT:
                break
            total += sizes[position][0]
            chosen.add(position)
    return sorted(chosen)


def merge_similar_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy: merge what :func:`segments_to_merge` chooses into ``writer``.

    Returns the segments kept as they are, as Whoosh's policies do.
    """
    from whoosh.reading import SegmentReader

    sizes = [(segment.doc_count(), segment.doc_count_all()) for segment in segments]
    merged = set(segments_to_merge(sizes))
    for position in sorted(merged):
        reader = SegmentReader(writer.storage, writer.schema, segments[position])
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [segment for position, segment in enumerate(segments) if position not in merged]
