"""Related articles: ``diplosearch similar ID`` and ``Searcher.similar`` (issue 7).

In tests/analyst_corpus.py three articles share the vocabulary of the grain
deal (freighters, Odessa, wheat, the Bosporus) that no other article uses: for
each of them, the two others are the most similar.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

import pytest

from analyst_corpus import GRAIN, RECORDS, build_index
from conftest import run_cli
from searcher import ArticleNotFound, Searcher


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("similar"))


@pytest.fixture(scope="module")
def searcher(corpus_index: Path) -> Iterator[Searcher]:
    with Searcher(corpus_index) as opened:
        yield opened


@pytest.mark.parametrize("article", [r.id for r in GRAIN])
def test_the_articles_of_the_same_story_come_first(searcher: Searcher, article: str) -> None:
    result = searcher.similar(article, limit=len(RECORDS))
    ranked = [hit.id for hit in result.hits]
    assert article not in ranked
    assert set(ranked[:2]) == {r.id for r in GRAIN} - {article}
    assert [hit.rank for hit in result.hits] == list(range(1, len(ranked) + 1))
    assert result.total == len(ranked)


def test_the_key_terms_are_the_query_and_are_marked(searcher: Searcher) -> None:
    result = searcher.similar("g1", limit=2)
    key_words = result.query.split()
    assert {"Frachter", "Odessa", "Getreideabkommen", "Bosporus"} <= set(key_words)
    assert "die" not in [w.lower() for w in key_words]  # no stop words
    marked = {s.text[a:b] for hit in result.hits for s in hit.snippets for a, b in s.spans}
    assert {"Frachter", "Odessa"} <= marked
    assert not marked & {"die", "der", "das", "und", "mit"}


def test_paging_and_unknown_ids(searcher: Searcher) -> None:
    everything = [hit.id for hit in searcher.similar("n1", limit=100).hits]
    second = [hit.id for hit in searcher.similar("n1", limit=2, page=2).hits]
    assert second == everything[2:4]
    with pytest.raises(ArticleNotFound, match="'nope'"):
        searcher.similar("nope")


def test_cli_json_is_the_object_of_search(corpus_index: Path) -> None:
    result = run_cli("similar", "g2", "--index", corpus_index, "--limit", "2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    searched = json.loads(run_cli("search", "Odessa", "--index", corpus_index, "--json").stdout)
    assert set(data) == set(searched)
    assert set(data["hits"][0]) == set(searched["hits"][0])
    assert {hit["id"] for hit in data["hits"]} == {"g1", "g3"}


def test_cli_plain_says_what_it_compared(corpus_index: Path) -> None:
    result = run_cli("similar", "g3", "--index", corpus_index, "-n", "2", "--format", "plain")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"\d+ articles like 'g3' \(\d+ ms\), page 1 of \d+", lines[0]), lines[0]
    assert lines[1].startswith("key terms: ") and "Odessa" in lines[1].split()
    titles = [line.split(". ", 1)[1] for line in lines if line[:2] in ("1.", "2.")]
    assert set(titles) == {r.title for r in GRAIN if r.id != "g3"}


def test_cli_unknown_id_exits_1(corpus_index: Path) -> None:
    result = run_cli("similar", "nope", "--index", corpus_index)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == f"Error: no article with id 'nope' in {corpus_index}"
