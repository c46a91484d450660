"""Hostile queries: random and adversarial strings against the parser, the searcher and the command line.

Every query either returns results or raises the documented
:class:`~index.errors.QuerySyntaxError` (with a position inside the query and
a one-line message); the command line exits 0 or 2, and on 2 says why in
exactly one line; no query takes longer than the search time limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from conftest import REPO_ROOT, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import IndexConfig, QuerySyntaxError, index_paths
from searcher import Searcher, SearchResult
from searcher.query import MAX_DEPTH, MAX_EXPANDING, MAX_FUZZY_LENGTH, MAX_QUERY_LENGTH, MAX_TERMS, And, parse_query
from searcher.searcher import DEFAULT_TIME_LIMIT

NEWS = REPO_ROOT / "tests" / "fixtures" / "news"
#: The documented bound: a search stops after the time limit (10 s by default).
BOUND = DEFAULT_TIME_LIMIT
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_CLI = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


class Tally:
    """How many queries ran, and the slowest."""

    def __init__(self) -> None:
        self.queries = 0
        self.worst = 0.0
        self.worst_query = ""

    def add(self, query: str, seconds: float) -> None:
        self.queries += 1
        if seconds > self.worst:
            self.worst, self.worst_query = seconds, query


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    counted = Tally()
    yield counted
    print(f"\nhostile queries: {counted.queries} run, slowest {counted.worst:.3f} s ({counted.worst_query[:40]!r})")


@pytest.fixture(scope="module")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("hostile") / "ix"
    assert index_paths(index_dir, [NEWS], IndexConfig(procs=1)).added == 12
    return index_dir


@pytest.fixture(scope="module")
def searcher(news_index: Path) -> Iterator[Searcher]:
    with Searcher(news_index) as opened:
        yield opened


def check_api(searcher: Searcher, tally: Tally, query: str, any_terms: bool = False) -> SearchResult | QuerySyntaxError:
    """Search; the query must give results or the documented error, within the time limit."""
    started = time.perf_counter()
    try:
        outcome: SearchResult | QuerySyntaxError = searcher.search(query, limit=5, any_terms=any_terms)
    except QuerySyntaxError as exc:
        outcome = exc
    seconds = time.perf_counter() - started
    tally.add(query, seconds)
    assert seconds < BOUND, f"{query[:60]!r} took {seconds:.1f} s"
    if isinstance(outcome, QuerySyntaxError):
        assert outcome.message and len(str(outcome).splitlines()) == 1
        assert outcome.position is None or 0 <= outcome.position <= len(query)
        return outcome
    assert outcome.total >= len(outcome.hits) and len(outcome.hits) <= 5
    assert [hit.rank for hit in outcome.hits] == list(range(1, len(outcome.hits) + 1))
    for hit in outcome.hits:
        for snippet in hit.snippets:
            assert all(0 <= start < end <= len(snippet.text) for start, end in snippet.spans)
    return outcome


def check_cli(news_index: Path, tally: Tally, query: str, output_format: str = "json") -> int:
    """``diplosearch search --format F -- QUERY``: exit 0 with results, or 2 with exactly one error line."""
    started = time.perf_counter()
    # After "--", as a shell user passes a query that starts with "-".
    result = run_cli("search", "--index", news_index, "--format", output_format, "--limit", "3", "--", query)
    seconds = time.perf_counter() - started
    tally.add(query, seconds)
    assert seconds < BOUND, f"{query[:60]!r} took {seconds:.1f} s"
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 2), (query, result.exit_code, result.stderr)
    if result.exit_code == 2:
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    else:
        if output_format == "json":
            assert json.loads(result.stdout)["query"] == query
        else:
            assert result.stdout.startswith(("No hits for ", "1 hit for ")) or " hits for " in result.stdout.splitlines()[0]
        assert all(line.startswith("note: ") for line in result.stderr.splitlines()), result.stderr
    return result.exit_code


# -- the cases the issue names, and more of their kind -------------------------------------------

LONG = MAX_QUERY_LENGTH
ADVERSARIAL = {
    # unbalanced quotes and brackets
    "open quote": '"Treffen mit Putin',
    "lone quote": '"',
    "three quotes": '"""',
    "German quotes": "„Treffen mit Putin“ NATO“",
    "open bracket": "((NATO) AND Lawrow",
    "close bracket": "NATO))",
    "open range": "date:[2025-01-01 TO",
    "range elsewhere": "title:[a TO b]",
    "lone brackets": "[ ] { }",
    # control characters
    "NUL": "NATO\x00Gipfel",
    "bell and escape": "\x07\x08\x1b[31mNATO\x1b[0m",
    "line breaks": "Rutte\r\nKyjiw\x0bNATO\x0c",
    "unicode line breaks": "Rutte\x85Kyjiw\u2028NATO\u2029",
    "only control": "\x01\x02\x03",
    # 10,000 characters
    "one long word": "a" * LONG,
    "long word of umlauts": "Ä" * LONG,
    "many words": ("Lawrow " * LONG)[:LONG],
    "many distinct words": " ".join(f"w{n}" for n in range(3000))[:LONG],
    "one over the limit": "a" * (LONG + 1),
    "long phrase": '"' + ("Treffen mit Putin " * 600)[: LONG - 2] + '"',
    # wildcards and fuzziness
    "*a*": "*a*",
    "a~9": "a~9",
    "a~2": "a~2",
    "star": "*",
    "question mark": "Gipf?l",
    "fuzzy prefix": "Gipf*~1",
    "long fuzzy word": "Sicherheitsgarantie" * 10 + "~2",
    "many prefixes": " ".join(["a*"] * 64),
    "too many prefixes": " ".join(["a*"] * 65),
    "many fuzzy words": " ".join(["Lawrov~2"] * 64),
    # deeply nested parentheses
    "nested to the limit": "(" * MAX_DEPTH + "NATO" + ")" * MAX_DEPTH,
    "nested past the limit": "(" * (MAX_DEPTH + 1) + "NATO" + ")" * (MAX_DEPTH + 1),
    "nested 5000": "(" * 5000 + "NATO" + ")" * 4990,
    "nested NOT": "NOT " * 200 + "NATO",
    "nested minus groups": "-(" * 100 + "NATO" + ")" * 100,
    # 5,000 ORs, and the most that fit
    "5000 ORs": " OR ".join(["NATO"] * 5001),
    "2000 ORs": " OR ".join(["a"] * 2000),
    "1000 ORs of words": " OR ".join(["Lawrow"] * 1000)[: LONG - 10].rsplit(" OR", 1)[0],
    "1400 ANDs": " AND ".join(["Lawrow"] * 1400)[:LONG].rsplit(" AND", 1)[0],
    "many negations": " ".join(["-Trump"] * 1400),
    "any of many": " ".join(["Lawrow", "Rutte", "Kallas"] * 400),
    # odd Unicode
    "fullwidth": "ＮＡＴＯ Ｇｉｐｆｅｌ",
    "mathematical letters": "𝐍𝐀𝐓𝐎 𝔊𝔦𝔭𝔣𝔢𝔩",
    "ligatures": "ﬁnanz ﬂucht " + "ﬁ" * 3000,
    "dotted capital I": "İstanbul " + "İ" * 3000,
    "sharp s": "ß" * 5000,
    "combining marks": "Z̴̡͎a̶l̷g̸o Gipfe\u0301l",
    "emoji": "🇺🇦 Ukraine 🕊️",
    "zero width": "NA\u200bTO \u200d \ufeffGipfel",
    "no-break space": "NATO\u00a0Gipfel",
    "private use": "\ue000\uf8ff",
    "noncharacters": "\ufffe\uffff NATO",
    # right-to-left
    "Arabic": "مرحبا بالعالم",
    "Hebrew and Latin": "שלום NATO",
    "override marks": "\u202eNATO\u202c",
    "RTL mark": "\u200fNATO\u200f Gipfel",
    # fields and dates
    "unknown field": "titel:NATO",
    "field without value": "title:",
    "field in field": "title:body:NATO",
    "bad date": "date:2025-13-45",
    "huge year": "date:99999",
    "huge boost": "NATO^99999999999999999999999",
    "huge slop": '"Treffen Putin"~99999999999999',
    "url value": "url:https://www.tagesschau.de/ausland/gipfel-lawrow",
    "id prefix": "id:*",
}
# Lone surrogates cannot come from a command line as text (they arrive as
# undecodable bytes, tested below), only through the API.
SURROGATES = {"high surrogate": "\ud800", "low surrogate with a word": "NATO \udfff", "escaped byte": "Gipfel \udcff"}


