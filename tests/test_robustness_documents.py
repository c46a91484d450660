"""Hostile documents: a folder of broken inputs beside good ones.

Each broken input is reported once on stderr (``error: PATH: what is wrong``)
and in the JSON summary, every good article of the same run is indexed, and the
run exits 1. Nothing hangs: a pipe is not read, a 50 MB line is refused unread.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import indexed_articles, run_cli, write

import index.indexer
from index.documents import MAX_ARTICLE_CHARS

GOOD = {
    "good.txt": "Gipfel in Brüssel\n\nDie Außenminister der EU tagen.\n",
    "sub/good.md": "---\ndate: 2025-08-22\nsource: ORF\n---\n# Rutte in Kyjiw\n\nDer NATO-Generalsekretär sagt Hilfe zu.\n",
    "good.jsonl": '{"id": "j1", "title": "Sanktionen", "body": "Neues Paket."}\n{"id": "j2", "title": "Wahl", "body": "Ergebnis."}\n',
    "good.json": '[{"id": "a1", "title": "Treffen", "body": "Ein Treffen."}]',
    "good.csv": "id,title,body\nc1,Zölle,Neue Zölle.\n",
}
GOOD_IDS = {"good.txt", "sub/good.md", "j1", "j2", "a1", "c1"}
# Files that are partly good: their good records are indexed too.
PARTLY_GOOD_IDS = {"n1", "n3", "t1", "r1"}
FIFTY_MB = 50 * 2**20


def hostile_folder(root: Path) -> dict[str, str]:
    """Write good and broken inputs below ``root``; returns each expected error: place -> what it says."""
    for name, content in GOOD.items():
        write(root / name, content)
    expected = {}

    def broken(name: str, content: str | bytes, says: str, where: str | None = None) -> None:
        write(root / name, content)
        expected[where or name] = says

    broken("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" + bytes(range(256)), "binary file")
    broken("zero.txt", b"", "empty file")
    broken("zero.md", b"", "empty file")
    broken("zero.jsonl", b"", "empty file")
    broken("zero.json", b"", "empty file")
    broken("zero.csv", b"", "empty CSV file")
    broken("bad-utf8.txt", b"Titel\n\x81\x8d\x8f\x90\x9d Text", "neither UTF-8 nor cp1252")
    broken("nul.txt", b"Titel\nText\x00mit NUL", "binary file")
    broken(
        "nul.jsonl",
        b'{"id": "n1", "title": "Eins"}\n{"id": "n2", "title": "Zw\x00ei"}\n{"id": "n3", "title": "Drei"}\n',
        "contains NUL bytes",
        "nul.jsonl:2",
    )
    broken("nested.json", "[" * 100_000 + "]" * 100_000, "nested too deeply")
    broken("nested.jsonl", '{"a": ' * 100_000 + "1" + "}" * 100_000 + "\n", "nested too deeply", "nested.jsonl:1")
    broken("truncated.json", '[{"id": "x1", "title": "Abgeschn', "invalid JSON")
    broken("truncated.jsonl", '{"id": "t1", "title": "Ganz"}\n{"id": "t2", "title": "Abgeschn', "invalid JSON", "truncated.jsonl:2")
    broken("ragged.csv", "id,title,body\nr1,Gut,Text\nr2,Zu,viele,Zellen\nr3\n", "row has 4 cells", "ragged.csv:3")
    expected["ragged.csv:4"] = "row has 1 cells"
    broken("open-front-matter.md", "---\ndate: 2025-08-22\nsource: ORF\n", "no closing '---'")
    # 50 MB on one line, as a text article and as a JSON line: refused, quickly.
    with open(root / "huge.txt", "wb") as handle:
        handle.write(b"Wort " * (FIFTY_MB // 5))
    expected["huge.txt"] = "too large for one article"
    with open(root / "huge.jsonl", "wb") as handle:
        handle.write(b'{"id": "h1", "title": "Riesig", "body": "' + b"Wort " * (FIFTY_MB // 5) + b'"}')
    expected["huge.jsonl:1"] = f"longer than the {MAX_ARTICLE_CHARS:,}"
    # A link to itself, and a folder link that leads back up (not followed: no error, no duplicates).
    os.symlink("loop.txt", root / "loop.txt")
    expected["loop.txt"] = "Too many levels of symbolic links"
    os.symlink("..", root / "sub" / "up")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.txt")  # reading it would wait for ever
        expected["pipe.txt"] = "not a regular file"
    return expected


def test_each_broken_input_is_reported_once_and_the_good_ones_are_indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    expected = hostile_folder(docs)
    # A file that the walk lists and that is gone when its turn comes.
    write(docs / "zz-vanishing.txt", "Weg\nGleich gelöscht.\n")
    expected["zz-vanishing.txt"] = "No such file or directory"
    listed = index.indexer.iter_input_files

    def walk(directory: Path, **kwargs: Any) -> Iterator[Path]:
        for path in listed(directory, **kwargs):
            if path.name == "good.txt":
                (docs / "zz-vanishing.txt").unlink()
            yield path

    monkeypatch.setattr(index.indexer, "iter_input_files", walk)
    started = time.monotonic()
    result = run_cli("index", docs, "--index", tmp_path / "ix", "--json", "--procs", "1")
    seconds = time.monotonic() - started

    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout)
    reported = {error["path"]: error["error"] for error in summary["errors"]}
    assert len(summary["errors"]) == len(reported) == summary["failed"]  # each once
    assert set(reported) == set(expected)
    for place, says in expected.items():
        assert says in reported[place], (place, reported[place])
    lines = result.stderr.splitlines()
    assert sorted(lines) == sorted(f"error: {place}: {error}" for place, error in reported.items())
    assert set(indexed_articles(tmp_path / "ix")) == GOOD_IDS | PARTLY_GOOD_IDS
    assert summary["added"] == len(GOOD_IDS | PARTLY_GOOD_IDS)
    assert seconds < 30, f"the run took {seconds:.0f} s"
    print(f"\nhostile set: {len(expected)} broken inputs beside {len(GOOD)} good files")


def test_the_partly_good_files_keep_their_articles_on_the_next_run(tmp_path: Path) -> None:
    # A file read with errors is not read as "these records were removed".
    docs = tmp_path / "docs"
    write(docs / "feed.jsonl", '{"id": "f1", "title": "Eins"}\n{"id": "f2", "title": "Zwei"}\n')
    assert run_cli("index", docs, "--index", tmp_path / "ix").exit_code == 0
    write(docs / "feed.jsonl", b"")  # an export that failed before writing anything
    result = run_cli("index", docs, "--index", tmp_path / "ix")
    assert result.exit_code == 1 and result.stderr == "error: feed.jsonl: empty file\n"
    write(docs / "feed.jsonl", '{"id": "f1", "title": "Eins"}\n{"id": "f2", "title": "Zw')
    result = run_cli("index", docs, "--index", tmp_path / "ix")
    assert result.exit_code == 1 and result.stderr.startswith("error: feed.jsonl:2: invalid JSON")
    assert set(indexed_articles(tmp_path / "ix")) == {"f1", "f2"}


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs / "good.txt", GOOD["good.txt"])
    write(docs / "secret.txt", "Geheim\nText.\n").chmod(0)
    locked = docs / "locked"
    write(locked / "inside.txt", "Drinnen\nText.\n")
    locked.chmod(0)
    try:
        result = run_cli("index", docs, "--index", tmp_path / "ix")
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == [
        f"error: {locked}: Permission denied",
        "error: secret.txt: Permission denied",
    ]
    assert set(indexed_articles(tmp_path / "ix")) == {"good.txt"}
