"""``diplosearch search`` and ``diplosearch show``: output formats, marks, errors and exit codes.

The fixture corpus is tests/fixtures/news; the last section checks the
queries of issue 3 on the repository's seed article.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

import pytest
from click.testing import CliRunner, Result

from searcher.cli import cli

REPO = Path(__file__).resolve().parents[1]
NEWS = Path(__file__).parent / "fixtures" / "news"
SEEDS = REPO / "seeds"
SEED_ID = "000_230d9d416a8d1689.txt"


def invoke(*args: object, env: Mapping[str, str | None] | None = None) -> Result:
    """Run ``diplosearch ARGS`` in-process; stdout is a pipe, not a terminal."""
    environment: dict[str, str | None] = {"DIPLOSEARCH_INDEX": None, "NO_COLOR": None, "COLUMNS": "100"}
    environment.update(env or {})
    return CliRunner().invoke(cli, [str(arg) for arg in args], env=environment)


def build_index(corpus: Path, index_dir: Path) -> Path:
    result = invoke("index", corpus, "--index", index_dir, "--quiet")
    assert result.exit_code == 0, result.stderr
    return index_dir


@pytest.fixture(scope="module")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(NEWS, tmp_path_factory.mktemp("news") / "ix")


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(SEEDS, tmp_path_factory.mktemp("seeds") / "ix")


def search_json(index_dir: Path, query: str, *options: object) -> dict[str, Any]:
    result = invoke("search", query, "--index", index_dir, "--format", "json", *options)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def hit_ids(data: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in data["hits"]]


def marked(hit: dict[str, Any], field: str | None = None) -> list[str]:
    return [
        snippet["text"][start:end]
        for snippet in hit["snippets"]
        if field is None or snippet["field"] == field
        for start, end in snippet["spans"]
    ]


def assert_one_error_line(result: Result, exit_code: int) -> str:
    """The command failed with ``exit_code``, one 'Error:' line on stderr and no traceback."""
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def run_in_terminal(*args: object, env: Mapping[str, str] | None = None) -> tuple[int, str]:
    """Run ``diplosearch ARGS`` in a subprocess whose stdout is a real terminal (a pty)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "DIPLOSEARCH_INDEX")}
    environment.update({"COLUMNS": "100", **(env or {})})
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from searcher.cli import main; main(sys.argv[1:])", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=REPO,
    )
    os.close(child)
    output = bytearray()
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    process.communicate()
    return process.returncode, output.decode("utf-8").replace("\r\n", "\n")


# -- JSON ----------------------------------------------------------------------------------------


def test_json_has_exactly_the_documented_keys(news_index: Path) -> None:
    data = search_json(news_index, "Lawrow")
    assert set(data) == {"query", "total", "took_ms", "hits", "suggestion"}
    assert (data["query"], data["total"], data["suggestion"]) == ("Lawrow", 2, None)
    assert isinstance(data["took_ms"], (int, float)) and data["took_ms"] >= 0
    for hit in data["hits"]:
        assert set(hit) == {"id", "score", "title", "date", "source", "category", "url", "path", "snippets"}
        for snippet in hit["snippets"]:
            assert set(snippet) == {"field", "text", "spans"}
    first = data["hits"][0]
    assert {k: v for k, v in first.items() if k not in ("score", "snippets")} == {
        "id": "gipfel-lawrow.txt",
        "title": "Lawrow dämpft Erwartungen an einen Gipfel",
        "date": "2025-08-21",
        "source": "tagesschau",
        "category": "politik",
        "url": "https://www.tagesschau.de/ausland/gipfel-lawrow",
        "path": os.path.abspath(NEWS / "gipfel-lawrow.txt"),
    }
    assert isinstance(first["score"], float) and first["score"] > data["hits"][1]["score"]
    assert [s["field"] for s in first["snippets"]] == ["title", "body"]
    assert first["snippets"][0] == {
        "field": "title",
        "text": "Lawrow dämpft Erwartungen an einen Gipfel",
        "spans": [[0, 6]],
    }
    assert marked(first, "body") == ["Lawrow", "Lawrow"]


