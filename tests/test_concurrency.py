"""Concurrent use: searches while an index run adds, updates and removes articles; two index runs at once.

A search sees one commit, whole: the articles' ids and versions it returns are
exactly those of a state some commit left (never some of one and some of the
next), and it never fails. A second index run waits ``--lock-timeout`` seconds
and then gives up with a clear message, and the index is intact.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, indexed_articles, run_cli, stats_json

from index import IndexConfig, IndexLocked, index_paths
from index.store import IndexLock
from searcher import Searcher

State = dict[str, int]  # article id -> version
WORDS = "Gipfel Außenminister Sanktionen Waffenstillstand Verhandlungen Botschafter Regierung Bündnis".split()


def write_feed(path: Path, state: State) -> None:
    """A JSON lines file with one article per id; its version is in the title and the body."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for article_id in sorted(state):
            version = state[article_id]
            words = " ".join(WORDS[(n + int(article_id[1:])) % len(WORDS)] for n in range(60))
            record = {"id": article_id, "title": f"Gipfel {article_id} Fassung{version}", "body": f"{words} Fassung{version}."}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def commit_states(before: State, after: State, commit_every: int) -> list[State]:
    """The states the commits of a run from ``before`` to ``after`` leave (changes in file order)."""
    changes = [i for i in sorted(after) if before.get(i) != after[i]]
    states, state = [], dict(before)
    for start in range(0, len(changes), commit_every):
        states.append(dict(state))
        state.update({i: after[i] for i in changes[start : start + commit_every]})
    if changes and len(changes) % commit_every == 0:
        states.append(dict(state))
    return [*states, dict(after)]


def observed(result: Any) -> State:
    """The state one search saw: id -> version of every hit."""
    return {hit.id: int(hit.title.rsplit("Fassung", 1)[1]) for hit in result.hits}


# A reader in its own process: a fresh Searcher for every search, as the command line opens one.
READER = """
import json, os, sys
from searcher import Searcher
index_dir, stop = sys.argv[1:]
while not os.path.exists(stop):
    try:
        with Searcher(index_dir) as searcher:
            result = searcher.search("Gipfel", limit=1000, snippets=False)
        state = {hit.id: int(hit.title.rsplit("Fassung", 1)[1]) for hit in result.hits}
        print(json.dumps({"total": result.total, "state": state}), flush=True)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
"""


def test_searches_see_one_whole_commit_while_an_index_run_changes_articles(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    before = {f"a{n:03}": 0 for n in range(300)}
    write_feed(tmp_path / "feed.jsonl", before)
    assert index_paths(index_dir, [tmp_path / "feed.jsonl"], IndexConfig(procs=1)).added == 300
    after = {f"a{n:03}": 1 for n in range(100)} | {f"a{n:03}": 0 for n in range(100, 250)} | {f"a{n:03}": 1 for n in range(300, 400)}
    write_feed(tmp_path / "feed.jsonl", after)
    states = commit_states(before, after, commit_every=40)
    assert len(states) == 7  # the old state, five commits of 40 changes, and the end with the removals

    seen: list[State] = []
    errors: list[str] = []
    stop = threading.Event()
    shared = Searcher(index_dir)  # one searcher for all threads, as documented

    def search_in_a_thread() -> None:
        while not stop.is_set():
            try:
                shared.refresh()
                result = shared.search("Gipfel", limit=1000, snippets=False)
                state = observed(result)
                if result.total != len(state):
                    errors.append(f"total {result.total} for {len(state)} hits")
                seen.append(state)
            except Exception as exc:  # any failure is what this test looks for
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=search_in_a_thread) for _ in range(3)]
    stop_file = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(index_dir), str(stop_file)], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT
    )
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.3)
        writer = subprocess.run(
            [sys.executable, "-c", "from searcher.cli import main; main()", "index", str(tmp_path / "feed.jsonl"),
             "--index", str(index_dir), "--commit-every", "40", "--procs", "1", "--quiet"],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
        )
        time.sleep(0.3)
    finally:
        stop.set()
        stop_file.touch()
        for thread in threads:
            thread.join()
        lines = reader.communicate(timeout=60)[0].splitlines()
        shared.close()
    assert writer.returncode == 0, writer.stderr

    assert errors == []
    from_process = [json.loads(line) for line in lines]
    assert [entry["error"] for entry in from_process if "error" in entry] == []
    assert all(entry["total"] == len(entry["state"]) for entry in from_process)
    seen += [{key: value for key, value in entry["state"].items()} for entry in from_process]
    positions = [next((n for n, state in enumerate(states) if state == one), None) for one in seen]
    assert None not in positions, "a search saw a state no commit left"
    assert positions.count(0) and positions.count(len(states) - 1)  # before and after the run
    assert len(from_process) >= 3 and len(seen) > 20


