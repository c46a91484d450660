"""Search results as data for spreadsheets and scripts: CSV and JSON lines.

Each hit becomes one record with every stored field of its article (the body
included), its rank and its score: :data:`EXPORT_FIELDS`, in that order. In
CSV, the names of ``people``, ``places`` and ``orgs`` are joined by ``"; "``;
in JSON lines they are lists, and a missing date or score is ``null``.

>>> from searcher.searcher import Hit
>>> hit = Hit(rank=1, id="a1", score=2.5, title="Gipfel", date=None, source="zeit", category="",
...           url="", path="", snippets=(), body="Text", people=("Sergej Lawrow", "Wladimir Putin"))
>>> print(to_csv([hit]), end="")
rank,id,score,title,date,source,category,url,path,people,places,orgs,body
1,a1,2.5,Gipfel,,zeit,,,,Sergej Lawrow; Wladimir Putin,,,Text
>>> print(to_jsonl([hit]), end="")
{"rank": 1, "id": "a1", "score": 2.5, "title": "Gipfel", "date": null, "source": "zeit", "category": "", "url": "", "path": "", "people": ["Sergej Lawrow", "Wladimir Putin"], "places": [], "orgs": [], "body": "Text"}
"""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable

from .searcher import Hit

__all__ = ["EXPORT_FIELDS", "to_csv", "to_jsonl"]

#: The columns of an export, in order.
EXPORT_FIELDS = (
    "rank",
    "id",
    "score",
    "title",
    "date",
    "source",
    "category",
    "url",
    "path",
    "people",
    "places",
    "orgs",
    "body",
)
_NAME_SEPARATOR = "; "


def to_csv(hits: Iterable[Hit]) -> str:
    """The hits as CSV with a header line (RFC 4180 quoting, ``\\n`` line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for hit in hits:
        record = hit.to_record()
        for name in ("people", "places", "orgs"):
            record[name] = _NAME_SEPARATOR.join(record[name])
        writer.writerow({key: "" if value is None else value for key, value in record.items()})
    return out.getvalue()


def to_jsonl(hits: Iterable[Hit]) -> str:
    """The hits as JSON lines: one object per hit, one hit per line."""
    return "".join(json.dumps(hit.to_record(), ensure_ascii=False) + "\n" for hit in hits)
