#!/usr/bin/env python3
"""diplosearch side by side with SQLite FTS5 and tantivy, on one corpus and one query mix.

In one run, on the same synthetic German news corpus (``scripts/make_corpus.py``)
and the same queries, for each engine:

- indexing: articles per second (timed around the indexing call, without
  the interpreter's start), index size on disk, and the peak memory of the
  indexing: the PSS of all its processes added up, sampled every 0.1 s (the
  JSON also has the largest single process's ``ru_maxrss``, which includes
  the size of this process when the child started, about 25 MB);
  diplosearch with its default settings (two processes on two or more cores);
- an incremental re-index with nothing changed (diplosearch only: the peers
  have no such run);
- query latency, p50 / p95 / p99 per query type, in process, warm, top 10
  with the total count: a frequent word, a rare word, two words with AND, two
  with OR, a phrase, a prefix, a word in the headline (``title:``), a word
  within a date range; each engine once without and once with highlighted
  snippets for the 10 hits (diplosearch ``snippets=False`` / ``True``; SQLite
  ``snippet()``; tantivy ``SnippetGenerator``);
- the memory (RSS) of the process that ran the queries, with the index still
  open;
- a new process's search: ``diplosearch search QUERY --index DIR --format
  json`` as a command, and for the peers a ``python -c`` that opens the index,
  searches, makes snippets and prints JSON; the median wall time of N runs.

The queries are made from the corpus with the seed, so every engine and every
run gets the same ones; the JSON output records them, as each engine's syntax.
Each query runs once or twice untimed, then in several timed rounds, the types
mixed in a new order each round (a cache of whole results would make these
repeats measure the cache). Each engine's indexing and query load, and the
making of the queries, run in a fresh process of their own, so that they
neither share memory nor warm each other's caches; this process only starts
them, samples their memory and reports.

The engines, configured as their users usually would:

- diplosearch: ``index_paths(dir, [corpus], IndexConfig())``, ``Searcher(dir)``.
- SQLite FTS5 (the standard library's ``sqlite3``): an ``articles`` table with
  title, body, date, source and category, an index on ``date`` for ranges, and
  an external-content FTS5 table over title and body with the ``unicode61
  remove_diacritics 2`` tokenizer (no stemming: FTS5 has no German stemmer);
  ranked by ``bm25(fts, 2.0, 1.0)`` (a headline match counts twice, as in
  diplosearch).
- tantivy (``pip install tantivy``, or the ``bench`` extra; skipped with a note
  when it is not installed): title and body with a ``de_stem`` analyzer
  (simple tokenizer, lower case, tantivy's German Snowball stemmer), the date
  as a fast date field, the headline boosted twice; the writer's defaults
  (128 MB, as many threads as cores); a prefix is a regular expression over
  the terms of title and body.

Usage::

    python scripts/bench.py --quick                  # 10,000 articles, a quick look
    python scripts/bench.py                          # 100,000 articles
    python scripts/bench.py --articles 1000000 --engines diplosearch --index-only
    python scripts/bench.py --corpus corpus.jsonl    # an existing corpus

Run it with the project's virtual environment (``.venv/bin/python``), where
diplosearch is installed. The machine is shared and its timings are noisy:
compare the ratios within one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import random
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn, Sequence

# The worker processes run this file too, and the memory of a process with an index open is one of the
# figures: modules that only the parent needs (hashlib, sqlite3, subprocess, ...) are imported where they
# are used, so that every worker starts from the same small interpreter.

ROOT = Path(__file__).resolve().parents[1]

ENGINES = ("diplosearch", "sqlite", "tantivy")
LABELS = {"diplosearch": "diplosearch", "sqlite": "SQLite FTS5", "tantivy": "tantivy"}
QUERY_TYPES = {
    "frequent": "frequent term",
    "rare": "rare term",
    "and": "two-word AND",
    "or": "two-word OR",
    "phrase": "phrase",
    "prefix": "prefix",
    "field": "field (title:)",
    "date": "term + date range",
}
TOP = 10


class Settings:
    """How much of everything: the full run, or ``--quick``."""

    def __init__(self, quick: bool) -> None:
        self.articles = 10_000 if quick else 100_000
        self.queries_per_type = 6 if quick else 25
        self.warmup_rounds = 1 if quick else 2
        self.timed_rounds = 3 if quick else 10
        self.oneshot_runs = 5 if quick else 20
        self.vocabulary_sample = 3_000 if quick else 10_000

    def to_json(self) -> dict[str, int]:
        return dict(vars(self))


class BenchError(Exception):
    """A failure that ends the run with one line on stderr."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the corpus -------------------------------------------------------------------


