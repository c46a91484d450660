"""The 10kGNAD test split from ../shared: real articles whose records have no title."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import indexed_articles, run_cli, stats_json


@pytest.fixture(scope="module")
def gnad_index(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Indexed once for the module: it is the slowest thing in the suite.
    corpus = shared_dir / "corpus" / "10kgnad_test.jsonl"
    index_dir = tmp_path_factory.mktemp("gnad") / "ix"
    result = run_cli("index", corpus, "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["failed"], summary["errors"]) == (1028, 0, [])
    return index_dir


def test_gnad_gives_1028_articles(gnad_index: Path) -> None:
    assert stats_json(gnad_index)["articles"] == 1028


def test_every_gnad_article_gets_its_first_sentence_as_title(shared_dir: Path, gnad_index: Path) -> None:
    records = {}
    with open(shared_dir / "corpus" / "10kgnad_test.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            records[record["id"]] = record
    assert all(record["title"] is None for record in records.values())

    articles = indexed_articles(gnad_index)
    assert set(articles) == set(records)
    for article_id, article in articles.items():
        title = article["title"]
        assert title.strip(), article_id
        # Derived from the start of the body: whole, or cut at a word with "…".
        assert records[article_id]["body"].strip().startswith(title.removesuffix("…")), article_id
        assert len(title) <= 91, article_id
