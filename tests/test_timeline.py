"""The timeline: matching articles per month, year or ISO week, as counts and as a chart (issue 7)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

from analyst_corpus import CEASEFIRE, GRAIN, build_index
from conftest import run_cli
from searcher import Searcher
from searcher.render import render_timeline
from searcher.timeline import Bucket, Timeline

BLOCKS = "▏▎▍▌▋▊▉█"


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("timeline"))


@pytest.fixture(scope="module")
def searcher(corpus_index: Path) -> Iterator[Searcher]:
    with Searcher(corpus_index) as opened:
        yield opened


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def test_month_buckets_with_the_empty_months_between(searcher: Searcher) -> None:
    timeline = searcher.timeline("Waffenstillstand", by="month")
    per_month = Counter(r.date[:7] for r in CEASEFIRE if r.date)
    periods = months_between(min(per_month), max(per_month))
    assert [(b.period, b.count) for b in timeline.buckets] == [(p, per_month.get(p, 0)) for p in periods]
    assert ("2025-02", 0) in [(b.period, b.count) for b in timeline.buckets]  # an empty month is shown
    assert timeline.total == len(CEASEFIRE)
    assert timeline.undated == sum(1 for r in CEASEFIRE if not r.date) == 1
    assert timeline.peak == Bucket("2025-03", 3)


def test_years_and_iso_weeks(searcher: Searcher) -> None:
    by_year = searcher.timeline("Getreideabkommen", by="year")
    assert [(b.period, b.count) for b in by_year.buckets] == [("2024", 3)]
    by_week = searcher.timeline("Getreideabkommen", by="week")
    weeks = [date.fromisoformat(r.date).isocalendar() for r in GRAIN]
    labels = [f"{y}-W{w:02d}" for y, w, _ in weeks]
    # 2024-12-30 is a Monday in the first ISO week of 2025.
    assert labels[-1] == "2025-W01"
    assert by_week.buckets[0].period == labels[0] and by_week.buckets[-1].period == labels[-1]
    assert sum(b.count for b in by_week.buckets) == 3
    assert [b.period for b in by_week.buckets if b.count] == labels
    # Consecutive ISO weeks from 2024-W29 to 2025-W01 (2024 has 52 weeks).
    assert len(by_week.buckets) == (52 - 29 + 1) + 1


def test_no_match_no_buckets(searcher: Searcher) -> None:
    timeline = searcher.timeline("Nichtsdergleichen")
    assert (timeline.total, timeline.buckets, timeline.peak) == (0, (), None)
    assert render_timeline(timeline, 80) == "0 articles match 'Nichtsdergleichen'"


def bar_cells(line: str) -> float:
    """The length of the bar in a chart row, in characters (eighths counted)."""
    bar = line.split("│", 1)[1]
    return sum(1 if ch == "█" else (BLOCKS.index(ch) + 1) / 8 for ch in bar if ch in BLOCKS)


@pytest.mark.parametrize("width", [50, 120])
def test_the_chart_fits_the_width_and_scales_the_bars(width: int) -> None:
    timeline = Timeline(
        "Gipfel",
        "month",
        total=40,
        buckets=(Bucket("2025-01", 12), Bucket("2025-02", 0), Bucket("2025-03", 3), Bucket("2025-04", 24)),
    )
    chart = render_timeline(timeline, width)
    lines = chart.splitlines()
    assert all(len(line) <= width for line in lines), chart
    summary = " ".join(chart.split("\n\n")[0].splitlines())  # wrapped to the width
    assert "most in 2025-04 (24)" in summary and "1 undated, not shown" in summary
    rows = {line.split("│")[0].strip(): line for line in lines if "│" in line}
    assert rows["month"].strip() == "month │"  # the axis label of the periods
    assert rows["2025-02"].endswith("│ 0")  # an empty month, drawn without a bar
    lengths = {period: bar_cells(rows[period]) for period in ("2025-01", "2025-03", "2025-04")}
    longest = lengths["2025-04"]
    assert longest > width * 0.6  # the peak uses most of the width
    for period, count in (("2025-01", 12), ("2025-03", 3)):
        # Proportional to the count, to within an eighth of a character on each bar.
        assert lengths[period] / longest == pytest.approx(count / 24, abs=0.25 / longest)
    assert rows["2025-04"].endswith(" 24") and rows["2025-01"].endswith(" 12")
    # The count axis: a baseline, round tick values from 0, and its label.
    axis = next(line for line in lines if "└" in line)
    ticks = lines[lines.index(axis) + 1].split()
    assert ticks[0] == "0" and int(ticks[-1]) >= 24 and all(int(t) % 5 == 0 for t in ticks)
    assert lines[-1].strip() == "articles"


def test_wider_terminal_longer_bars() -> None:
    timeline = Timeline("x", "year", 5, (Bucket("2024", 2), Bucket("2025", 5)))
    narrow = bar_cells(render_timeline(timeline, 50).splitlines()[4])
    wide = bar_cells(render_timeline(timeline, 120).splitlines()[4])
    assert wide > 2 * narrow


@pytest.mark.parametrize("columns", [60, 140])
def test_cli_chart_at_two_terminal_widths(corpus_index: Path, columns: int) -> None:
    result = run_cli("timeline", "Waffenstillstand", "--index", corpus_index, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= columns for line in lines), result.stdout
    assert lines[0].startswith("7 articles match 'Waffenstillstand'")
    rows = [line for line in lines if "│" in line][1:]
    assert [row.split("│")[0].strip() for row in rows] == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    peak = next(row for row in rows if row.startswith("2025-03"))
    assert bar_cells(peak) >= columns - len("2025-03 │ 3") - 1


def test_cli_json_and_csv(corpus_index: Path) -> None:
    result = run_cli("timeline", "Waffenstillstand", "--index", corpus_index, "--by", "month", "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) == {"query", "by", "total", "buckets"}
    assert (data["query"], data["by"], data["total"]) == ("Waffenstillstand", "month", len(CEASEFIRE))
    assert data["buckets"][:2] == [{"period": "2025-01", "count": 2}, {"period": "2025-02", "count": 0}]
    rows = list(csv.reader(io.StringIO(run_cli("timeline", "Waffenstillstand", "--index", corpus_index, "--by", "year", "--format", "csv").stdout)))
    assert rows == [["period", "count"], ["2025", str(len(CEASEFIRE) - 1)]]


def test_cli_refuses_an_unknown_period(corpus_index: Path) -> None:
    result = run_cli("timeline", "Waffenstillstand", "--index", corpus_index, "--by", "day")
    assert result.exit_code == 2 and result.stdout == ""


def test_cli_a_bad_query_exits_2(corpus_index: Path) -> None:
    result = run_cli("timeline", '"Waffenstillstand', "--index", corpus_index)
    assert result.exit_code == 2 and result.stderr.startswith("Error: unclosed quote")
