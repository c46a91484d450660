"""The indexer from Python, and what a killed run leaves behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from conftest import indexed_articles, run_cli, stats_json, write

from index import (
    Article,
    DocumentError,
    IndexConfig,
    Indexer,
    IndexLocked,
    IndexSummary,
    RecordFailure,
    SearchError,
    index_paths,
)
from index.seen import SeenIds
from index.store import IndexLock

GIPFEL = Article(id="a1", title="Gipfel in Brüssel", body="Die Außenminister tagen.")
WAHL = Article(id="a2", title="Wahl", body="Ergebnis.", date=datetime(2025, 1, 2), source="APA")


# -- the Indexer class -------------------------------------------------------------------


def test_indexer_adds_then_finds_unchanged_and_updated(index_dir: Path) -> None:
    with Indexer(index_dir) as indexer:
        assert indexer.add(GIPFEL) == "added"
        assert indexer.add(WAHL) == "added"
    assert (indexer.summary.added, indexer.summary.failed) == (2, 0)

    changed = Article(id="a2", title="Wahl", body="Endergebnis.", date=datetime(2025, 1, 2), source="APA")
    with Indexer(index_dir) as indexer:
        assert indexer.add(GIPFEL) == "unchanged"
        assert indexer.add(changed) == "updated"
    assert (indexer.summary.unchanged, indexer.summary.updated) == (1, 1)

    articles = indexed_articles(index_dir)
    assert set(articles) == {"a1", "a2"}
    assert articles["a2"]["body"] == "Endergebnis."
    assert stats_json(index_dir)["sources"] == {"APA": 1, "": 1}


def test_articles_added_from_python_are_not_removed_by_later_runs(index_dir: Path, tmp_path: Path) -> None:
    with Indexer(index_dir) as indexer:
        indexer.add(GIPFEL)
    with Indexer(index_dir):
        pass
    write(tmp_path / "docs" / "x.txt", "Anderes\nText.\n")
    assert run_cli("index", tmp_path / "docs", "--index", index_dir).exit_code == 0
    assert set(indexed_articles(index_dir)) == {"a1", "x.txt"}


def test_duplicate_id_in_one_run_is_refused(index_dir: Path) -> None:
    with Indexer(index_dir) as indexer:
        indexer.add(GIPFEL)
        with pytest.raises(DocumentError, match="duplicate id 'a1'"):
            indexer.add(Article(id="a1", title="Anderer Titel", body="x"))
    assert indexed_articles(index_dir)["a1"]["title"] == GIPFEL.title


def test_an_error_in_the_block_cancels_what_was_not_committed(index_dir: Path) -> None:
    with Indexer(index_dir) as indexer:
        indexer.add(GIPFEL)
    with pytest.raises(RuntimeError):
        with Indexer(index_dir) as indexer:
            indexer.add(WAHL)
            raise RuntimeError("stop")
    assert set(indexed_articles(index_dir)) == {"a1"}
    # The lock was released: the next writer gets it at once.
    with Indexer(index_dir, IndexConfig(lock_timeout=0)) as indexer:
        assert indexer.add(WAHL) == "added"


def test_readers_see_each_commit_while_a_run_goes_on(index_dir: Path) -> None:
    with Indexer(index_dir) as indexer:
        indexer.add(GIPFEL)
        indexer.commit()
        indexer.add(WAHL)
        assert set(indexed_articles(index_dir)) == {"a1"}
        assert stats_json(index_dir)["articles"] == 1
    assert set(indexed_articles(index_dir)) == {"a1", "a2"}


def test_a_second_writer_gets_index_locked(index_dir: Path) -> None:
    with IndexLock(index_dir, timeout=0):
        with pytest.raises(IndexLocked, match="another process is writing") as caught:
            Indexer(index_dir, IndexConfig(lock_timeout=0.1)).open()
    assert isinstance(caught.value, SearchError)


# -- index_paths ------------------------------------------------------------------------------


def test_index_paths_reads_files_with_a_field_map(index_dir: Path, tmp_path: Path) -> None:
    write(tmp_path / "feed.jsonl", '{"id": "f1", "title": "Gipfel", "text": "Der Text.", "date": "bald"}\n{"id": \n')
    warnings: list[tuple[str, str]] = []
    summary = index_paths(
        index_dir,
        [tmp_path / "feed.jsonl"],
        IndexConfig(field_map={"body": "text"}),
        warn=lambda where, message: warnings.append((where, message)),
    )
    assert isinstance(summary, IndexSummary)
    assert (summary.added, summary.failed) == (1, 1)
    assert summary.errors[0].path == "feed.jsonl:2" and isinstance(summary.errors[0], RecordFailure)
    assert [where for where, _ in warnings] == ["feed.jsonl:1"]
    assert indexed_articles(index_dir)["f1"]["body"] == "Der Text."
    assert set(summary.to_json()) == {"added", "updated", "unchanged", "removed", "failed", "seconds", "errors"}


def test_index_paths_reports_a_missing_path(index_dir: Path, tmp_path: Path) -> None:
    summary = index_paths(index_dir, [tmp_path / "nowhere"])
    assert summary.errors == [RecordFailure(str(tmp_path / "nowhere"), "no such file or directory")]


def test_the_seed_article(seed_dir: Path, index_dir: Path) -> None:
    summary = index_paths(index_dir, [seed_dir])
    assert (summary.added, summary.failed) == (1, 0)
    article = indexed_articles(index_dir)["000_230d9d416a8d1689.txt"]
    assert article["title"] == "NATO-Chef: Putin darf die Ukraine nie wieder angreifen"
    assert "\nSelenskyj-Putin-Treffen\n" in article["body"] and article["body"].endswith("\nToday")


# -- other processes --------------------------------------------------------------------------


def test_a_fresh_process_opens_the_index(index_dir: Path, seed_dir: Path, tmp_path: Path) -> None:
    # Opening must depend on nothing but the installed package, not on state
    # that the writing process happened to have.
    index_paths(index_dir, [seed_dir])
    done = subprocess.run(
        [sys.executable, "-c", "from searcher.cli import main; main()", "stats", "--index", str(index_dir), "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["articles"] == 1


# A run that kills itself (SIGKILL, as kill -9) after its n-th file.
KILLED_RUN = """
import os, signal, sys
from index import IndexConfig, index_paths

