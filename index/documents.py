"""Reading articles from text, Markdown, JSON, JSON-lines and CSV files.

Readers stream: a JSON-lines or CSV file is read a line at a time, so a file
of a million articles is never held in memory. A bad record is reported as a
:class:`RecordFailure` and the reader goes on with the next one.
"""

from __future__ import annotations

import csv
import email.utils
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Mapping, Union

from .errors import DocumentError

__all__ = [
    "Article",
    "RecordFailure",
    "ARTICLE_FIELDS",
    "SUPPORTED_SUFFIXES",
    "parse_date",
    "derive_title",
    "article_from_record",
    "read_articles",
    "iter_input_files",
]

#: The record keys diplosearch reads; ``--field body=text`` maps another key to one.
ARTICLE_FIELDS = ("id", "title", "body", "date", "source", "url", "category")
TEXT_SUFFIXES = (".txt", ".md")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + (".jsonl", ".json", ".csv")

#: An article whose headline and text together are longer is refused: every
#: search that finds it marks its words in the whole text, about a third of a
#: second per million characters, and no news article is that long.
MAX_ARTICLE_CHARS = 1_000_000
# A text file larger than this cannot hold an article of MAX_ARTICLE_CHARS
# characters (UTF-8 takes at most four bytes a character): refused unread.
MAX_TEXT_BYTES = 4 * MAX_ARTICLE_CHARS
_TITLE_CHARS = 90

Warn = Callable[[str, str], None]


@dataclass(frozen=True)
class Article:
    """One article, as read from its source, before analysis.

    :param id: unique, stable identifier (record ``id`` or relative file path).
    :param title: headline, or a title derived from the body (see :func:`derive_title`).
    :param body: the article text as written.
    :param date: publication time, UTC, or None.
    :param path: the file it was read from (absolute).
    """

    id: str
    title: str
    body: str
    date: datetime | None = None
    source: str = ""
    url: str = ""
    category: str = ""
    path: str = ""

    @property
    def content_hash(self) -> str:
        """A fingerprint of everything indexed, to tell a changed article from an unchanged one."""
        parts = [
            self.title,
            self.body,
            self.date.isoformat() if self.date else "",
            self.source,
            self.url,
            self.category,
        ]
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=10).hexdigest()


@dataclass(frozen=True)
class RecordFailure:
    """A record (or a whole file) that could not be read."""

    path: str
    error: str


ReadItem = Union[Article, RecordFailure]

# -- dates -------------------------------------------------------------------

_MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "january": 1,
    "februar": 2, "feber": 2, "feb": 2, "february": 2,
    "märz": 3, "maerz": 3, "mär": 3, "mrz": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "dez": 12, "dec": 12, "december": 12,
}  # fmt: skip
_DMY = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4}|\d{2})(?:[ ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_DAY_MONTHNAME = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})")
_MONTHNAME_DAY = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")


