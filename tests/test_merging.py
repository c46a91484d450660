"""Which segments a commit merges: an archive fed by many small runs stays in few parts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli, stats_json, write

from index import IndexConfig, index_paths, merging
from index.merging import MERGE_FACTOR, MERGE_LIMIT, segments_to_merge

SMALL = MERGE_LIMIT // MERGE_FACTOR  # the largest segment a commit still merges


def test_ten_small_segments_of_one_size_class_are_merged_and_nine_wait() -> None:
    assert segments_to_merge([(5, 5)] * (MERGE_FACTOR - 1)) == []
    assert segments_to_merge([(5, 5)] * MERGE_FACTOR) == list(range(MERGE_FACTOR))
    # Nine of 10 to 99 articles do not join the ten of 1 to 9.
    sizes = [(50, 50)] * (MERGE_FACTOR - 1) + [(3, 3)] * MERGE_FACTOR
    assert segments_to_merge(sizes) == list(range(MERGE_FACTOR - 1, len(sizes)))


def test_a_merge_takes_the_smallest_segments_up_to_the_limit() -> None:
    sizes = [(SMALL, SMALL)] * (MERGE_FACTOR + 5) + [(SMALL - 1, SMALL - 1)]
    chosen = segments_to_merge(sizes)
    assert sum(sizes[p][0] for p in chosen) <= MERGE_LIMIT
    assert len(chosen) == MERGE_FACTOR and chosen[-1] == len(sizes) - 1


def test_segments_too_large_to_merge_quickly_are_left_alone() -> None:
    # Such as the ones the indexing workers write on a large run.
    assert segments_to_merge([(SMALL + 1, SMALL + 1)] * 50) == []
    assert segments_to_merge([(MERGE_LIMIT + 1, 2 * MERGE_LIMIT + 2)]) == []


def test_empty_and_half_replaced_segments_are_rewritten() -> None:
    sizes = [(0, 40), (20, 40), (21, 40), (SMALL + 1, SMALL + 1), (MERGE_LIMIT, 2 * MERGE_LIMIT)]
    assert segments_to_merge(sizes) == [0, 1, 4]


def _article(folder: Path, number: int, version: int) -> None:
    write(folder / f"gipfel-{number:03}.txt", f"Gipfel in Wien, Fassung {version}\nLawrow traf Blinken, Runde {number}.\n")


def test_many_small_runs_leave_few_segments_and_every_article_found(tmp_path: Path) -> None:
    folder, index_dir = tmp_path / "feed", tmp_path / "ix"
    for number in range(25):  # a cron job indexing one new article at a time
        _article(folder, number, 0)
        result = run_cli("index", folder, "--index", index_dir)
        assert result.exit_code == 0, result.stderr
    stats = stats_json(index_dir)
    assert stats["articles"] == 25 and stats["segments"] < MERGE_FACTOR

    # Every article replaced in one run: the old segments hold nothing live and go.
    for number in range(25):
        _article(folder, number, 1)
    result = run_cli("index", folder, "--index", index_dir)
    assert result.exit_code == 0 and result.stdout.startswith("added 0, updated 25,"), result.output
    stats = stats_json(index_dir)
    assert stats["articles"] == 25 and stats["segments"] == 1

    found = run_cli("search", "Lawrow", "--index", index_dir, "--format", "json", "--limit", "100")
    assert found.exit_code == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["total"] == 25 and {hit["title"] for hit in data["hits"]} == {"Gipfel in Wien, Fassung 1"}


def test_two_process_commits_merge_their_segments_and_every_article_is_found(tmp_path: Path) -> None:
    # Each commit of a two-process run adds a segment per worker; ten small ones
    # are merged by the parent's writer, which reads ids kept in term entries.
    folder, index_dir = tmp_path / "feed", tmp_path / "ix"
    for number in range(22):
        _article(folder, number, 0)
    result = run_cli("index", folder, "--index", index_dir, "--procs", "2", "--commit-every", "2")
    assert result.exit_code == 0, result.stderr
    stats = stats_json(index_dir)
    assert stats["articles"] == 22 and stats["segments"] < MERGE_FACTOR
    for number in (0, 11, 21):
        shown = run_cli("show", f"gipfel-{number:03}.txt", "--index", index_dir)
        assert shown.exit_code == 0 and f"Runde {number}." in shown.stdout, shown.output
    found = run_cli("search", "Lawrow", "--index", index_dir, "--format", "json", "--limit", "100")
    assert found.exit_code == 0 and json.loads(found.stdout)["total"] == 22, found.output

def test_stats_show_the_segments(tmp_path: Path) -> None:
    folder, index_dir = tmp_path / "feed", tmp_path / "ix"
    _article(folder, 1, 0)
    assert run_cli("index", folder, "--index", index_dir).exit_code == 0
    table = run_cli("stats", "--index", index_dir)
    assert table.exit_code == 0
    assert [line.split() for line in table.stdout.splitlines() if line.startswith("segments")] == [["segments", "1"]]


def test_runs_that_write_large_segments_never_merge_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With a limit of 20 articles, segments of 5 count as large: like the
    # workers' segments of a big archive, each run's segment stays as written.
    monkeypatch.setattr(merging, "MERGE_LIMIT", 20)
    folder, index_dir = tmp_path / "feed", tmp_path / "ix"
    for run in range(12):
        for number in range(5 * run, 5 * run + 5):
            _article(folder, number, 0)
        assert index_paths(index_dir, [folder], IndexConfig(procs=1)).added == 5
    stats = stats_json(index_dir)
    assert stats["articles"] == 60 and stats["segments"] == 12
