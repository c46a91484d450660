"""The ``diplosearch`` command: parses arguments, calls the library, formats output.

Every behaviour lives in :mod:`index` and :mod:`searcher`; this module only
turns options into calls and results into text. Errors are mapped to exit
codes in one place, :func:`main`.
"""

from __future__ import annotations

import json
import os
import sys
from enum import IntEnum
from pathlib import Path
from typing import Any, Callable, NoReturn

import click

from index.errors import QuerySyntaxError, SearchError

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
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "diplosearch" / "index"


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

    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    own = Path(config) / "diplosearch" / "aliases.tsv"
    return AliasTable.from_files(([own] if own.is_file() else []) + list(alias_files))


def _resolve_index(index_dir: Path | None) -> Path:
    return index_dir if index_dir is not None else default_index_dir()


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
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(ctx, f"{where}{exc.strerror or exc}", ExitStatus.ERROR)
        except Exception as exc:  # the last line of defence: one line, never a traceback
            if (ctx.obj or {}).get("traceback"):
                raise
            _fail(ctx, f"unexpected {type(exc).__name__}: {exc} (run with --traceback for details)", ExitStatus.ERROR)


def _fail(ctx: click.Context, message: str, status: ExitStatus) -> NoReturn:
    _stderr(f"Error: {message}")
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
    as_json: bool,
    quiet: bool,
) -> None:
    """Add articles from PATHS (files or directories) to the index.

    Reads .txt and .md articles (headline on the first line), .jsonl, .json
    and .csv records. New articles are added, changed ones updated, and those
    whose file vanished from a re-indexed directory removed. Exits 1 when some
    inputs failed (the rest are committed).
    """
    from index.indexer import IndexConfig, index_paths

    config = IndexConfig(
        field_map=_parse_field_map(fields), lock_timeout=lock_timeout, keep_missing=keep_missing, procs=procs
    )

    def warn(where: str, message: str) -> None:
        if not quiet:
            _stderr(f"warning: {where}: {message}")

    show_progress = not quiet and sys.stderr.isatty()
    progress_bar = None
    if show_progress:
        from index.indexer import total_size

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
            help=f"Output format [default: {formats[0]} on a terminal, else {formats[1]}].",
        )(command)

    return decorate


def _choose_format(output_format: str | None, as_json: bool, formats: tuple[str, ...]) -> str:
    if as_json:
        return "json"
    if output_format:
        return output_format
    return formats[0] if sys.stdout.isatty() else formats[1]


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
@aliases_option
@output_options(("table", "plain", "json"))
def search_command(
    query: str,
    index_dir: Path | None,
    limit: int,
    page: int,
    sort: str,
    any_terms: bool,
    time_limit: float,
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

    Words must all match (--any: any of them); AND/UND, OR/ODER, NOT/NICHT,
    -word, "phrases", "near words"~5, fields (title: body: source: category:
    id: url: date:), prefixes (Sicherheits*), fuzzy words (Selenskij~) and
    boosts (NATO^2). See the README for the whole syntax.
    """
    from .render import render_header, render_plain, render_table
    from .searcher import Searcher

    chosen = _choose_format(output_format, as_json, ("table", "plain"))
    with Searcher(_resolve_index(index_dir), time_limit=time_limit, aliases=_alias_table(alias_files)) as searcher:
        result = searcher.search(query, limit=limit, page=page, sort=sort, any_terms=any_terms)  # type: ignore[arg-type]
    for note in result.notes:
        _stderr(f"note: {note}")
    if chosen == "json":
        _print_json(result.to_json())
        return
    color = _color_wanted(sys.stdout)
    click.echo(render_header(result), color=color)
    if result.hits:
        click.echo()
        if chosen == "table":
            import shutil

            width = shutil.get_terminal_size((100, 24)).columns
            click.echo(render_table(result, width, _marks(color)), color=color)
        else:
            click.echo(render_plain(result, _marks(color)), color=color)
    elif result.total and not result.hits:
        click.echo(f"(page {page} is past the last page)")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")


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


# -- entry point -------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (the ``diplosearch`` console script).

    :param argv: arguments without the program name; defaults to ``sys.argv[1:]``.
    """
    cli.main(args=argv, prog_name="diplosearch")