index_dir, folder, kill_after, commit_every, rebuild = sys.argv[1:]
files_done = 0

def progress(size):
    global files_done
    files_done += 1
    if files_done == int(kill_after):
        os.kill(os.getpid(), signal.SIGKILL)

index_paths(index_dir, [folder], IndexConfig(commit_every=int(commit_every)), rebuild=rebuild == "1", progress=progress)
"""


def killed_run(index_dir: Path, folder: Path, *, kill_after: int, commit_every: int, rebuild: bool = False) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(index_dir), str(folder), str(kill_after), str(commit_every), str(int(rebuild))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def six_articles(folder: Path, version: str) -> None:
    for number in range(6):
        write(folder / f"f{number}.txt", f"Artikel {number}\nFassung {version}.\n")


def bodies(index_dir: Path) -> dict[str, str]:
    return {article_id: fields["body"] for article_id, fields in indexed_articles(index_dir).items()}


@pytest.mark.parametrize(("commit_every", "kept"), [(1000, 0), (2, 4)])
def test_a_killed_run_leaves_the_last_commit_and_the_next_run_completes_it(
    tmp_path: Path, index_dir: Path, commit_every: int, kept: int
) -> None:
    docs = tmp_path / "docs"
    six_articles(docs, "eins")
    run_cli("index", docs, "--index", index_dir)
    six_articles(docs, "zwei")
    killed_run(index_dir, docs, kill_after=5, commit_every=commit_every)

    # Files are read in name order; the first `kept` were committed before the kill.
    expected = {f"f{n}.txt": "Fassung zwei." if n < kept else "Fassung eins." for n in range(6)}
    assert bodies(index_dir) == expected
    assert stats_json(index_dir)["articles"] == 6

    result = run_cli("index", docs, "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["updated"], data["unchanged"]) == (6 - kept, kept)
    assert set(bodies(index_dir).values()) == {"Fassung zwei."}


def test_a_killed_rebuild_leaves_the_previous_index(tmp_path: Path, index_dir: Path) -> None:
    docs = tmp_path / "docs"
    six_articles(docs, "eins")
    run_cli("index", docs, "--index", index_dir)
    six_articles(docs, "zwei")
    killed_run(index_dir, docs, kill_after=5, commit_every=2, rebuild=True)

    assert set(bodies(index_dir).values()) == {"Fassung eins."}
    assert stats_json(index_dir)["articles"] == 6

    assert run_cli("index", docs, "--index", index_dir, "--rebuild").exit_code == 0
    assert set(bodies(index_dir).values()) == {"Fassung zwei."}
    # The folder the killed rebuild left behind is gone.
    assert len([p for p in index_dir.iterdir() if p.is_dir()]) == 1


# A two-process run that notes its worker processes, then kills itself (SIGKILL).
KILLED_PARALLEL_RUN = """
import multiprocessing, os, signal, sys
from index import IndexConfig, index_paths

index_dir, folder, pid_file = sys.argv[1:]
files_done = 0

def progress(size):
    global files_done
    files_done += 1
    workers = multiprocessing.active_children()
    if files_done >= 250 and workers:
        with open(pid_file, "w") as handle:
            handle.write(" ".join(str(p.pid) for p in workers))
        os.kill(os.getpid(), signal.SIGKILL)

if __name__ == "__main__":
    index_paths(index_dir, [folder], IndexConfig(procs=2), progress=progress)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:") and "Z" in line for line in status)
    except FileNotFoundError:
        return False


