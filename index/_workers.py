"""The worker processes of a multi-process index run, which never outlive it."""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import threading
from pathlib import Path
from typing import Any

__all__ = ["FAILED", "exit_with_parent", "failure_report", "run_segment_worker", "save_described_words", "take_described_words"]

_watching = False


def exit_with_parent() -> None:
    """In a multiprocessing child: exit as soon as the parent process is gone.

    Whoosh's sub-writers wait on a job queue for ever; when the indexing
    process is killed (``kill -9``, a cron timeout) they would stay behind as
    orphans. Their unfinished segment is never committed, so exiting loses
    nothing. Does nothing in a process that is not a multiprocessing child.
    """
    global _watching
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if parent is None or sentinel is None or _watching:
        return
    _watching = True

    def watch() -> None:
        from multiprocessing.connection import wait

        wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


#: The first item of what a worker that failed puts on the result queue (see :func:`failure_report`).
FAILED = "failed"


def run_segment_worker(storage: Any, indexname: str, jobqueue: Any, resultqueue: Any, writer_args: dict[str, Any]) -> None:
    """The body of a worker of :class:`index.segment_writer.ArticleMpWriter`.

    Takes job files (pickled documents written by the parent) off
    ``jobqueue`` until it gets None, writes them into a segment of its own,
    and puts ``(None, field names, segment)`` on ``resultqueue`` for the
    parent to commit. A worker that fails (a full disk, say) puts a
    :func:`failure_report` there instead and exits with status 1, printing
    nothing: the parent says what happened, in one line.
    """
    try:
        _write_segment(storage, indexname, jobqueue, resultqueue, writer_args)
    except BaseException as exc:  # whatever it is, the parent reports it and drops the commit
        try:
            resultqueue.put(failure_report(exc), timeout=5)
            resultqueue.close()
            resultqueue.join_thread()  # the report written to the pipe before the process ends
        finally:
            os._exit(1)  # no traceback on the terminal


def failure_report(exc: BaseException) -> tuple[str, int | None, str, str | None, str]:
    """What the parent needs to raise the error a worker met: ``(FAILED, errno, strerror, filename, description)``."""
    if isinstance(exc, OSError) and exc.errno is not None:
        filename = exc.filename if isinstance(exc.filename, str) else None
        return FAILED, exc.errno, exc.strerror or str(exc), filename, f"{type(exc).__name__}: {exc}"
    return FAILED, None, str(exc), None, f"{type(exc).__name__}: {exc}"


def _write_segment(storage: Any, indexname: str, jobqueue: Any, resultqueue: Any, writer_args: dict[str, Any]) -> None:
    from .indexer import INDEXING_GC_THRESHOLDS
    from .schema import build_schema
    from .segment_writer import ArticleSegmentWriter

    exit_with_parent()
    gc.set_threshold(*INDEXING_GC_THRESHOLDS)  # this process only indexes; see fewer_collections()
    writer_args = dict(writer_args)
    stems_dir = writer_args.pop("stems_dir", None)
    entities_file = writer_args.pop("entities_file", None)
    ix = storage.open_index(indexname, schema=build_schema())
    writer = ArticleSegmentWriter(ix, _lk=False, **writer_args)
    jobs = writer.temp_storage()  # the parent's temporary folder: the same name in the same index
    if entities_file is not None:
        with jobs.open_file(entities_file).raw_file() as stream:
            writer.entities = pickle.load(stream)
    while True:
        job = jobqueue.get()
        if job is None:
            break
        filename, count = job
        with jobs.open_file(filename).raw_file() as stream:
            for _ in range(count):
                _, fields = pickle.load(stream)
                writer.add_document(**fields)
        jobs.delete_file(filename)
    if stems_dir is not None:
        # Before the flush, while the analysis's caches still hold the words' stems and parts.
        save_described_words(stems_dir, writer.analysis.folded_words())
    writer.analysis.forget()  # the flush reuses the caches' memory: a lower peak
    segment = writer._finalize_segment()
    resultqueue.put((None, writer.pool.fieldnames, segment), timeout=5)


#: Files in which workers leave the stem store entries of their words.
DESCRIBED_PATTERN = "stems-*.pending"


def save_described_words(directory: str, words: set[str]) -> None:
    """Compute the stem store's entries of ``words`` and leave them in ``directory`` for the run."""
    from .stems import describe_words

    path = Path(directory) / f"stems-{os.getpid()}-{len(words)}.pending"
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as stream:
        pickle.dump(describe_words(words), stream, pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


def take_described_words(directory: Path) -> dict[str, Any]:
    """Read and remove the entries that workers left in ``directory`` (see :func:`save_described_words`).

    Entries depend only on the word, so files left by a killed run are as good as new ones.
    """
    described: dict[str, Any] = {}
    for path in sorted(Path(directory).glob(DESCRIBED_PATTERN)):
        try:
            with open(path, "rb") as stream:
                described.update(pickle.load(stream))
        except (OSError, EOFError, pickle.UnpicklingError):
            pass  # a damaged file only costs time: the entries are computed again
        path.unlink(missing_ok=True)
    return described