def _to_utc_naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def parse_date(text: str) -> datetime:
    """Parse a publication date; returns a naive UTC datetime.

    Accepts ISO 8601 (``2025-08-22``, ``2025-08-22T10:15:00+02:00``), German
    ``22.08.2025`` (optionally with a time), ``2025/08/22``, ``22. August 2025``,
    ``Aug 22, 2025`` and RFC 2822 (``Fri, 22 Aug 2025 10:15:00 +0200``).

    :raises ValueError: when the text is no date in any of these forms.

    >>> parse_date("24.11.2026")
    datetime.datetime(2026, 11, 24, 0, 0)
    >>> parse_date("2025-08-22T10:00:00+02:00")
    datetime.datetime(2025, 8, 22, 8, 0)
    """
    text = text.strip()
    if not text:
        raise ValueError("empty date")
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return _to_utc_naive(datetime.fromisoformat(iso))
    except ValueError:
        pass
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = int(match[1]), int(match[2]), int(match[3])
        if year < 100:
            year += 2000 if year < 70 else 1900
        hour, minute, second = (int(g) if g else 0 for g in match.groups()[3:6])
        return datetime(year, month, day, hour, minute, second)
    match = _YMD_SLASH.fullmatch(text)
    if match:
        return datetime(int(match[1]), int(match[2]), int(match[3]))
    match = _DAY_MONTHNAME.fullmatch(text)
    if match and match[2].lower() in _MONTHS:
        return datetime(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    match = _MONTHNAME_DAY.fullmatch(text)
    if match and match[1].lower() in _MONTHS:
        return datetime(int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return _to_utc_naive(parsed)
    raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or DD.MM.YYYY)")


# -- building articles -------------------------------------------------------


def derive_title(body: str) -> str:
    """A display title for an article without a headline: its first sentence.

    The first sentence (up to ``.``, ``!`` or ``?`` followed by a space, or the
    first line), cut at a word boundary to at most 90 characters with ``…``.

    >>> derive_title("Die NATO tagt in Brüssel. Danach reisen alle ab.")
    'Die NATO tagt in Brüssel.'
    """
    text = body.strip()
    if not text:
        return ""
    first_line = text.splitlines()[0].strip()
    match = re.search(r"[.!?](?=\s)", first_line)
    sentence = first_line[: match.end()] if match else first_line
    if len(sentence) <= _TITLE_CHARS:
        return sentence
    cut = sentence[:_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:-–")
    return cut + "…"


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ValueError(f"expected text, got a JSON {type(value).__name__}")
    return str(value).strip()


def article_from_record(
    record: Mapping[str, object],
    *,
    default_id: str,
    path: str,
    field_map: Mapping[str, str] | None = None,
    warn: Warn | None = None,
    where: str = "",
) -> Article:
    """Build an :class:`Article` from a JSON or CSV record.

    :param record: the record, keyed by diplosearch's field names or mapped ones.
    :param default_id: the id to use when the record has none.
    :param field_map: diplosearch field -> record key, e.g. ``{"body": "text"}``.
    :param warn: called as ``warn(where, message)`` for problems that do not
        stop the record from being indexed (an invalid date).
    :raises ValueError: when the record is not usable (no text at all, or
        more than :data:`MAX_ARTICLE_CHARS` characters).
    """
    field_map = field_map or {}

    def get(name: str) -> str:
        return _as_text(record.get(field_map.get(name, name)))

    body = get("body")
    title = get("title")
    if not body and not title:
        raise ValueError("record has neither title nor body")
    if len(title) + len(body) > MAX_ARTICLE_CHARS:
        raise ValueError(
            f"article of {len(title) + len(body):,} characters is longer than the "
            f"{MAX_ARTICLE_CHARS:,} an article may have, skipped"
        )
    if not title:
        title = derive_title(body)
    date = None
    raw_date = get("date")
    if raw_date:
        try:
            date = parse_date(raw_date)
        except ValueError as exc:
            if warn:
                warn(where or path, f"{exc}; indexed without a date")
    return Article(
        id=get("id") or default_id,
        title=title,
        body=body,
        date=date,
        source=get("source"),
        url=get("url"),
        category=get("category"),
        path=path,
    )


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading ``---`` block of ``key: value`` lines from a text article."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, "\n".join(lines[number + 1 :])
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"front matter line {number + 1} is not 'key: value'")
        meta[key.strip().lower()] = value.strip().strip("'\"")
    raise ValueError("front matter starts with '---' but has no closing '---'")


def _text_article(text: str, *, article_id: str, path: str, markdown: bool, warn: Warn) -> Article:
    meta, rest = _split_front_matter(text)
    lines = rest.split("\n")
    title = ""
    body_start = len(lines)
    if meta.get("title"):
        # The front matter names the headline, so the first line is body text.
        title, body_start = meta["title"], 0
    else:
        for number, line in enumerate(lines):
            if line.strip():
                title = line.strip()
                body_start = number + 1
                break
        if markdown:
            title = title.lstrip("#").strip()
    body = "\n".join(lines[body_start:]).strip("\n")
    record: dict[str, object] = {"title": title, "body": body}
    for key in ("date", "source", "url", "category", "id"):
        if key in meta:
            record[key] = meta[key]
    return article_from_record(record, default_id=article_id, path=path, warn=warn, where=article_id)


# -- decoding ----------------------------------------------------------------


def _decode(data: bytes, where: str, warn: Warn) -> str:
    """UTF-8 (BOM optional), else cp1252 with a warning; binary data is refused."""
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes), skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValueError("neither UTF-8 nor cp1252 text, skipped") from None
    warn(where, "not valid UTF-8; read as cp1252 (Windows-1252)")
    return text


