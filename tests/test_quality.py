"""Quality gates: the compound splitter on judged words, and retrieval on judged queries.

The judged data is in tests/data/ (see the comment header of compounds.tsv and
the notes in relevance.jsonl). scripts/evaluate.py prints the same figures beside
a plain stemmed baseline; these tests only keep them from falling.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index import IndexConfig, index_paths
from searcher import Searcher
from searcher.evaluation import evaluate, load_judgements, splitter_scores

DATA = Path(__file__).parent / "data"


def test_the_compound_splitter_on_judged_words() -> None:
    scores = splitter_scores(DATA / "compounds.tsv")
    assert scores.true_positives + scores.false_negatives >= 300
    assert scores.false_positives + scores.true_negatives >= 300
    assert scores.precision >= 0.97, scores.false_splits
    assert scores.recall >= 0.95, scores.missed


@pytest.fixture(scope="module")
def standard_index(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("standard") / "ix"
    summary = index_paths(index_dir, [shared_dir / "corpus" / "10kgnad_test.jsonl"], IndexConfig())
    assert summary.added == 1028
    return index_dir


# Per kind: the least share of the relevant articles found at all, and the least MRR@10.
GATES = {
    "compound": (0.93, 0.90),
    "spelling": (0.98, 0.95),
    "alias": (0.98, 0.95),
    "inflection": (0.88, 0.90),
}


def test_judged_queries_find_what_a_german_reader_means(standard_index: Path) -> None:
    judgements = load_judgements(DATA / "relevance.jsonl")
    with Searcher(standard_index) as searcher:
        scores = evaluate(
            judgements, lambda query: [hit.id for hit in searcher.search(query, limit=1000, snippets=False).hits]
        )
    for kind, (least_recall, least_mrr) in GATES.items():
        assert scores[kind].queries >= 20
        assert scores[kind].recall >= least_recall, (kind, scores[kind].missed)
        assert scores[kind].mrr10 >= least_mrr, kind