def read_corpus(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise BenchError(f"{path}:{number} is not JSON ({exc})") from None
                yield record


def corpus_facts(path: Path) -> dict[str, Any]:
    """Count the articles and the bytes of text they have to index (headline and body)."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    articles = text_bytes = 0
    for record in read_corpus(path):
        articles += 1
        text_bytes += len((record.get("title") or "").encode("utf-8")) + len((record.get("body") or "").encode("utf-8"))
    if not articles:
        raise BenchError(f"{path} holds no articles")
    return {"path": str(path), "articles": articles, "text_bytes": text_bytes, "file_bytes": path.stat().st_size, "sha256": digest.hexdigest()}


# -- the queries ------------------------------------------------------------------

_WORD_EDGE = "\"'„“”‚‘’»«()[]{}.,;:!?–-…/"
_OPERATORS = {"and", "or", "not", "und", "oder", "nicht", "near", "to"}


def _clean_word(token: str) -> str | None:
    word = token.strip(_WORD_EDGE)
    if len(word) >= 4 and word.isalpha() and not word.isupper():
        return word
    return None


def _stopword_test() -> Callable[[str], bool]:
    """diplosearch's own test (it folds: ``hätten`` is ``hatten``), else its stop list as Whoosh ships it."""
    try:
        from index.analysis import is_stopword
    except ImportError:
        from whoosh.lang.stopwords import stoplists

        words = set(stoplists["de"])
        return lambda word: word in words or word in _OPERATORS
    return lambda word: is_stopword(word) or word in _OPERATORS


def build_queries(corpus: Path, seed: int, per_type: int, sample: int) -> list[dict[str, Any]]:
    """The query mix: ``per_type`` queries of each type, made from the first ``sample`` articles.

    Words are whole alphabetic words of four letters or more, not stop words
    and not operators in any engine's syntax; phrases are runs of two or three
    such words as they stand in a sentence, so each phrase occurs at least once.
    """
    is_stop = _stopword_test()
    rng = random.Random(seed)
    df: collections.Counter[str] = collections.Counter()
    title_df: collections.Counter[str] = collections.Counter()
    forms: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    doc_words: list[list[str]] = []
    bodies: list[str] = []
    for number, record in enumerate(read_corpus(corpus)):
        if number >= sample:
            break
        body = record.get("body") or ""
        seen: set[str] = set()
        for token in body.split():
            word = _clean_word(token)
            if word and not is_stop(word.lower()):
                seen.add(word.lower())
                forms[word.lower()][word] += 1
        df.update(seen)
        doc_words.append(sorted(seen))
        bodies.append(body)
        title_df.update({w.lower() for t in (record.get("title") or "").split() if (w := _clean_word(t)) and not is_stop(w.lower())})

    def surface(word: str) -> str:
        return forms[word].most_common(1)[0][0] if word in forms else word

    ranked = [word for word, _ in sorted(df.items(), key=lambda item: (-item[1], item[0]))]
    if len(ranked) < 500:
        raise BenchError(f"the corpus is too small to make queries from ({len(ranked)} words)")
    frequent = ranked[:150]
    middle = ranked[150:3000]
    middle_set = set(middle)
    rare = sorted(word for word, count in df.items() if count == 1 and len(word) >= 6)
    titles = [word for word, _ in sorted(title_df.items(), key=lambda item: (-item[1], item[0]))][:200]
    prefixable = [word for word in middle if len(word) >= 7 and re.fullmatch(r"[a-z]+", word)]

    def pick(pool: Sequence[str], count: int) -> list[str]:
        return rng.sample(list(pool), min(count, len(pool)))

    queries: list[dict[str, Any]] = []
    for word in pick(frequent, per_type):
        queries.append({"type": "frequent", "words": [surface(word)]})
    for word in pick(rare, per_type):
        queries.append({"type": "rare", "words": [surface(word)]})
    made = 0
    while made < per_type:  # two words that occur together in some article
        words = [word for word in doc_words[rng.randrange(len(doc_words))] if word in middle_set]
        if len(words) >= 2:
            queries.append({"type": "and", "words": [surface(word) for word in rng.sample(words, 2)]})
            made += 1
    for _ in range(per_type):
        queries.append({"type": "or", "words": [surface(word) for word in rng.sample(middle, 2)]})
    made = 0
    while made < per_type:
        tokens = bodies[rng.randrange(len(bodies))].split()
        length = rng.choice((2, 3))
        if len(tokens) <= length:
            continue
        at = rng.randrange(len(tokens) - length)
        run = tokens[at : at + length]
        # Words exactly as written, with no punctuation inside the run and at most a full stop at its end.
        run[-1] = run[-1].rstrip(".,")
        if all(t.isalpha() and not t.isupper() for t in run) and any(not is_stop(t.lower()) for t in run):
            queries.append({"type": "phrase", "words": run})
            made += 1
    for word in pick(prefixable, per_type):
        queries.append({"type": "prefix", "words": [word[:5]]})
    for word in pick(titles, per_type):
        queries.append({"type": "field", "words": [surface(word)]})
    first = dt.date(2015, 1, 1)
    for word in pick(frequent + middle[:500], per_type):
        start = first + dt.timedelta(days=rng.randrange(3287))  # ends by 2024
        end = start + dt.timedelta(days=rng.randrange(30, 366))
        queries.append({"type": "date", "words": [surface(word)], "dates": [start.isoformat(), end.isoformat()]})
    for number, query in enumerate(queries):
        query["n"] = number
        query["diplosearch"] = to_diplosearch(query)
        query["sqlite"] = to_sqlite(query)
        query["tantivy"] = to_tantivy(query)
    return queries


def to_diplosearch(query: dict[str, Any]) -> str:
    kind, words = query["type"], query["words"]
    if kind == "and":
        return f"{words[0]} AND {words[1]}"
    if kind == "or":
        return f"{words[0]} OR {words[1]}"
    if kind == "phrase":
        return '"' + " ".join(words) + '"'
    if kind == "prefix":
        return f"{words[0]}*"
    if kind == "field":
        return f"title:{words[0]}"
    if kind == "date":
        return f"{words[0]} date:[{query['dates'][0]} TO {query['dates'][1]}]"
    return str(words[0])


def to_sqlite(query: dict[str, Any]) -> dict[str, Any]:
    """An FTS5 MATCH expression, and the date range that goes into SQL beside it."""
    kind, words = query["type"], query["words"]
    quoted = [f'"{word}"' for word in words]
    match = {
        "and": f"{quoted[0]} AND {quoted[-1]}",
        "or": f"{quoted[0]} OR {quoted[-1]}",
        "phrase": '"' + " ".join(words) + '"',
        "prefix": f"{words[0]}*",
        "field": f"title : {quoted[0]}",
    }.get(kind, quoted[0])
    return {"match": match, "dates": query.get("dates")}


def to_tantivy(query: dict[str, Any]) -> str:
    kind, words = query["type"], query["words"]
    if kind == "prefix":
        # A prefix of the indexed terms: a regular expression over the term dictionary of each field.
        return f"title:/{words[0]}.*/ OR body:/{words[0]}.*/"
    if kind == "date":
        start, end = query["dates"]
        return f"{words[0]} AND date:[{start}T00:00:00Z TO {end}T23:59:59Z]"
    return to_diplosearch(query)


# -- the engines (used in the worker processes) ------------------------------------


class Engine:
    name = ""

    def build(self, corpus: Path, directory: Path) -> dict[str, Any]:
        raise NotImplementedError

    def open(self, directory: Path) -> None:
        raise NotImplementedError

    def search(self, query: dict[str, Any], snippets: bool) -> tuple[int, list[str]]:
        """Top 10 ids, with the total count; with ``snippets``, highlighted snippets for the 10."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class Diplosearch(Engine):
    name = "diplosearch"

    def build(self, corpus: Path, directory: Path) -> dict[str, Any]:
        from index import IndexConfig, index_paths

        started = time.perf_counter()
        summary = index_paths(directory, [corpus], IndexConfig())
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "added": summary.added, "unchanged": summary.unchanged, "failed": summary.failed}

    def open(self, directory: Path) -> None:
        from searcher import Searcher

        self.searcher = Searcher(directory)

    def search(self, query: dict[str, Any], snippets: bool) -> tuple[int, list[str]]:
        result = self.searcher.search(query["diplosearch"], limit=TOP, snippets=snippets)
        if snippets:
            for hit in result.hits:
                hit.snippets  # noqa: B018 - computed with the hit; read as a caller would
        return result.total, [hit.id for hit in result.hits]

    def close(self) -> None:
        self.searcher.close()


_SQLITE_SCHEMA = """
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, title TEXT, body TEXT, date TEXT, source TEXT, category TEXT
);
CREATE VIRTUAL TABLE fts USING fts5(
    title, body, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
"""


def _sqlite_sql(dates: Any, snippets: bool) -> tuple[str, str]:
    where = "fts MATCH ?" + (" AND a.date BETWEEN ? AND ?" if dates else "")
    snippet = ", snippet(fts, 1, '[', ']', '…', 16)" if snippets else ""
    top = (
        f"SELECT a.id, a.title, a.date{snippet} FROM fts JOIN articles a ON a.rowid = fts.rowid "
        f"WHERE {where} ORDER BY bm25(fts, 2.0, 1.0) LIMIT {TOP}"
    )
    count = f"SELECT count(*) FROM fts JOIN articles a ON a.rowid = fts.rowid WHERE {where}"
    return top, count


class SQLiteFTS5(Engine):
    name = "sqlite"

    def build(self, corpus: Path, directory: Path) -> dict[str, Any]:
        import sqlite3

        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        con = sqlite3.connect(directory / "fts.db")
        con.executescript(_SQLITE_SCHEMA)
        rows = (
            (r["id"], r.get("title") or "", r.get("body") or "", r.get("date"), r.get("source"), r.get("category"))
            for r in read_corpus(corpus)
        )
        with con:
            added = 0
            for row in rows:
                cursor = con.execute("INSERT INTO articles (id, title, body, date, source, category) VALUES (?, ?, ?, ?, ?, ?)", row)
                con.execute("INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)", (cursor.lastrowid, row[1], row[2]))
                added += 1
            con.execute("CREATE INDEX articles_date ON articles (date)")
            con.execute("CREATE UNIQUE INDEX articles_id ON articles (id)")
        con.close()
        return {"seconds": time.perf_counter() - started, "added": added, "failed": 0}

    def open(self, directory: Path) -> None:
        import sqlite3

        self.con = sqlite3.connect(directory / "fts.db")

    def search(self, query: dict[str, Any], snippets: bool) -> tuple[int, list[str]]:
        spec = query["sqlite"]
        params = [spec["match"], *(spec["dates"] or [])]
        top, count = _sqlite_sql(spec["dates"], snippets)
        rows = self.con.execute(top, params).fetchall()
        total = self.con.execute(count, params).fetchone()[0]
        return total, [row[0] for row in rows]

    def close(self) -> None:
        self.con.close()


def _tantivy_index(directory: Path, create: bool) -> Any:
    import tantivy

    if create:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="de_stem")
        builder.add_text_field("body", stored=True, tokenizer_name="de_stem")
        builder.add_date_field("date", stored=True, indexed=True, fast=True)
        builder.add_text_field("source", stored=True, tokenizer_name="raw")
        builder.add_text_field("category", stored=True, tokenizer_name="raw")
        directory.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(builder.build(), path=str(directory))
    else:
        index = tantivy.Index.open(str(directory))
    # Analyzers are not stored in the index: register the German one on every open.
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("german"))
        .build()
    )
    index.register_tokenizer("de_stem", analyzer)
    return index


class Tantivy(Engine):
    name = "tantivy"

    def build(self, corpus: Path, directory: Path) -> dict[str, Any]:
        import tantivy

        started = time.perf_counter()
        index = _tantivy_index(directory, create=True)
        writer = index.writer()
        added = 0
        for r in read_corpus(corpus):
            doc = tantivy.Document(id=r["id"], title=r.get("title") or "", body=r.get("body") or "")
            if r.get("date"):
                doc.add_date("date", dt.datetime.fromisoformat(r["date"]).replace(tzinfo=dt.timezone.utc))
            for key in ("source", "category"):
                if r.get(key):
                    doc.add_text(key, r[key])
            writer.add_document(doc)
            added += 1
        writer.commit()
        writer.wait_merging_threads()
        return {"seconds": time.perf_counter() - started, "added": added, "failed": 0}

    def open(self, directory: Path) -> None:
        self.index = _tantivy_index(directory, create=False)
        self.searcher = self.index.searcher()
        self.schema = self.index.schema

    def search(self, query: dict[str, Any], snippets: bool) -> tuple[int, list[str]]:
        import tantivy

        parsed = self.index.parse_query(query["tantivy"], ["title", "body"], field_boosts={"title": 2.0}, allow_regexes=True)
        result = self.searcher.search(parsed, TOP, count=True)
        docs = [self.searcher.doc(address) for _, address in result.hits]
        if snippets and docs:
            generator = tantivy.SnippetGenerator.create(self.searcher, parsed, self.schema, "body")
            for doc in docs:
                snippet = generator.snippet_from_doc(doc)
                snippet.fragment(), snippet.highlighted()
        return result.count, [doc.get_first("id") for doc in docs]


ENGINE_CLASSES: dict[str, Callable[[], Engine]] = {"diplosearch": Diplosearch, "sqlite": SQLiteFTS5, "tantivy": Tantivy}


# -- a new process's search: the one-shot programs ------------------------------------

_SQLITE_ONESHOT = """
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
match, dates = sys.argv[2], json.loads(sys.argv[3])
where = "fts MATCH ?" + (" AND a.date BETWEEN ? AND ?" if dates else "")
params = [match, *(dates or [])]
rows = con.execute("SELECT a.id, a.title, a.date, a.source, snippet(fts, 1, '[', ']', '…', 16), bm25(fts, 2.0, 1.0) "
                   "FROM fts JOIN articles a ON a.rowid = fts.rowid WHERE " + where + " ORDER BY bm25(fts, 2.0, 1.0) LIMIT 10", params).fetchall()
total = con.execute("SELECT count(*) FROM fts JOIN articles a ON a.rowid = fts.rowid WHERE " + where, params).fetchone()[0]
print(json.dumps({"total": total, "hits": [dict(zip(("id", "title", "date", "source", "snippet", "score"), row)) for row in rows]}, ensure_ascii=False))
"""

_TANTIVY_ONESHOT = """
import json, sys, tantivy
index = tantivy.Index.open(sys.argv[1])
index.register_tokenizer("de_stem", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
                         .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("german")).build())
