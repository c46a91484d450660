"""Sorting and counting by date over indexes of several segments."""

from __future__ import annotations

import json
from pathlib import Path

from whoosh.filedb.filestore import RamStorage

from conftest import run_cli, stats_json
from index import IndexConfig, index_paths
from index.columns import column_lookup
from index.schema import UNDATED, build_schema
from searcher import Searcher


def test_column_lookup_reads_segments_without_the_column() -> None:
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:  # a segment whose documents have no date_sort value
        writer.add_document(id="a", title="ohne Datum", body="x")
    with ix.writer() as writer:
        writer.merge = False  # keep a second segment
        writer.add_document(id="b", title="mit Datum", body="y", date_sort=1700000000)
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == 2
        dates = column_lookup(reader, "date_sort", UNDATED)
        ids = column_lookup(reader, "id", "")
        values = {ids(docnum): dates(docnum) for docnum in reader.all_doc_ids()}
    assert values == {"a": UNDATED, "b": 1700000000}


def _write_records(path: Path, numbers: range, dated: bool) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for number in numbers:
            record = {"id": f"a{number}", "title": f"Gipfel {number}", "body": "Die Außenminister berieten."}
            if dated:
                record["date"] = f"2025-01-{number % 28 + 1:02d}"
            handle.write(json.dumps(record) + "\n")


def test_date_sort_over_segments_of_undated_and_dated_articles(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    undated, dated = tmp_path / "undated.jsonl", tmp_path / "dated.jsonl"
    _write_records(undated, range(300), dated=False)
    _write_records(dated, range(300, 450), dated=True)
    # Two processes write two segments of undated articles only.
    assert index_paths(index_dir, [undated], IndexConfig(procs=2)).added == 300
    with Searcher(index_dir) as searcher:
        assert searcher.search("Außenminister", limit=5, sort="date").total == 300
    assert index_paths(index_dir, [dated], IndexConfig(procs=2)).added == 150
    assert stats_json(index_dir)["undated"] == 300

    with Searcher(index_dir) as searcher:
        newest = searcher.search("Außenminister", limit=450, sort="date")
        ranked = searcher.search("Gipfel", limit=450)
    dates = [hit.date for hit in newest.hits]
    dated_hits = [d for d in dates if d is not None]
    assert len(dated_hits) == 150 and dates[:150] == dated_hits  # undated last
    assert dated_hits == sorted(dated_hits, reverse=True)
    assert ranked.total == 450
    result = run_cli("search", "Außenminister", "--index", index_dir, "--sort", "date", "--json")
    assert result.exit_code == 0, result.stderr