@pytest.mark.parametrize("query", list(ADVERSARIAL.values()) + list(SURROGATES.values()), ids=list(ADVERSARIAL) + list(SURROGATES))
def test_adversarial_queries_through_the_api(searcher: Searcher, tally: Tally, query: str) -> None:
    check_api(searcher, tally, query, any_terms=len(query) % 2 == 1)  # both modes, half the time


@pytest.mark.parametrize("query", list(ADVERSARIAL.values()), ids=list(ADVERSARIAL))
def test_adversarial_queries_on_the_command_line(news_index: Path, tally: Tally, query: str) -> None:
    check_cli(news_index, tally, query, ("json", "plain", "table")[len(query) % 3])  # every format, in turn


REFUSED = [
    "open quote", "open bracket", "close bracket", "open range", "lone brackets", "only control", "NUL",
    "one over the limit", "*a*", "a~9", "star", "long fuzzy word", "too many prefixes", "nested past the limit",
    "nested 5000", "nested NOT", "nested minus groups", "5000 ORs", "unknown field", "field without value",
    "field in field", "bad date",
]  # fmt: skip
# Odd company changes nothing: the query finds what its plain form finds (and that is something).
SAME_AS = {
    "line breaks": ("Rutte Kyjiw NATO", False),
    "unicode line breaks": ("Rutte Kyjiw NATO", False),
    "override marks": ("NATO", False),
    "noncharacters": ("NATO", False),
    "huge boost": ("NATO", False),
    "emoji": ("Ukraine", False),
    "nested to the limit": ("NATO", False),
    "1400 ANDs": ("Lawrow", False),
    "1000 ORs of words": ("Lawrow", False),
    "many negations": ("-Trump", False),
    "many prefixes": ("a*", False),
    "many fuzzy words": ("Lawrov~2", False),
    "any of many": ("Lawrow Rutte Kallas", True),
    "RTL mark": ("NATO Gipfel", True),
    "no-break space": ("NATO Gipfel", True),
}