searcher = index.searcher()
query = index.parse_query(sys.argv[2], ["title", "body"], field_boosts={"title": 2.0}, allow_regexes=True)
result = searcher.search(query, 10, count=True)
snippets = tantivy.SnippetGenerator.create(searcher, query, index.schema, "body")
hits = []
for score, address in result.hits:
    doc = searcher.doc(address)
    snippet = snippets.snippet_from_doc(doc)
    hits.append({"id": doc.get_first("id"), "title": doc.get_first("title"), "score": score,
                 "snippet": snippet.fragment(), "spans": [[r.start, r.end] for r in snippet.highlighted()]})
print(json.dumps({"total": result.count, "hits": hits}, ensure_ascii=False, default=str))
"""


def diplosearch_command() -> list[str]:
    """The installed ``diplosearch`` console script beside this interpreter (else on PATH)."""
    import shutil

    beside = Path(sys.executable).parent / "diplosearch"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("diplosearch")
    if found:
        return [found]
    raise BenchError("the 'diplosearch' command is not installed; run with the project's .venv/bin/python")


def oneshot_argv(engine: str, directory: Path, query: dict[str, Any]) -> list[str]:
    if engine == "diplosearch":
        return [*diplosearch_command(), "search", query["diplosearch"], "--index", str(directory), "--format", "json"]
    if engine == "sqlite":
        return [sys.executable, "-c", _SQLITE_ONESHOT, str(directory / "fts.db"), query["sqlite"]["match"], json.dumps(query["sqlite"]["dates"])]
    return [sys.executable, "-c", _TANTIVY_ONESHOT, str(directory), query["tantivy"]]


# -- the worker: what runs in a fresh process ----------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0..1) quantile, interpolated between the two nearest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def worker(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    engine = ENGINE_CLASSES[spec["engine"]]()
    directory = Path(spec["directory"])
    result: dict[str, Any] = {}
    if spec["task"] == "queries":
        # Here rather than in the parent, which must stay small: a child's peak RSS as the kernel
        # reports it includes the parent's size at the moment it was started.
        result["queries"] = build_queries(Path(spec["corpus"]), spec["seed"], spec["per_type"], spec["sample"])
    elif spec["task"] in ("index", "reindex"):
        result = engine.build(Path(spec["corpus"]), directory)
    elif spec["task"] == "query":
        queries = spec["queries"]
        started = time.perf_counter()
        engine.open(directory)
        result["open_ms"] = (time.perf_counter() - started) * 1000
        totals: dict[int, int] = {}
        failed: dict[int, str] = {}
        for _ in range(spec["warmup_rounds"]):
            for query in queries:
                if query["n"] in failed:
                    continue
                try:
                    totals[query["n"]], _ids = engine.search(query, snippets=False)
                    engine.search(query, snippets=True)
                except Exception as exc:  # noqa: BLE001 - any engine's refusal: reported, and the query left out
                    failed[query["n"]] = f"{type(exc).__name__}: {exc}"
        queries = [query for query in queries if query["n"] not in failed]
        timings: dict[str, dict[str, list[float]]] = {"plain": collections.defaultdict(list), "snippets": collections.defaultdict(list)}
        rng = random.Random(spec["seed"])
        clock = time.perf_counter
        for round_number in range(spec["timed_rounds"]):
            order = list(queries)
            rng.shuffle(order)  # a mixed load: the types interleaved, in a new order each round
            # Which of the two runs of a query comes first alternates, so neither always finds the other's warm caches.
            modes = (False, True) if round_number % 2 == 0 else (True, False)
            for query in order:
                for snippets in modes:
                    begin = clock()
                    engine.search(query, snippets=snippets)
                    timings["snippets" if snippets else "plain"][query["type"]].append((clock() - begin) * 1000)
        result["latency_ms"] = timings
        result["totals"] = totals
        result["failed"] = failed
        result["rss_kb"] = _status_kb("VmRSS")
        result["hwm_kb"] = _status_kb("VmHWM")
        engine.close()
    elif spec["task"] == "baseline":
        result["rss_kb"] = _status_kb("VmRSS")
    result["self_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["children_maxrss_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


# -- running workers and sampling their memory ----------------------------------------


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (a forked worker's) divided among their processes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Workdir:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.counter = 0

    def run(self, spec: dict[str, Any], sample_memory: bool = False) -> dict[str, Any]:
        """Run one task in a fresh process of this script; return what it reported."""
        import subprocess

        self.counter += 1
        spec_path = self.path / f"task-{self.counter}.json"
        spec["result"] = str(self.path / f"task-{self.counter}.result.json")
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        log_path = self.path / f"task-{self.counter}.log"
        peak = 0
        started = time.perf_counter()
        with log_path.open("wb") as log:
            process = subprocess.Popen([sys.executable, __file__, "--worker", str(spec_path)], stdout=log, stderr=log, cwd=ROOT)
            try:
                while process.poll() is None:
                    if sample_memory:
                        peak = max(peak, sum(_pss_kb(pid) for pid in _process_tree(process.pid)))
                    time.sleep(0.1)
            except BaseException:
                process.kill()
                process.wait()
                raise
        wall = time.perf_counter() - started
        if process.returncode != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
            raise BenchError(f"{spec['engine']} {spec['task']} failed (exit {process.returncode}): " + " | ".join(tail))
        result = json.loads(Path(spec["result"]).read_text(encoding="utf-8"))
        result["process_wall_s"] = wall
        if sample_memory:
            result["peak_pss_kb"] = peak
        return result


def folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def compile_modules() -> None:
    """Compile diplosearch's modules, as an installed package has them.

    An editable install compiles nothing, and where PYTHONDONTWRITEBYTECODE is
    set a module edited since the last compile would be compiled again at every
    start, which the new-process timing would count.
    """
    import compileall

    for package in ("index", "searcher"):
        compileall.compile_dir(str(ROOT / package), quiet=2)


def oneshot(argv: list[str], runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Median wall time of ``runs`` new processes (after one untimed run that also checks the output)."""
    import shlex
    import statistics
    import subprocess

    first = subprocess.run(argv, capture_output=True, env=env, cwd=ROOT)
    if first.returncode != 0:
        raise BenchError(f"{shlex.join(argv[:3])} ... failed (exit {first.returncode}): {first.stderr.decode(errors='replace').strip()[-300:]}")
    total = json.loads(first.stdout)["total"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "runs_ms": times, "total": total}


