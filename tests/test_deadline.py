"""A search stops at its time limit, and leaves no timer or signal handler behind."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from index import index_paths
from searcher import Searcher


@pytest.fixture(scope="module")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("deadline") / "ix"
    index_paths(directory, [REPO_ROOT / "tests" / "fixtures" / "news", REPO_ROOT / "seeds"])
    return directory


def test_a_search_within_its_limit_is_complete(news_index: Path) -> None:
    with Searcher(news_index) as searcher:
        result = searcher.search("Lawrow OR Rutte")
    assert result.complete
    assert result.total >= 2
    assert not any("stopped" in note for note in result.notes)


def test_a_search_past_its_limit_says_it_is_incomplete(news_index: Path) -> None:
    with Searcher(news_index, time_limit=1e-9) as searcher:
        result = searcher.search("Lawrow OR Rutte")
    assert not result.complete
    assert any("stopped after" in note and "incomplete" in note for note in result.notes)


def test_no_timer_or_handler_stays_armed_after_a_search(news_index: Path) -> None:
    before = signal.getsignal(signal.SIGALRM)
    with Searcher(news_index, time_limit=5) as searcher:
        searcher.search("Lawrow")
        searcher.search("Gipfel*")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
    with Searcher(news_index, time_limit=1e-9) as searcher:
        searcher.search("Lawrow OR Rutte")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_the_limit_holds_in_a_thread_too(news_index: Path) -> None:
    outcomes: list[tuple[bool, bool]] = []

    def search() -> None:
        with Searcher(news_index, time_limit=1e-9) as hurried, Searcher(news_index) as patient:
            outcomes.append((hurried.search("Lawrow OR Rutte").complete, patient.search("Lawrow OR Rutte").complete))

    thread = threading.Thread(target=search)
    thread.start()
    thread.join(30)
    assert outcomes == [(False, True)]
