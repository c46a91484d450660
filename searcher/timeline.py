"""A timeline: how many matching articles appeared per year, month or ISO week.

Counting is here; drawing the chart is :func:`searcher.render.render_timeline`.
Periods are labelled ``2025``, ``2025-08`` and ``2025-W34`` (ISO 8601 weeks,
which start on Monday; the first week of a year is the one with its first
Thursday). Every period from the first to the last with a match is listed,
empty ones included, so that a chart shows the gaps.

>>> from datetime import datetime, timezone
>>> def seconds(*ymd: int) -> int:
...     return int(datetime(*ymd, tzinfo=timezone.utc).timestamp())
>>> timeline = build_timeline("Lawrow", "month", [seconds(2025, 1, 5), seconds(2025, 3, 9), seconds(2025, 3, 31)])
>>> [(b.period, b.count) for b in timeline.buckets]
[('2025-01', 1), ('2025-02', 0), ('2025-03', 2)]
>>> period_of(seconds(2019, 1, 16), "week"), period_of(seconds(2021, 1, 1), "week")
('2019-W03', '2020-W53')
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Literal

from index.schema import UNDATED

__all__ = ["Bucket", "Timeline", "PeriodKind", "PERIODS", "build_timeline", "period_of"]

PeriodKind = Literal["year", "month", "week"]
#: The periods a timeline can count by.
PERIODS: tuple[PeriodKind, ...] = ("month", "year", "week")


@dataclass(frozen=True)
class Bucket:
    """One period and the number of matching articles dated in it."""

    period: str
    count: int


@dataclass(frozen=True)
class Timeline:
    """Matching articles per period.

    :param total: every matching article, undated ones included; they are in
        no bucket, so ``total - sum of counts`` is the number of undated matches.
    :param buckets: every period from the first to the last match, in order.
    :param notes: how the query was read (ignored stop words, ...).
    """

    query: str
    by: PeriodKind
    total: int
    buckets: tuple[Bucket, ...]
    notes: tuple[str, ...] = ()

    @property
    def undated(self) -> int:
        """Matching articles without a date."""
        return self.total - sum(bucket.count for bucket in self.buckets)

    @property
    def peak(self) -> Bucket | None:
        """The period with the most matches (the earliest of equals), or None without dated matches."""
        best: Bucket | None = None
        for bucket in self.buckets:
            if best is None or bucket.count > best.count:
                best = bucket
        return best

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "by": self.by,
            "total": self.total,
            "buckets": [{"period": b.period, "count": b.count} for b in self.buckets],
        }

    def to_csv(self) -> str:
        """``period,count`` and one line per period."""
        return "period,count\n" + "".join(f"{b.period},{b.count}\n" for b in self.buckets)


def _day(seconds: int) -> date | None:
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None


def _label(day: date, by: PeriodKind) -> str:
    if by == "year":
        return f"{day.year:04d}"
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def period_of(seconds: int, by: PeriodKind) -> str | None:
    """The period label of a moment (seconds since 1970, UTC), or None for an undated article."""
    if seconds == UNDATED:
        return None
    day = _day(seconds)
    return None if day is None else _label(day, by)


def _start(day: date, by: PeriodKind) -> date:
    """The first day of the period that holds ``day``."""
    if by == "year":
        return date(day.year, 1, 1)
    if by == "month":
        return date(day.year, day.month, 1)
    return day - timedelta(days=day.weekday())


def _next(start: date, by: PeriodKind) -> date:
    if by == "year":
        return date(start.year + 1, 1, 1)
    if by == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=7)


def build_timeline(query: str, by: PeriodKind, dates: Iterable[int], notes: Iterable[str] = ()) -> Timeline:
    """Count matching articles per period.

    :param query: the query, as the user wrote it.
    :param by: ``"year"``, ``"month"`` or ``"week"``.
    :param dates: the ``date_sort`` value (seconds since 1970, UTC, or
        :data:`~index.schema.UNDATED`) of every matching article.
    :raises ValueError: for an unknown ``by``.
    """
    if by not in PERIODS:
        raise ValueError(f"a timeline is by {', '.join(PERIODS)}, not {by!r}")
    total = 0
    days: Counter[date] = Counter()
    for seconds in dates:
        total += 1
        day = _day(seconds) if seconds != UNDATED else None
        if day is not None:
            days[_start(day, by)] += 1
    buckets: list[Bucket] = []
    if days:
        current, last = min(days), max(days)
        while current <= last:
            buckets.append(Bucket(_label(current, by), days.get(current, 0)))
            current = _next(current, by)
    return Timeline(query=query, by=by, total=total, buckets=tuple(buckets), notes=tuple(notes))
