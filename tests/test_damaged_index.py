"""A damaged index: truncated or deleted segment files, a stale lock, another schema version, a damaged cache.

Every command that meets the damage says in one line what is wrong and what to
do (``diplosearch index --rebuild ...``) and exits 1, without a traceback;
doing what it says repairs the index. A lock left by a killed process is no
obstacle.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result
from conftest import REPO_ROOT, indexed_articles, run_cli, stats_json

NEWS = REPO_ROOT / "tests" / "fixtures" / "news"
NEWS_IDS = {path.name for path in NEWS.iterdir()}


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The news fixture in one segment (so that its frequent words have their postings in the postings file)."""
    index_dir = tmp_path_factory.mktemp("built") / "ix"
    result = run_cli("index", NEWS, "--index", index_dir, "--procs", "1")
    assert result.exit_code == 0, result.stderr
    return index_dir


def undamaged_output(index_dir: Path, args: tuple[object, ...]) -> str:
    result = run_cli(*args, "--index", index_dir)
    assert result.exit_code == 0, result.stderr
    return without_timing(result.stdout)


def without_timing(text: str) -> str:
    """Output as comparable between two indexes: no times, no index path or size."""
    if text.startswith("{") and '"size_bytes"' in text:
        stats = json.loads(text)
        return json.dumps({key: value for key, value in stats.items() if key not in ("index", "size_bytes", "updated")})
    text = re.sub(r'"took_ms": [\d.]+', "", text)
    text = re.sub(r"\(\d+ ms\)", "", text)
    return re.sub(r" in [\d.]+ s \([\d,]+ articles/s\)", "", text)


@pytest.fixture
def index_copy(built_index: Path, tmp_path: Path) -> Path:
    """A copy of the built index, for a test to damage."""
    shutil.copytree(built_index, tmp_path / "ix")
    return tmp_path / "ix"


def data_files(index_dir: Path, suffix: str) -> list[Path]:
    data = index_dir / json.loads((index_dir / "diplosearch.json").read_text())["data"]
    found = sorted(p for p in data.iterdir() if p.name.endswith(suffix))
    assert found, f"no {suffix} file in {data}"
    return found


