"""Export: ``--format csv`` and ``--format jsonl`` give every stored field of the hits (issue 7)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from analyst_corpus import CEASEFIRE, RECORDS, build_index
from conftest import run_cli

FIELDS = ["rank", "id", "score", "title", "date", "source", "category", "url", "path", "people", "places", "orgs", "body"]
BY_ID = {r.id: r for r in RECORDS}


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("export"))


def export(corpus_index: Path, output_format: str, query: str, *options: str) -> str:
    result = run_cli("search", query, "--index", corpus_index, "--format", output_format, *options)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_csv_has_a_header_and_one_row_per_hit_with_every_field(corpus_index: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export(corpus_index, "csv", "Waffenstillstand", "--limit", "100"))))
    assert rows and list(rows[0]) == FIELDS
    assert sorted(row["id"] for row in rows) == sorted(r.id for r in CEASEFIRE)
    for row in rows:
        record = BY_ID[row["id"]]
        assert (row["title"], row["body"], row["date"], row["source"], row["category"]) == (
            record.title, record.body, record.date, record.source, record.category
        )
        assert float(row["score"]) > 0
    assert [int(row["rank"]) for row in rows] == list(range(1, len(rows) + 1))


def test_csv_keeps_line_breaks_and_joins_names(corpus_index: Path) -> None:
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export(corpus_index, "csv", "Rubio OR org:NATO")))}
    assert set(rows) == {"n1", "n2", "n3"}
    assert "\n" in BY_ID["n2"].body and rows["n2"]["body"] == BY_ID["n2"].body
    assert rows["n1"]["people"] == "Sergej Lawrow; Marco Rubio"
    assert rows["n3"]["orgs"] == "NATO; Vereinte Nationen"


def test_jsonl_one_object_per_line(corpus_index: Path) -> None:
    lines = export(corpus_index, "jsonl", "Getreideabkommen", "--sort", "date").splitlines()
    objects = [json.loads(line) for line in lines]
    assert [list(o) for o in objects] == [FIELDS] * 3
    assert [o["id"] for o in objects] == ["g3", "g2", "g1"]  # newest first
    assert all(o["score"] is None for o in objects)  # no score when sorted by date
    first = objects[-1]
    assert first["body"] == BY_ID["g1"].body and first["places"][:2] == ["Odessa", "Schwarzes Meer"]
    assert first["people"] == [] and first["date"] == "2024-07-15"


def test_an_undated_article_without_source(corpus_index: Path) -> None:
    (c6,) = [json.loads(line) for line in export(corpus_index, "jsonl", "id:c6").splitlines()]
    assert (c6["date"], c6["source"], c6["url"]) == (None, "", "")
    (row,) = csv.DictReader(io.StringIO(export(corpus_index, "csv", "id:c6")))
    assert (row["date"], row["source"]) == ("", "")


def test_paging_applies(corpus_index: Path) -> None:
    first = [json.loads(line)["id"] for line in export(corpus_index, "jsonl", "Waffenstillstand", "-n", "3").splitlines()]
    second = [json.loads(line)["id"] for line in export(corpus_index, "jsonl", "Waffenstillstand", "-n", "3", "-p", "2").splitlines()]
    assert len(first) == len(second) == 3 and not set(first) & set(second)


def test_no_hits_is_an_empty_export(corpus_index: Path) -> None:
    assert export(corpus_index, "jsonl", "Nichtsdergleichen") == ""
    assert export(corpus_index, "csv", "Nichtsdergleichen").splitlines() == [",".join(FIELDS)]


def test_similar_exports_too(corpus_index: Path) -> None:
    result = run_cli("similar", "g1", "--index", corpus_index, "--format", "jsonl", "-n", "2")
    assert result.exit_code == 0, result.stderr
    assert {json.loads(line)["id"] for line in result.stdout.splitlines()} == {"g2", "g3"}
