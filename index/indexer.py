"""Writing articles into a diplosearch index, incrementally.

>>> import tempfile
>>> index_dir = tempfile.mkdtemp()
>>> index_paths(index_dir, ["seeds"]).line()
'added 1, updated 0, unchanged 0, removed 0, failed 0 in ... s (... articles/s)'
>>> index_paths(index_dir, ["seeds"]).unchanged
1

An article is identified by its id. A run adds the new ones, rewrites the
changed ones (by content hash), leaves the unchanged ones alone, and removes
those whose file vanished from a re-indexed directory, or whose record vanished
from a file that was read without errors.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from contextlib import contextmanager
from datetime import timezone
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .aliases import AliasTable
from .columns import column_lookup
from .documents import Article, RecordFailure, iter_input_files, read_articles
from .errors import DocumentError, IndexNotFound
from .folders import file_size, total_size
from .schema import SCHEMA_VERSION, UNDATED, build_schema
from .seen import SeenIds
from ._workers import take_described_words
from .stems import STORE_NAME, record_stems
from .store import (
    IndexLock,
    IndexMeta,
    check_version,
    next_data_name,
    now_iso,
    open_index,
    read_meta,
    remove_stale_data,
    write_meta,
)

__all__ = ["IndexConfig", "IndexSummary", "Indexer", "index_paths"]

Warn = Callable[[str, str], None]
Progress = Callable[[int], None]

#: With ``procs=0``, inputs at least this large are indexed by two processes.
PARALLEL_BYTES = 512 * 1024


@dataclass(frozen=True)
class IndexConfig:
    """How an indexing run behaves.

    :param field_map: diplosearch field -> record key for JSON and CSV input,
        e.g. ``{"body": "text"}``.
    :param lock_timeout: seconds to wait for another writer before failing.
    :param commit_every: commit after this many changed articles, so a killed
        run keeps most of its work. Each commit of a two-process run adds two
        segments of half as many articles, which are never merged again (see
        :mod:`index.merging`): fewer, larger segments make a smaller index and
        faster searches, while the writer's memory stays bounded by
        ``writer_memory_mb`` either way.
    :param writer_memory_mb: memory Whoosh may use to buffer postings.
    :param keep_missing: keep articles whose source vanished.
    :param compound_parts: index the parts of compounds (``Garantien`` then
        finds ``Sicherheitsgarantien``); off makes a smaller, faster index.
    :param entities: record the people, places and organisations each article
        names (``people``, ``places``, ``orgs``; see :mod:`index.entities`).
    :param aliases: the alias table those names come from; None is the shipped one.
    :param procs: processes that analyse and write: 1, 2, ...; 0 decides by
        the input: both cores (when there are two) for inputs of
        :data:`PARALLEL_BYTES` or more, one process for less (measured break-even: 0.3 to 1 MB), where starting
        workers costs more than it saves.
    """

    field_map: Mapping[str, str] = field(default_factory=dict)
    lock_timeout: float = 30.0
    commit_every: int = 100_000
    writer_memory_mb: int = 256
    keep_missing: bool = False
    procs: int = 0
    compound_parts: bool = True
    entities: bool = True
    aliases: AliasTable | None = None


@dataclass
class IndexSummary:
    """What an indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[RecordFailure] = field(default_factory=list)

    @property
    def articles_per_second(self) -> float:
        """Articles read (added, updated or unchanged) per second of the run."""
        done = self.added + self.updated + self.unchanged
        return done / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """The summary as the ``--json`` object: counts, seconds and errors."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "errors": [{"path": e.path, "error": e.error} for e in self.errors],
        }

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"removed {self.removed}, failed {self.failed} in {self.seconds:.2f} s "
            f"({self.articles_per_second:,.0f} articles/s)"
        )


@dataclass
class _Known:
    """An article already in the index: its content hash and source file."""

    hash: str
    path: str


class Indexer:
    """Adds articles to an index; one per index at a time (it holds the writer lock).

    Use it as a context manager: it commits when the block ends and cancels
    the uncommitted part if the block raises.

    :param index_dir: the index directory; created when missing.
    :param config: an :class:`IndexConfig`.
    :param rebuild: build a new index from scratch; the old one stays in use
        until the new one is complete.
    :param warn: receives ``(where, message)`` for problems that skip nothing.

    >>> import tempfile
    >>> with Indexer(tempfile.mkdtemp()) as indexer:
    ...     indexer.add(Article(id="a1", title="Gipfel in Brüssel", body="Die NATO tagt."))
    'added'
    """

    def __init__(
        self,
        index_dir: Path | str,
        config: IndexConfig | None = None,
        *,
        rebuild: bool = False,
        warn: Warn | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.config = config or IndexConfig()
        self.rebuild = rebuild
        self.summary = IndexSummary()
        self._warn = warn or (lambda where, message: None)
        self._lock = IndexLock(self.index_dir, self.config.lock_timeout)
        self._aliases = (self.config.aliases or AliasTable.shipped()) if self.config.entities else None
        self._known: dict[str, _Known] = {}
        self._seen = SeenIds()  # ids read in this run, with the file each came from
        self._clean_files: set[str] = set()  # read completely, without a failed record
        self._scanned: list[tuple[str, set[str]]] = []  # directory, files found in it
        self._pending = 0
        self._writer: Any = None
        self._ix: Any = None
        self._meta: IndexMeta | None = None
        self._data_name = ""
        self._started = 0.0
        self._procs = max(self.config.procs, 1)

    # -- life cycle ----------------------------------------------------------

    def open(self) -> "Indexer":
        """Take the writer lock and open (or create) the index."""
        self._started = time.monotonic()
        self._lock.acquire()
        try:
            self._open_locked()
        except BaseException:
            self._lock.release()
            raise
        return self

    def _open_locked(self) -> None:
        from whoosh.index import create_in

        try:
            meta: IndexMeta | None = read_meta(self.index_dir)
        except IndexNotFound:
            meta = None
        if meta is not None and not self.rebuild:
            check_version(self.index_dir, meta)
            self._ix = open_index(self.index_dir)
            self._data_name = meta.data
            self._meta = meta
            remove_stale_data(self.index_dir, keep=meta.data)  # left by a killed rebuild
            self._load_known()
        else:
            # A new index, or a rebuild: write into a fresh data folder that
            # becomes current only when the run finishes.
            remove_stale_data(self.index_dir, keep=meta.data if meta else "")
            self._data_name = next_data_name(self.index_dir)
            data_dir = self.index_dir / self._data_name
            data_dir.mkdir(parents=True)
            self._ix = create_in(str(data_dir), build_schema())
            self._meta = meta
            if meta is None:
                self._switch_to_new_data()

    def _new_writer(self) -> Any:
        from .segment_writer import ArticleMpWriter, ArticleSegmentWriter

        if self._procs > 1:
            # Measured on 10kGNAD: two workers that each write their own
            # segment index 1.7x faster than one process; merging their
            # segments at commit made it slower than one process.
            return ArticleMpWriter(
                self._ix,
                procs=self._procs,
                timeout=self.config.lock_timeout,
                limitmb=self.config.writer_memory_mb // self._procs,
                compound=False,
                stems_dir=str(self.index_dir),
                entities=self._aliases,
            )
        return ArticleSegmentWriter(
            self._ix,
            timeout=self.config.lock_timeout,
            limitmb=self.config.writer_memory_mb,
            compound=False,
            entities=self._aliases,
        )

    @property
    def _w(self) -> Any:
        """The open writer, started on first use (so the number of processes can be chosen first)."""
        if self._writer is None:
            self._writer = self._new_writer()
        return self._writer

    def _load_known(self) -> None:
        """Read the id, hash and path of every indexed article (from columns, not stored fields)."""
        with self._ix.reader() as reader:
            if reader.doc_count_all() == 0:
                return
            ids = column_lookup(reader, "id", "")
            hashes = column_lookup(reader, "hash", "")
            paths = column_lookup(reader, "path", "")
            interned: dict[str, str] = {}
            for docnum in reader.all_doc_ids():
                path = paths(docnum)
                path = interned.setdefault(path, path)
                self._known[ids(docnum)] = _Known(hashes(docnum), path)

    def _switch_to_new_data(self) -> None:
        """Make the data folder of this run the current one."""
        created = self._meta.created if self._meta else now_iso()
        self._meta = IndexMeta(SCHEMA_VERSION, self._data_name, created, now_iso())
        write_meta(self.index_dir, self._meta)

    def commit(self) -> None:
        """Commit what was added so far; searches see it from now on."""
        if self._writer is None:
            return  # nothing written since the last commit
        from .merging import merge_similar_segments

        self._writer.commit(mergetype=merge_similar_segments)
        self._writer = None
        self._pending = 0
        if not self.rebuild:
            assert self._meta is not None
            self._meta = IndexMeta(SCHEMA_VERSION, self._data_name, self._meta.created, now_iso())
            write_meta(self.index_dir, self._meta)

    def close(self) -> IndexSummary:
        """Remove what vanished, commit, switch a rebuilt index in, and release the lock."""
        try:
            self._remove_vanished()
            changed = self._writer is not None
            self.commit()
            if changed or self.rebuild or not (self.index_dir / STORE_NAME).exists():
                with self._ix.reader() as reader:
                    record_stems(self.index_dir, reader, take_described_words(self.index_dir))
            if self.rebuild:
                old = self._meta.data if self._meta else ""
                self._switch_to_new_data()
                # A rebuild of a new index, or of one whose data folder was lost,
                # may reuse that folder name: it then holds the new data.
                if old and old != self._data_name:
                    shutil.rmtree(self.index_dir / old, ignore_errors=True)
        finally:
            self._finish()
        return self.summary

    def cancel(self) -> None:
        """Drop what was not committed yet and release the lock."""
        try:
            if self._writer is not None:
                self._writer.cancel()
                self._writer = None
        finally:
            self._finish()

    def _finish(self) -> None:
        self.summary.seconds = time.monotonic() - self._started
        if self._ix is not None:
            self._ix.close()
            self._ix = None
        self._lock.release()

    def __enter__(self) -> "Indexer":
        return self.open()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.cancel()

    # -- adding ----------------------------------------------------------------

    def add(self, article: Article) -> str:
        """Add or update one article.

        :returns: ``"added"``, ``"updated"`` or ``"unchanged"``.
        :raises DocumentError: when another article of this run had the same id.
        """
        earlier = self._seen.add(article.id, article.path)
        if earlier is not None:
            raise DocumentError(
                article.path or article.id,
                f"duplicate id {article.id!r} (already read from {earlier}); skipped",
            )
        digest = article.content_hash
        known = self._known.get(article.id)
        if known is not None and known.hash == digest and known.path == article.path:
            self.summary.unchanged += 1
            return "unchanged"
        fields = _document_fields(article, digest, self.config.compound_parts)
        if known is None:
            self._w.add_document(**fields)
            self.summary.added += 1
            outcome = "added"
        else:
            self._w.update_document(**fields)
            self.summary.updated += 1
            outcome = "updated"
        self._pending += 1
        if self._pending >= self.config.commit_every:
            self.commit()
        return outcome

    def fail(self, failure: RecordFailure) -> None:
        """Record an input that could not be indexed."""
        self.summary.failed += 1
        self.summary.errors.append(failure)

    def index_file(self, path: Path, root: Path | None = None) -> None:
        """Index the articles of one file; failures are recorded, not raised."""
        clean = True
        shown = str(path)
        try:
            for item in read_articles(path, root=root, field_map=self.config.field_map, warn=self._warn):
                if isinstance(item, RecordFailure):
                    clean = False
                    self.fail(item)
                    continue
                try:
                    self.add(item)
                except DocumentError as exc:
                    clean = False
                    self.fail(RecordFailure(item.id, exc.message))
        except DocumentError as exc:
            clean = False
            self.fail(RecordFailure(exc.path if root else shown, exc.message))
        if clean:
            self._clean_files.add(os.path.abspath(path))

    def index_paths(self, paths: Sequence[Path], progress: Progress | None = None) -> None:
        """Index files and directories (recursively).

        :param progress: called with the size in bytes of each file once it is done.
        """
        own_files = os.path.abspath(self.index_dir) + os.sep
        if self.config.procs == 0 and self._writer is None:
            parallel = (os.cpu_count() or 1) >= 2 and total_size(paths, PARALLEL_BYTES) >= PARALLEL_BYTES
            self._procs = 2 if parallel else 1
        for path in paths:
            path = Path(path)
            if path.is_dir():
                found: set[str] = set()
                self._scanned.append((os.path.abspath(path), found))
                for file in iter_input_files(path, on_error=lambda where, msg: self.fail(RecordFailure(where, msg))):
                    if os.path.abspath(file).startswith(own_files):
                        continue  # the index inside the folder it indexes: its diplosearch.json is no article
                    found.add(os.path.abspath(file))
                    self.index_file(file, root=path)
                    if progress:
                        progress(file_size(file))
            elif path.exists():
                self.index_file(path)
                if progress:
                    progress(file_size(path))
            else:
                self.fail(RecordFailure(str(path), "no such file or directory"))

    # -- removing --------------------------------------------------------------

    def _remove_vanished(self) -> None:
        if self.config.keep_missing or self.rebuild:
            return
        for article_id, known in self._known.items():
            if article_id in self._seen:
                continue
            if known.path in self._clean_files or self._vanished_from_scan(known.path):
                self._w.delete_by_term("id", article_id)
                self.summary.removed += 1

    def _vanished_from_scan(self, path: str) -> bool:
        for directory, found in self._scanned:
            if path.startswith(directory + os.sep) and path not in found and not os.path.exists(path):
                return True
        return False


def _document_fields(article: Article, digest: str, compound_parts: bool) -> dict[str, Any]:
    # The entity fields are added by the segment writer, in the process that
    # analyses the article (see ArticleSegmentWriter).
    fields: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "title_words": article.title,
        "body_words": article.body,
        "title_pairs": article.title,
        "body_pairs": article.body,
        "url": article.url,
        "path": article.path,
        "hash": digest,
        "source": article.source,
        "source_key": article.source,
        "category": article.category,
        "category_key": article.category,
    }
    if compound_parts:
        fields["parts"] = article.title + "\n" + article.body
    # Every article gets a date_sort value, so that every segment has the
    # column and sorting by date never meets a segment without it.
    fields["date_sort"] = UNDATED
    if article.date is not None:
        fields["date"] = article.date
        fields["date_sort"] = int(article.date.replace(tzinfo=timezone.utc).timestamp())
    return fields


def index_paths(
    index_dir: Path | str,
    paths: Iterable[Path | str],
    config: IndexConfig | None = None,
    *,
    rebuild: bool = False,
    warn: Warn | None = None,
    progress: Progress | None = None,
) -> IndexSummary:
    """Index files and directories into ``index_dir`` in one run, and commit.

    :param index_dir: the index directory (created when missing).
    :param paths: files and directories of articles.
    :param config: an :class:`IndexConfig`.
    :param rebuild: start a new index instead of updating the current one.
    :param warn: receives ``(where, message)`` for non-fatal problems.
    :param progress: receives the byte size of each file when it is done.
    :returns: an :class:`IndexSummary`; inputs that failed are in its ``errors``.
    :raises IndexLocked: another run holds the index longer than the lock timeout.
    :raises IndexIncompatible: the index needs ``rebuild=True``.
    """
    indexer = Indexer(index_dir, config, rebuild=rebuild, warn=warn)
    with fewer_collections(), indexer:
        indexer.index_paths([Path(p) for p in paths], progress=progress)
    return indexer.summary


#: The cyclic garbage collector's thresholds while indexing (Python's are 700, 10, 10).
INDEXING_GC_THRESHOLDS = (50_000, 20, 20)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often, then as before.

    Indexing allocates millions of tuples and lists that live until the
    postings are written, and few cycles; at Python's thresholds the
    collector ran thousands of times and re-scanned them: 11% of the time of
    indexing 10,000 articles in one process, 18% with a quarter of the
    writer memory. Cycles are still collected, only in larger batches.
    """
    before = gc.get_threshold()
    gc.set_threshold(*INDEXING_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)

