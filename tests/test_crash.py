"""A handful of SIGKILLs at random moments in the suite: ``scripts/crash_test.py`` on a small corpus.

The script starts ``diplosearch index``, kills it with SIGKILL after a random
delay, and checks that the index holds exactly the state of one commit, that
it opens, counts and searches right, and that a final run completes it (see
the script's docstring). The long run, with 50 kills or more, is the script
run by hand.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

WORDS = (
    "Gipfel Außenminister Sanktionen Waffenstillstand Verhandlungen Botschafter Regierung Bündnis Kreml "
    "Sicherheitsrat Resolution Delegation Abkommen Grenze Truppen Hilfe Wahl Parlament Minister Gespräche"
).split()


def small_corpus(path: Path, articles: int) -> None:
    rng = random.Random(6)
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(articles):
            body = " ".join(rng.choice(WORDS) for _ in range(120))
            record = {"id": f"k{number:04}", "title": " ".join(rng.sample(WORDS, 4)), "body": body + "."}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def test_kills_at_random_moments_leave_one_whole_commit(tmp_path: Path) -> None:
    small_corpus(tmp_path / "corpus.jsonl", 300)
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "crash_test.py"), "--corpus", str(tmp_path / "corpus.jsonl"),
         "--kills", "5", "--commit-every", "10", "--min-delay", "0.4", "--max-delay", "1.6", "--seed", "5",
         "--workdir", str(tmp_path / "work"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"^kills survived: 5 ", done.stdout, re.M), done.stdout
    assert "worker processes left behind by a killed run: 0" in done.stdout
    assert "ids unique, every version exact" in done.stdout