def test_json_spans_point_at_the_words_as_written(news_index: Path) -> None:
    data = search_json(news_index, "Aussenminister")
    assert {hit["id"]: marked(hit) for hit in data["hits"]} == {
        "gipfel-lawrow.txt": ["Außenminister"],
        "gaza-waffenstillstand.txt": ["Aussenminister"],
        "rubio-telefonat.txt": ["Außenminister"],
    }
    data = search_json(news_index, "Sicherheitsgarantien")
    assert all(set(marked(hit)) == {"Sicherheitsgarantien"} for hit in data["hits"])


def test_json_of_an_undated_article_and_of_a_date_sort(news_index: Path) -> None:
    data = search_json(news_index, "Gespräche", "--sort", "date")
    assert hit_ids(data) == [
        "selenskyj-putin-treffen.txt",
        "gipfel-lawrow.txt",
        "gaza-waffenstillstand.txt",
        "zoelle-trump.txt",
        "diplomatie-geduld.txt",
    ]
    assert [hit["score"] for hit in data["hits"]] == [None] * 5
    assert data["hits"][-1]["date"] is None
    assert data["hits"][-1]["url"] == ""


def test_json_flag_is_the_json_format(news_index: Path) -> None:
    by_flag = json.loads(invoke("search", "Lawrow", "--index", news_index, "--json").stdout)
    by_format = search_json(news_index, "Lawrow")
    by_flag.pop("took_ms"), by_format.pop("took_ms")
    assert by_flag == by_format


def test_index_from_the_environment(news_index: Path) -> None:
    result = invoke("search", "Kallas", "--json", env={"DIPLOSEARCH_INDEX": str(news_index)})
    assert result.exit_code == 0, result.stderr
    assert hit_ids(json.loads(result.stdout)) == ["baltikum-ostgrenze.txt"]


# -- options ---------------------------------------------------------------------------------------


def test_any(news_index: Path) -> None:
    assert hit_ids(search_json(news_index, "Kallas Tallinn Rubio")) == []
    assert hit_ids(search_json(news_index, "Kallas Tallinn Rubio", "--any")) == [
        "baltikum-ostgrenze.txt",
        "rubio-telefonat.txt",
    ]


def test_limit_and_page(news_index: Path) -> None:
    everything = hit_ids(search_json(news_index, "date:2025"))
    assert len(everything) == 7
    pages = [search_json(news_index, "date:2025", "--limit", 3, "--page", n) for n in (1, 2, 3)]
    assert [page["total"] for page in pages] == [7, 7, 7]
    assert [hit_ids(page) for page in pages] == [everything[0:3], everything[3:6], everything[6:7]]
    # Equal scores: newest first.
    assert everything == [
        "rutte-bruessel.txt",
        "baltikum-ostgrenze.txt",
        "rutte-kyjiw.txt",
        "gipfel-lawrow.txt",
        "gaza-waffenstillstand.txt",
        "zoelle-trump.txt",
        "rubio-telefonat.txt",
    ]


def test_a_page_past_the_end(news_index: Path) -> None:
    result = invoke("search", "Lawrow", "--index", news_index, "--page", 3, "--format", "plain")
    assert result.exit_code == 0
    assert result.stdout.startswith("2 hits for 'Lawrow'")
    assert "(page 3 is past the last page)" in result.stdout
    assert "Lawrow dämpft" not in result.stdout


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Lawrow UND Treffen", ["gipfel-lawrow.txt"]),
        ('"Treffen mit Putin"', ["rutte-kyjiw.txt"]),
        ("source:tagesschau", ["gipfel-lawrow.txt", "getreide-verhandlung.txt", "sicherheitsrat-resolution.txt"]),
        ("category:kommentar", ["diplomatie-geduld.txt"]),
        ("id:zoelle-trump.txt", ["zoelle-trump.txt"]),
        ("date:2025-08-22", ["rutte-kyjiw.txt"]),
        ("Selenskij~ -Trump date:<2026", ["rutte-kyjiw.txt", "rutte-bruessel.txt"]),
        ("NATO", ["rutte-kyjiw.txt", "baltikum-ostgrenze.txt"]),
    ],
)
def test_queries_through_the_command_line(news_index: Path, query: str, expected: list[str]) -> None:
    assert hit_ids(search_json(news_index, query)) == expected