@pytest.mark.parametrize("name", REFUSED)
def test_malformed_queries_are_refused(searcher: Searcher, tally: Tally, name: str) -> None:
    assert isinstance(check_api(searcher, tally, ADVERSARIAL[name]), QuerySyntaxError)


@pytest.mark.parametrize("name", sorted(SAME_AS))
def test_odd_company_finds_what_the_plain_query_finds(searcher: Searcher, tally: Tally, name: str) -> None:
    plain, any_terms = SAME_AS[name]
    expected = check_api(searcher, tally, plain, any_terms)
    outcome = check_api(searcher, tally, ADVERSARIAL[name], any_terms)
    assert isinstance(expected, SearchResult) and expected.total > 0
    assert isinstance(outcome, SearchResult)
    assert (outcome.total, [hit.id for hit in outcome.hits]) == (expected.total, [hit.id for hit in expected.hits])


def test_the_term_limits_are_where_the_documentation_says(searcher: Searcher, tally: Tally) -> None:
    words = " ".join(["b"] * MAX_TERMS)
    assert isinstance(parse_query(words), And)
    error = check_api(searcher, tally, words + " b")
    assert isinstance(error, QuerySyntaxError) and error.position == len(words) + 1
    assert f"more than {MAX_TERMS} terms" in error.message
    prefixes = " ".join(["Gipf*", "Lawrov~1", "date:2025"] * (MAX_EXPANDING // 3) + ["Gipf*"] * (MAX_EXPANDING % 3))
    assert isinstance(check_api(searcher, tally, prefixes), SearchResult)
    error = check_api(searcher, tally, prefixes + " Ru*")
    assert isinstance(error, QuerySyntaxError) and error.position == len(prefixes) + 1
    fuzzy = "x" * MAX_FUZZY_LENGTH + "~1"
    assert isinstance(check_api(searcher, tally, fuzzy), SearchResult)
    assert isinstance(check_api(searcher, tally, "x" + fuzzy), QuerySyntaxError)


@pytest.mark.parametrize("query", list(SURROGATES.values()), ids=list(SURROGATES))
def test_lone_surrogates_are_refused_where_they_are(searcher: Searcher, tally: Tally, query: str) -> None:
    error = check_api(searcher, tally, query)
    assert isinstance(error, QuerySyntaxError) and "no character" in error.message
    assert error.position is not None and 0xD800 <= ord(query[error.position]) <= 0xDFFF


@pytest.mark.parametrize("raw", [b"\xff", b"NATO \xff", b"Lawrov \xed\xa0\x80", b"\xc3(NATO"])
def test_undecodable_bytes_on_a_real_command_line(news_index: Path, raw: bytes) -> None:
    # Bytes that are no UTF-8 reach Python as lone surrogates (surrogateescape).
    environment = {k: v for k, v in os.environ.items() if k != "DIPLOSEARCH_INDEX"}
    done = subprocess.run(
        [sys.executable, "-c", "from searcher.cli import main; main()", b"search", b"--index", os.fsencode(news_index), b"--", raw],
        capture_output=True,
        env=environment,
        cwd=REPO_ROOT,
        timeout=60,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2 and done.stdout == b""
    assert len(stderr.splitlines()) == 1 and stderr.startswith("Error: query contains"), stderr


# -- property-based --------------------------------------------------------------------------------

WORDS = ["NATO", "Lawrow", "Gipfel", "Treffen", "Putin", "Selenskyj", "Kyjiw", "Rutte", "der", "und", "Äußeres", "x"]
SYNTAX = [
    " ", " ", "  ", "\t", "\n", "AND", "OR", "NOT", "UND", "ODER", "NICHT", "&&", "||", "!", "-", "+", '"', "„", "“",
    "(", ")", "[", "]", "{", "}", ":", "*", "?", "~", "~1", "~2", "~9", "^", "^2", "^0.5", "TO", "title:", "body:",
    "date:", "id:", "url:", "source:", "category:", "titel:", "2025", "2025-08-22", "22.08.2025", ">=", "<",
    "\x00", "\x1b", "\u202e", "\u200f", "ß", "İ", "ﬁ", "\u0301", "🇺🇦", "مرحبا",
]  # fmt: skip

tokens = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(SYNTAX),
    st.text(min_size=1, max_size=6),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn", "Co"]), min_size=1, max_size=3),
)
query_like = st.lists(tokens, max_size=30).map("".join)


@FUZZ
@given(query=query_like)
def test_query_like_strings_through_the_parser_and_the_searcher(searcher: Searcher, tally: Tally, query: str) -> None:
    try:
        parse_query(query)
    except QuerySyntaxError as exc:
        assert exc.position is None or 0 <= exc.position <= len(query)
    check_api(searcher, tally, query)


@FUZZ
@given(query=st.text(max_size=200), any_terms=st.booleans())
def test_arbitrary_text_through_the_searcher(searcher: Searcher, tally: Tally, query: str, any_terms: bool) -> None:
    check_api(searcher, tally, query, any_terms)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.lists(st.one_of(st.characters(categories=["Cs"]), st.sampled_from(["NATO", " ", "(", '"', "*"])), min_size=1, max_size=20).map("".join))
def test_lone_surrogates_anywhere(searcher: Searcher, tally: Tally, query: str) -> None:
    check_api(searcher, tally, query)


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(piece=st.sampled_from(WORDS + SYNTAX + ["(", "a*", "Lawrow~2", '"a b"']), length=st.integers(LONG - 200, LONG + 50))
def test_queries_near_the_length_limit(searcher: Searcher, tally: Tally, piece: str, length: int) -> None:
    query = (piece * (length // len(piece) + 1))[:length]
    outcome = check_api(searcher, tally, query)
    if length > LONG:
        assert isinstance(outcome, QuerySyntaxError) and "longer than" in outcome.message


@FUZZ_CLI
@given(
    query=st.one_of(query_like, st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)),
    output_format=st.sampled_from(["json", "plain", "table"]),
)
def test_the_command_line_exits_0_or_2_with_one_line(news_index: Path, tally: Tally, query: str, output_format: str) -> None:
    check_cli(news_index, tally, query, output_format)
