"""Reading per-document column values across the segments of an index.

Whoosh's multi-segment column reader mixes up document numbers when a
segment lacks the column (a segment whose articles all lack a date has no
``date_sort`` column), so columns are read segment by segment here.

A whole column is read in one piece per segment (:func:`integer_values`,
:func:`column_bytes`): Whoosh's own reader reads the file once per
document, about a second and a half for a column of 1M articles.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, chain
from typing import Any, Callable

__all__ = ["column_lookup", "fixed_values", "integer_values", "integer_column", "column_bytes", "deleted_numbers"]


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


def fixed_values(column: Any, count: int, dtype: Any) -> Any:
    """The ``count`` values of a Whoosh column reader of fixed-size numbers (``NumericColumn``), as a numpy array.

    :param dtype: the stored values' numpy type, big-endian as Whoosh writes them (``">i8"``).
    Documents after the last value written have the column's default, as Whoosh reads them.
    """
    import numpy as np

    stored = np.dtype(dtype)
    written = min(column._count, count)
    values = np.full(count, column._default, dtype=stored.newbyteorder("="))
    if written:
        values[:written] = np.frombuffer(column._dbfile.get(column._basepos, written * stored.itemsize), dtype=stored)
    return values


def integer_values(leaf: Any, fieldname: str, default: int) -> Any:
    """One segment's values of a column of 64-bit integers (``NumericColumn("q")``), as a numpy array.

    :param leaf: a Whoosh reader of one segment.
    :param default: the value of every document when the segment has no such column.
    """
    import numpy as np

    if not leaf.has_column(fieldname):
        return np.full(leaf.doc_count_all(), default, dtype=np.int64)
    column = leaf.column_reader(fieldname, translate=False)
    if getattr(column, "_typecode", None) != "q":
        raise ValueError(f"column {fieldname!r} does not hold 64-bit integers")
    return fixed_values(column, leaf.doc_count_all(), ">i8")


def deleted_numbers(leaf: Any) -> list[int]:
    """The numbers of the documents a segment's reader has deleted, ascending."""
    return sorted(getattr(leaf, "deleted_docs_set", ()))  # an empty index's reader has none


def integer_column(reader: Any, fieldname: str, default: int) -> Any:
    """:func:`integer_values` of every segment of ``reader``, as one array by document number."""
    import numpy as np

    arrays = [integer_values(leaf, fieldname, default) for leaf, _ in reader.leaf_readers()]
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)


def column_bytes(column: Any) -> list[bytes]:
    """Every document's bytes in a Whoosh column reader of one segment.

    A variable-length column's values lie one after another, so they are
    read in one piece and cut by their lengths, in C loops.
    """
    from whoosh.columns import VarBytesColumn

    if not isinstance(column, VarBytesColumn.Reader):
        return list(column)
    lengths = column._lengths
    ends = list(accumulate(lengths))
    data = column._dbfile.get(column._basepos, ends[-1]) if ends else b""
    return list(map(data.__getitem__, map(slice, chain((0,), ends), ends)))
