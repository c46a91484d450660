"""The ``diplosearch`` command: parses arguments, calls the library, formats output.

Every behaviour lives in :mod:`index` and :mod:`searcher`; this module only
turns options into calls and results into text. Errors are mapped to exit
codes in one place, :func:`main`.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import sys
from enum import IntEnum
from pathlib import Path
from typing import Any, Callable, NoReturn

import click

from index.errors import QuerySyntaxError, SearchError
from index.folders import user_folder

__all__ = ["ExitStatus", "cli", "main", "default_index_dir"]


class ExitStatus(IntEnum):
    """What ``diplosearch`` exits with."""

    OK = 0
    ERROR = 1  # something failed: an input, the index, a lock not granted in time
    USAGE = 2  # the command line or the query is wrong
    INTERRUPTED = 130


def default_index_dir() -> Path:
    """Where the index lives when neither ``--index`` nor ``DIPLOSEARCH_INDEX`` says.

    ``$XDG_DATA_HOME/diplosearch/index``, that is ``~/.local/share/diplosearch/index``.
    """
    return user_folder("XDG_DATA_HOME") / "index"


def index_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--index DIR`` option, the same for every command."""
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="DIPLOSEARCH_INDEX",
        show_envvar=True,
        default=None,
        help="Index directory [default: $DIPLOSEARCH_INDEX, else ~/.local/share/diplosearch/index].",
    )(command)


def aliases_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--aliases FILE`` (repeatable): alias tables added to the shipped one."""
    return click.option(
        "--aliases",
        "alias_files",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="An alias table of your own (kind<TAB>canonical<TAB>variants), added to the shipped one; "
        "repeatable. ~/.config/diplosearch/aliases.tsv is read too when it exists.",
    )(command)


def _alias_table(alias_files: tuple[Path, ...]) -> Any:
    """The shipped alias table, the user's own (``$XDG_CONFIG_HOME/diplosearch/aliases.tsv``) and ``--aliases``."""
    from index.aliases import AliasTable

    own = user_folder("XDG_CONFIG_HOME") / "aliases.tsv"
    return AliasTable.from_files(([own] if own.is_file() else []) + list(alias_files))


def _resolve_index(index_dir: Path | None) -> Path:
    resolved = index_dir if index_dir is not None else default_index_dir()
    ctx = click.get_current_context(silent=True)
    if ctx is not None and isinstance(ctx.obj, dict):
        ctx.obj["index_dir"] = resolved  # for the error messages of _Diplosearch.invoke
    return resolved


def _stderr(message: str) -> None:
    click.echo(message, err=True)


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


