"""Turning results into text for people: a table, plain blocks, a whole article, facets, a timeline chart.

Marks are given as a :class:`Marks` pair, so the same code writes bold colour
on a terminal and ``[`` ``]`` into a pipe (or when ``NO_COLOR`` is set).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, NamedTuple

from .facets import Facets
from .highlight import Snippet, render_spans
from .searcher import Article, Hit, SearchResult

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = [
    "Marks",
    "BRACKETS",
    "ANSI",
    "render_table",
    "render_plain",
    "render_article",
    "render_header",
    "render_similar_header",
    "render_facets",
    "render_timeline",
]


class Marks(NamedTuple):  # a NamedTuple: defining a dataclass costs about 1 ms of every search's start
    """What goes before and after a matched word."""

    before: str
    after: str


BRACKETS = Marks("[", "]")
ANSI = Marks("\x1b[1;33m", "\x1b[0m")  # bold yellow
# Placeholders while wrapping, so escape codes never count toward a line's width.
_OPEN, _CLOSE = "\ue000", "\ue001"


def _date(hit: Hit | Article) -> str:
    return hit.date.date().isoformat() if hit.date else ""


def render_header(result: SearchResult) -> str:
    """``3 hits for 'Lawrow' (12 ms), page 1 of 1`` or ``No hits for 'X' (5 ms)``."""
    took = f"{result.took_ms:.0f} ms"
    if result.total == 0:
        return f"No hits for {result.query!r} ({took})"
    pages = (result.total + result.limit - 1) // result.limit
    noun = "hit" if result.total == 1 else "hits"
    complete = "" if result.complete else " (incomplete: time limit reached)"
    return f"{result.total:,} {noun} for {result.query!r} ({took}), page {result.page} of {pages}{complete}"


def render_similar_header(article_id: str, result: SearchResult) -> str:
    """``7 articles like 'ID' (12 ms), page 1 of 1`` and, below, the key terms that were searched."""
    pages = max((result.total + result.limit - 1) // result.limit, 1)
    noun = "article" if result.total == 1 else "articles"
    return (
        f"{result.total:,} {noun} like {article_id!r} ({result.took_ms:.0f} ms), page {result.page} of {pages}\n"
        f"key terms: {result.query or '(none)'}"
    )


def _snippet_text(snippets: tuple[Snippet, ...]) -> str:
    body = [s for s in snippets if s.field == "body"]
    chosen = body or list(snippets)
    return " ".join(s.render(_OPEN, _CLOSE) for s in chosen)


def _wrap(text: str, width: int, max_lines: int, marks: Marks) -> str:
    lines = textwrap.wrap(text, width=max(width, 8), max_lines=max_lines, placeholder=" …")
    out = "\n".join(lines)
    # A mark cut by the line limit is closed at the end of the cell.
    if out.count(_OPEN) > out.count(_CLOSE):
        out += _CLOSE
    return out.replace(_OPEN, marks.before).replace(_CLOSE, marks.after)


def render_table(result: SearchResult, width: int, marks: Marks) -> str:
    """The hits as a table fitted to ``width`` columns: rank, date, source, title, snippet."""
    from tabulate import tabulate

    if not result.hits:
        return ""
    # tabulate makes a column at least as wide as its header plus two spaces.
    rank_w, date_w = max(len(str(result.hits[-1].rank)), len("#") + 2), 10
    source_w = max(min(16, max((len(h.source) for h in result.hits), default=0)), len("source") + 2)
    # Two spaces between columns; title and snippet share what is left, 1:2.
    rest = max(width - rank_w - date_w - source_w - 8, 30)
    title_w = max(rest // 3, 12)
    snippet_w = max(rest - title_w, 18)
    rows = []
    for hit in result.hits:
        rows.append(
            (
                hit.rank,
                _date(hit),
                _wrap(hit.source, source_w, 2, marks),
                _wrap(hit.title, title_w, 3, marks),
                _wrap(_snippet_text(hit.snippets), snippet_w, 4, marks),
            )
        )
    return tabulate(
        rows,
        headers=["#", "date", "source", "title", "snippet"],
        tablefmt="simple",
        disable_numparse=True,
    )


def render_plain(result: SearchResult, marks: Marks) -> str:
    """One block per hit: rank and title, a line of metadata, the snippets."""
    blocks = []
    for hit in result.hits:
        lines = [f"{hit.rank}. {hit.title}"]
        meta = [f"id: {hit.id}"]
        if hit.date:
            meta.append(f"date: {_date(hit)}")
        if hit.source:
            meta.append(f"source: {hit.source}")
        if hit.score is not None:
            meta.append(f"score: {hit.score:.3f}")
        lines.append("   " + " | ".join(meta))
        for snippet in hit.snippets:
            label = "title: " if snippet.field == "title" else ""
            lines.append("   " + label + snippet.render(marks.before, marks.after))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_article(article: Article, marks: Marks) -> str:
    """A whole article, its query matches marked."""
    title = render_spans(article.title, article.title_spans, marks.before, marks.after)
    meta = [f"id: {article.id}"]
    for label, value in (("date", _date(article)), ("source", article.source),
                         ("category", article.category), ("url", article.url), ("path", article.path)):
        if value:
            meta.append(f"{label}: {value}")
    body = render_spans(article.body, article.body_spans, marks.before, marks.after)
    named = [f"{label}: {', '.join(names)}" for label, names in
             (("people", article.people), ("places", article.places), ("orgs", article.orgs)) if names]
    named_line = f"\n{' | '.join(named)}" if named else ""
    return f"{title}\n{' | '.join(meta)}{named_line}\n\n{body}"


# -- facets ----------------------------------------------------------------------

#: The most values of one facet shown in text (JSON has them all).
FACET_VALUES_SHOWN = 10


def render_facets(facets: Facets, width: int, shown: int = FACET_VALUES_SHOWN) -> str:
    """The facet counts, one facet a block: its name, then ``value (count)`` pairs wrapped to ``width``.

    >>> print(render_facets({"source": {"zeit": 3, "euronews": 1}, "year": {}}, 60))
    source  zeit (3), euronews (1)
    year    (none)
    """
    if not facets:
        return ""
    name_w = max(len(name) for name in facets) + 2
    blocks = []
    for name, values in facets.items():
        pairs = [f"{value} ({count:,})" for value, count in list(values.items())[:shown]]
        if len(values) > shown:
            pairs.append(f"… {len(values) - shown:,} more")
        # Wrapped between pairs, never inside one ("Wolodymyr Selenskyj (4)").
        lines: list[str] = []
        line = name.ljust(name_w)
        for number, pair in enumerate(pairs or ["(none)"]):
            text = pair + ("," if number < len(pairs) - 1 else "")
            if line.strip() and len(line) + 1 + len(text) > width and line.strip() != name:
                lines.append(line)
                line = " " * name_w + text
            else:
                line += ("" if line.endswith(" ") else " ") + text
        lines.append(line)
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


# -- timeline --------------------------------------------------------------------

_EIGHTHS = " ▏▎▍▌▋▊▉█"
_MIN_BAR = 10


def _tick_step(largest: int) -> int:
    """A round step (1, 2, 5, 10, 20, ...) that divides the axis into at most five parts."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if -(-largest // step) <= 5:
                return step
        magnitude *= 10