def test_a_searcher_keeps_its_commit_while_runs_merge_and_rebuild(tmp_path: Path) -> None:
    # Commits merge segments and delete their files; a rebuild deletes the whole
    # old data folder. A searcher opened before still answers from its commit,
    # and once refreshed sees the new one, each article once.
    index_dir, feed = tmp_path / "ix", tmp_path / "feed.jsonl"
    ids = [f"a{n:03}" for n in range(30)]
    write_feed(feed, dict.fromkeys(ids, 0))
    index_paths(index_dir, [feed], IndexConfig(procs=1))
    with Searcher(index_dir) as searcher:
        assert observed(searcher.search("Gipfel", limit=100)) == dict.fromkeys(ids, 0)
        for version in (1, 2, 3):
            write_feed(feed, dict.fromkeys(ids, version))
            assert index_paths(index_dir, [feed], IndexConfig(procs=1, commit_every=7)).updated == 30
        # Not refreshed: the first commit, whole, sorted by date too (a column read only now).
        for sort in ("relevance", "date"):
            result = searcher.search("Gipfel", limit=100, sort=sort)  # type: ignore[arg-type]
            assert result.total == 30 and observed(result) == dict.fromkeys(ids, 0)
        assert searcher.article("a007").title == "Gipfel a007 Fassung0"
        assert searcher.refresh()
        assert searcher.doc_count == 30
        assert observed(searcher.search("Gipfel", limit=100, sort="date")) == dict.fromkeys(ids, 3)
        write_feed(feed, dict.fromkeys(ids, 4))
        assert index_paths(index_dir, [feed], IndexConfig(procs=1), rebuild=True).added == 30
        assert len([p for p in index_dir.iterdir() if p.is_dir()]) == 1  # the old data is gone
        result = searcher.search("Gipfel", limit=100, sort="date")
        assert result.total == 30 and observed(result) == dict.fromkeys(ids, 3)
        assert searcher.refresh()
        assert observed(searcher.search("Gipfel", limit=100)) == dict.fromkeys(ids, 4)


def _diplosearch(*args: object) -> list[str]:
    return [sys.executable, "-c", "from searcher.cli import main; main()", *map(str, args)]


def _wait_until_locked(index_dir: Path, run: subprocess.Popen[str]) -> None:
    """Return once ``run`` holds the writer lock of ``index_dir``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        lock = IndexLock(index_dir, timeout=0)
        try:
            lock.acquire()
        except IndexLocked:
            return
        lock.release()
        time.sleep(0.02)
    pytest.fail("the first run never held the lock")


# An index run that takes its time: a tenth of a second after each of its 40 files.
SLOW_RUN = """
import sys, time
from index import IndexConfig, index_paths
index_dir, folder = sys.argv[1:]
summary = index_paths(index_dir, [folder], IndexConfig(procs=1), progress=lambda size: time.sleep(0.1))
print(summary.added)
"""


def test_a_second_index_run_waits_then_gives_up_and_a_third_waits_its_turn(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    state = {f"a{n:03}": 0 for n in range(40)}
    for article_id in state:
        write_feed(tmp_path / "feeds" / f"{article_id}.jsonl", {article_id: 0})
    (tmp_path / "late.txt").write_text("Spät\nEin später Artikel über den Gipfel.\n", encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "DIPLOSEARCH_INDEX"}

    def start(*args: object) -> subprocess.Popen[str]:
        return subprocess.Popen(
            _diplosearch(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT, env=environment
        )

    first = subprocess.Popen(
        [sys.executable, "-c", SLOW_RUN, str(index_dir), str(tmp_path / "feeds")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    _wait_until_locked(index_dir, first)
    started = time.monotonic()
    second = start("index", tmp_path / "late.txt", "--index", index_dir, "--lock-timeout", "1")
    out, err = second.communicate(timeout=60)
    waited = time.monotonic() - started
    assert first.poll() is None, "the first run ended too soon for this test"
    assert second.returncode == 1 and out == ""
    assert err.splitlines() == [
        f"Error: another process is writing the index at {index_dir} (waited 1 s); try again when it has finished"
    ]
    assert 1.0 <= waited < 15
    third = start("index", tmp_path / "late.txt", "--index", index_dir, "--lock-timeout", "120", "--json")
    time.sleep(0.2)
    assert first.poll() is None and third.poll() is None  # the third is waiting
    first_out, first_err = first.communicate(timeout=120)
    third_out, third_err = third.communicate(timeout=120)
    assert first.returncode == 0, first_err
    assert third.returncode == 0, third_err
    assert int(first_out) == 40 and json.loads(third_out)["added"] == 1
    assert stats_json(index_dir)["articles"] == 41
    assert set(indexed_articles(index_dir)) == set(state) | {"late.txt"}
    found = run_cli("search", "Gipfel", "--index", index_dir, "--json", "--limit", "1")
    assert found.exit_code == 0 and json.loads(found.stdout)["total"] == 41
