"""An interactive session on one open index: query after query without starting anew.

The loop reads lines from any stream and writes to any streams, so it runs on
a terminal (with line editing and history, through the standard library's
``readline`` where there is one), from a pipe or file, and in tests:

>>> import io, tempfile
>>> from index import index_paths
>>> from searcher import Searcher
>>> index_dir = tempfile.mkdtemp()
>>> _ = index_paths(index_dir, ["seeds"])
>>> out = io.StringIO()
>>> with Searcher(index_dir) as searcher:
...     run_shell(searcher, io.StringIO("Lawrow\\nquit\\n"), out, io.StringIO())
>>> print(out.getvalue().splitlines()[0])
1 hit for 'Lawrow' (... ms), page 1 of 1

A line is one of the commands in :data:`HELP`, else a query. To search for a
word that is also a command (``help``), quote it: ``"help"``.
"""

from __future__ import annotations

import os
import re
from typing import Callable, Iterable, Iterator, TextIO

from index.errors import SearchError

from .facets import FACETS, parse_facets
from .render import (
    BRACKETS,
    Marks,
    render_article,
    render_facets,
    render_header,
    render_plain,
    render_similar_header,
    render_timeline,
)
from .searcher import Hit, Searcher, SearchResult
from .timeline import PERIODS, PeriodKind

__all__ = ["Shell", "run_shell", "HELP", "PROMPT"]

PROMPT = "diplosearch> "

HELP = f"""\
Type a query to search (the syntax of 'diplosearch search'), or a command:
  n, p               the next or the previous page of hits
  show N             read hit N whole, its matches marked
  similar N          the articles most like hit N (then n, p, show N as usual)
  facets LIST        count the matches by {', '.join(FACETS)}
                     (comma-separated), now and for every query after; 'facets off' stops
  timeline [BY]      matches of the query per {' | '.join(PERIODS)} as a bar chart
  help               this text
  quit               leave (also exit, or Ctrl-D)
Quote a query that looks like a command: "help"."""

_SHOW = re.compile(r"(show|similar)\s+(\d+)", re.IGNORECASE)


