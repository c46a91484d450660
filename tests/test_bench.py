"""The benchmark script as someone measuring a large corpus runs it: indexing only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

ARTICLES = [
    {"id": f"a{n}", "title": f"Außenminister trifft Amtskollegen {n}", "body": "Lawrow sprach in Wien über die Ukraine. " * (n + 1)}
    for n in range(12)
]


def test_an_index_only_run_reports_the_indexing_figures(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(article, ensure_ascii=False) + "\n" for article in ARTICLES), encoding="utf-8")
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "bench.py"), "--corpus", str(corpus), "--engines", "diplosearch",
         "--index-only", "--workdir", str(tmp_path / "work"), "--json", str(report)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout.splitlines()
    header = next(line for line in table if line.startswith("| engine"))
    assert "articles/s" in header and "peak memory, MB" in header and "index ÷ text" in header
    row = next(line for line in table if line.startswith("| diplosearch"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert float(cells[1].replace(",", "")) > 0  # articles/s
    assert float(cells[3].replace(",", "")) > 0  # peak memory
    assert "queries" not in done.stderr  # no query load was run
    document = json.loads(report.read_text(encoding="utf-8"))
    indexed = document["results"]["diplosearch"]
    assert indexed["index"]["added"] == len(ARTICLES)
    assert indexed["reindex"]["unchanged"] == len(ARTICLES)
    assert indexed["index_bytes"] > 0
    assert document["corpus"]["articles"] == len(ARTICLES)


def test_index_sizes_accounts_for_every_byte_of_the_index(tmp_path: Path) -> None:
    from index import Article, Indexer

    index_dir = tmp_path / "ix"
    with Indexer(index_dir) as indexer:
        for article in ARTICLES:
            indexer.add(Article(id=article["id"], title=article["title"], body=article["body"]))
    report = tmp_path / "sizes.json"
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "index_sizes.py"), str(index_dir), "--json", str(report)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "| body " in done.stdout and "| .pst " in done.stdout
    figures = json.loads(report.read_text(encoding="utf-8"))
    on_disk = sum(path.stat().st_size for path in index_dir.rglob("*") if path.is_file())
    assert sum(figures["files"].values()) == on_disk
    assert figures["fields"]["body"]["terms"] >= len({"lawrow", "sprach", "wien", "ukrain"})
    # Each article has its own id: one term entry per article.
    assert figures["fields"]["id"]["terms"] == len(ARTICLES)


def test_index_sizes_of_no_index_is_one_error_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "index_sizes.py"), str(tmp_path / "nowhere")],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot read the index at ")
    assert done.stderr.count("\n") == 1
