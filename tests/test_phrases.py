"""The fast exact phrases find the articles Whoosh's phrase finds, with the same scores.

Two implementations are compared with Whoosh's ``Phrase``: :class:`ExactPhrase`'s
own matcher, and the array query runner, which reads a phrase's stop words as
the stop-word pairs of the ``*_pairs`` fields.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.query import Phrase

from conftest import REPO_ROOT
from index import index_paths, open_index
from index.analysis import german_analyzer
from searcher.bulk import QueryRunner
from searcher.phrases import ExactPhrase

PHRASES = [
    "Treffen mit Putin",
    "Treffen ohne Putin",
    "in der",
    "der die das",
    "die die",
    "mit dem",
    "Außenminister Sergej Lawrow",
    "Lawrow Lawrow",
    "Frieden in der Ukraine",
    "nicht vorhanden hier",
    "Putin in",
    "sich an der",
    "in der Ukraine und",
]


def _stems(text: str) -> list[str]:
    return [token.text for token in german_analyzer()(text)]


def _matches(ix: object, query: object) -> list[tuple[int, float]]:
    with ix.searcher() as searcher:  # type: ignore[attr-defined]
        return [(hit.docnum, round(hit.score, 9)) for hit in searcher.search(query, limit=None)]


def _runner_matches(ix: object, query: object) -> list[tuple[int, float]]:
    with ix.searcher() as searcher:  # type: ignore[attr-defined]
        ids, scores = QueryRunner(searcher).run(query)
    return sorted(zip(ids.tolist(), [round(score, 9) for score in scores.tolist()]), key=lambda hit: (-hit[1], hit[0]))


def _compare(index_dir: Path, phrases: list[str]) -> int:
    ix = open_index(index_dir)
    found = 0
    try:
        for text in phrases:
            for field in ("title", "body"):
                words = _stems(text)
                expected = _matches(ix, Phrase(field, words, slop=1, boost=1.5))
                assert _matches(ix, ExactPhrase(field, words, boost=1.5)) == expected, (field, text)
                in_order = sorted(expected, key=lambda hit: (-hit[1], hit[0]))
                assert _runner_matches(ix, ExactPhrase(field, words, boost=1.5)) == in_order, (field, text)
                found += len(expected)
    finally:
        ix.close()
    return found


def test_fixture_phrases_match_as_whoosh_matches_them(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    index_paths(index_dir, [REPO_ROOT / "seeds", REPO_ROOT / "tests" / "fixtures" / "news"])
    assert _compare(index_dir, PHRASES) >= 5


def test_real_article_phrases_match_as_whoosh_matches_them(tmp_path: Path, shared_dir: Path) -> None:
    import json

    corpus = shared_dir / "corpus" / "10kgnad_test.jsonl"
    lines = corpus.read_text(encoding="utf-8").splitlines()[:200]
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    index_paths(index_dir, [sample])
    # Runs of three words as they stand in the articles, and the stop-word pairs of German prose.
    runs = []
    for line in lines[:40]:
        words = json.loads(line).get("body", "").split()[10:13]
        run = [w.strip(".,;:!?\"'()") for w in words]
        if len(_stems(" ".join(run))) >= 2:
            runs.append(" ".join(run))
    assert _compare(index_dir, runs + ["in der", "von der", "dass die", "es ist"]) >= 40


def test_a_single_word_phrase_is_the_word(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    index_paths(index_dir, [REPO_ROOT / "seeds"])
    ix = open_index(index_dir)
    try:
        assert _matches(ix, ExactPhrase("body", _stems("Lawrow"))) == _matches(ix, Phrase("body", _stems("Lawrow")))
    finally:
        ix.close()


@pytest.mark.parametrize("text", ["Treffen mit Putin"])
def test_the_cli_finds_the_phrase_only_where_the_words_stand_together(text: str, tmp_path: Path) -> None:
    from conftest import run_cli, write

    write(tmp_path / "news" / "a.txt", "Gipfel\nEs gab ein Treffen mit Putin in Moskau.")
    write(tmp_path / "news" / "b.txt", "Gipfel\nPutin kam nicht zum Treffen, mit dem keiner rechnete.")
    assert run_cli("index", tmp_path / "news", "--index", tmp_path / "ix", "-q").exit_code == 0
    result = run_cli("search", f'"{text}"', "--index", tmp_path / "ix", "--format", "plain")
    assert result.exit_code == 0, result.stderr
    assert "a.txt" in result.stdout and "b.txt" not in result.stdout
