"""Facets: counts of all matches per source, category, year and month (issue 7).

The expected counts are derived from the records of tests/analyst_corpus.py.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from analyst_corpus import CEASEFIRE, RECORDS, Record, build_index
from conftest import run_cli
from searcher import Searcher


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("facets"))


@pytest.fixture(scope="module")
def searcher(corpus_index: Path) -> Iterator[Searcher]:
    with Searcher(corpus_index) as opened:
        yield opened


def expected(records: list[Record], facet: str) -> dict[str, int]:
    """What a facet should count over ``records``: values present, most frequent first (dates in order)."""
    values = {
        "source": lambda r: r.source,
        "category": lambda r: r.category,
        "year": lambda r: r.date[:4],
        "month": lambda r: r.date[:7],
    }[facet]
    counts = Counter(values(r) for r in records if values(r))
    if facet in ("year", "month"):
        return dict(sorted(counts.items()))
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def test_facets_count_every_match_not_only_the_page(searcher: Searcher) -> None:
    result = searcher.search("Waffenstillstand", limit=2, facets=("source", "category", "year", "month"))
    assert result.total == len(CEASEFIRE) and len(result.hits) == 2
    assert result.facets is not None
    for facet in ("source", "category", "year", "month"):
        assert result.facets[facet] == expected(CEASEFIRE, facet), facet
    # Listed as documented: by count for sources, in time order for months.
    assert list(result.facets["source"]) == ["tagesschau", "zeit", "derstandard", "euronews"]
    assert list(result.facets["month"]) == ["2025-01", "2025-03", "2025-05"]
    # The undated article without a source is a match but has no value to count.
    assert sum(result.facets["source"].values()) == len(CEASEFIRE) - 1


def test_no_facets_unless_asked(searcher: Searcher) -> None:
    assert searcher.search("Waffenstillstand").facets is None


def test_a_facet_value_is_a_filter_that_composes_with_the_query(searcher: Searcher) -> None:
    """The drill-down: each facet value, as a filter, finds exactly as many articles as it counted."""
    counted = searcher.search("Waffenstillstand", facets=("source", "month")).facets
    assert counted is not None
    for source, count in counted["source"].items():
        assert searcher.search(f"Waffenstillstand source:{source}").total == count
    for month, count in counted["month"].items():
        narrowed = searcher.search(f"Waffenstillstand source:zeit date:{month}", facets=("source",))
        zeit_in_month = sum(1 for r in CEASEFIRE if r.source == "zeit" and r.date.startswith(month))
        assert narrowed.total == zeit_in_month
        assert narrowed.facets == {"source": {"zeit": zeit_in_month} if zeit_in_month else {}}


def test_facets_of_the_whole_archive(searcher: Searcher) -> None:
    """``-Nichtsdergleichen`` matches everything: the facets are those of the corpus."""
    result = searcher.search("-Nichtsdergleichen", facets=("year", "source"))
    assert result.total == len(RECORDS)
    assert result.facets == {"year": expected(RECORDS, "year"), "source": expected(RECORDS, "source")}


def test_an_unknown_facet_is_refused(searcher: Searcher) -> None:
    with pytest.raises(ValueError, match="unknown facet 'weather'"):
        searcher.search("Waffenstillstand", facets=("weather",))


def test_cli_json_carries_the_facets(corpus_index: Path) -> None:
    result = run_cli("search", "Waffenstillstand", "--index", corpus_index, "--facets", "source,year", "--json", "-n", "1")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"query", "total", "took_ms", "hits", "suggestion", "facets"}
    assert data["facets"] == {"source": expected(CEASEFIRE, "source"), "year": expected(CEASEFIRE, "year")}
    plain = json.loads(run_cli("search", "Waffenstillstand", "--index", corpus_index, "--json").stdout)
    assert "facets" not in plain


def test_cli_table_prints_the_counts_after_the_hits(corpus_index: Path) -> None:
    result = run_cli(
        "search", "Waffenstillstand", "--index", corpus_index, "--facets", "source,month", "--format", "table", "-n", "2",
        env={"COLUMNS": "100"},
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    source_line = next(i for i, line in enumerate(lines) if line.startswith("source "))
    month_line = next(i for i, line in enumerate(lines) if line.startswith("month "))
    last_hit = max(i for i, line in enumerate(lines) if line.startswith("2 "))
    assert last_hit < source_line < month_line
    assert lines[source_line].split(None, 1)[1] == "tagesschau (2), zeit (2), derstandard (1), euronews (1)"
    assert lines[month_line].split(None, 1)[1] == "2025-01 (2), 2025-03 (3), 2025-05 (1)"


@pytest.mark.parametrize("facets", ["source,weather", ",", "people;places"])
def test_cli_refuses_unknown_facets_with_usage_exit(corpus_index: Path, facets: str) -> None:
    result = run_cli("search", "Waffenstillstand", "--index", corpus_index, "--facets", facets)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--facets" in result.stderr


def test_a_re_indexed_article_counts_once_with_its_new_value(tmp_path: Path) -> None:
    """Facets see the index as it is: an updated article is counted under its new source only."""
    from analyst_corpus import write_corpus
    from index import index_paths

    corpus = write_corpus(tmp_path / "corpus.jsonl")
    index_paths(tmp_path / "ix", [corpus])
    lines = corpus.read_text(encoding="utf-8").splitlines()
    changed = [json.loads(line) for line in lines]
    for record in changed:
        if record["id"] == "c1":
            record["source"] = "zeit"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in changed), encoding="utf-8")
    assert index_paths(tmp_path / "ix", [corpus]).updated == 1
    with Searcher(tmp_path / "ix") as searcher:
        counted = searcher.search("Waffenstillstand", facets=("source",)).facets
    assert counted == {"source": {"zeit": 3, "derstandard": 1, "euronews": 1, "tagesschau": 1}}