def _bar(value: int, scale: int, cells: int) -> str:
    """A bar of ``value`` on an axis of ``cells`` characters for ``scale``, in eighths of a character."""
    if value <= 0:
        return ""
    eighths = max(round(value / scale * cells * 8), 1)  # a period with matches never looks empty
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def render_timeline(timeline: Timeline, width: int) -> str:
    """A horizontal bar chart of a timeline, fitted to ``width`` columns.

    One row per period (empty ones included) with its bar and count, a
    labelled axis of article counts under it, and a line saying how many
    matched, when the story peaked and how many matches have no date.
    """
    total, undated, peak = timeline.total, timeline.undated, timeline.peak
    noun = "article matches" if total == 1 else "articles match"
    summary = f"{total:,} {noun} {timeline.query!r}"
    if peak is None:
        lines = [summary + ("; no match has a date" if total else "")]
        return "\n".join(lines)
    summary += f", per {timeline.by}; most in {peak.period} ({peak.count:,})"
    if undated:
        summary += f"; {undated:,} undated, not shown"
    lines = textwrap.wrap(summary, width=max(width, 20))
    lines.append("")
    label_w = max(len(timeline.by), *(len(b.period) for b in timeline.buckets))
    count_w = len(f"{peak.count:,}")
    bar_w = max(width - label_w - 2 - 1 - count_w, _MIN_BAR)
    step = _tick_step(peak.count)
    scale = -(-peak.count // step) * step
    lines.append(f"{timeline.by:>{label_w}} │")
    for bucket in timeline.buckets:
        lines.append(f"{bucket.period:>{label_w}} │{_bar(bucket.count, scale, bar_w)} {bucket.count:,}".rstrip())
    # The axis: a tick under the end of each round value's bar, its label ending there.
    axis = ["─"] * bar_w
    labels = [" "] * (label_w + 2 + bar_w)
    labels[label_w + 1] = "0"
    for value in range(step, scale + 1, step):
        cell = min(max(round(value / scale * bar_w) - 1, 0), bar_w - 1)
        axis[cell] = "┬"
        text = f"{value:,}"
        end = label_w + 2 + cell + 1
        start = end - len(text)
        if start > label_w + 2 and all(c == " " for c in labels[start - 1 : end]):
            labels[start:end] = list(text)
    lines.append(" " * label_w + " └" + "".join(axis))
    lines.append("".join(labels).rstrip())
    lines.append(f"{'articles':>{label_w + 2 + bar_w}}")
    return "\n".join(lines)
