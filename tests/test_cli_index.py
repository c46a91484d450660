"""``diplosearch index`` and ``diplosearch stats`` as a user runs them, on real files."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import click.testing
import pytest
from conftest import indexed_articles, run_cli, stats_json, write

from index.store import IndexLock

SUMMARY_LINE = re.compile(
    r"added (\d+), updated (\d+), unchanged (\d+), removed (\d+), failed (\d+) in \d+\.\d\d s \([\d,]+ articles/s\)"
)
SUMMARY_KEYS = {"added", "updated", "unchanged", "removed", "failed", "seconds", "errors"}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A folder of five articles in every format: two undated, three dated, three with a source."""
    root = tmp_path / "docs"
    write(root / "a.txt", "Gipfel in Brüssel\n\nDie Außenminister der EU tagen.\n")
    write(root / "sub" / "b.md", "# Rutte in Kyjiw\n\nDer NATO-Generalsekretär sagt Hilfe zu.\n")
    write(
        root / "recs.jsonl",
        '{"id": "r1", "title": "Sanktionen", "body": "Neues Paket.", "date": "2025-01-02", "source": "APA"}\n'
        '{"id": "r2", "title": "Wahl", "body": "Ergebnis.", "date": "2025-03-04T12:00:00+01:00", "source": "APA"}\n',
    )
    write(root / "more.csv", "id,title,body,date,source\nc1,Treffen,Ein Treffen.,24.11.2026,ORF\n")
    return root


def index(*args: object) -> click.testing.Result:
    return run_cli("index", *args)


def counts(result: click.testing.Result) -> dict[str, int]:
    """The counts of a one-line summary on stdout."""
    match = SUMMARY_LINE.fullmatch(result.stdout.strip())
    assert match, result.stdout
    return dict(zip(("added", "updated", "unchanged", "removed", "failed"), map(int, match.groups())))


def tally(added: int = 0, updated: int = 0, unchanged: int = 0, removed: int = 0, failed: int = 0) -> dict[str, int]:
    return {"added": added, "updated": updated, "unchanged": unchanged, "removed": removed, "failed": failed}


def summary(*args: object, exit_code: int = 0) -> dict[str, Any]:
    """Run ``index ... --json`` and return the parsed summary."""
    result = index(*args, "--json")
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


ALL_IDS = {"a.txt", "sub/b.md", "r1", "r2", "c1"}


# -- adding, updating, removing -------------------------------------------------------


def test_first_run_adds_every_article(docs: Path, index_dir: Path) -> None:
    result = index(docs, "--index", index_dir)
    assert result.exit_code == 0
    assert counts(result) == tally(added=5)
    assert result.stderr == ""
    assert set(indexed_articles(index_dir)) == ALL_IDS


