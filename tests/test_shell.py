"""The interactive shell, driven through its standard input (issue 7)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyst_corpus import CEASEFIRE, GRAIN, build_index
from conftest import REPO_ROOT
from searcher import Searcher
from searcher.cli import cli
from searcher.shell import run_shell
from click.testing import CliRunner, Result


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("shell"))


def session(corpus_index: Path, *lines: str, options: tuple[str, ...] = ()) -> Result:
    """``diplosearch shell`` with ``lines`` typed on its standard input."""
    return CliRunner().invoke(
        cli,
        ["shell", "--index", str(corpus_index), *options],
        input="".join(line + "\n" for line in lines),
        env={"DIPLOSEARCH_INDEX": None, "NO_COLOR": "1", "COLUMNS": "100"},
    )


def headers(output: str) -> list[str]:
    return [line for line in output.splitlines() if " for '" in line or " like '" in line]


def test_a_query_then_the_next_and_previous_page(corpus_index: Path) -> None:
    result = session(corpus_index, "Waffenstillstand", "n", "n", "p", options=("--limit", "3"))
    assert result.exit_code == 0, result.stderr
    pages = (len(CEASEFIRE) + 2) // 3
    assert [h.rsplit(", ", 1)[1] for h in headers(result.stdout)] == [
        f"page 1 of {pages}", f"page 2 of {pages}", f"page 3 of {pages}", f"page 2 of {pages}"
    ]
    ranks = [line.split(".")[0] for line in result.stdout.splitlines() if line[:1].isdigit() and ". " in line]
    assert ranks == ["1", "2", "3", "4", "5", "6", "7", "4", "5", "6"]
    assert result.stderr == ""


def test_paging_past_the_end_is_an_error_and_the_session_goes_on(corpus_index: Path) -> None:
    result = session(corpus_index, "Getreideabkommen", "n", "p", "Odessa")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "Error: there is no page 2; the hits fill 1 page",
        "Error: there is no page 0; the hits fill 1 page",
    ]
    assert len(headers(result.stdout)) == 2  # both queries answered


def test_show_marks_the_query_in_the_whole_article(corpus_index: Path) -> None:
    result = session(corpus_index, "Frachter Weizen", "show 1")
    assert result.exit_code == 0, result.stderr
    *listing, heading, body = result.stdout.rstrip("\n").split("\n\n")
    first_hit = listing[1].splitlines()[0]  # "1. TITLE", after the header
    title = heading.splitlines()[0]
    assert first_hit == "1. " + title.replace("[", "").replace("]", "")
    shown = next(r for r in GRAIN if r.title == first_hit[3:])
    assert body.replace("[", "").replace("]", "") == shown.body
    assert "[Frachter]" in body and "[Weizen]" in body


def test_similar_lists_relatives_which_can_be_shown(corpus_index: Path) -> None:
    result = session(corpus_index, "id:g1", "similar 1", "show 1")
    assert result.exit_code == 0, result.stderr
    assert "articles like 'g1'" in result.stdout
    relatives = result.stdout.split("articles like 'g1'", 1)[1]
    first = relatives.split("\n1. ", 1)[1].splitlines()[0]
    assert first in {r.title for r in GRAIN if r.id != "g1"}
    # "show 1" after "similar" opens the first related article, its key terms marked.
    shown = relatives.split("\n\n")[-1]
    assert "[Odessa]" in shown


def test_facets_now_and_for_the_next_queries(corpus_index: Path) -> None:
    result = session(corpus_index, "Waffenstillstand", "facets source,year", "Getreideabkommen", "facets off", "Odessa")
    assert result.exit_code == 0, result.stderr
    facet_lines = [line for line in result.stdout.splitlines() if line.startswith(("source ", "year "))]
    assert facet_lines == [
        "source  tagesschau (2), zeit (2), derstandard (1), euronews (1)",
        "year    2025 (6)",
        "source  euronews (1), tagesschau (1), zeit (1)",
        "year    2024 (3)",
    ]
    assert "facets off" in result.stdout


def test_errors_go_to_stderr_and_quit_ends_the_session(corpus_index: Path) -> None:
    result = session(corpus_index, "show 1", "titel:NATO", "facets weather", "Odessa", "show 9", "quit", "Weizen")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "Error: no hits yet: type a query first",
        "Error: unknown field 'titel'; fields are title, body, source, category, id, date, url, person, place, org at position 1",
        "Error: unknown facet 'weather'; facets are source, category, year, month, people, places, orgs",
        "Error: there is no hit 9; the hits are numbered 1 to 3",
    ]
    assert len(headers(result.stdout)) == 1  # nothing after quit


def test_help_and_a_quoted_command_word(corpus_index: Path) -> None:
    result = session(corpus_index, "help", '"help"')
    assert "show N" in result.stdout and "similar N" in result.stdout and "quit" in result.stdout
    assert "No hits for '\"help\"'" in result.stdout


def test_timeline_of_the_current_query(corpus_index: Path) -> None:
    result = session(corpus_index, "Waffenstillstand", "timeline year")
    assert "7 articles match 'Waffenstillstand', per year" in result.stdout


def test_commands_from_the_command_line(corpus_index: Path) -> None:
    result = CliRunner().invoke(
        cli, ["shell", "--index", str(corpus_index), "-c", "Odessa", "-c", "show 1"], env={"NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result.stderr
    assert headers(result.stdout) == [headers(result.stdout)[0]] and "[Odessa]" in result.stdout


def test_a_missing_index_exits_1(tmp_path: Path) -> None:
    result = session(tmp_path / "nowhere", "Odessa")
    assert result.exit_code == 1 and result.stderr.startswith("Error: no index at ")


def test_the_loop_with_streams(corpus_index: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with Searcher(corpus_index) as searcher:
        run_shell(searcher, io.StringIO("Odessa\nshow 2\n"), out, err, page_size=1)
        assert searcher.doc_count > 0  # the shell leaves the searcher open
    assert headers(out.getvalue())[0].endswith("page 1 of 3") and err.getvalue() == ""


def test_a_real_process_reading_a_pipe(corpus_index: Path) -> None:
    """As a user would pipe commands in: no prompt, answers on stdout, exit 0 at the end of input."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO_ROOT)}
    env.pop("DIPLOSEARCH_INDEX", None)
    process = subprocess.run(
        [sys.executable, "-c", "import sys; from searcher.cli import main; main(sys.argv[1:])", "shell", "--index", str(corpus_index)],
        input="Getreideabkommen\nshow 3\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("3 hits for 'Getreideabkommen'")
    assert "diplosearch>" not in process.stdout and process.stderr == ""
    assert "[Getreideabkommen]" in process.stdout.split("\n\n")[-1]
