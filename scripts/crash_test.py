#!/usr/bin/env python3
"""Kill ``diplosearch index`` with SIGKILL at random moments and check what it leaves behind.

The corpus is a JSON lines file of a few thousand articles (by default built
with ``make_corpus.py`` from ``../shared``). Every cycle may first change the
corpus: some articles get a new version (a new word ``FassungN`` in the body
and a new url), some are removed, some come back. Then ``diplosearch index``
(now and then with ``--rebuild``, with one or two processes, committing every
``--commit-every`` changed articles) is started and killed with SIGKILL after
a random delay, as a cron timeout or the OOM killer would.

After every kill:

- the index opens: ``diplosearch stats --json`` exits 0, and its article count
  is that of the index's content;
- the content (id and version of every article) is exactly the state of one
  commit: the state before the run with the first k x ``--commit-every``
  changes in file order applied, or the run's complete result (a rebuild: the
  state before, or the complete result). Never half a commit, never an id twice;
- searches work: ``diplosearch search FassungN --json`` exits 0 and counts
  exactly the articles of that version, and the Python API agrees;
- the worker processes of a two-process run exit with it (within 10 s).

A final run, not killed, must complete the index: ids unique, the count and
every article's version exact, and one data folder left (the data of a killed
rebuild removed). Figures go to stdout; progress to stderr.

Usage::

    python scripts/crash_test.py                      # 50 kills, 3,000 articles
    python scripts/crash_test.py --kills 200 --articles 5000 --commit-every 50
    python scripts/crash_test.py --corpus my.jsonl --kills 10

Exit status: 0 when every check passed, 1 when one failed (the first failure
is printed), 2 for bad arguments or a missing corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

State = dict[str, int]  # article id -> version


class CheckFailed(Exception):
    """A check after a kill found the index in a state no commit could have left."""


@dataclass
class Figures:
    kills: int = 0
    kills_in_rebuild: int = 0
    kills_between_commits: int = 0  # the index held some but not all of the run's commits
    runs_finished_before_kill: int = 0
    two_process_runs: int = 0
    worker_processes_left: int = 0
    states_seen: set[tuple[int, int]] = field(default_factory=set)
    checks: int = 0
    searches: int = 0
    check_seconds: float = 0.0


def diplosearch() -> list[str]:
    """The command that runs diplosearch: the venv's entry point, else this interpreter."""
    script = Path(sys.executable).with_name("diplosearch")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from searcher.cli import main; main()"]


def make_corpus(articles: int, out: Path, seed: int) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_corpus.py"), "--articles", str(articles), "--out", str(out),
         "--seed", str(seed), "--quiet"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        fail_usage(done.stderr.strip() or "make_corpus.py failed")


def fail_usage(message: str) -> NoReturn:
    print(f"crash_test.py: error: {message}", file=sys.stderr)
    raise SystemExit(2)


