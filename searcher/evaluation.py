"""Measuring retrieval quality: judged queries, recall and MRR.

A relevance file is JSON lines, one judged query each::

    {"kind": "compound", "query": "Garantien", "relevant": ["id1", "id2"]}

(other keys are kept but not used here). ``tests/data/relevance.jsonl`` is
diplosearch's own set, judged on the DER STANDARD articles of 10kGNAD;
``scripts/evaluate.py`` prints the figures beside a plain stemmed baseline.

>>> mrr_at(["a", "b", "c"], {"b"}, 10), recall_at(["a", "b"], {"b", "z"}, 10)
(0.5, 0.5)
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

__all__ = [
    "Judgement",
    "KindScores",
    "SplitterScores",
    "evaluate",
    "load_judgements",
    "mrr_at",
    "recall_at",
    "splitter_scores",
]


@dataclass(frozen=True)
class Judgement:
    """A query and the ids of the articles it must find."""

    kind: str
    query: str
    relevant: frozenset[str]


def load_judgements(path: Path | str) -> list[Judgement]:
    """Read a relevance file (JSON lines with ``kind``, ``query``, ``relevant``)."""
    judgements = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                judgements.append(Judgement(record["kind"], record["query"], frozenset(record["relevant"])))
    return judgements


def mrr_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """The reciprocal rank of the first relevant id within the top ``k``, else 0."""
    wanted = set(relevant)
    for rank, doc_id in enumerate(ranked[:k], start=1):
        if doc_id in wanted:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """The share of the relevant ids that are within the top ``k``."""
    wanted = set(relevant)
    if not wanted:
        return 1.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


@dataclass
class KindScores:
    """Mean scores of the queries of one kind."""

    queries: int = 0
    mrr10: float = 0.0
    recall10: float = 0.0
    recall: float = 0.0  # within the first 1,000 hits: was it found at all?
    missed: list[tuple[str, list[str]]] = field(default_factory=list)

    def as_row(self) -> dict[str, float]:
        return {"queries": self.queries, "mrr@10": self.mrr10, "recall@10": self.recall10, "recall": self.recall}


def evaluate(judgements: Iterable[Judgement], search: Callable[[str], Sequence[str]]) -> dict[str, KindScores]:
    """Run every judged query through ``search`` (query -> ranked ids) and average per kind.

    The result also has an ``"all"`` entry over every query.
    """
    sums: dict[str, KindScores] = defaultdict(KindScores)
    for judgement in judgements:
        ranked = list(search(judgement.query))
        for kind in (judgement.kind, "all"):
            scores = sums[kind]
            scores.queries += 1
            scores.mrr10 += mrr_at(ranked, judgement.relevant, 10)
            scores.recall10 += recall_at(ranked, judgement.relevant, 10)
            scores.recall += recall_at(ranked, judgement.relevant, len(ranked))
        missing = sorted(judgement.relevant.difference(ranked))
        if missing:
            sums[judgement.kind].missed.append((judgement.query, missing))
    for scores in sums.values():
        if scores.queries:
            scores.mrr10 /= scores.queries
            scores.recall10 /= scores.queries
            scores.recall /= scores.queries
    return dict(sums)


@dataclass(frozen=True)
class SplitterScores:
    """How the compound splitter decides on judged words: split or not."""

    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    false_splits: tuple[tuple[str, tuple[str, ...]], ...]
    missed: tuple[str, ...]

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


def splitter_scores(path: Path | str) -> SplitterScores:
    """Score :func:`index.compounds.parts_of` on a judged word list.

    The file is tab-separated with a header ``word label parts`` and ``#``
    comments; ``label`` is ``compound`` or ``simple`` (``tests/data/compounds.tsv``).
    """
    from index.compounds import parts_of

    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    false_splits: list[tuple[str, tuple[str, ...]]] = []
    missed: list[str] = []
    with open(path, encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if line.strip() and not line.startswith("#")]
    for word, label, *_ in rows[1:]:
        split = parts_of(word)
        if label == "compound":
            counts["tp" if split else "fn"] += 1
            if not split:
                missed.append(word)
        else:
            counts["fp" if split else "tn"] += 1
            if split:
                false_splits.append((word, split))
    return SplitterScores(counts["tp"], counts["fp"], counts["fn"], counts["tn"], tuple(false_splits), tuple(missed))