# -- plain and table -------------------------------------------------------------------------------


def test_plain_output_brackets_the_matches_in_a_pipe(news_index: Path) -> None:
    result = invoke("search", "Lawrow", "--index", news_index)  # a pipe: plain by default
    assert result.exit_code == 0 and result.stderr == ""
    out = result.stdout
    assert "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].startswith("2 hits for 'Lawrow' (") and lines[0].endswith(" ms), page 1 of 1")
    assert lines[2] == "1. Lawrow dämpft Erwartungen an einen Gipfel"
    assert lines[3].startswith("   id: gipfel-lawrow.txt | date: 2025-08-21 | source: tagesschau | score: ")
    assert lines[4] == "   title: [Lawrow] dämpft Erwartungen an einen Gipfel"
    assert lines[5].startswith("   Der russische Außenminister Sergej [Lawrow] hat Hoffnungen")
    assert "2. Washington und Moskau nehmen wieder Kontakt auf" in lines
    assert "Kollegen Sergej [Lawrow] telefoniert." in out


def test_plain_output_marks_a_phrase_as_one(news_index: Path) -> None:
    out = invoke("search", '"Treffen mit Putin"', "--index", news_index, "--format", "plain").stdout
    assert "[Treffen mit Putin]" in out
    assert out.count("[") == 1