class _Diplosearch(click.Group):
    """The command group; its :meth:`invoke` is the one place where errors become exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except QuerySyntaxError as exc:
            _fail(ctx, str(exc), ExitStatus.USAGE)
        except SearchError as exc:
            _fail(ctx, str(exc), ExitStatus.ERROR)
        except KeyboardInterrupt:
            _fail(ctx, "interrupted", ExitStatus.INTERRUPTED)
        except BrokenPipeError:
            # The reader of our output went away (``| head``): nothing left to say.
            sys.stderr.close()
            ctx.exit(ExitStatus.OK)
        except Exception as exc:  # the last line of defence: one line, never a traceback
            if (ctx.obj or {}).get("traceback"):
                raise
            message = _failure(ctx, exc)
            if message is None:
                message = f"unexpected {type(exc).__name__}: {exc} (run with --traceback for details)"
            _fail(ctx, message, ExitStatus.ERROR)


def _failure(ctx: click.Context, exc: Exception) -> str | None:
    """What a failure the library does not raise as a SearchError means, or None when unforeseen."""
    from index.store import index_damage

    index_dir = (ctx.obj or {}).get("index_dir")
    damage = index_damage(index_dir, exc) if index_dir is not None else None
    if damage is not None:
        return str(damage)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return (
                f"{where}no space left on device; the index keeps its last commit: "
                "free some space and run the command again"
            )
        return f"{where}{exc.strerror or exc}"
    if type(exc).__module__ == "sqlite3":  # only the stem cache is SQLite
        return (
            f"cannot write the stem cache in {index_dir} ({exc}); searches still work: free some space "
            "if the disk is full and run the index command again"
        )
    return None


def _fail(ctx: click.Context, message: str, status: ExitStatus) -> NoReturn:
    _stderr("Error: " + " ".join(message.splitlines()))  # one line, whatever the message holds
    ctx.exit(status)


@click.group(cls=_Diplosearch, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="diplosearch", prog_name="diplosearch")
@click.option("--traceback", is_flag=True, hidden=True, help="Show a traceback on unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, traceback: bool) -> None:
    """diplosearch: full-text search for German-language diplomatic news.

    Index articles with 'diplosearch index PATH', then search them with
    'diplosearch search QUERY'.
    """
    ctx.obj = {"traceback": traceback}


# -- index -------------------------------------------------------------------


def _parse_field_map(values: tuple[str, ...]) -> dict[str, str]:
    from index.documents import ARTICLE_FIELDS

    field_map: dict[str, str] = {}
    for value in values:
        name, sep, key = value.partition("=")
        name, key = name.strip(), key.strip()
        if not sep or not name or not key:
            raise click.BadParameter(f"{value!r} is not FIELD=KEY (e.g. body=text)", param_hint="--field")
        if name not in ARTICLE_FIELDS:
            raise click.BadParameter(
                f"unknown field {name!r}; fields are {', '.join(ARTICLE_FIELDS)}", param_hint="--field"
            )
        field_map[name] = key
    return field_map


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True, help="Build the index anew from PATHS; the old one serves until done.")
@click.option("--keep-missing", is_flag=True, help="Keep articles whose source file or record vanished.")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="FIELD=KEY",
    help="Read FIELD from record key KEY in JSON and CSV (repeatable), e.g. --field body=text.",
)
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to wait while another process writes the index.")
@click.option("--procs", type=click.IntRange(min=0, max=64), default=0, show_default=True,
              help="Processes that analyse and write; 0: two for inputs of 512 KiB or more on two or more cores.")
@click.option("--commit-every", type=click.IntRange(min=1), default=None, hidden=True,
              help="Commit after this many changed articles (default 100,000); for crash tests.")
@aliases_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no warnings; errors and the summary only.")
def index_command(
    paths: tuple[Path, ...],
    index_dir: Path | None,
    rebuild: bool,
    keep_missing: bool,
    fields: tuple[str, ...],
    lock_timeout: float,
    procs: int,
    commit_every: int | None,
    alias_files: tuple[Path, ...],
    as_json: bool,
    quiet: bool,
) -> None:
    """Add articles from PATHS (files or directories) to the index.

    Reads .txt and .md articles (headline on the first line), .jsonl, .json
    and .csv records. New articles are added, changed ones updated, and those
    whose file vanished from a re-indexed directory removed. Exits 1 when some
    inputs failed (the rest are committed). The people, places and
    organisations of the alias tables that each article names are recorded
    (for --facets and person:, place:, org: queries).
    """
    from index.indexer import IndexConfig, index_paths

    config = IndexConfig(
        field_map=_parse_field_map(fields),
        lock_timeout=lock_timeout,
        keep_missing=keep_missing,
        procs=procs,
        aliases=_alias_table(alias_files),
    )
    if commit_every is not None:
        config = dataclasses.replace(config, commit_every=commit_every)

    def warn(where: str, message: str) -> None:
        if not quiet:
            _stderr(f"warning: {where}: {message}")

    show_progress = not quiet and sys.stderr.isatty()
    progress_bar = None
    if show_progress:
        from index.folders import total_size

        total = total_size(paths)
        progress_bar = click.progressbar(length=max(total, 1), label="indexing", file=sys.stderr)
        progress_bar.__enter__()
    try:
        summary = index_paths(
            _resolve_index(index_dir),
            paths,
            config,
            rebuild=rebuild,
            warn=warn,
            progress=progress_bar.update if progress_bar else None,
        )
    finally:
        if progress_bar is not None:
            progress_bar.__exit__(None, None, None)
    for error in summary.errors:
        _stderr(f"error: {error.path}: {error.error}")
    if as_json:
        _print_json(summary.to_json())
    else:
        click.echo(summary.line())
    if summary.failed:
        click.get_current_context().exit(ExitStatus.ERROR)


# -- stats -------------------------------------------------------------------


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


@cli.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def stats_command(index_dir: Path | None, as_json: bool) -> None:
    """Show what the index holds: articles, dates, sources, size, last update."""
    from tabulate import tabulate

    from index.stats import index_stats

    stats = index_stats(_resolve_index(index_dir))
    if as_json:
        _print_json(stats.to_json())
        return
    data = stats.to_json()
    rows = [
        ("index", data["index"]),
        ("articles", f"{stats.articles:,}"),
        ("dates", f"{data['first_date']} to {data['last_date']}" if stats.first_date else "none"),
        ("undated", f"{stats.undated:,}"),
        ("size on disk", _human_size(stats.size_bytes)),
        ("segments", f"{stats.segments:,}"),
        ("last update", stats.updated or "never"),
    ]
    click.echo(tabulate(rows, tablefmt="plain"))
    if stats.sources:
        click.echo()
        source_rows = [(name or "(no source)", f"{count:,}") for name, count in stats.sources]
        click.echo(tabulate(source_rows, headers=["source", "articles"], tablefmt="simple", colalign=("left", "right")))


# -- search and show -----------------------------------------------------------


def _color_wanted(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def _marks(color: bool) -> Any:
    from .render import ANSI, BRACKETS

    return ANSI if color else BRACKETS


def output_options(formats: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format`` (one of ``formats``) and ``--json``, its shortcut, shared by the result commands."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(command)
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(formats),
            default=None,
            help=f"Output format [default: {formats[0]} on a terminal, else {formats[1]}]."
            if formats[0] != formats[1]
            else f"Output format [default: {formats[0]}].",
        )(command)

    return decorate


def _choose_format(output_format: str | None, as_json: bool, formats: tuple[str, ...]) -> str:
    if as_json:
        return "json"
    if output_format:
        return output_format
    return formats[0] if sys.stdout.isatty() else formats[1]


def facets_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--facets LIST``: count the matches by source, category, year, month, people, places, orgs."""

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
        from .facets import parse_facets

        if value is None:
            return ()
        try:
            return parse_facets(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option(
        "--facets",
        metavar="LIST",
        callback=parse,
        help="Count all matches by these facets, comma-separated: source, category, year, month, "
        "people, places, orgs.",
    )(command)


_RESULT_FORMATS = ("table", "plain", "json", "csv", "jsonl")


def _print_result(result: Any, chosen: str, title: str | None = None) -> None:
    """A page of hits in the chosen format; ``title`` replaces the usual first line (for ``similar``)."""
    from .render import render_facets, render_header, render_plain, render_table

    for note in result.notes:
        _stderr(f"note: {note}")
    if chosen == "json":
        _print_json(result.to_json())
        return
    if chosen in ("csv", "jsonl"):
        from .export import to_csv, to_jsonl

        click.echo((to_csv if chosen == "csv" else to_jsonl)(result.hits), nl=False)
        return
    import shutil

    width = shutil.get_terminal_size((100, 24)).columns
    color = _color_wanted(sys.stdout)
    click.echo(title or render_header(result), color=color)
    if result.hits:
        click.echo()
        if chosen == "table":
            click.echo(render_table(result, width, _marks(color)), color=color)
        else:
            click.echo(render_plain(result, _marks(color)), color=color)
    elif result.total and not result.hits:
        click.echo(f"(page {result.page} is past the last page)")
    if result.facets and result.total:
        click.echo()
        click.echo(render_facets(result.facets, width))
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")


@cli.command("search")
@click.argument("query")
@index_option
@click.option("--limit", "-n", type=click.IntRange(min=1, max=1000), default=10, show_default=True, help="Hits per page.")
@click.option("--page", "-p", type=click.IntRange(min=1), default=1, show_default=True, help="Which page of hits.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="relevance: best match first (ties: newer first); date: newest first.")
@click.option("--any", "any_terms", is_flag=True, help="Match any of the words (ranked by how many match), not all.")
@click.option("--time-limit", type=click.FloatRange(min=0.01), default=10.0, show_default=True,
              help="Seconds after which the search stops and shows what it found.")
@facets_option
@aliases_option
@output_options(_RESULT_FORMATS)
def search_command(
    query: str,
    index_dir: Path | None,
    limit: int,
    page: int,
    sort: str,
    any_terms: bool,
    time_limit: float,
    facets: tuple[str, ...],
    alias_files: tuple[Path, ...],
    output_format: str | None,
    as_json: bool,
) -> None:
    """Search the index for QUERY and show ranked hits with highlighted snippets.

    \b
    Examples:
      diplosearch search 'Lawrow AND Treffen'
      diplosearch search '"Treffen mit Putin"' --format plain
      diplosearch search 'title:NATO date:>=2025-08-01' --sort date
      diplosearch search 'Sicherheits* -Trump' --json
      diplosearch search 'Waffenstillstand' --facets source,year,people
      diplosearch search 'person:Lawrow source:tagesschau' --format csv

    Words must all match (--any: any of them); AND/UND, OR/ODER, NOT/NICHT,
    -word, "phrases", "near words"~5, fields (title: body: source: category:
    id: url: date: person: place: org:), prefixes (Sicherheits*), fuzzy words
    (Selenskij~) and boosts (NATO^2). See the README for the whole syntax.
    csv and jsonl give every stored field of the hits, the body included.
    """
    from .searcher import Searcher

    chosen = _choose_format(output_format, as_json, ("table", "plain"))
    with Searcher(_resolve_index(index_dir), time_limit=time_limit, aliases=_alias_table(alias_files)) as searcher:
        result = searcher.search(
            query,
            limit=limit,
            page=page,
            sort=sort,  # type: ignore[arg-type]
            any_terms=any_terms,
            snippets=chosen not in ("csv", "jsonl"),
            facets=facets,
        )
    _print_result(result, chosen)


@cli.command("show")
@click.argument("article_id", metavar="ID")
@index_option
@click.option("--query", "-q", default=None, help="Mark this query's matches in the article.")
@aliases_option
@output_options(("plain", "plain", "json"))
def show_command(
    article_id: str,
    index_dir: Path | None,
    query: str | None,
    alias_files: tuple[Path, ...],
    output_format: str | None,
    as_json: bool,
) -> None:
    """Show the whole article with ID, with the matches of --query marked."""
    from .render import render_article
    from .searcher import Searcher

    with Searcher(_resolve_index(index_dir), aliases=_alias_table(alias_files)) as searcher:
        article = searcher.article(article_id, query)
    if _choose_format(output_format, as_json, ("plain", "plain")) == "json":
        _print_json(article.to_json())
        return
    color = _color_wanted(sys.stdout)
    click.echo(render_article(article, _marks(color)), color=color)


# -- related articles, timeline, shell ----------------------------------------


@cli.command("similar")
@click.argument("article_id", metavar="ID")
@index_option
@click.option("--limit", "-n", type=click.IntRange(min=1, max=1000), default=10, show_default=True, help="Hits per page.")
@click.option("--page", "-p", type=click.IntRange(min=1), default=1, show_default=True, help="Which page of hits.")
@facets_option
@aliases_option
@output_options(_RESULT_FORMATS)
def similar_command(
    article_id: str,
    index_dir: Path | None,
    limit: int,
    page: int,
    facets: tuple[str, ...],
    alias_files: tuple[Path, ...],
    output_format: str | None,
    as_json: bool,
) -> None:
    """List the articles most like the one with ID (not itself), best first.

    The article's key terms, weighed by tf-idf and written as the article
    writes them, are the query; the output is that of 'search' (--format json
    gives the same object, its "query" the key terms).
    """
    from .searcher import Searcher

    chosen = _choose_format(output_format, as_json, ("table", "plain"))
    with Searcher(_resolve_index(index_dir), aliases=_alias_table(alias_files)) as searcher:
        result = searcher.similar(
            article_id, limit=limit, page=page, snippets=chosen not in ("csv", "jsonl"), facets=facets
        )
    from .render import render_similar_header

    _print_result(result, chosen, title=render_similar_header(article_id, result))


@cli.command("timeline")
@click.argument("query")
@index_option
@click.option("--by", type=click.Choice(["month", "year", "week"]), default="month", show_default=True,
              help="Count per calendar month, year or ISO week (2025-W03).")
@click.option("--any", "any_terms", is_flag=True, help="Match any of the words, not all.")
@click.option("--width", type=click.IntRange(min=30), default=None,
              help="Width of the chart in columns [default: the terminal's].")
@aliases_option
@output_options(("chart", "chart", "json", "csv"))
def timeline_command(
    query: str,
    index_dir: Path | None,
    by: str,
    any_terms: bool,
    width: int | None,
    alias_files: tuple[Path, ...],
    output_format: str | None,
    as_json: bool,
) -> None:
    """Draw how many articles match QUERY per month, year or week.

    A bar chart fitted to the terminal's width, with every period from the
    first match to the last (empty ones too); --format json or csv gives the
    counts. Undated articles count in the total but in no period.

    \b
    Examples:
      diplosearch timeline 'Waffenstillstand'
      diplosearch timeline 'person:Lawrow' --by year
      diplosearch timeline 'Gaza' --by week --format csv
    """
    from .render import render_timeline
    from .searcher import Searcher

    with Searcher(_resolve_index(index_dir), aliases=_alias_table(alias_files)) as searcher:
        timeline = searcher.timeline(query, by=by, any_terms=any_terms)  # type: ignore[arg-type]
    for note in timeline.notes:
        _stderr(f"note: {note}")
    chosen = _choose_format(output_format, as_json, ("chart", "chart"))
    if chosen == "json":
        _print_json(timeline.to_json())
    elif chosen == "csv":
        click.echo(timeline.to_csv(), nl=False)
    else:
        import shutil

        click.echo(render_timeline(timeline, width or shutil.get_terminal_size((100, 24)).columns))


def _history_file() -> str:
    """Where the shell keeps its history: ``$XDG_STATE_HOME/diplosearch/history``."""
    return str(user_folder("XDG_STATE_HOME") / "history")


@cli.command("shell")
@index_option
@click.option("--limit", "-n", type=click.IntRange(min=1, max=1000), default=10, show_default=True, help="Hits per page.")
@click.option("--time-limit", type=click.FloatRange(min=0.01), default=10.0, show_default=True,
              help="Seconds after which a search stops and shows what it found.")
@click.option("--command", "-c", "commands", multiple=True, metavar="LINE",
              help="Run LINE as if typed (repeatable), then quit, instead of reading input.")
@aliases_option
def shell_command(
    index_dir: Path | None,
    limit: int,
    time_limit: float,
    commands: tuple[str, ...],
    alias_files: tuple[Path, ...],
) -> None:
    """Open an interactive prompt on the index: query after query, without starting anew.

    \b
    Type a query, or: n / p (next, previous page), show N (read hit N),
    similar N (articles like hit N), facets LIST (count by source,
    category, year, month, people, places, orgs; 'facets off'), timeline
    [month|year|week], help, quit. On a terminal, arrow keys recall earlier
    lines (history kept in ~/.local/state/diplosearch/history). Lines can
    also come from a pipe or file, one command a line, or from -c.
    """
    import io
    import shutil

    from .searcher import Searcher
    from .shell import run_shell

    interactive = not commands and sys.stdin.isatty() and sys.stdout.isatty()
    stdin = io.StringIO("\n".join(commands) + "\n") if commands else sys.stdin
    with Searcher(_resolve_index(index_dir), time_limit=time_limit, aliases=_alias_table(alias_files)) as searcher:
        run_shell(
            searcher,
            stdin,
            sys.stdout,
            sys.stderr,
            interactive=interactive,
            marks=_marks(_color_wanted(sys.stdout)),
            width=shutil.get_terminal_size((100, 24)).columns,
            page_size=limit,
            history_file=_history_file() if interactive else None,
        )


# -- entry point -------------------------------------------------------------


#: Commands that only read. After one of them, the process ends without the
#: interpreter's teardown, which frees every module, array and object one by
#: one: some 50 ms of a 370 ms search on the 100k benchmark index, when there
#: is nothing left to write or close that matters.
_READ_ONLY_COMMANDS = frozenset({"search", "show", "similar", "timeline", "stats"})


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (the ``diplosearch`` console script).

    :param argv: arguments without the program name; defaults to ``sys.argv[1:]``.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        cli.main(args=args, prog_name="diplosearch")
    except SystemExit as exc:
        command = next((arg for arg in args if not arg.startswith("-")), None)
        if command in _READ_ONLY_COMMANDS and (exc.code is None or isinstance(exc.code, int)):
            _exit_at_once(exc.code or 0)
        raise


def _exit_at_once(status: int) -> NoReturn:
    """End the process with ``status`` once the output is out, skipping the interpreter's teardown."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a reader gone away (| head) or a stream already closed: nothing more to say
    os._exit(status)