def test_rerun_finds_everything_unchanged(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    result = index(docs, "--index", index_dir)
    assert result.exit_code == 0
    assert counts(result) == tally(unchanged=5)


def test_modified_file_is_updated(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    write(docs / "a.txt", "Gipfel in Brüssel\n\nDie Außenminister der EU einigen sich.\n")
    assert counts(index(docs, "--index", index_dir)) == tally(updated=1, unchanged=4)
    assert indexed_articles(index_dir)["a.txt"]["body"] == "Die Außenminister der EU einigen sich."
    assert stats_json(index_dir)["articles"] == 5


def test_touched_but_unchanged_file_is_not_rewritten(docs: Path, index_dir: Path) -> None:
    # Changes are found by content hash, not by modification time.
    index(docs, "--index", index_dir)
    later = (docs / "a.txt").stat().st_mtime + 3600
    os.utime(docs / "a.txt", (later, later))
    assert counts(index(docs, "--index", index_dir))["unchanged"] == 5


def test_deleted_file_is_removed(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    (docs / "sub" / "b.md").unlink()
    assert counts(index(docs, "--index", index_dir)) == tally(unchanged=4, removed=1)
    assert stats_json(index_dir)["articles"] == 4
    assert "sub/b.md" not in indexed_articles(index_dir)


def test_keep_missing_keeps_articles_of_deleted_files(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    (docs / "sub" / "b.md").unlink()
    assert counts(index(docs, "--index", index_dir, "--keep-missing"))["removed"] == 0
    assert "sub/b.md" in indexed_articles(index_dir)
    # Without the flag the next run removes it.
    assert counts(index(docs, "--index", index_dir))["removed"] == 1


def test_record_removed_from_a_jsonl_file_is_removed(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    lines = (docs / "recs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    write(docs / "recs.jsonl", lines[0])
    assert counts(index(docs, "--index", index_dir))["removed"] == 1
    assert set(indexed_articles(index_dir)) == ALL_IDS - {"r2"}


def test_records_of_a_file_with_a_broken_line_are_not_removed(docs: Path, index_dir: Path) -> None:
    # The broken line may be the record that seems to be missing.
    index(docs, "--index", index_dir)
    lines = (docs / "recs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    write(docs / "recs.jsonl", lines[0] + '{"id": "r2", "title": \n')
    data = summary(docs, "--index", index_dir, exit_code=1)
    assert (data["removed"], data["failed"]) == (0, 1)
    assert set(indexed_articles(index_dir)) == ALL_IDS


def test_indexing_another_folder_keeps_the_first(docs: Path, tmp_path: Path, index_dir: Path) -> None:
    other = tmp_path / "other"
    write(other / "x.txt", "Anderes\nText.\n")
    index(docs, "--index", index_dir)
    assert counts(index(other, "--index", index_dir)) == tally(added=1)
    assert set(indexed_articles(index_dir)) == ALL_IDS | {"x.txt"}


def test_hidden_and_unsupported_files_are_passed_over(docs: Path, index_dir: Path) -> None:
    write(docs / ".hidden.txt", "Versteckt\nText.\n")
    write(docs / ".git" / "notes.txt", "Git\nText.\n")
    write(docs / "bild.png", b"\x89PNG\x00\x00")
    write(docs / "LIESMICH", "Kein Artikel\n")
    result = index(docs, "--index", index_dir)
    assert result.exit_code == 0 and counts(result)["added"] == 5
    assert set(indexed_articles(index_dir)) == ALL_IDS


def test_an_index_inside_the_indexed_folder_is_not_read_as_articles(docs: Path) -> None:
    for _ in range(2):
        result = index(docs, "--index", docs / "ix")
        assert result.exit_code == 0, result.stderr
    assert counts(result)["unchanged"] == 5
    assert set(indexed_articles(docs / "ix")) == ALL_IDS


def test_a_single_file_can_be_indexed(docs: Path, index_dir: Path) -> None:
    result = index(docs / "sub" / "b.md", docs / "recs.jsonl", "--index", index_dir)
    assert result.exit_code == 0 and counts(result)["added"] == 3
    assert set(indexed_articles(index_dir)) == {"b.md", "r1", "r2"}


# -- ids -----------------------------------------------------------------------------------


def test_ids_are_relative_paths_or_record_ids(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    articles = indexed_articles(index_dir)
    assert set(articles) == ALL_IDS
    assert articles["sub/b.md"]["title"] == "Rutte in Kyjiw"
    assert articles["r2"]["title"] == "Wahl"


def test_ids_are_stable_across_runs_and_working_directories(
    docs: Path, tmp_path: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    index("docs", "--index", index_dir)
    before = indexed_articles(index_dir)
    monkeypatch.chdir(docs / "sub")
    assert counts(index(docs.resolve(), "--index", index_dir))["unchanged"] == 5
    assert indexed_articles(index_dir) == before


def test_field_option_maps_record_keys(tmp_path: Path, index_dir: Path) -> None:
    path = write(tmp_path / "feed.jsonl", '{"key": "f1", "headline": "Gipfel", "text": "Der Text."}\n')
    result = index(path, "--index", index_dir, "--field", "body=text", "--field", "title=headline", "--field", "id=key")
    assert result.exit_code == 0, result.stderr
    article = indexed_articles(index_dir)["f1"]
    assert (article["title"], article["body"]) == ("Gipfel", "Der Text.")


def test_duplicate_id_fails_the_second_record(tmp_path: Path, index_dir: Path) -> None:
    write(tmp_path / "d" / "a.jsonl", '{"id": "x", "title": "Erster"}\n')
    write(tmp_path / "d" / "b.jsonl", '{"id": "x", "title": "Zweiter"}\n')
    data = summary(tmp_path / "d", "--index", index_dir, exit_code=1)
    assert (data["added"], data["failed"]) == (1, 1)
    assert "duplicate id 'x'" in data["errors"][0]["error"]
    assert indexed_articles(index_dir)["x"]["title"] == "Erster"


# -- the summary and the exit codes -------------------------------------------------------


def test_json_summary(docs: Path, index_dir: Path) -> None:
    result = index(docs, "--index", index_dir, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == SUMMARY_KEYS
    assert {k: data[k] for k in SUMMARY_KEYS - {"seconds"}} == {**tally(added=5), "errors": []}
    assert isinstance(data["seconds"], float) and data["seconds"] >= 0


@pytest.fixture
def bad_docs(docs: Path) -> Path:
    """The five good articles plus inputs that fail: 2 whole files and 2 records."""
    write(docs / "bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(docs / "leer.txt", "")
    write(docs / "kaputt.jsonl", '{"id": "k1", "title": "Gut"}\n{"id": "k2", "title": \n{"id": "k3", "title": "Auch gut"}\n')
    write(docs / "zeilen.csv", "id,title,body\nz1,Eins,x\nz2,Zwei\n")
    write(docs / "alt.txt", "Präsident trifft Außenminister\nGespräche".encode("cp1252"))
    return docs


def test_failed_inputs_exit_1_and_the_rest_is_committed(bad_docs: Path, index_dir: Path) -> None:
    data = summary(bad_docs, "--index", index_dir, exit_code=1)
    assert (data["added"], data["failed"]) == (5 + 2 + 1 + 1, 4)
    assert data["errors"] == [
        {"path": "bild.txt", "error": "binary file (contains NUL bytes), skipped"},
        {"path": "kaputt.jsonl:2", "error": data["errors"][1]["error"]},
        {"path": "leer.txt", "error": "empty file"},
        {"path": "zeilen.csv:3", "error": "row has 2 cells, the header has 3"},
    ]
    assert data["errors"][1]["error"].startswith("invalid JSON")
    assert stats_json(index_dir)["articles"] == 9
    assert indexed_articles(index_dir)["alt.txt"]["title"] == "Präsident trifft Außenminister"


def test_stderr_carries_warnings_and_errors_only(bad_docs: Path, index_dir: Path) -> None:
    result = index(bad_docs, "--index", index_dir)
    assert result.exit_code == 1
    assert counts(result)["failed"] == 4  # stdout is the summary line and nothing else
    lines = result.stderr.splitlines()
    assert lines == [
        "warning: alt.txt: not valid UTF-8; read as cp1252 (Windows-1252)",
        "error: bild.txt: binary file (contains NUL bytes), skipped",
        lines[2],
        "error: leer.txt: empty file",
        "error: zeilen.csv:3: row has 2 cells, the header has 3",
    ]
    assert lines[2].startswith("error: kaputt.jsonl:2: invalid JSON")


def test_quiet_drops_warnings_but_not_errors(bad_docs: Path, index_dir: Path) -> None:
    result = index(bad_docs, "--index", index_dir, "--quiet")
    assert result.exit_code == 1
    assert result.stderr.splitlines() and all(line.startswith("error: ") for line in result.stderr.splitlines())


def test_progress_bar_only_on_a_terminal(docs: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert index(docs, "--index", index_dir).stderr == ""
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    result = index(docs, "--index", index_dir)
    assert "indexing" in result.stderr and "100%" in result.stderr
    assert counts(result)["unchanged"] == 5  # the bar never reaches stdout
    assert index(docs, "--index", index_dir, "--quiet").stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["does-not-exist"],
        ["DOCS", "--field", "headline=title"],
        ["DOCS", "--field", "body"],
        ["DOCS", "--field", "=text"],
        ["DOCS", "--lock-timeout", "-1"],
        [],
    ],
)
def test_usage_errors_exit_2(docs: Path, index_dir: Path, args: list[str]) -> None:
    result = index(*[docs if arg == "DOCS" else arg for arg in args], "--index", index_dir)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage:" in result.stderr and "Error:" in result.stderr
    assert not index_dir.exists()


# -- where the index is ---------------------------------------------------------------------


def test_index_location_from_the_environment(docs: Path, tmp_path: Path, index_dir: Path) -> None:
    env = {"DIPLOSEARCH_INDEX": str(index_dir)}
    assert run_cli("index", docs, env=env).exit_code == 0
    assert stats_json(index_dir)["articles"] == 5
    result = run_cli("stats", "--json", env=env)
    assert json.loads(result.stdout)["articles"] == 5
    # --index wins over the environment.
    elsewhere = tmp_path / "elsewhere"
    assert run_cli("index", docs / "sub", "--index", elsewhere, env=env).exit_code == 0
    assert stats_json(elsewhere)["articles"] == 1
    assert stats_json(index_dir)["articles"] == 5


def test_default_index_location(docs: Path, tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    assert run_cli("index", docs, env=env).exit_code == 0
    assert stats_json(tmp_path / "data" / "diplosearch" / "index")["articles"] == 5
    assert json.loads(run_cli("stats", "--json", env=env).stdout)["articles"] == 5


# -- stats ---------------------------------------------------------------------------------


def test_stats_json(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    data = stats_json(index_dir)
    assert data["articles"] == 5
    assert data["sources"] == {"APA": 2, "": 2, "ORF": 1}
    assert (data["first_date"], data["last_date"], data["undated"]) == ("2025-01-02", "2026-11-24", 2)
    assert data["size_bytes"] > 0 and data["updated"]


def test_stats_table(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    result = run_cli("stats", "--index", index_dir)
    assert result.exit_code == 0 and result.stderr == ""
    rows = [re.split(r"\s{2,}", line.strip()) for line in result.stdout.splitlines() if line.strip()]
    assert ["articles", "5"] in rows
    assert ["dates", "2025-01-02 to 2026-11-24"] in rows
    assert ["undated", "2"] in rows
    assert ["APA", "2"] in rows and ["ORF", "1"] in rows and ["(no source)", "2"] in rows
    assert rows.index(["APA", "2"]) < rows.index(["ORF", "1"])  # most frequent first


@pytest.mark.parametrize("order", [("dated", "undated"), ("undated", "dated")])
def test_stats_of_dated_and_undated_articles_from_separate_runs(
    tmp_path: Path, index_dir: Path, order: tuple[str, str]
) -> None:
    write(tmp_path / "dated" / "r.jsonl", '{"id": "r", "title": "R", "date": "2025-05-06"}\n')
    write(tmp_path / "undated" / "u.txt", "Ohne Datum\nText.\n")
    for folder in order:
        assert index(tmp_path / folder, "--index", index_dir).exit_code == 0
    data = stats_json(index_dir)
    counted = (data["articles"], data["undated"], data["first_date"], data["last_date"])
    assert counted == (2, 1, "2025-05-06", "2025-05-06")


def test_stats_of_an_index_without_dates(seed_dir: Path, index_dir: Path) -> None:
    index(seed_dir, "--index", index_dir)
    data = stats_json(index_dir)
    assert (data["articles"], data["first_date"], data["undated"], data["sources"]) == (1, None, 1, {"": 1})
    table = run_cli("stats", "--index", index_dir).stdout
    assert re.search(r"^dates\s+none$", table, re.MULTILINE)


# -- rebuild ---------------------------------------------------------------------------------


def test_rebuild_gives_the_same_articles_in_new_data(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    before = indexed_articles(index_dir)
    old_data = json.loads((index_dir / "diplosearch.json").read_text())["data"]
    data = summary(docs, "--index", index_dir, "--rebuild")
    assert (data["added"], data["unchanged"], data["removed"]) == (5, 0, 0)
    assert stats_json(index_dir)["articles"] == 5
    assert indexed_articles(index_dir) == before
    new_data = json.loads((index_dir / "diplosearch.json").read_text())["data"]
    assert new_data != old_data and not (index_dir / old_data).exists()


def test_rebuild_replaces_what_was_indexed(docs: Path, tmp_path: Path, index_dir: Path) -> None:
    write(tmp_path / "other" / "x.txt", "Anderes\nText.\n")
    index(docs, tmp_path / "other", "--index", index_dir)
    assert stats_json(index_dir)["articles"] == 6
    index(tmp_path / "other", "--index", index_dir, "--rebuild")
    assert set(indexed_articles(index_dir)) == {"x.txt"}


def test_rebuild_creates_a_new_index(docs: Path, index_dir: Path) -> None:
    assert summary(docs, "--index", index_dir, "--rebuild")["added"] == 5
    assert stats_json(index_dir)["articles"] == 5
    assert counts(index(docs, "--index", index_dir))["unchanged"] == 5


# -- locked, missing, incompatible and damaged indexes ------------------------------------


def test_second_writer_fails_while_the_first_holds_the_lock(docs: Path, index_dir: Path) -> None:
    index(docs / "sub", "--index", index_dir)
    with IndexLock(index_dir, timeout=0):
        result = index(docs, "--index", index_dir, "--lock-timeout", "0.5")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith("Error: another process is writing the index")
        # Readers are not held up by a writer.
        assert stats_json(index_dir)["articles"] == 1
    assert set(indexed_articles(index_dir)) == {"b.md"}
    assert counts(index(docs, "--index", index_dir))["added"] == 5


def test_stats_of_a_missing_index(tmp_path: Path) -> None:
    result = run_cli("stats", "--index", tmp_path / "nothing")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Error: no index at ")
    assert "diplosearch index" in result.stderr  # says how to make one
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "nothing").exists()


def test_index_of_another_schema_version_must_be_rebuilt(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    meta_path = index_dir / "diplosearch.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "schema_version": meta["schema_version"] + 1}))
    for result in (run_cli("stats", "--index", index_dir), index(docs, "--index", index_dir)):
        assert result.exit_code == 1
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith("Error: ") and "--rebuild" in result.stderr
    # Doing what the message says repairs it.
    assert index(docs, "--index", index_dir, "--rebuild").exit_code == 0
    assert stats_json(index_dir)["articles"] == 5


def test_index_whose_data_folder_was_deleted(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    data = json.loads((index_dir / "diplosearch.json").read_text())["data"]
    for entry in (index_dir / data).iterdir():
        entry.unlink()
    (index_dir / data).rmdir()
    for result in (run_cli("stats", "--index", index_dir), index(docs, "--index", index_dir)):
        assert result.exit_code == 1
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith("Error: the index data in ") and "is missing" in result.stderr
        assert "--rebuild" in result.stderr
    assert index(docs, "--index", index_dir, "--rebuild").exit_code == 0
    assert stats_json(index_dir)["articles"] == 5


def test_unreadable_metadata_is_reported(docs: Path, index_dir: Path) -> None:
    index(docs, "--index", index_dir)
    (index_dir / "diplosearch.json").write_text("{ not json")
    result = run_cli("stats", "--index", index_dir)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot read ") and "--rebuild" in result.stderr