def _four_hundred_articles_one_committed(tmp_path: Path, index_dir: Path) -> Path:
    """A folder of 400 articles, the first of them already in the index (its first commit)."""
    docs = tmp_path / "docs"
    for number in range(400):
        write(docs / f"a{number:03}.txt", f"Gipfel {number}\nDie Außenminister berieten über Sanktionen, Runde {number}.\n")
    run_cli("index", docs / "a000.txt", "--index", index_dir)
    return docs


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to watch the worker processes")
def test_workers_of_a_killed_two_process_run_exit_too(tmp_path: Path, index_dir: Path) -> None:
    docs = _four_hundred_articles_one_committed(tmp_path, index_dir)
    script = tmp_path / "killed_parallel_run.py"
    script.write_text(KILLED_PARALLEL_RUN, encoding="utf-8")
    pid_file = tmp_path / "workers"
    # Output to a file, not a pipe: lingering workers would hold a pipe open.
    with open(tmp_path / "output", "w") as output:
        done = subprocess.run(
            [sys.executable, str(script), str(index_dir), str(docs), str(pid_file)], stdout=output, stderr=output
        )
    assert done.returncode == -signal.SIGKILL, (tmp_path / "output").read_text()
    workers = [int(pid) for pid in pid_file.read_text().split()]
    assert workers
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _running(pid)], "worker processes outlived the killed run"
    # The last commit is intact and the next run completes the index.
    assert stats_json(index_dir)["articles"] == 1
    result = run_cli("index", docs, "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stderr
    assert stats_json(index_dir)["articles"] == 400


# A two-process run one of whose workers is killed, as the kernel kills a process when memory runs out.
KILLED_WORKER_RUN = """
import multiprocessing, os, signal, sys
from index import IndexConfig, IndexingFailed, index_paths

index_dir, folder, commit_every = sys.argv[1:]
files_done = 0
killed = False

def progress(size):
    global files_done, killed
    files_done += 1
    workers = multiprocessing.active_children()
    if files_done >= 250 and workers and not killed:
        os.kill(workers[0].pid, signal.SIGKILL)
        killed = True

if __name__ == "__main__":
    try:
        index_paths(index_dir, [folder], IndexConfig(procs=2, commit_every=int(commit_every)), progress=progress)
    except IndexingFailed as exc:
        print(exc)
        sys.exit(1)
"""


@pytest.mark.parametrize(("commit_every", "kept"), [(100_000, 1), (120, 241)])
def test_a_run_whose_worker_is_killed_stops_with_its_last_commit_and_says_so(
    tmp_path: Path, index_dir: Path, commit_every: int, kept: int
) -> None:
    # The first commit holds one article; with a commit every 120, the run commits 240 more before the kill.
    docs = _four_hundred_articles_one_committed(tmp_path, index_dir)
    script = tmp_path / "killed_worker_run.py"
    script.write_text(KILLED_WORKER_RUN, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(index_dir), str(docs), str(commit_every)], capture_output=True, text=True
    )
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout.startswith("an indexing worker process ended before writing its articles (killed by signal 9")
    assert "the index keeps its last commit" in done.stdout
    assert stats_json(index_dir)["articles"] == kept
    result = run_cli("index", docs, "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stderr
    assert stats_json(index_dir)["articles"] == 400


# A script that indexes with two processes but lacks the main guard: each worker, importing the
# script as it starts, runs the indexing again (which waits for the index's lock) and dies.
UNGUARDED_PARALLEL_RUN = """
import sys
from index import IndexConfig, IndexingFailed, index_paths

index_dir, folder = sys.argv[1:]
try:
    index_paths(index_dir, [folder], IndexConfig(procs=2, lock_timeout=0.5))
except IndexingFailed as exc:
    print(exc)
    sys.exit(1)
"""


def test_a_worker_that_dies_while_starting_stops_the_run_with_the_reason(tmp_path: Path, index_dir: Path) -> None:
    # The worker dies before reading what it was started with; the run must not wait for ever
    # to hand it over, and says what a script needs.
    docs = _four_hundred_articles_one_committed(tmp_path, index_dir)
    script = tmp_path / "unguarded_run.py"
    script.write_text(UNGUARDED_PARALLEL_RUN, encoding="utf-8")
    with open(tmp_path / "output", "w") as output:  # a file: a stuck worker would hold a pipe open
        done = subprocess.run(
            [sys.executable, str(script), str(index_dir), str(docs)], stdout=output, stderr=subprocess.DEVNULL, timeout=120
        )
    said = (tmp_path / "output").read_text()
    assert done.returncode == 1, said
    assert said.startswith("an indexing worker process ended before writing its articles (exit status 1 before it started;")
    assert """under 'if __name__ == "__main__":'""" in said
    assert stats_json(index_dir)["articles"] == 1
    result = run_cli("index", docs, "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stderr
    assert stats_json(index_dir)["articles"] == 400


def test_ids_read_in_a_run_are_remembered_with_their_first_file() -> None:
    # A small dict of recent ids forces many folds into the sorted records.
    seen = SeenIds(recent_limit=4)
    ids = [f"artikel-{number}" for number in range(0, 600, 3)]
    for number, article_id in enumerate(ids):
        assert seen.add(article_id, f"feed-{number % 5}.jsonl") is None
    assert len(seen) == len(ids)
    for number, article_id in enumerate(ids):
        assert seen.add(article_id, "later.jsonl") == f"feed-{number % 5}.jsonl"
        assert article_id in seen
    assert "artikel-1" not in seen and "artikel-600" not in seen and 3 not in seen
    assert len(seen) == len(ids)
