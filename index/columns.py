"""Reading per-document column values across the segments of an index.

Whoosh's multi-segment column reader mixes up document numbers when a
segment lacks the column (a segment whose articles all lack a date has no
``date_sort`` column), so columns are read segment by segment here.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Callable

__all__ = ["column_lookup"]


def column_lookup(reader: Any, fieldname: str, default: Any) -> Callable[[int], Any]:
    """A function from a document number of ``reader`` to its value in column ``fieldname``.

    :param reader: a Whoosh reader (one segment or several).
    :param default: the value for documents of segments without that column.
    """
    offsets: list[int] = []
    columns: list[Any] = []
    for leaf, offset in reader.leaf_readers():
        offsets.append(offset)
        columns.append(leaf.column_reader(fieldname) if leaf.has_column(fieldname) else None)

    def lookup(docnum: int) -> Any:
        segment = bisect_right(offsets, docnum) - 1
        column = columns[segment]
        return default if column is None else column[docnum - offsets[segment]]

    return lookup
