"""Facets: how the matches of a query divide by source, category, date and the names they mention.

Counts are taken over every article that matches, not over one page of hits,
from the index's per-article columns (no stored text is read; a column is
read once per searcher and kept, so later counts only look values up):

* ``source``, ``category``: the exact value;
* ``year``, ``month``: of the article's date (``2025``, ``2025-08``), in UTC;
* ``people``, ``places``, ``orgs``: each canonical name the article mentions
  (see :mod:`index.entities`), so one article counts for several values.

Articles without a value (no source, no date, no people) are not counted in
that facet. Years and months are listed in time order, every other facet by
count, most frequent first (ties alphabetically).

>>> parse_facets("source, year")
('source', 'year')
>>> parse_facets("source,weather")
Traceback (most recent call last):
...
ValueError: unknown facet 'weather'; facets are source, category, year, month, people, places, orgs
"""

from __future__ import annotations

import time
import weakref
from collections import Counter
from itertools import chain
from typing import Any, Iterable, Mapping, Sequence

from index.columns import column_bytes, integer_column
from index.schema import UNDATED

__all__ = ["FACETS", "Facets", "parse_facets", "check_facets", "count_facets", "column_values"]

#: The facets a search can count, in the order they are shown.
FACETS = ("source", "category", "year", "month", "people", "places", "orgs")
_CHRONOLOGICAL = ("year", "month")
_COLUMNS = {"source": "source_key", "category": "category_key", "people": "people", "places": "places", "orgs": "orgs"}

#: Facet name -> value -> number of matching articles.
Facets = Mapping[str, Mapping[str, int]]


def check_facets(names: Iterable[str]) -> tuple[str, ...]:
    """The facet names, checked and without repeats.

    :raises ValueError: for a name not in :data:`FACETS`.
    """
    checked: list[str] = []
    for name in names:
        if name not in FACETS:
            raise ValueError(f"unknown facet {name!r}; facets are {', '.join(FACETS)}")
        if name not in checked:
            checked.append(name)
    return tuple(checked)


def parse_facets(text: str) -> tuple[str, ...]:
    """Facet names from a comma-separated list (``"source,year"``).

    :raises ValueError: for an unknown name, or an empty list.
    """
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise ValueError(f"name one or more facets: {', '.join(FACETS)}")
    return check_facets(names)


def _texts(reader: Any, fieldname: str) -> list[str]:
    """The value of a text column for every document number of ``reader`` ("" when missing)."""
    values: list[str] = []
    for leaf, _ in reader.leaf_readers():
        count = leaf.doc_count_all()
        if not leaf.has_column(fieldname):
            values.extend([""] * count)  # a segment none of whose articles has the field
            continue
        raws = column_bytes(leaf.column_reader(fieldname, translate=False))
        # Few distinct values (sources, categories, name lists): each decoded once.
        texts = {raw: raw.decode("utf-8") for raw in set(raws)}
        values.extend(map(texts.__getitem__, raws))
    return values


def column_values(reader: Any, fieldname: str) -> list[Any]:
    """Every document's value in column ``fieldname``, read once per reader and kept while it lives.

    ``date_sort`` gives seconds (or :data:`~index.schema.UNDATED`); other
    columns their text. A searcher keeps one reader until it is refreshed, so
    the second and later counts of a facet read no index file.
    """
    try:
        cache = _cache.setdefault(reader, {})
    except TypeError:  # a reader that cannot be weakly referenced: read afresh
        cache = {}
    values = cache.get(fieldname)
    if values is None:
        if fieldname == "date_sort":
            values = integer_column(reader, fieldname, UNDATED).tolist()
        else:
            values = _texts(reader, fieldname)
        cache[fieldname] = values
    return values


def _facet_column(reader: Any, name: str) -> list[Any]:
    """Per document number: the facet's value ("" for none) or, for names, a tuple of them."""
    try:
        cache = _cache.setdefault(reader, {})
    except TypeError:
        cache = {}
    key = "facet:" + name
    values = cache.get(key)
    if values is not None:
        return values
    if name in _CHRONOLOGICAL:
        labels: dict[int, str] = {}
        months = []
        for seconds in column_values(reader, "date_sort"):
            label = labels.get(seconds)
            if label is None:
                label = labels[seconds] = _month(seconds)
            months.append(label)
        if name == "year":
            years = {month: month[:4] for month in set(months)}
            values = [years[month] for month in months]
        else:
            values = months
    elif name in ("source", "category"):
        values = column_values(reader, _COLUMNS[name])
    else:
        split: dict[str, tuple[str, ...]] = {"": ()}
        values = []
        for text in column_values(reader, _COLUMNS[name]):
            names = split.get(text)
            if names is None:
                names = split[text] = tuple(text.split("\n"))
            values.append(names)
    cache[key] = values
    return values


def _month(seconds: int) -> str:
    if seconds == UNDATED:
        return ""
    try:
        moment = time.gmtime(seconds)
    except (OverflowError, OSError, ValueError):
        return ""
    return f"{moment.tm_year:04d}-{moment.tm_mon:02d}"


_cache: "weakref.WeakKeyDictionary[Any, dict[str, list[Any]]]" = weakref.WeakKeyDictionary()


def count_facets(reader: Any, docnums: Iterable[int], names: Sequence[str]) -> dict[str, dict[str, int]]:
    """Count the values of facets ``names`` over the articles ``docnums``.

    :param reader: a Whoosh reader of the index the document numbers belong to.
    :param docnums: the matching articles (all of them, not one page).
    :param names: facet names from :data:`FACETS`.
    :returns: ``{facet: {value: count}}`` in the order described in the module docstring.
    :raises ValueError: for an unknown facet name.
    """
    names = check_facets(names)
    docnums = list(docnums)
    counted: dict[str, dict[str, int]] = {}
    for name in names:
        values = _facet_column(reader, name)
        if name in ("people", "places", "orgs"):
            counts = Counter(chain.from_iterable(map(values.__getitem__, docnums)))
        else:
            counts = Counter(map(values.__getitem__, docnums))
        counts.pop("", None)
        if name in _CHRONOLOGICAL:
            counted[name] = dict(sorted(counts.items()))
        else:
            counted[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return counted
