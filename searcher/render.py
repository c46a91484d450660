"""Turning results into text for people: a table, plain blocks, a whole article.

Marks are given as a :class:`Marks` pair, so the same code writes bold colour
on a terminal and ``[`` ``]`` into a pipe (or when ``NO_COLOR`` is set).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .highlight import Snippet, render_spans
from .searcher import Article, Hit, SearchResult

__all__ = ["Marks", "BRACKETS", "ANSI", "render_table", "render_plain", "render_article", "render_header"]


@dataclass(frozen=True)
class Marks:
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
    return f"{title}\n{' | '.join(meta)}\n\n{body}"
