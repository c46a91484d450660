"""The stem store beside an index: searching known words needs no NLTK, and answers stay the same."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from index import index_paths
from index.analysis import stem_folded
from index.stems import STORE_NAME, StemStore
from searcher import Searcher

QUERIES = ["Lawrow", "Sicherheitsgarantien", '"Treffen mit Putin"', "Garantien", "Kyiv", "Aussenminister"]


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("stems") / "ix"
    index_paths(index_dir, [REPO_ROOT / "seeds"])
    return index_dir


def _answers(index_dir: Path) -> list[tuple[int, list[str]]]:
    with Searcher(index_dir) as searcher:
        results = [searcher.search(query) for query in QUERIES]
    return [(r.total, [s.render() for hit in r.hits for s in hit.snippets]) for r in results]


def test_the_store_holds_the_stems_nltk_gives(seed_index: Path) -> None:
    with sqlite3.connect(seed_index / STORE_NAME) as db:
        rows = db.execute("SELECT word, stem FROM stems").fetchall()
    assert len(rows) > 200
    assert all(stem == stem_folded(word) for word, stem in rows)
    words = {word for word, _ in rows}
    assert {"sicherheitsgarantien", "lawrow", "lavrov", "garantien"} <= words  # text, aliases, parts


def test_searching_known_words_imports_no_nltk(seed_index: Path) -> None:
    script = (
        "import sys\n"
        "from searcher import Searcher\n"
        f"with Searcher({str(seed_index)!r}) as s:\n"
        f"    totals = [s.search(q).total for q in {QUERIES!r}]\n"
        "print(totals, any(name == 'nltk' or name.startswith('nltk.') for name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[1, 1, 1, 1, 1, 1] False"


def test_a_word_the_archive_never_saw_is_still_stemmed(seed_index: Path) -> None:
    with Searcher(seed_index) as searcher:
        # Singular; the article only has the plural Sicherheitsgarantien.
        assert searcher.search("Sicherheitsgarantie").total == 1


def test_a_damaged_or_missing_store_changes_no_answer(seed_index: Path, tmp_path: Path) -> None:
    expected = _answers(seed_index)
    store = seed_index / STORE_NAME
    saved = store.read_bytes()
    try:
        store.write_bytes(b"this is no database")
        assert _answers(seed_index) == expected
        store.unlink()
        assert StemStore.open_for_reading(seed_index) is None
        assert _answers(seed_index) == expected
    finally:
        store.write_bytes(saved)


def test_a_store_of_another_analysis_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    index_paths(index_dir, [REPO_ROOT / "seeds"])
    with sqlite3.connect(index_dir / STORE_NAME) as db:
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'analysis'")
        db.execute("UPDATE stems SET stem = 'wrong'")
    assert StemStore.open_for_reading(index_dir) is None
    with Searcher(index_dir) as searcher:
        assert searcher.search("Lawrow").total == 1
    index_paths(index_dir, [REPO_ROOT / "seeds"], rebuild=True)
    with sqlite3.connect(index_dir / STORE_NAME) as db:
        assert db.execute("SELECT count(*) FROM stems WHERE stem = 'wrong'").fetchone() == (0,)
