#!/usr/bin/env python3
"""Build a reproducible synthetic German news corpus from real sentences.

The sentences are those of the 1,028 DER STANDARD articles of the 10kGNAD test
split (``../shared/corpus/10kgnad_test.jsonl``), each kept exactly as written.
Every synthetic article gets:

- a category, drawn with the frequencies of the real articles (the nine of
  10kGNAD), and sentences drawn from the real articles of that category, so
  that a sports article reads like sport;
- a length drawn from the word counts of the real articles (mean about 370
  words, from a few dozen to a few thousand), varied by up to 15 %;
- a headline: a short sentence, or the first clause of one, of that category;
- a date between 2015-01-01 and 2024-12-31 (3 % of the articles have none), a
  source from a fixed list of 20 German-language outlets, and the id
  ``synth-00000001``, ``synth-00000002``, ...

The same ``--articles``, ``--seed`` and input give byte-identical output on any
machine, so a benchmark run elsewhere can be repeated on the same corpus, and
the first N articles of a bigger corpus are the corpus of N. The corpus is
written as it is generated: 1,000,000 articles (2.8 GB, under a minute) need no
more memory than 1,000.

Usage::

    python scripts/make_corpus.py --articles 10000 --out /tmp/c10k.jsonl
    python scripts/make_corpus.py --articles 1000 --format folder --out /tmp/c1k

``--format jsonl`` writes one JSON object per line (``id``, ``title``,
``body``, ``date``, ``source``, ``category``); ``--format folder`` writes one
text file per article with a front matter block, 1,000 files per subfolder
(``0000/synth-00000001.txt``). Both index with ``diplosearch index PATH``.
What was written and how long it took goes to stderr; bad arguments and a
missing corpus are a one-line error and exit 2.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Iterator, NamedTuple, NoReturn

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FILE = Path("corpus") / "10kgnad_test.jsonl"

FIRST_DAY = dt.date(2015, 1, 1)
DAYS = (dt.date(2024, 12, 31) - FIRST_DAY).days + 1  # ten years, both ends included
UNDATED = 0.03
#: Headlines: a sentence or a first clause of this many words.
HEADLINE_WORDS = (4, 12)
#: An article's length is a real article's word count times 1 +- this.
LENGTH_JITTER = 0.15
FILES_PER_FOLDER = 1000

#: German-language outlets, with weights falling with rank (a few big ones, a long tail).
SOURCES = (
    "Der Standard",
    "Süddeutsche Zeitung",
    "Frankfurter Allgemeine",
    "Der Spiegel",
    "Die Zeit",
    "Die Presse",
    "tagesschau.de",
    "Die Welt",
    "Neue Zürcher Zeitung",
    "Kurier",
    "Handelsblatt",
    "taz",
    "Deutsche Welle",
    "ORF",
    "Tagesspiegel",
    "ZDFheute",
    "Der Tagesspiegel am Sonntag",
    "Salzburger Nachrichten",
    "Kleine Zeitung",
    "Stern",
)
SOURCE_WEIGHTS = tuple(1 / rank for rank in range(1, len(SOURCES) + 1))

# A sentence ends at . ! or ? (and a closing quote), before white space and a capital letter, digit or
# opening quote. The pieces that this cuts after an abbreviation, an initial or an ordinal number
# ("Zenit St. Petersburg", "John F. Kennedy", "am 20. Juni") are joined again.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"“”]?\s+(?=[\"„“]?[A-ZÄÖÜ0-9])")
_NOT_AN_END = re.compile(
    r"(?:\b(?:St|Dr|Prof|Nr|Mio|Mrd|bzw|ca|vgl|Abs|Str|Hr|Fr|Mag|Ing|Dipl|Jh|Bd|Tel|Co|Wr|Nö|Oö|etc|usw|inkl|zB|z\.B|u\.a|d\.h)"
    r"|(?<![\w:.,])[A-Za-zÄÖÜäöü]|(?<![\d:.,])\d{1,2})\.$"
)
_CLAUSE_END = re.compile(r"(?:,|:| –| -) ")


class Sentence(NamedTuple):
    text: str
    words: int


class Source(NamedTuple):
    """What the real articles give: sentences and headlines per category, lengths, category weights."""

    categories: list[str]
    category_cum_weights: list[int]
    sentences: dict[str, list[Sentence]]
    headlines: dict[str, list[str]]
    lengths: list[int]


class UsageError(Exception):
    pass


def split_sentences(body: str) -> list[str]:
    """Cut an article body into sentences, each exactly as written.

    >>> split_sentences("Zenit St. Petersburg verlor. Am 20. Juni spielt es wieder!")
    ['Zenit St. Petersburg verlor.', 'Am 20. Juni spielt es wieder!']
    """
    pieces = [piece.strip() for piece in _SENTENCE_END.split(" ".join(body.split()))]
    sentences: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if sentences and _NOT_AN_END.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def headline_of(sentence: str) -> str | None:
    """A sentence, or its first clause, short enough for a headline; None if neither is.

    >>> headline_of("Die Regierung verschiebt die Reform, sagte der Kanzler am Montag.")
    'Die Regierung verschiebt die Reform'
    """
    low, high = HEADLINE_WORDS
    candidates = [sentence.rstrip(".")]
    clause = _CLAUSE_END.split(sentence, maxsplit=1)[0]
    if clause != sentence:
        candidates.insert(0, clause)
    for text in candidates:
        if low <= len(text.split()) <= high and text[:1].isupper() and text.count('"') % 2 == 0:
            return text
    return None


def load_source(path: Path) -> Source:
    """Read the real articles and index their sentences by category."""
    sentences: dict[str, list[Sentence]] = {}
    headlines: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    lengths: list[int] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                body, category = record["body"], record["category"]
            except (ValueError, KeyError, TypeError) as exc:
                raise UsageError(f"{path}:{number}: not an article with 'body' and 'category' ({exc})") from None
            if not body or not category:
                continue
            counts[category] = counts.get(category, 0) + 1
            lengths.append(len(body.split()))
            for text in split_sentences(body):
                words = len(text.split())
                if words < 3:
                    continue  # a stray fragment ("Petersburg."), not a sentence
                sentences.setdefault(category, []).append(Sentence(text, words))
                headline = headline_of(text)
                if headline:
                    headlines.setdefault(category, []).append(headline)
    categories = sorted(category for category in counts if sentences.get(category) and headlines.get(category))
    if not categories:
        raise UsageError(f"{path} has no articles with sentences")
    cum_weights: list[int] = []
    for category in categories:
        cum_weights.append((cum_weights[-1] if cum_weights else 0) + counts[category])
    return Source(categories, cum_weights, sentences, headlines, sorted(lengths))


def generate(source: Source, articles: int, seed: int) -> Iterator[dict[str, str | None]]:
    """Yield ``articles`` synthetic articles, the same ones for the same seed.

    The random draws happen in a fixed order per article (category, length,
    sentences, headline, date, source), so article N never depends on how the
    output is written.
    """
    rng = random.Random(seed)
    categories, cum_weights = source.categories, source.category_cum_weights
    total_weight = cum_weights[-1]
    source_cum: list[float] = []
    for weight in SOURCE_WEIGHTS:
        source_cum.append((source_cum[-1] if source_cum else 0.0) + weight)
    lengths = source.lengths
    for number in range(1, articles + 1):
        category = categories[bisect.bisect_right(cum_weights, rng.random() * total_weight)]
        target = lengths[rng.randrange(len(lengths))] * (1 + LENGTH_JITTER * (2 * rng.random() - 1))
        pool = source.sentences[category]
        body: list[str] = []
        words = 0
        while True:
            sentence = pool[rng.randrange(len(pool))]
            # Stop at the sentence that ends nearest the target length, so lengths stay unbiased.
            if body and words + sentence.words / 2 > target:
                break
            body.append(sentence.text)
            words += sentence.words
        headlines = source.headlines[category]
        title = headlines[rng.randrange(len(headlines))]
        undated = rng.random() < UNDATED
        day = rng.randrange(DAYS)
        outlet = SOURCES[bisect.bisect_right(source_cum, rng.random() * source_cum[-1])]
        yield {
            "id": f"synth-{number:08d}",
            "title": title,
            "body": " ".join(body),
            "date": None if undated else (FIRST_DAY + dt.timedelta(days=day)).isoformat(),
            "source": outlet,
            "category": category,
        }


def write_jsonl(records: Iterator[dict[str, str | None]], out: Path, report: "Progress") -> None:
    # Written beside the target and renamed at the end: an interrupted run leaves no half corpus.
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as handle:
            for record in records:
                line = json.dumps(record, ensure_ascii=False) + "\n"
                handle.write(line)
                report.step(len(line.encode("utf-8")))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_folder(records: Iterator[dict[str, str | None]], out: Path, articles: int, report: "Progress") -> None:
    width = max(4, len(str((articles - 1) // FILES_PER_FOLDER)))
    out.mkdir(parents=True, exist_ok=True)
    folder: Path | None = None
    for number, record in enumerate(records):
        if number % FILES_PER_FOLDER == 0:
            folder = out / f"{number // FILES_PER_FOLDER:0{width}d}"
            folder.mkdir()
        assert folder is not None
        front = [f"id: {record['id']}"]
        if record["date"]:
            front.append(f"date: {record['date']}")
        front += [f"source: {record['source']}", f"category: {record['category']}"]
        text = "---\n" + "\n".join(front) + f"\n---\n{record['title']}\n\n{record['body']}\n"
        data = text.encode("utf-8")
        (folder / f"{record['id']}.txt").write_bytes(data)
        report.step(len(data))


class Progress:
    """Counts what was written; for big corpora, says every 10 % how far it got (on stderr)."""

    def __init__(self, articles: int, quiet: bool) -> None:
        self.articles = articles
        self.done = 0
        self.bytes = 0
        self.every = articles // 10 if articles >= 100_000 and not quiet else 0
        self.started = time.perf_counter()

    def step(self, size: int) -> None:
        self.done += 1
        self.bytes += size
        if self.every and self.done % self.every == 0 and self.done < self.articles:
            elapsed = time.perf_counter() - self.started
            print(f"  {self.done:,} articles, {elapsed:.0f} s", file=sys.stderr, flush=True)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: scripts and people read the reason at once.
        print(f"make_corpus.py: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(
        description="Build a reproducible synthetic German news corpus from the real sentences of 10kGNAD.",
    )
    parser.add_argument("--articles", type=int, required=True, help="how many articles (e.g. 1000, 10000, 100000, 1000000)")
    parser.add_argument("--out", type=Path, required=True, help="the .jsonl file, or the folder, to write")
    parser.add_argument("--format", choices=("jsonl", "folder"), default="jsonl", help="one JSON lines file (default) or a folder of text files")
    parser.add_argument("--seed", type=int, default=42, help="the random seed (default 42); the same seed gives the same corpus")
    parser.add_argument(
        "--shared", type=Path, default=ROOT.parent / "shared", help="the shared folder with corpus/10kgnad_test.jsonl (default: ../shared beside the repository)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines for big corpora (the final line is still printed)")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error(f"--articles must be 1 or more, not {args.articles}")
    if args.format == "folder":
        if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
            parser.error(f"--out {args.out} exists and is not an empty folder; remove it or choose another")
    else:
        if args.out.is_dir():
            parser.error(f"--out {args.out} is a folder; give a file name, or use --format folder")
        if not args.out.parent.is_dir():
            parser.error(f"the folder of --out {args.out} does not exist")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = args.shared / SOURCE_FILE
    if not corpus.is_file():
        print(f"make_corpus.py: error: no corpus at {corpus}; give the shared folder with --shared DIR", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        source = load_source(corpus)
    except (OSError, UnicodeDecodeError, UsageError) as exc:
        print(f"make_corpus.py: error: cannot read {corpus}: {exc}", file=sys.stderr)
        return 2
    progress = Progress(args.articles, args.quiet)
    records = generate(source, args.articles, args.seed)
    try:
        if args.format == "jsonl":
            write_jsonl(records, args.out, progress)
        else:
            write_folder(records, args.out, args.articles, progress)
    except OSError as exc:
        print(f"make_corpus.py: error: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("make_corpus.py: interrupted", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    print(
        f"wrote {progress.done:,} articles ({progress.bytes / 1e6:,.1f} MB, seed {args.seed}) "
        f"to {args.out} as {args.format} in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
