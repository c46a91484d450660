"""A full disk: a write that fails with ENOSPC leaves the last commit intact and searchable.

The failure is simulated in-process: the files Whoosh writes (segments, the
table of contents), the metadata file and the stem cache fail at chosen
moments. The run exits 1 with one line saying what to do, the index opens and
answers as after its last commit, and once there is space again the next run
completes the work without any manual step.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import REPO_ROOT, indexed_articles, run_cli, stats_json, write
from whoosh.filedb.filestore import FileStorage

import index.store
from index.stems import StemStore

NEWS = REPO_ROOT / "tests" / "fixtures" / "news"
OLD = {path.name for path in NEWS.iterdir()}
NEW = {f"neu-{n:02}.txt" for n in range(20)}


def no_space(name: object = None) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)


class _Metered:
    """A file that takes bytes from a shared budget and fails with ENOSPC when it runs out."""

    def __init__(self, handle: Any, disk: "Disk") -> None:
        self._handle = handle
        self._disk = disk

    def write(self, data: Any) -> int:
        if not self._disk.take(len(data)):
            raise no_space()
        return int(self._handle.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


class Disk:
    """The index's disk: ``free`` bytes left for the files whose names ``fills`` picks."""

    def __init__(self, free: int | None, fills: Callable[[str], bool] = lambda name: True) -> None:
        self.free = free
        self.fills = fills
        self.written = 0

    def take(self, size: int) -> bool:
        if self.free is not None and size > self.free:
            return False
        self.written += size
        if self.free is not None:
            self.free -= size
        return True

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        create = FileStorage.create_file

        def create_file(storage: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            made = create(storage, name, *args, **kwargs)
            if self.fills(name):
                made.file = _Metered(made.file, self)
            return made

        monkeypatch.setattr(FileStorage, "create_file", create_file)


def total(index_dir: Path, query: str) -> int:
    found = run_cli("search", query, "--index", index_dir, "--json")
    assert found.exit_code == 0, found.stderr
    count: int = json.loads(found.stdout)["total"]
    return count


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An index of the news fixture, and a folder of 20 new articles."""
    root = tmp_path_factory.mktemp("full")
    assert run_cli("index", NEWS, "--index", root / "ix", "--procs", "1").exit_code == 0
    BEFORE.update({query: total(root / "ix", query) for query in ("NATO", "Sanktionen")})
    for name in sorted(NEW):
        write(root / "new" / name, f"Neue Sanktionen {name}\nDie Außenminister beraten über ein neues Paket ({name}).\n")
    return root / "ix", root / "new"


BEFORE: dict[str, int] = {}  # totals of the index without the new articles


@pytest.fixture
def index_dir(built: tuple[Path, Path], tmp_path: Path) -> Path:
    shutil.copytree(built[0], tmp_path / "ix")
    return tmp_path / "ix"


def bytes_of_a_run(built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many bytes Whoosh writes to index the new articles (measured on a copy)."""
    copy = tmp_path / "measure"
    shutil.copytree(built[0], copy)
    with monkeypatch.context() as patch:
        disk = Disk(None)
        disk.install(patch)
        assert run_cli("index", built[1], "--index", copy, "--procs", "1").exit_code == 0
    assert disk.written > 1000
    return disk.written


def assert_one_line_error(result: Any, says: str) -> None:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and says in lines[0], result.stderr


def assert_index_as_after(index_dir: Path, articles: set[str]) -> None:
    """The index opens and answers as after the commit that holds ``articles``."""
    assert stats_json(index_dir)["articles"] == len(articles)
    assert set(indexed_articles(index_dir)) == articles
    assert total(index_dir, "NATO") == BEFORE["NATO"] > 0
    assert total(index_dir, "Sanktionen") == BEFORE["Sanktionen"] + len(articles & NEW)
    assert not [p.name for p in index_dir.iterdir() if p.name.endswith(".tmp")]


def assert_next_run_completes(index_dir: Path, new: Path) -> None:
    result = run_cli("index", new, "--index", index_dir, "--procs", "1", "--lock-timeout", "0")
    assert result.exit_code == 0, result.stderr
    assert_index_as_after(index_dir, OLD | NEW)


@pytest.mark.parametrize("share", [0.0, 0.5, 0.98])
def test_a_full_disk_while_writing_segments(
    built: tuple[Path, Path], index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    needed = bytes_of_a_run(built, tmp_path, monkeypatch)
    with monkeypatch.context() as patch:
        Disk(int(needed * share)).install(patch)
        result = run_cli("index", built[1], "--index", index_dir, "--procs", "1")
    assert_one_line_error(result, "no space left on device; the index keeps its last commit")
    assert_index_as_after(index_dir, OLD)
    assert_next_run_completes(index_dir, built[1])


def test_a_full_disk_while_writing_the_table_of_contents(built: tuple[Path, Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        Disk(0, fills=lambda name: ".toc" in name).install(patch)
        result = run_cli("index", built[1], "--index", index_dir, "--procs", "1")
    assert_one_line_error(result, "no space left on device")
    assert_index_as_after(index_dir, OLD)
    assert_next_run_completes(index_dir, built[1])


def test_a_full_disk_while_writing_the_metadata(built: tuple[Path, Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    updated = json.loads((index_dir / "diplosearch.json").read_text())["updated"]

    def full_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith(".tmp") and "w" in mode:
            raise no_space(str(path))
        return open(path, mode, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(index.store, "open", full_open, raising=False)
        result = run_cli("index", built[1], "--index", index_dir, "--procs", "1")
    assert_one_line_error(result, "no space left on device")
    # Whoosh's commit came first and is complete; only the time of the update was not recorded.
    assert json.loads((index_dir / "diplosearch.json").read_text())["updated"] == updated
    assert_index_as_after(index_dir, OLD | NEW)
    assert_next_run_completes(index_dir, built[1])


def test_a_full_disk_while_writing_the_stem_cache(built: tuple[Path, Path], index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(store: StemStore, rows: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(StemStore, "add", full)
        result = run_cli("index", built[1], "--index", index_dir, "--procs", "1")
    assert_one_line_error(result, "cannot write the stem cache")
    # The commit came before the cache: the new articles are in, and found.
    assert_index_as_after(index_dir, OLD | NEW)
    assert_next_run_completes(index_dir, built[1])


def test_a_worker_process_that_cannot_be_started(index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The system refuses the second worker (too many processes, no memory) while the first runs.
    from multiprocessing.context import SpawnProcess

    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "".join(json.dumps({"id": f"f{n}", "title": f"Sanktionen {n}", "body": "Die Minister beraten."}) + "\n" for n in range(400)),
        encoding="utf-8",
    )
    start_process, started = SpawnProcess.start, []

    def start(process: Any) -> None:
        started.append(process)
        if len(started) == 2:
            raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))
        start_process(process)

    with monkeypatch.context() as patch:
        patch.setattr(SpawnProcess, "start", start)
        result = run_cli("index", feed, "--index", index_dir, "--procs", "2")
    assert len(started) == 2 and started[0].exitcode is not None  # the first worker was stopped
    assert_one_line_error(result, os.strerror(errno.EAGAIN))
    assert_index_as_after(index_dir, OLD)


WORKERS_WITH_A_FILE_SIZE_LIMIT_RUN = """
import errno, multiprocessing, sys
from index import IndexConfig, index_paths

index_dir, folder, starter = sys.argv[1:]
if __name__ == "__main__":
    multiprocessing.set_executable(starter)  # the workers start through it, with its limit
    try:
        index_paths(index_dir, [folder], IndexConfig(procs=2))
    except OSError as exc:
        print(errno.errorcode[exc.errno], exc.strerror)
        sys.exit(1)
"""


@pytest.mark.skipif(os.name != "posix", reason="limits the workers' file size with ulimit")
def test_a_worker_that_cannot_write_its_segment(built: tuple[Path, Path], index_dir: Path, tmp_path: Path) -> None:
    # Its write fails (EFBIG under a file-size limit, as ENOSPC on a full disk): the run stops with
    # that error from the worker, in one line, and the index keeps its last commit.
    docs = tmp_path / "docs"
    for number in range(400):
        write(docs / f"a{number:03}.txt", f"Sanktionen {number}\nDie Außenminister berieten über Sanktionen, Runde {number}.\n")
    starter = tmp_path / "limited-python"
    starter.write_text(f"#!/bin/sh\ntrap '' XFSZ\nulimit -f 64\nexec {sys.executable} \"$@\"\n", encoding="utf-8")
    starter.chmod(0o755)
    script = tmp_path / "limited_workers_run.py"
    script.write_text(WORKERS_WITH_A_FILE_SIZE_LIMIT_RUN, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(index_dir), str(docs), str(starter)], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (1, f"EFBIG {os.strerror(errno.EFBIG)}\n"), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert_index_as_after(index_dir, OLD)