class Corpus:
    """The base articles, and which version of each is in the file the runs index."""

    def __init__(self, records: list[dict[str, Any]], path: Path) -> None:
        self.records = records
        self.path = path
        self.present: State = {record["id"]: 0 for record in records}
        self.version = 0

    def mutate(self, rng: random.Random) -> None:
        """A new version of some articles; remove a few, bring back some removed ones."""
        self.version += 1
        ids = [record["id"] for record in self.records]
        for article_id in rng.sample(ids, max(1, len(ids) // 10)):
            if article_id in self.present:
                self.present[article_id] = self.version
        for article_id in rng.sample(sorted(self.present), max(1, len(self.present) // 40)):
            del self.present[article_id]
        absent = [i for i in ids if i not in self.present]
        for article_id in rng.sample(absent, len(absent) // 2):
            self.present[article_id] = self.version
        self.write()

    def write(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            for record in self.records:
                version = self.present.get(record["id"])
                if version is None:
                    continue
                changed = dict(record)
                changed["body"] = f"{record['body']} Fassung{version}"
                changed["url"] = f"https://example.org/{record['id']}/v{version}"
                handle.write(json.dumps(changed, ensure_ascii=False) + "\n")
        os.replace(tmp, self.path)  # a run reads the old file or the new one, never half

    def order(self) -> list[str]:
        return [record["id"] for record in self.records if record["id"] in self.present]


def possible_states(before: State, corpus: Corpus, commit_every: int, rebuild: bool) -> list[State]:
    """Every state a commit of this run can leave, the complete result last."""
    target = dict(corpus.present)
    if rebuild:
        return [before, target]
    changes = [i for i in corpus.order() if before.get(i) != target[i]]
    states = []
    state = dict(before)
    for start in range(0, len(changes), commit_every):
        states.append(dict(state))
        for article_id in changes[start : start + commit_every]:
            state[article_id] = target[article_id]
    if changes and len(changes) % commit_every == 0:
        states.append(dict(state))  # every change committed, the removals not yet
    states.append(target)
    return states


def read_state(index_dir: Path) -> tuple[State, int]:
    """The id and version of every article in the index, and how many documents it holds."""
    from index import open_index

    ix = open_index(index_dir)
    try:
        with ix.reader() as reader:
            stored = [reader.stored_fields(docnum) for docnum in reader.all_doc_ids()]
    finally:
        ix.close()
    state = {fields["id"]: int(fields["url"].rsplit("/v", 1)[1]) for fields in stored}
    return state, len(stored)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*diplosearch(), *args], capture_output=True, text=True)


def check(index_dir: Path, candidates: list[State], figures: Figures, rng: random.Random) -> tuple[State, int]:
    """Check the index against the states a commit could have left; returns the state and its position."""
    started = time.perf_counter()
    stats = run_cli("stats", "--index", str(index_dir), "--json")
    if stats.returncode != 0:
        raise CheckFailed(f"stats exited {stats.returncode}: {stats.stderr.strip()}")
    state, documents = read_state(index_dir)
    if documents != len(state):
        raise CheckFailed(f"{documents} documents for {len(state)} ids: some id is in the index twice")
    articles = json.loads(stats.stdout)["articles"]
    if articles != len(state):
        raise CheckFailed(f"stats counts {articles} articles, the index holds {len(state)}")
    matches = [n for n, candidate in enumerate(candidates) if candidate == state]
    if not matches:
        near = min(candidates, key=lambda c: len(set(c.items()) ^ set(state.items())))
        wrong = sorted(set(near.items()) ^ set(state.items()))[:5]
        raise CheckFailed(f"the index ({len(state)} articles) matches no commit; nearest differs in {wrong}")
    versions: dict[int, int] = {}
    for version in state.values():
        versions[version] = versions.get(version, 0) + 1
    version = rng.choice(sorted(versions)) if versions else 0
    searched = run_cli("search", f"Fassung{version}", "--index", str(index_dir), "--json", "--limit", "1")
    if searched.returncode != 0:
        raise CheckFailed(f"search exited {searched.returncode}: {searched.stderr.strip()}")
    total = json.loads(searched.stdout)["total"]
    if total != versions.get(version, 0):
        raise CheckFailed(f"search Fassung{version} counts {total}, the index holds {versions.get(version, 0)}")
    from searcher import Searcher

    with Searcher(index_dir) as searcher:
        for version, count in versions.items():
            found = searcher.search(f"Fassung{version}", limit=1, snippets=False).total
            if found != count:
                raise CheckFailed(f"Searcher: Fassung{version} counts {found}, the index holds {count}")
        searcher.search("Regierung Wien", limit=10, sort="date")
        figures.searches += len(versions) + 2
    figures.checks += 1
    figures.check_seconds += time.perf_counter() - started
    return state, matches[-1]


def survivors(group: int, timeout: float) -> int:
    """How many processes of the killed run's process group are still alive after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        alive = _group_members(group)
        if not alive or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(alive)


def _group_members(group: int) -> list[int]:
    if not Path("/proc").is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [group]
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == group:  # state, ppid, pgrp
            members.append(int(entry.name))
    return members


def cycle(args: argparse.Namespace, corpus: Corpus, index_dir: Path, before: State, figures: Figures,
          rng: random.Random, number: int, finished: bool) -> tuple[State, bool]:
    """One run, killed unless it finishes first; returns the index's state and whether the run finished."""
    if number > 0 and (finished or rng.random() < args.mutate):
        corpus.mutate(rng)  # after a finished run, always: a run with nothing to do cannot be interrupted
    rebuild = number > 0 and rng.random() < args.rebuild
    procs = rng.choice((1, 2))
    command = [*diplosearch(), "index", str(corpus.path), "--index", str(index_dir), "--quiet",
               "--commit-every", str(args.commit_every), "--procs", str(procs), "--lock-timeout", "10"]
    if rebuild:
        command.append("--rebuild")
    candidates = possible_states(before, corpus, args.commit_every, rebuild)
    delay = rng.uniform(args.min_delay, args.max_delay)
    with open(index_dir.parent / "run.log", "w") as log:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        try:
            process.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed = True
        ran = time.monotonic() - started
    if killed:
        figures.kills += 1
        figures.kills_in_rebuild += rebuild
        figures.two_process_runs += procs == 2
        left = survivors(process.pid, timeout=10.0)
        figures.worker_processes_left += left
        if left:
            raise CheckFailed(f"{left} worker process(es) of the killed run still ran 10 s later")
    else:
        figures.runs_finished_before_kill += 1
        if process.returncode != 0:
            raise CheckFailed(f"a run exited {process.returncode}: {(index_dir.parent / 'run.log').read_text().strip()}")
        candidates = candidates[-1:]
    state, position = check(index_dir, candidates, figures, rng)
    if killed and 0 < position < len(candidates) - 1:
        figures.kills_between_commits += 1
    figures.states_seen.add((corpus.version, position))
    if not args.quiet:
        kind = "rebuild" if rebuild else "run"
        if killed:
            what = f"kill {figures.kills:>3}: {kind} killed after {ran:.2f} s"
            where = f"commit {position} of {len(candidates) - 1}"
        else:
            what = f"          {kind} finished in {ran:.2f} s, before its kill"
            where = "complete"
        print(f"{what} ({procs} process(es)); index holds {len(state):,} articles ({where})", file=sys.stderr, flush=True)
    return state, not killed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="SIGKILL 'diplosearch index' at random moments and check the index.")
    parser.add_argument("--kills", type=int, default=50, help="how many runs to kill (default 50)")
    parser.add_argument("--articles", type=int, default=3000, help="articles of the generated corpus (default 3000)")
    parser.add_argument("--corpus", type=Path, help="a JSON lines corpus (records with id, title, body) instead")
    parser.add_argument("--commit-every", type=int, default=50, help="changed articles per commit (default 50)")
    parser.add_argument("--min-delay", type=float, default=0.3, help="earliest kill, seconds after the start (0.3)")
    parser.add_argument("--max-delay", type=float, default=10.0, help="latest kill, seconds after the start (10)")
    parser.add_argument("--mutate", type=float, default=0.4, help="chance that a cycle changes the corpus (0.4)")
    parser.add_argument("--rebuild", type=float, default=0.15, help="chance that a run is a --rebuild (0.15)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock, printed)")
    parser.add_argument("--workdir", type=Path, help="where the corpus and the index go (default: a temporary folder)")
    parser.add_argument("--quiet", action="store_true", help="no line per kill on stderr")
    args = parser.parse_args(argv)
    if args.kills < 1 or args.articles < 10 or args.commit_every < 1:
        fail_usage("--kills and --commit-every must be 1 or more, --articles 10 or more")
    if not 0 <= args.min_delay <= args.max_delay:
        fail_usage("--min-delay must be at least 0 and at most --max-delay")
    if args.seed is None:
        args.seed = int(time.time())
    return args


def load_records(path: Path) -> list[dict[str, Any]]:
    records = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    record = json.loads(line)
                    record.setdefault("id", f"article-{number}")
                    records.append(record)
    except (OSError, ValueError) as exc:
        fail_usage(f"cannot read the corpus {path}: {exc}")
    ids = [record["id"] for record in records]
    if len(set(ids)) != len(ids) or len(ids) < 10:
        fail_usage(f"the corpus {path} needs 10 or more records with unique ids")
    return records


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="diplosearch-crash-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.corpus is None:
            args.corpus = workdir / "base.jsonl"
            make_corpus(args.articles, args.corpus, args.seed)
        corpus = Corpus(load_records(args.corpus), workdir / "feed.jsonl")
        corpus.write()
        index_dir = workdir / "index"
        if index_dir.exists():
            fail_usage(f"{index_dir} exists already; give an empty --workdir")
        rng = random.Random(args.seed)
        figures = Figures()
        started = time.perf_counter()
        state: State = {}
        try:
            number, finished = 0, False
            while figures.kills < args.kills:
                state, finished = cycle(args, corpus, index_dir, state, figures, rng, number, finished)
                number += 1
            final = run_cli("index", str(corpus.path), "--index", str(index_dir), "--quiet", "--json")
            if final.returncode != 0:
                raise CheckFailed(f"the final run exited {final.returncode}: {final.stderr.strip()}")
            state, _ = check(index_dir, [dict(corpus.present)], figures, rng)
            folders = [p.name for p in index_dir.iterdir() if p.is_dir()]
            if len(folders) != 1:
                raise CheckFailed(f"data folders left after the final run: {folders}")
        except CheckFailed as exc:
            print(f"crash_test.py: FAILED after {figures.kills} kills (seed {args.seed}): {exc}", file=sys.stderr)
            return 1
        summary = json.loads(final.stdout)
        elapsed = time.perf_counter() - started
        print(f"seed {args.seed}, corpus of {len(corpus.records):,} articles, commit every {args.commit_every}")
        print(f"kills survived: {figures.kills} ({figures.kills_in_rebuild} during --rebuild, "
              f"{figures.two_process_runs} of two-process runs)")
        print(f"kills that left some but not all of a run's commits: {figures.kills_between_commits}")
        print(f"runs that finished before their kill: {figures.runs_finished_before_kill}")
        print(f"corpus versions: {corpus.version}; distinct (version, commit) states checked: {len(figures.states_seen)}")
        print(f"worker processes left behind by a killed run: {figures.worker_processes_left}")
        print(f"checks: {figures.checks} ({figures.searches} searches), {figures.check_seconds / figures.checks:.2f} s each")
        print(f"final run: added {summary['added']}, updated {summary['updated']}, unchanged {summary['unchanged']}, "
              f"removed {summary['removed']}; index holds {len(state):,} articles, ids unique, every version exact")
        print(f"took {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