# -- the report ----------------------------------------------------------------------


def versions(have_tantivy: bool) -> dict[str, str | None]:
    import importlib.metadata
    import platform
    import sqlite3

    def installed(name: str) -> str | None:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        "diplosearch": installed("diplosearch"),
        "whoosh": installed("whoosh3") or installed("Whoosh"),
        "nltk": installed("nltk"),
        "sqlite": sqlite3.sqlite_version,
        "tantivy": installed("tantivy") if have_tantivy else None,
    }


def machine() -> dict[str, Any]:
    import platform

    memory = None
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            memory = round(int(meminfo.readline().split()[1]) / 1024**2, 1)
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or None
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count(), "memory_gib": memory}


def git_state() -> dict[str, Any]:
    import subprocess

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "modified": bool(status) if status is not None else None}


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}{unit}"
    if value >= 10:
        return f"{value:.1f}{unit}"
    return f"{value:.2f}{unit}"


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "-"
    ratio = ours / theirs
    return f"×{ratio:,.0f}" if ratio >= 100 else f"×{ratio:.1f}" if ratio >= 10 else f"×{ratio:.2f}"


def summarise(engine_results: dict[str, dict[str, Any]], facts: dict[str, Any], queries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The figures of the table, per engine: name -> metric -> value (None where not measured)."""
    import statistics

    figures: dict[str, dict[str, Any]] = {}
    for engine, result in engine_results.items():
        row: dict[str, Any] = {}
        indexing = result["index"]
        row["index_articles_per_s"] = facts["articles"] / indexing["seconds"]
        row["index_seconds"] = indexing["seconds"]
        row["index_peak_mb"] = indexing["peak_pss_kb"] / 1024
        row["index_largest_process_mb"] = max(indexing["self_maxrss_kb"], indexing["children_maxrss_kb"]) / 1024
        row["index_size_mb"] = result["index_bytes"] / 1e6
        row["index_size_to_text"] = result["index_bytes"] / facts["text_bytes"]
        row["reindex_s"] = result["reindex"]["seconds"] if "reindex" in result else None
        query = result["query"]
        for mode in ("plain", "snippets"):
            everything: list[float] = []
            for kind in QUERY_TYPES:
                values = query["latency_ms"][mode].get(kind, [])
                everything += values
                if values:
                    row[f"{mode}:{kind}"] = [percentile(values, p) for p in (0.5, 0.95, 0.99)]
            row[f"{mode}:all"] = [percentile(everything, p) for p in (0.5, 0.95, 0.99)]
        row["open_ms"] = query["open_ms"]
        row["search_process_mb"] = query["rss_kb"] / 1024
        row["oneshot_ms"] = result["oneshot"]["median_ms"]
        row["mean_total"] = statistics.mean(query["totals"].values()) if query["totals"] else None
        for kind in QUERY_TYPES:
            counts = [query["totals"][str(q["n"])] for q in queries if q["type"] == kind and str(q["n"]) in query["totals"]]
            row[f"mean_total:{kind}"] = statistics.mean(counts) if counts else None
            row[f"zero_hits:{kind}"] = sum(1 for count in counts if count == 0)
        figures[engine] = row
    return figures


def ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """diplosearch's figure divided by a peer's, metric by metric (element by element for percentiles)."""

    def divide(a: Any, b: Any) -> Any:
        if isinstance(a, list) and isinstance(b, list):
            return [divide(x, y) for x, y in zip(a, b)]
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
            return a / b
        return None

    return {key: divide(value, theirs.get(key)) for key, value in ours.items()}


def _triple(values: list[float] | None) -> str:
    return " / ".join(_fmt(v) for v in values) if values else "-"


def _triple_ratio(ours: list[float] | None, theirs: list[float] | None) -> str:
    if not ours or not theirs:
        return "-"
    return " / ".join(_ratio(a, b) for a, b in zip(ours, theirs))


def table(figures: dict[str, dict[str, Any]], facts: dict[str, Any]) -> str:
    from tabulate import tabulate

    peers = [engine for engine in ("sqlite", "tantivy") if engine in figures]
    ours = figures["diplosearch"]
    headers = ["metric", "diplosearch"]
    for peer in peers:
        headers += [LABELS[peer], f"ratio to {LABELS[peer]}"]
    rows: list[list[str]] = []

    def single(label: str, key: str, unit: str = "") -> None:
        row = [label, _fmt(ours.get(key), unit)]
        for peer in peers:
            row += [_fmt(figures[peer].get(key), unit), _ratio(ours.get(key), figures[peer].get(key))]
        rows.append(row)

    def triple(label: str, key: str) -> None:
        row = [label, _triple(ours.get(key))]
        for peer in peers:
            row += [_triple(figures[peer].get(key)), _triple_ratio(ours.get(key), figures[peer].get(key))]
        rows.append(row)

    single("indexing, articles/s (higher is better)", "index_articles_per_s")
    single("indexing, peak memory of all its processes, MB", "index_peak_mb")
    single("index size on disk, MB", "index_size_mb")
    single(f"index size ÷ text indexed ({facts['text_bytes'] / 1e6:,.0f} MB)", "index_size_to_text")
    single("re-index with nothing changed, s", "reindex_s")
    for kind, label in QUERY_TYPES.items():
        triple(f"query p50 / p95 / p99, ms: {label}", f"plain:{kind}")
    triple("query p50 / p95 / p99, ms: all types", "plain:all")
    triple("the same with snippets for the 10 hits, ms", "snippets:all")
    single("open the index in process, ms", "open_ms")
    single("memory of the searching process after the load, MB", "search_process_mb")
    single("search as a new process (start to exit), median ms", "oneshot_ms")
    single("mean total hits per query (not a speed)", "mean_total")
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


# -- the run ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"bench.py: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(description="Measure diplosearch beside SQLite FTS5 and tantivy on one corpus and one query mix.")
    parser.add_argument("--quick", action="store_true", help="10,000 articles and fewer repetitions: a quick look")
    parser.add_argument("--articles", type=int, help="the size of the generated corpus (default 100,000; 10,000 with --quick)")
    parser.add_argument("--corpus", type=Path, help="an existing corpus (.jsonl, as make_corpus.py writes) instead of a generated one")
    parser.add_argument("--seed", type=int, default=42, help="the seed of the corpus and of the queries (default 42)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="which engines, comma-separated (default: all; diplosearch always runs)")
    parser.add_argument("--json", type=Path, help="also write every figure, the queries, versions and machine to this JSON file")
    parser.add_argument(
        "--workdir", type=Path, help="work here and keep the corpus and indexes; a corpus generated there before is reused (default: a temporary folder, removed at the end)"
    )
    parser.add_argument("--shared", type=Path, help="the shared folder for make_corpus.py (default: ../shared beside the repository)")
    parser.add_argument(
        "--index-only", action="store_true", help="only index (and re-index with nothing changed), no queries: for corpora too large for the full run, such as 1M articles"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return args
    if args.articles is not None and args.articles < 1:
        parser.error(f"--articles must be 1 or more, not {args.articles}")
    if args.corpus is not None:
        if args.articles is not None:
            parser.error("give either --corpus or --articles, not both")
        if not args.corpus.is_file():
            parser.error(f"--corpus {args.corpus} is not a file")
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = [name for name in engines if name not in ENGINES]
    if unknown:
        parser.error(f"unknown engine {unknown[0]!r}; choose from {', '.join(ENGINES)}")
    args.engines = ["diplosearch"] + [name for name in ENGINES[1:] if name in engines]
    if args.corpus is None:
        shared = args.shared if args.shared is not None else ROOT.parent / "shared"
        if not (shared / "corpus" / "10kgnad_test.jsonl").is_file():
            parser.error(f"no corpus at {shared / 'corpus' / '10kgnad_test.jsonl'} to generate from; give --shared DIR or --corpus FILE")
    if args.json is not None and not args.json.parent.is_dir():
        parser.error(f"the folder of --json {args.json} does not exist")
    if args.workdir is not None and args.workdir.exists() and not args.workdir.is_dir():
        parser.error(f"--workdir {args.workdir} is not a folder")
    return args


NOTES = [
    "The machine is shared and noisy: compare the ratios within one run, not figures across runs.",
    "ratio = diplosearch ÷ peer: below 1 diplosearch is faster or smaller, except for articles/s, where above 1 it is faster.",
    "Latencies: in process, warm, top 10 with the total count; p99 of few samples (--quick) is close to the slowest run.",
    "The engines analyse differently (diplosearch: folding, stemming, compound parts, aliases; FTS5: no stemming; "
    "tantivy: stemming), so their hit counts differ: see 'mean total hits'.",
    "diplosearch expands a prefix to its 256 most frequent words; the peers expand it fully.",
    "Indexing memory is the PSS of all the run's processes added up, sampled every 0.1 s.",
]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args.worker)
    import shutil
    import tempfile

    settings = Settings(args.quick)
    began = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    have_tantivy = False
    args.tantivy_missing = False
    if "tantivy" in args.engines:
        try:
            import tantivy  # noqa: F401

            have_tantivy = True
        except ImportError:
            args.tantivy_missing = True
            args.engines.remove("tantivy")
    temporary = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="diplosearch-bench-")) if temporary else args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    workdir = Workdir(work)
    try:
        return run(args, settings, work, workdir, have_tantivy, began, started_at)
    except BenchError as exc:
        say(f"bench.py: error: {exc}")
        return 1
    except KeyboardInterrupt:
        say("bench.py: interrupted")
        return 130
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, settings: Settings, work: Path, workdir: Workdir, have_tantivy: bool, began: float, started_at: str) -> int:
    import platform
    import shlex
    import shutil
    import sqlite3
    import subprocess

    generated = None
    if args.corpus is not None:
        corpus = args.corpus.resolve()
    else:
        articles = args.articles or settings.articles
        corpus = work / f"corpus-{articles}-seed{args.seed}.jsonl"
        command = [sys.executable, str(ROOT / "scripts" / "make_corpus.py"), "--articles", str(articles), "--seed", str(args.seed), "--out", str(corpus)]
        if args.shared is not None:
            command += ["--shared", str(args.shared)]
        if not corpus.exists():
            say(f"making a corpus of {articles:,} articles ...")
            done = subprocess.run(command, stderr=subprocess.PIPE, text=True)
            if done.returncode != 0:
                raise BenchError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "make_corpus.py failed")
        generated = {"articles": articles, "seed": args.seed}
    facts = corpus_facts(corpus)
    facts["generated"] = generated
    say(f"corpus: {facts['articles']:,} articles, {facts['text_bytes'] / 1e6:,.1f} MB of text ({corpus})")
    if args.tantivy_missing:
        say("tantivy: not installed (pip install tantivy, or pip install -e '.[bench]'); skipped")
    queries = [] if args.index_only else workdir.run(
        {
            "engine": "diplosearch",
            "task": "queries",
            "directory": str(work),
            "corpus": str(corpus),
            "seed": args.seed,
            "per_type": settings.queries_per_type,
            "sample": settings.vocabulary_sample,
        }
    )["queries"]
    env = dict(os.environ)
    env.pop("DIPLOSEARCH_INDEX", None)
    # The CLI reads a user's own alias file from XDG_CONFIG_HOME; the benchmark uses the shipped table only.
    env["XDG_CONFIG_HOME"] = str(work / "config")
    (work / "config").mkdir(exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    baseline = workdir.run({"engine": "sqlite", "task": "baseline", "directory": str(work)})
    for engine in args.engines:
        directory = work / f"index-{engine}"
        if directory.exists():
            shutil.rmtree(directory)
        say(f"{LABELS[engine]}: indexing ...")
        spec = {"engine": engine, "corpus": str(corpus), "directory": str(directory)}
        indexed = workdir.run({**spec, "task": "index"}, sample_memory=True)
        if indexed.get("added") != facts["articles"] or indexed.get("failed"):
            raise BenchError(f"{engine} indexed {indexed.get('added')} of {facts['articles']} articles ({indexed.get('failed')} failed)")
        results[engine] = {"index": indexed, "index_bytes": folder_bytes(directory)}
        say(f"  {facts['articles'] / indexed['seconds']:,.0f} articles/s, {indexed['seconds']:.1f} s")
        if engine == "diplosearch":
            say(f"{LABELS[engine]}: re-indexing, nothing changed ...")
            again = workdir.run({**spec, "task": "reindex"}, sample_memory=True)
            if again.get("unchanged") != facts["articles"]:
                raise BenchError(f"the re-index found {again.get('unchanged')} of {facts['articles']} articles unchanged")
            results[engine]["reindex"] = again
    if args.index_only:
        return index_report(args, results, facts, began, started_at, have_tantivy)
    for engine in args.engines:
        directory = work / f"index-{engine}"
        say(f"{LABELS[engine]}: {len(queries)} queries × ({settings.warmup_rounds} warm-up + {settings.timed_rounds} timed rounds) × with and without snippets ...")
        results[engine]["query"] = workdir.run(
            {
                "engine": engine,
                "task": "query",
                "directory": str(directory),
                "queries": queries,
                "seed": args.seed,
                "warmup_rounds": settings.warmup_rounds,
                "timed_rounds": settings.timed_rounds,
            }
        )
    probe = next(query for query in queries if query["type"] == "and")
    compile_modules()
    for engine in args.engines:
        say(f"{LABELS[engine]}: {settings.oneshot_runs} searches as new processes ...")
        results[engine]["oneshot"] = oneshot(oneshot_argv(engine, work / f"index-{engine}", probe), settings.oneshot_runs, env)
        results[engine]["oneshot"]["argv"] = [a if "\n" not in a else "<program in bench.py>" for a in oneshot_argv(engine, work / f"index-{engine}", probe)]

    figures = summarise(results, facts, queries)
    report = table(figures, facts)
    wall = time.perf_counter() - began
    print(f"diplosearch benchmark: {facts['articles']:,} articles, {len(queries)} queries ({settings.queries_per_type} per type), "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
          + (f", tantivy {versions(True)['tantivy']}" if have_tantivy else ""))
    print()
    print(report)
    print()
    if args.tantivy_missing:
        print("tantivy: not installed (pip install tantivy, or pip install -e '.[bench]'); skipped.")
    print(f"New-process search: {settings.oneshot_runs} runs of {probe['diplosearch']!r}; a bare Python process is {baseline['rss_kb'] / 1024:.0f} MB.")
    for engine, result in results.items():
        for number, error in result["query"]["failed"].items():
            print(f"{LABELS[engine]} refused query {queries[int(number)][engine]!r}, left out of its figures: {error}")
    for note in NOTES:
        print(note)
    print(f"Took {wall:.0f} s.")
    if args.json is not None:
        document = {
            "command": shlex.join([sys.executable, *sys.argv]),
            "started": started_at,
            "seconds": wall,
            "machine": machine(),
            "versions": versions(have_tantivy),
            "git": git_state(),
            "corpus": facts,
            "settings": settings.to_json(),
            "engines": args.engines,
            "figures": figures,
            "ratios": {peer: ratios(figures["diplosearch"], figures[peer]) for peer in figures if peer != "diplosearch"},
            "results": {engine: {k: v for k, v in result.items()} for engine, result in results.items()},
            "queries": queries,
            "python_process_rss_kb": baseline["rss_kb"],
            "notes": NOTES,
        }
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        say(f"wrote {args.json}")
    return 0


def index_report(args: argparse.Namespace, results: dict[str, dict[str, Any]], facts: dict[str, Any], began: float, started_at: str, have_tantivy: bool) -> int:
    """Print and write the indexing figures of an ``--index-only`` run."""
    import platform
    import shlex

    wall = time.perf_counter() - began
    print(f"diplosearch indexing benchmark: {facts['articles']:,} articles, {facts['text_bytes'] / 1e6:,.1f} MB of text, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    rows = []
    for engine, result in results.items():
        indexed = result["index"]
        again = result.get("reindex")
        rows.append(
            [
                LABELS[engine],
                f"{facts['articles'] / indexed['seconds']:,.0f}",
                f"{indexed['seconds']:,.0f}",
                f"{indexed['peak_pss_kb'] / 1024:,.0f}",
                f"{result['index_bytes'] / 1e6:,.0f}",
                f"{result['index_bytes'] / facts['text_bytes']:.2f}",
                "-" if again is None else f"{again['seconds']:.1f} (peak {again['peak_pss_kb'] / 1024:,.0f} MB)",
            ]
        )
    from tabulate import tabulate

    headers = ["engine", "articles/s", "seconds", "peak memory, MB", "index, MB", "index ÷ text", "re-index, nothing changed, s"]
    print(tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True))
    print("Peak memory is the PSS of all the run's processes added up, sampled every 0.1 s.")
    print(f"Took {wall:.0f} s.")
    if args.json is not None:
        document = {
            "command": shlex.join([sys.executable, *sys.argv]),
            "started": started_at,
            "seconds": wall,
            "machine": machine(),
            "versions": versions(have_tantivy),
            "git": git_state(),
            "corpus": facts,
            "engines": args.engines,
            "results": results,
        }
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