def assert_damage_reported(result: Result, index_dir: Path) -> None:
    """Exit 1, nothing on stdout, one line that says the index is damaged and how to rebuild it."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert f"'diplosearch index --rebuild PATH --index {index_dir}'" in lines[0]


def truncate_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def truncate_all(path: Path) -> None:
    os.truncate(path, 0)


def truncate_to_header(path: Path) -> None:
    """Keep the first bytes only: every record the file holds is cut off."""
    os.truncate(path, 8)


def delete(path: Path) -> None:
    path.unlink()


COMMANDS = {
    "search": ("search", "Putin Selenskyj Ukraine", "--any", "--format", "plain"),
    "search by date": ("search", "Ukraine", "--sort", "date", "--json"),
    "show": ("show", "rutte-kyjiw.txt"),
    "stats": ("stats", "--json"),
    "index": ("index", NEWS, "--procs", "1"),
}
# Which file, how damaged, and which commands must notice (the others may
# still work, since they do not read that file; none may show a traceback).
DAMAGE: dict[str, tuple[str, Callable[[Path], None], tuple[str, ...]]] = {
    "deleted term file": (".trm", delete, tuple(COMMANDS)),
    "truncated term file": (".trm", truncate_half, tuple(COMMANDS)),
    "emptied term file": (".trm", truncate_all, tuple(COMMANDS)),
    "deleted postings file": (".pst", delete, tuple(COMMANDS)),
    # "show" finds an article by its id, whose one posting is kept in the term file.
    "truncated postings file": (".pst", truncate_to_header, ("search", "search by date")),
    "deleted stored fields": ("_stored.col", delete, ("search", "show")),
    "truncated stored fields": ("_stored.col", truncate_to_header, ("search", "show")),
    "emptied table of contents": (".toc", truncate_all, tuple(COMMANDS)),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_segment_is_reported_and_rebuild_repairs_it(built_index: Path, index_copy: Path, case: str) -> None:
    suffix, damage, noticed_by = DAMAGE[case]
    for path in data_files(index_copy, suffix):
        damage(path)
    for name, args in COMMANDS.items():
        result = run_cli(*args, "--index", index_copy)
        if name in noticed_by or result.exit_code != 0:
            assert_damage_reported(result, index_copy)
        else:
            # A command that does not read the damaged file answers as before.
            assert without_timing(result.stdout) == undamaged_output(built_index, args), name
    # What the message says to do, done: the index is whole again.
    rebuilt = run_cli("index", NEWS, "--index", index_copy, "--rebuild", "--procs", "1")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert stats_json(index_copy)["articles"] == len(NEWS_IDS)
    assert set(indexed_articles(index_copy)) == NEWS_IDS
    found = run_cli("search", "NATO", "--index", index_copy, "--json")
    assert found.exit_code == 0 and json.loads(found.stdout)["total"] == 2


def test_the_library_raises_index_damaged(index_copy: Path) -> None:
    from index import IndexDamaged, SearchError, index_stats

    for path in data_files(index_copy, ".trm"):
        delete(path)
    from searcher import Searcher

    with pytest.raises(IndexDamaged, match="--rebuild") as caught:
        index_stats(index_copy)
    assert isinstance(caught.value, SearchError)
    with pytest.raises(IndexDamaged, match="is damaged"):
        Searcher(index_copy)


# -- another schema version ------------------------------------------------------------------------


def test_an_index_of_another_schema_version_names_the_rebuild_for_every_command(index_copy: Path) -> None:
    meta_path = index_copy / "diplosearch.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "schema_version": meta["schema_version"] + 1}))
    for args in COMMANDS.values():
        result = run_cli(*args, "--index", index_copy)
        assert_damage_reported(result, index_copy)
        assert f"schema version {meta['schema_version'] + 1}" in result.stderr
    assert run_cli("index", NEWS, "--index", index_copy, "--rebuild").exit_code == 0
    assert stats_json(index_copy)["schema_version"] == meta["schema_version"]
    assert set(indexed_articles(index_copy)) == NEWS_IDS


# -- a stale lock ------------------------------------------------------------------------------------

# Takes the index's writer lock and Whoosh's own, says so, and waits to be killed.
HOLD_LOCKS = """
import sys, time
from index.store import IndexLock, open_index
index_dir = sys.argv[1]
lock = IndexLock(index_dir, timeout=0)
lock.acquire()
writer = open_index(index_dir).writer()
print("locked", flush=True)
time.sleep(600)
"""


def test_a_lock_left_by_a_killed_process_is_no_obstacle(index_copy: Path, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCKS, str(index_copy)], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        busy = run_cli("index", NEWS, "--index", index_copy, "--lock-timeout", "0")
        assert busy.exit_code == 1 and busy.stderr.startswith("Error: another process is writing the index")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    lock_file = index_copy / "diplosearch.lock"
    assert lock_file.read_text().strip() == str(holder.pid)  # the dead process's lock file is still there
    new = tmp_path / "new.txt"
    new.write_text("Neu\nEin neuer Artikel über die NATO.\n", encoding="utf-8")
    started = time.monotonic()
    result = run_cli("index", new, "--index", index_copy, "--lock-timeout", "0")
    assert result.exit_code == 0, result.stderr  # no wait, no manual step
    assert time.monotonic() - started < 10
    assert set(indexed_articles(index_copy)) == NEWS_IDS | {"new.txt"}


# -- the stem cache ------------------------------------------------------------------------------------


def test_a_damaged_stem_cache_changes_no_answer_and_the_next_run_rewrites_it(index_copy: Path, tmp_path: Path) -> None:
    queries = ["NATO", "Gipfeltreffen", "Sicherheitsgarantien", "Garantien", "Lavrov"]

    def answers() -> list[tuple[int, list[str]]]:
        out = []
        for query in queries:
            result = run_cli("search", query, "--index", index_copy, "--json")
            assert result.exit_code == 0, result.stderr
            data = json.loads(result.stdout)
            out.append((data["total"], [hit["id"] for hit in data["hits"]]))
        return out

    before = answers()
    assert all(total for total, _ in before)
    store = index_copy / "stems.sqlite"
    store.write_bytes(b"this is no SQLite database" * 100)
    assert answers() == before
    new = tmp_path / "new.txt"
    new.write_text("Neu\nEin Artikel.\n", encoding="utf-8")
    result = run_cli("index", new, "--index", index_copy)
    assert result.exit_code == 0, result.stderr
    from index.stems import StemStore

    reopened = StemStore.open_for_reading(index_copy)
    assert reopened is not None and reopened.lookup(["nato"])
    reopened.close()
    assert answers() == before