class _LineDecoder:
    """Decodes a file line by line: UTF-8, falling back to cp1252 once per file."""

    def __init__(self, path: str, warn: Warn) -> None:
        self.path = path
        self.warn = warn
        self.cp1252 = False

    def __call__(self, raw: bytes, number: int) -> str:
        if b"\x00" in raw:
            raise ValueError("contains NUL bytes")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not self.cp1252:
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                self.cp1252 = True
                self.warn(self.path, f"line {number} is not valid UTF-8; reading the rest as cp1252")
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError("neither UTF-8 nor cp1252 text") from None


# -- file readers ------------------------------------------------------------


def _read_jsonl(path: Path, shown: str, article_path: str, field_map, warn) -> Iterator[ReadItem]:
    decode = _LineDecoder(shown, warn)
    records = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{shown}:{number}"
            try:
                line = decode(raw, number).strip()
                if not line:
                    continue
                records += 1
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("a JSON line must be an object")
                yield article_from_record(
                    record,
                    default_id=f"{shown}#{number}",
                    path=article_path,
                    field_map=field_map,
                    warn=warn,
                    where=where,
                )
            except RecursionError:
                yield RecordFailure(where, "JSON nested too deeply")
            except json.JSONDecodeError as exc:
                yield RecordFailure(where, f"invalid JSON: {exc.msg} at column {exc.colno}")
            except ValueError as exc:
                yield RecordFailure(where, str(exc))
    if not records:
        # Most likely an export that failed before writing anything: keeping
        # the file's articles is safer than reading it as "all records removed".
        yield RecordFailure(shown, "empty file")


def _read_json(path: Path, shown: str, article_path: str, field_map, warn) -> Iterator[ReadItem]:
    text = _decode(path.read_bytes(), shown, warn).strip()
    if not text:
        yield RecordFailure(shown, "empty file")
        return
    if "\n" in text and not text.startswith("["):
        # Not one JSON document: read it as JSON lines (one object per line).
        try:
            json.loads(text)
        except json.JSONDecodeError:
            yield from _read_jsonl(path, shown, article_path, field_map, warn)
            return
    try:
        data = json.loads(text)
    except RecursionError:
        yield RecordFailure(shown, "JSON nested too deeply")
        return
    except json.JSONDecodeError as exc:
        yield RecordFailure(shown, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records, start=1):
        where = f"{shown}[{number - 1}]"
        if not isinstance(record, dict):
            yield RecordFailure(where, "expected a JSON object")
            continue
        try:
            yield article_from_record(
                record,
                default_id=f"{shown}#{number}",
                path=article_path,
                field_map=field_map,
                warn=warn,
                where=where,
            )
        except ValueError as exc:
            yield RecordFailure(where, str(exc))