def test_table_output(news_index: Path) -> None:
    result = invoke("search", "Lawrow", "--index", news_index, "--format", "table")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2 hits for 'Lawrow' (")
    assert lines[2].split() == ["#", "date", "source", "title", "snippet"]
    assert set(lines[3].replace(" ", "")) == {"-"}
    assert lines[4].split()[:4] == ["1", "2025-08-21", "tagesschau", "Lawrow"]
    rows = [line.split()[:3] for line in lines[4:] if line[:1].isdigit()]
    assert rows == [["1", "2025-08-21", "tagesschau"], ["2", "2025-02-18", "euronews"]]
    assert "[Lawrow]" in result.stdout and "\x1b" not in result.stdout


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_the_table_fits_the_terminal_width(news_index: Path, columns: int) -> None:
    result = invoke(
        "search", "Selenskyj OR Gespräche", "--index", news_index, "--format", "table",
        env={"COLUMNS": str(columns)},
    )
    assert result.exit_code == 0
    table = result.stdout.splitlines()[2:]
    assert len(table) > 10
    assert max(len(line) for line in table) <= columns
    # The snippet column takes what the others leave.
    assert max(len(line) for line in table) >= columns - 10


def test_no_color_in_a_terminal_gives_brackets(news_index: Path) -> None:
    code, out = run_in_terminal("search", "Lawrow", "--index", news_index, env={"NO_COLOR": "1"})
    assert code == 0
    assert "\x1b" not in out
    assert "[Lawrow]" in out
    assert out.splitlines()[2].split() == ["#", "date", "source", "title", "snippet"]  # a table on a terminal


def test_a_terminal_gets_colour(news_index: Path) -> None:
    code, out = run_in_terminal("search", "Lawrow", "--index", news_index)
    assert code == 0
    assert "\x1b[1;33mLawrow\x1b[0m" in out
    assert "[Lawrow]" not in out


# -- show --------------------------------------------------------------------------------------------


def test_show_marks_the_query_in_the_whole_article(news_index: Path) -> None:
    result = invoke("show", "rutte-kyjiw.txt", "--index", news_index, "--query", '"Treffen mit Putin"')
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "NATO-Chef Rutte verspricht Kyjiw Sicherheitsgarantien"
    assert lines[1].startswith("id: rutte-kyjiw.txt | date: 2025-08-22 | source: euronews | category: politik")
    assert "Selenskyj erklärte, er sei zu einem [Treffen mit Putin] jederzeit bereit." in lines
    assert "Das Treffen in Kyjiw dauerte zwei Stunden." in lines
    assert result.stdout.count("[") == 1


def test_show_marks_words_in_title_and_body_but_not_negated_ones(news_index: Path) -> None:
    out = invoke("show", "gipfel-lawrow.txt", "--index", news_index, "-q", "Lawrow NOT Trump").stdout
    assert out.splitlines()[0] == "[Lawrow] dämpft Erwartungen an einen Gipfel"
    assert out.count("[Lawrow]") == 3
    assert "Donald Trump hatte" in out and "[Trump]" not in out


def test_show_without_a_query_marks_nothing(news_index: Path) -> None:
    out = invoke("show", "diplomatie-geduld.txt", "--index", news_index).stdout
    assert out.splitlines()[0] == "Warum Diplomatie Geduld braucht"
    assert out.splitlines()[1] == (
        f"id: diplomatie-geduld.txt | source: zeit | category: kommentar | path: {os.path.abspath(NEWS / 'diplomatie-geduld.txt')}"
    )
    assert "[" not in out


def test_show_json_spans(news_index: Path) -> None:
    result = invoke("show", "gaza-waffenstillstand.txt", "--index", news_index, "--query", "Außenminister", "--json")
    data = json.loads(result.stdout)
    assert [data["body"][s:e] for s, e in data["body_spans"]] == ["Aussenminister"]
    assert data["title_spans"] == []


def test_show_an_unknown_id(news_index: Path) -> None:
    line = assert_one_error_line(invoke("show", "nope.txt", "--index", news_index), 1)
    assert "'nope.txt'" in line


def test_show_with_a_bad_query(news_index: Path) -> None:
    line = assert_one_error_line(invoke("show", "rutte-kyjiw.txt", "--index", news_index, "-q", "titel:NATO"), 2)
    assert "unknown field 'titel'" in line


# -- no hits ---------------------------------------------------------------------------------------


def test_no_hits_says_so_and_suggests_a_spelling(news_index: Path) -> None:
    result = invoke("search", "Kalas", "--index", news_index)
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("No hits for 'Kalas' (")
    assert lines[-1] == "Did you mean: Kallas"
    data = search_json(news_index, "Kalas")
    assert (data["total"], data["hits"], data["suggestion"]) == (0, [], "Kallas")


def test_no_hits_without_a_suggestion(news_index: Path) -> None:
    result = invoke("search", "Kallas Rubio", "--index", news_index)
    assert result.exit_code == 0
    assert result.stdout.startswith("No hits for 'Kallas Rubio' (")
    assert "Did you mean" not in result.stdout
    assert search_json(news_index, "Kallas Rubio")["suggestion"] is None


def test_notes_go_to_stderr_and_results_to_stdout(news_index: Path) -> None:
    result = invoke("search", "die Verhandlung", "--index", news_index, "--json")
    assert result.exit_code == 0
    assert result.stderr == "note: 'die' is a stop word and was ignored; quote it to search for it\n"
    assert json.loads(result.stdout)["total"] == 3


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ('"Treffen mit Putin', "unclosed quote at position 1"),
        ("(Lawrow OR Rubio", "unclosed '(' at position 1"),
        ("Lawrow OR Rubio)", "unmatched ')' at position 16"),
        ("Lawrow AND", "AND needs a term after it at position 8"),
        ("NOT", "NOT needs a term after it at position 1"),
        ("titel:NATO", "unknown field 'titel'; fields are title, body, source, category, id, date, url, person, place, org"),
        ("date:2025-13-45", "invalid date '2025-13-45' at position 6"),
        ("", "empty query"),
        ("*a*", "wildcards are only allowed at the end of a word"),
        ("Selenskij~3", "fuzzy distance 3 is too large"),
        ("der die", "the query has only stop words"),
        ("(" * 65 + "a" + ")" * 65, "nested deeper than 64 levels"),
        ("a" * 10001, "query longer than 10000 characters"),
    ],
)
@pytest.mark.parametrize("output_format", ["plain", "json"])
def test_a_bad_query_exits_2(news_index: Path, query: str, says: str, output_format: str) -> None:
    result = invoke("search", query, "--index", news_index, "--format", output_format)
    assert says in assert_one_error_line(result, 2)