class Shell:
    """The state of one session: the current listing (a query's hits or an article's
    relatives), its page, and the facets to count.

    :param searcher: an open searcher; the shell does not close it.
    :param out: where results go.
    :param err: where errors and notes go.
    :param marks: how matched words are marked (brackets, or colour on a terminal).
    :param width: the width of the text, for facets and the timeline.
    :param page_size: hits per page.
    """

    def __init__(
        self,
        searcher: Searcher,
        out: TextIO,
        err: TextIO,
        *,
        marks: Marks = BRACKETS,
        width: int = 100,
        page_size: int = 10,
    ) -> None:
        self.searcher = searcher
        self.out = out
        self.err = err
        self.marks = marks
        self.width = width
        self.page_size = page_size
        self.facets: tuple[str, ...] = ()
        self.query: str | None = None  # the words to mark when reading a hit
        self.result: SearchResult | None = None
        self._fetch: Callable[[int], SearchResult] | None = None
        self._similar_to: str | None = None  # the article whose relatives are listed
        self._spoken = False  # whether the session has written anything yet
        self._gap = False  # a blank line is due before the next output

    # -- output ------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        if self._gap:
            self.out.write("\n")  # between the answers to two commands
            self._gap = False
        self.out.write(text + "\n")
        self.out.flush()
        self._spoken = True

    def complain(self, text: str) -> None:
        self.err.write(text + "\n")
        self.err.flush()

    # -- commands ----------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """Carry out one line; False when the session should end."""
        line = line.strip()
        command = line.lower()
        if not line:
            return True
        if command in ("quit", "exit", "q"):
            return False
        self._gap = self._spoken
        try:
            if command in ("help", "?"):
                self.say(HELP)
            elif command in ("n", "next"):
                self.turn(+1)
            elif command in ("p", "prev", "previous"):
                self.turn(-1)
            elif command == "facets" or command.startswith("facets "):
                self.set_facets(line[len("facets") :].strip())
            elif command == "timeline" or command.startswith("timeline "):
                self.timeline(line[len("timeline") :].strip().lower())
            elif _SHOW.fullmatch(line):
                match = _SHOW.fullmatch(line)
                assert match is not None
                verb, number = match.group(1).lower(), int(match.group(2))
                if verb == "show":
                    self.show(number)
                else:
                    self.similar(number)
            else:
                self.search(line)
        except (SearchError, ValueError) as exc:
            self.complain(f"Error: {exc}")
        return True

    def search(self, query: str) -> None:
        self.searcher.refresh()  # see what was indexed since the last query

        def fetch(page: int) -> SearchResult:
            return self.searcher.search(query, limit=self.page_size, page=page, facets=self.facets)

        self.listing(fetch, query)

    def similar(self, number: int) -> None:
        hit = self.hit(number)

        def fetch(page: int) -> SearchResult:
            return self.searcher.similar(hit.id, limit=self.page_size, page=page, facets=self.facets)

        self.listing(fetch, None, similar_to=hit.id)

    def listing(self, fetch: Callable[[int], SearchResult], query: str | None, similar_to: str | None = None) -> None:
        result = fetch(1)
        self._fetch, self.result, self._similar_to = fetch, result, similar_to
        # Reading a related article marks the key terms it shares.
        self.query = query if query is not None else " OR ".join(result.query.split())
        self.show_result(result)

    def turn(self, step: int) -> None:
        if self.result is None or self._fetch is None:
            raise ValueError("no hits yet: type a query first")
        page = self.result.page + step
        pages = max((self.result.total + self.page_size - 1) // self.page_size, 1)
        if page < 1 or page > pages:
            raise ValueError(f"there is no page {page}; the hits fill {pages} page{'s' if pages > 1 else ''}")
        self.result = self._fetch(page)
        self.show_result(self.result)

    def show_result(self, result: SearchResult) -> None:
        for note in result.notes:
            self.complain(f"note: {note}")
        if self._similar_to is not None:
            self.say(render_similar_header(self._similar_to, result))
        else:
            self.say(render_header(result))
        if result.hits:
            self.say()
            self.say(render_plain(result, self.marks))
        if result.facets and result.total:
            self.say()
            self.say(render_facets(result.facets, self.width))
        if result.suggestion:
            self.say(f"Did you mean: {result.suggestion}")

    def hit(self, number: int) -> Hit:
        """Hit ``number`` (its rank) of the current listing, from whichever page holds it."""
        if self.result is None or self._fetch is None:
            raise ValueError("no hits yet: type a query first")
        if not 1 <= number <= self.result.total:
            raise ValueError(f"there is no hit {number}; the hits are numbered 1 to {self.result.total}")
        for hit in self.result.hits:
            if hit.rank == number:
                return hit
        page = self._fetch((number - 1) // self.page_size + 1)
        return next(hit for hit in page.hits if hit.rank == number)

    def show(self, number: int) -> None:
        hit = self.hit(number)
        article = self.searcher.article(hit.id, self.query or None)
        self.say(render_article(article, self.marks))

    def set_facets(self, text: str) -> None:
        if text.lower() == "off":
            self.facets = ()
            self.say("facets off")
            return
        if text:
            self.facets = parse_facets(text)
        elif not self.facets:
            raise ValueError(f"name the facets to count: facets {','.join(FACETS[:3])} (of {', '.join(FACETS)})")
        if self.result is None or self._fetch is None:
            self.say(f"counting {', '.join(self.facets)} for every query")
            return
        self.result = self._fetch(self.result.page)
        if self.result.facets is not None:
            self.say(render_facets(self.result.facets, self.width))

    def timeline(self, by: str) -> None:
        if not self.query or self.result is None:
            raise ValueError("no query yet: type a query first")
        if by and by not in PERIODS:
            raise ValueError(f"a timeline is by {', '.join(PERIODS)}, not {by!r}")
        period: PeriodKind = "month"
        for kind in PERIODS:
            if by == kind:
                period = kind
        self.say(render_timeline(self.searcher.timeline(self.query, by=period), self.width))

    def run(self, lines: Iterable[str], *, interruptible: bool = False) -> None:
        """Handle lines until one ends the session or they run out.

        :param interruptible: Ctrl-C stops the command at hand, not the session
            (at a terminal, as in other shells).
        """
        for line in lines:
            try:
                if not self.handle(line):
                    break
            except KeyboardInterrupt:
                if not interruptible:
                    raise
                self.complain("interrupted")


def _prompted_lines(prompt: str) -> Iterator[str]:
    """Lines typed at a terminal, with the line editing of ``input`` (readline's when imported)."""
    while True:
        try:
            yield input(prompt)
        except EOFError:  # Ctrl-D
            print()
            return
        except KeyboardInterrupt:  # Ctrl-C drops the line, as in other shells
            print()


def _with_history(path: str | None) -> Callable[[], None]:
    """Load the history of earlier sessions into readline; returns what saves it again."""
    try:
        import readline
    except ImportError:  # no readline on this platform: plain input, no history
        return lambda: None
    readline.set_history_length(1000)
    if path is None:
        return lambda: None
    try:
        readline.read_history_file(path)
    except OSError:
        pass  # no history yet, or unreadable: start without

    def save() -> None:
        try:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            readline.write_history_file(path)
        except OSError:
            pass  # history is a convenience; never fail a session over it

    return save


def run_shell(
    searcher: Searcher,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    *,
    interactive: bool = False,
    marks: Marks = BRACKETS,
    width: int = 100,
    page_size: int = 10,
    history_file: str | None = None,
) -> None:
    """Run a session until ``quit`` or the end of the input.

    :param interactive: read from the terminal with a prompt, line editing and
        history (``stdin`` must then be the terminal); else read ``stdin``
        line by line, without a prompt.
    :param history_file: where the history of interactive sessions is kept.
    """
    shell = Shell(searcher, stdout, stderr, marks=marks, width=width, page_size=page_size)
    if not interactive:
        shell.run(stdin)
        return
    save = _with_history(history_file)
    stdout.write("diplosearch shell: type a query, or help. Ctrl-D quits.\n")
    try:
        shell.run(_prompted_lines(PROMPT), interruptible=True)
    finally:
        save()