def _read_csv(path: Path, shown: str, article_path: str, field_map, warn) -> Iterator[ReadItem]:
    decode = _LineDecoder(shown, warn)
    bad_lines: list[RecordFailure] = []

    def lines() -> Iterator[str]:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    yield decode(raw, number)
                except ValueError as exc:
                    # Raising here would end the csv reader and so the rest of
                    # the file: report the line and hand on a blank one instead.
                    bad_lines.append(RecordFailure(f"{shown}:{number}", str(exc)))
                    yield "\n"

    try:
        reader = csv.reader(lines())
        header = next(reader, None)
    except (ValueError, csv.Error) as exc:
        yield RecordFailure(shown, f"unreadable CSV header: {exc}")
        return
    if not header:
        reason = f"unreadable CSV header: {bad_lines[0].error}" if bad_lines else "empty CSV file (no header)"
        yield RecordFailure(shown, reason)
        return
    header = [name.strip() for name in header]
    known = set(ARTICLE_FIELDS) | set(field_map.values())
    if not known.intersection(header):
        yield RecordFailure(shown, f"CSV header names none of the fields {', '.join(ARTICLE_FIELDS)}")
        return
    number = 1
    while True:
        try:
            row = next(reader, None)
        except (ValueError, csv.Error) as exc:
            yield RecordFailure(f"{shown}:{reader.line_num}", str(exc))
            continue
        yield from bad_lines
        bad_lines.clear()
        if row is None:
            return
        number += 1
        where = f"{shown}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield RecordFailure(where, f"row has {len(row)} cells, the header has {len(header)}")
            continue
        try:
            yield article_from_record(
                dict(zip(header, row)),
                default_id=f"{shown}#{number - 1}",
                path=article_path,
                field_map=field_map,
                warn=warn,
                where=where,
            )
        except ValueError as exc:
            yield RecordFailure(where, str(exc))


def read_articles(
    path: Path,
    *,
    root: Path | None = None,
    field_map: Mapping[str, str] | None = None,
    warn: Warn | None = None,
) -> Iterator[ReadItem]:
    """Read the articles of one file.

    :param path: the file (``.txt``, ``.md``, ``.jsonl``, ``.json`` or ``.csv``).
    :param root: the directory being indexed; ids of text files and the paths
        in messages are relative to it. Defaults to the file's own directory.
    :param field_map: diplosearch field -> record key, for JSON and CSV.
    :param warn: receives ``(where, message)`` for problems that skip nothing.
    :returns: an iterator of :class:`Article` and :class:`RecordFailure`.
    :raises DocumentError: when the file as a whole cannot be read.
    """
    warn = warn or (lambda where, message: None)
    field_map = dict(field_map or {})
    root = root or path.parent
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    article_path = os.path.abspath(path)
    suffix = path.suffix.lower()
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            # Reading a pipe or a device could wait, or read, for ever.
            raise DocumentError(shown, "not a regular file (a pipe, socket or device), skipped")
        if suffix in TEXT_SUFFIXES:
            size = status.st_size
            if size > MAX_TEXT_BYTES:
                raise DocumentError(
                    shown,
                    f"text file of {size / 2**20:.1f} MiB is too large for one article "
                    f"(at most {MAX_ARTICLE_CHARS:,} characters), skipped",
                )
            try:
                text = _decode(path.read_bytes(), shown, warn).replace("\r\n", "\n")
                if not text.strip():
                    raise ValueError("empty file")
                yield _text_article(
                    text, article_id=shown, path=article_path, markdown=suffix == ".md", warn=warn
                )
            except ValueError as exc:
                raise DocumentError(shown, str(exc)) from None
        elif suffix == ".jsonl":
            yield from _read_jsonl(path, shown, article_path, field_map, warn)
        elif suffix == ".json":
            try:
                yield from _read_json(path, shown, article_path, field_map, warn)
            except ValueError as exc:
                raise DocumentError(shown, str(exc)) from None
        elif suffix == ".csv":
            yield from _read_csv(path, shown, article_path, field_map, warn)
        else:
            raise DocumentError(shown, f"unsupported file type {suffix or '(none)'}")
    except OSError as exc:
        raise DocumentError(shown, exc.strerror or str(exc)) from None


def iter_input_files(directory: Path, *, on_error: Callable[[str, str], None]) -> Iterator[Path]:
    """The supported files below ``directory``, recursively, in a stable order.

    Hidden files and folders (``.git``) are passed over; a folder that cannot
    be listed is reported through ``on_error`` and skipped. Symbolic links to
    folders are not followed, so a link loop cannot trap the walk.
    """

    def onerror(exc: OSError) -> None:
        on_error(str(exc.filename or directory), exc.strerror or str(exc))

    for folder, subfolders, files in os.walk(directory, onerror=onerror):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(SUPPORTED_SUFFIXES):
                continue
            yield Path(folder, name)