@pytest.mark.parametrize("command", [["search", "Lawrow"], ["show", "rutte-kyjiw.txt"]])
def test_a_missing_index_exits_1(tmp_path: Path, command: list[str]) -> None:
    line = assert_one_error_line(invoke(*command, "--index", tmp_path / "nowhere"), 1)
    assert line == (
        f"Error: no index at {tmp_path / 'nowhere'}; create one with "
        f"'diplosearch index PATH --index {tmp_path / 'nowhere'}'"
    )


# -- the seed article (issue 3, "Done when") ----------------------------------------------------------


def seed_hit(seed_index: Path, query: str) -> dict[str, Any]:
    data = search_json(seed_index, query)
    assert hit_ids(data) == [SEED_ID]
    hit: dict[str, Any] = data["hits"][0]
    return hit


def test_seed_sicherheitsgarantien(seed_index: Path) -> None:
    hit = seed_hit(seed_index, "Sicherheitsgarantien")
    words = marked(hit, "body")
    assert len(words) >= 3 and set(words) == {"Sicherheitsgarantien"}
    out = invoke("search", "Sicherheitsgarantien", "--index", seed_index).stdout
    assert out.startswith("1 hit for 'Sicherheitsgarantien'")
    assert "Bereitstellung von [Sicherheitsgarantien] für die Ukraine" in out


def test_seed_phrase_marks_the_whole_name_only(seed_index: Path) -> None:
    hit = seed_hit(seed_index, '"Wladimir Wladimirowitsch Putin"')
    # The article names Putin alone many times; only the full name is marked.
    assert marked(hit) == ["Wladimir Wladimirowitsch Putin"]
    out = invoke("search", '"Wladimir Wladimirowitsch Putin"', "--index", seed_index).stdout
    assert "dass [Wladimir Wladimirowitsch Putin], der in Moskau sitzt" in out


def test_seed_title_nato(seed_index: Path) -> None:
    hit = seed_hit(seed_index, "title:NATO")
    assert hit["snippets"][0] == {
        "field": "title",
        "text": "NATO-Chef: Putin darf die Ukraine nie wieder angreifen",
        "spans": [[0, 4]],
    }
    # The body mentions NATO too, but the query asked for the headline.
    assert marked(hit, "body") == []


def test_seed_selenskyj_not_trump_finds_nothing(seed_index: Path) -> None:
    # The article names Trump, so it is excluded.
    data = search_json(seed_index, "Selenskyj NOT Trump")
    assert (data["total"], data["hits"], data["suggestion"]) == (0, [], None)
    assert hit_ids(search_json(seed_index, "Selenskyj")) == [SEED_ID]
    result = invoke("search", "Selenskyj NOT Trump", "--index", seed_index)
    assert result.exit_code == 0
    assert result.stdout.startswith("No hits for 'Selenskyj NOT Trump' (")


def test_seed_lawrow_and_treffen(seed_index: Path) -> None:
    hit = seed_hit(seed_index, "Lawrow AND Treffen")
    words = marked(hit)
    # "Gipfeltreffen" holds "Treffen" as a part: the whole compound is marked.
    assert {word.lower() for word in words} == {"lawrow", "treffen", "gipfeltreffen"}
    assert "Lawrow" in words
    # One fragment shows Lawrow together with the meeting he talked about.
    assert any(
        {"Lawrow", "Treffen"} <= {s["text"][a:b] for a, b in s["spans"]} for s in hit["snippets"]
    )
    out = invoke("search", "Lawrow AND Treffen", "--index", seed_index).stdout
    assert "Außenminister Sergej [Lawrow] sagte, es sei kein [Treffen] zwischen Putin und Selenskyj geplant" in out


