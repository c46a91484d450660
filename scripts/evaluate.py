#!/usr/bin/env python3
"""Retrieval quality of diplosearch's German analysis, beside a plain stemmed baseline.

In one run, on the corpora in ../shared:

1. the judged queries of tests/data/relevance.jsonl (compound parts, umlaut and
   ß spellings, aliases, inflections) over the 1,028 DER STANDARD articles of
   10kGNAD: recall and MRR@10 per kind, for
   - baseline: Whoosh with lower-casing, Snowball stop words and NLTK's German
     stemmer on one text field, BM25F (the usual German set-up);
   - folding: diplosearch without compound parts and without aliases;
   - diplosearch: everything (compound parts, aliases);
2. GermanQuAD (../shared/eval/germanquad): MRR@10 and recall@10 of the
   baseline and of diplosearch, the questions searched with any-word matching;
   diplosearch once with the same one-field layout as the baseline (the
   analysis alone compared) and once with the paragraph title as a headline;
3. what compound parts cost: index size and indexing time with and without;
4. the compound splitter on the judged words of tests/data/compounds.tsv:
   precision and recall of its decision to split.

Usage: python scripts/evaluate.py [--shared DIR] [--json FILE] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import Article, IndexConfig, Indexer, index_paths  # noqa: E402
from index.aliases import AliasTable  # noqa: E402
from searcher import Searcher  # noqa: E402
from searcher.evaluation import KindScores, evaluate, load_judgements, splitter_scores  # noqa: E402

KINDS = ("compound", "spelling", "alias", "inflection", "all")
# Characters of the query syntax: natural-language questions are searched as plain words.
_SYNTAX = re.compile(r"[\"“”„()\[\]{}^~*:!+\-?&|]")


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# -- the baseline ---------------------------------------------------------------


class Baseline:
    """Whoosh as usually set up for German: one text field, stop words, NLTK stemming, BM25F."""

    def __init__(self, directory: Path) -> None:
        from nltk.stem.snowball import GermanStemmer
        from whoosh import index
        from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
        from whoosh.fields import ID, TEXT, Schema

        stemmer = GermanStemmer()
        analyzer = RegexTokenizer() | LowercaseFilter() | StopFilter(lang="de") | StemFilter(stemfn=stemmer.stem)
        self.schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=analyzer))
        directory.mkdir(parents=True)
        self.ix = index.create_in(str(directory), self.schema)
        self.directory = directory

    def add(self, records: Sequence[tuple[str, str]]) -> float:
        started = time.perf_counter()
        with self.ix.writer(limitmb=256) as writer:
            for doc_id, text in records:
                writer.add_document(id=doc_id, text=text)
        return time.perf_counter() - started

    def searcher(self, any_terms: bool) -> Callable[[str], list[str]]:
        from whoosh.qparser import AndGroup, OrGroup, QueryParser
        from whoosh.scoring import BM25F

        parser = QueryParser("text", self.schema, group=OrGroup if any_terms else AndGroup)
        searcher = self.ix.searcher(weighting=BM25F())

        def search(query: str) -> list[str]:
            results = searcher.search(parser.parse(query), limit=1000)
            return [hit["id"] for hit in results]

        return search


# -- diplosearch ------------------------------------------------------------------


def diplosearch_search(index_dir: Path, aliases: AliasTable | None, any_terms: bool) -> Callable[[str], list[str]]:
    searcher = Searcher(index_dir, aliases=aliases)

    def search(query: str) -> list[str]:
        result = searcher.search(query, limit=1000, any_terms=any_terms, snippets=False)
        return [hit.id for hit in result.hits]

    return search


def plain(query: str) -> str:
    return " ".join(_SYNTAX.sub(" ", query.lower()).split())


# -- the parts --------------------------------------------------------------------


def judged_queries(shared: Path, work: Path, show_misses: bool) -> dict[str, object]:
    corpus = shared / "corpus" / "10kgnad_test.jsonl"
    judgements = load_judgements(ROOT / "tests" / "data" / "relevance.jsonl")
    records = []
    with open(corpus, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            records.append((record["id"], (record.get("title") or "") + "\n" + record["body"]))

    baseline = Baseline(work / "baseline")
    baseline_seconds = baseline.add(records)
    costs: dict[str, dict[str, float]] = {
        "baseline": {"seconds": baseline_seconds, "bytes": folder_size(work / "baseline")}
    }
    for name, parts in (("diplosearch", True), ("no compound parts", False)):
        target = work / name.replace(" ", "-")
        summary = index_paths(target, [corpus], IndexConfig(procs=1, compound_parts=parts))
        costs[name] = {"seconds": summary.seconds, "bytes": folder_size(target)}

    runs = {
        "baseline": baseline.searcher(any_terms=False),
        "folding": diplosearch_search(work / "no-compound-parts", AliasTable([]), any_terms=False),
        "diplosearch": diplosearch_search(work / "diplosearch", None, any_terms=False),
    }
    scores = {name: evaluate(judgements, search) for name, search in runs.items()}

    print(f"Judged queries: {len(judgements)} over {len(records):,} 10kGNAD articles")
    header = f"{'kind':<12}{'queries':>8}" + "".join(f"{name:>26}" for name in runs)
    print(header)
    print(f"{'':<20}" + "".join(f"{'recall / R@10 / MRR@10':>26}" for _ in runs))
    for kind in KINDS:
        rows = [scores[name].get(kind, KindScores()) for name in runs]
        cells = "".join(f"{s.recall:>10.3f} /{s.recall10:>6.3f} /{s.mrr10:>6.3f}" for s in rows)
        print(f"{kind:<12}{rows[0].queries:>8}{cells}")
    if show_misses:
        for kind in KINDS[:-1]:
            for query, missing in scores["diplosearch"].get(kind, KindScores()).missed:
                print(f"  missed ({kind}) {query!r}: {', '.join(missing)}")

    print()
    print("What compound parts cost (indexing in one process):")
    base = costs["no compound parts"]
    for name, cost in costs.items():
        print(
            f"  {name:<18} {cost['seconds']:6.2f} s  {cost['bytes'] / 2**20:6.2f} MiB"
            + (f"   (x{cost['seconds'] / base['seconds']:.2f} time, x{cost['bytes'] / base['bytes']:.2f} size)"
               if name != "no compound parts" else "")
        )
    return {
        "queries": len(judgements),
        "scores": {name: {kind: s.as_row() for kind, s in result.items()} for name, result in scores.items()},
        "index_cost": costs,
    }


def germanquad(shared: Path, work: Path) -> dict[str, object]:
    folder = shared / "eval" / "germanquad"
    docs = [json.loads(line) for line in open(folder / "docs.jsonl", encoding="utf-8") if line.strip()]
    queries = {}
    for line in open(folder / "queries.jsonl", encoding="utf-8"):
        if line.strip():
            record = json.loads(line)
            queries[record["id"]] = record["text"]
    qrels: dict[str, set[str]] = {}
    with open(folder / "qrels.tsv", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            qid, docid, rel = line.rstrip("\n").split("\t")
            if int(rel) > 0:
                qrels.setdefault(qid, set()).add(docid)

    baseline = Baseline(work / "gq-baseline")
    baseline.add([(d["id"], d["title"] + "\n" + d["text"]) for d in docs])
    with Indexer(work / "gq-diplosearch") as indexer:
        for d in docs:
            indexer.add(Article(id=d["id"], title=d["title"], body=d["text"]))
    # The same text in one field, as the baseline has it: the analysis alone compared.
    with Indexer(work / "gq-one-field") as indexer:
        for d in docs:
            indexer.add(Article(id=d["id"], title="", body=d["title"] + "\n" + d["text"]))

    from searcher.evaluation import Judgement

    judgements = [Judgement("germanquad", plain(text), frozenset(qrels[qid])) for qid, text in queries.items() if qid in qrels]
    results = {
        "baseline": evaluate(judgements, baseline.searcher(any_terms=True))["all"],
        "diplosearch, one field": evaluate(judgements, diplosearch_search(work / "gq-one-field", None, any_terms=True))["all"],
        "diplosearch": evaluate(judgements, diplosearch_search(work / "gq-diplosearch", None, any_terms=True))["all"],
    }
    print()
    print(f"GermanQuAD: {len(judgements):,} questions over {len(docs)} paragraphs (any-word queries)")
    for name, s in results.items():
        print(f"  {name:<24} MRR@10 {s.mrr10:.3f}   recall@10 {s.recall10:.3f}")
    print(
        "  (one field: paragraph title and text in the body, as the baseline indexes them, so only the\n"
        "  analysis differs; diplosearch: the title as a headline, weighted x2 as news headlines are)"
    )
    return {name: s.as_row() for name, s in results.items()}


def splitter(show_misses: bool) -> dict[str, object]:
    scores = splitter_scores(ROOT / "tests" / "data" / "compounds.tsv")
    print()
    print(
        f"Compound splitter on {scores.true_positives + scores.false_negatives} judged compounds and "
        f"{scores.false_positives + scores.true_negatives} judged other words:"
    )
    print(f"  precision {scores.precision:.3f}   recall {scores.recall:.3f}")
    if show_misses:
        print("  split but no compound: " + ", ".join(f"{w} ({'|'.join(p)})" for w, p in scores.false_splits))
        print("  compounds left whole: " + ", ".join(scores.missed))
    return {
        "precision": scores.precision,
        "recall": scores.recall,
        "counts": [scores.true_positives, scores.false_positives, scores.false_negatives, scores.true_negatives],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared corpora folder")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--show-misses", action="store_true", help="list the relevant articles diplosearch missed")
    args = parser.parse_args()
    if not (args.shared / "corpus" / "10kgnad_test.jsonl").is_file():
        sys.exit(f"evaluate.py: no corpora at {args.shared} (pass --shared DIR)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        figures = {
            "judged": judged_queries(args.shared, work, args.show_misses),
            "germanquad": germanquad(args.shared, work),
            "splitter": splitter(args.show_misses),
            "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