# -- the command as a process ---------------------------------------------------------------------


def run_process(*args: object, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """Run ``diplosearch ARGS`` as the console script does, in a new process."""
    # As a user's shell starts it: output to a pipe or file buffered (no PYTHONUNBUFFERED).
    unset = ("NO_COLOR", "DIPLOSEARCH_INDEX", "PYTHONUNBUFFERED")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", "from searcher.cli import main; main()", *map(str, args)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**environment, "COLUMNS": "100"},
        cwd=REPO,
    )


def test_a_read_only_command_as_a_process_prints_all_it_has_and_its_status(news_index: Path, tmp_path: Path) -> None:
    # These commands end without the interpreter's teardown: what they printed must still all be out.
    searched = run_process("search", "Lawrow OR Putin OR NATO", "--index", news_index, "--format", "json", "--limit", "50")
    assert searched.returncode == 0, searched.stderr
    expected = json.loads(invoke("search", "Lawrow OR Putin OR NATO", "--index", news_index, "--format", "json", "--limit", "50").stdout)
    assert {**json.loads(searched.stdout), "took_ms": 0} == {**expected, "took_ms": 0}
    shown = run_process("show", "gipfel-lawrow.txt", "--index", news_index)
    assert (shown.returncode, shown.stdout) == (0, invoke("show", "gipfel-lawrow.txt", "--index", news_index).stdout)
    # Into a file, whose writes are buffered unlike a terminal's.
    with open(tmp_path / "out.txt", "w", encoding="utf-8") as out:
        to_file = run_process("show", "gipfel-lawrow.txt", "--index", news_index, stdout=out)
    assert to_file.returncode == 0
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == shown.stdout


def test_a_failing_read_only_command_as_a_process_exits_with_its_status(news_index: Path, tmp_path: Path) -> None:
    wrong_query = run_process("search", "Lawrow AND", "--index", news_index)
    assert (wrong_query.returncode, wrong_query.stdout) == (2, "")
    assert len(wrong_query.stderr.splitlines()) == 1 and wrong_query.stderr.startswith("Error: ")
    no_index = run_process("show", "gipfel-lawrow.txt", "--index", tmp_path / "nothing-here")
    assert (no_index.returncode, no_index.stdout) == (1, "")
    assert len(no_index.stderr.splitlines()) == 1 and no_index.stderr.startswith("Error: ")


def test_a_search_loads_nothing_it_does_not_use(news_index: Path) -> None:
    # Each of these costs a search's start some milliseconds (NLTK 200) and is never used by it.
    unused = ("nltk", "whoosh.collectors", "whoosh.sorting", "index.indexer", "multiprocessing", "csv")
    script = (
        "import contextlib, io, sys\n"
        "from searcher.cli import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    cli.main(['search', 'Verhandlungen OR Lawrow', '--index', {str(news_index)!r}], standalone_mode=False)\n"
        "assert '[Lawrow]' in out.getvalue(), out.getvalue()\n"
        f"loaded = [name for name in sys.modules if name.split('.')[0] in {unused!r} or name in {unused!r}]\n"
        "english = getattr(sys.modules.get('whoosh.lang.morph_en'), '__file__', None)\n"
        "print(loaded, english)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] None"


def test_whoosh_queries_still_vary_english_words_after_diplosearch_is_imported() -> None:
    # Tools that embed the searcher may use Whoosh's own queries beside it; Whoosh's
    # English morphology, which diplosearch never uses, is loaded on first use.
    script = (
        "import index, searcher\n"
        "from whoosh.fields import Schema, TEXT\n"
        "from whoosh.filedb.filestore import RamStorage\n"
        "from whoosh.query import Variations\n"
        "ix = RamStorage().create_index(Schema(body=TEXT(stored=True)))\n"
        "with ix.writer() as writer:\n"
        "    writer.add_document(body='she renders it')\n"
        "with ix.searcher() as s:\n"
        "    print([hit['body'] for hit in s.search(Variations('body', 'render'))])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['she renders it']"
