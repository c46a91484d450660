"""The worker processes of a multi-process index run, which never outlive it."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from typing import Any

__all__ = ["exit_with_parent", "run_segment_worker"]

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


def run_segment_worker(storage: Any, indexname: str, jobqueue: Any, resultqueue: Any, writer_args: dict[str, Any]) -> None:
    """The body of a worker of :class:`index.segment_writer.ArticleMpWriter`.

    Takes job files (pickled documents written by the parent) off
    ``jobqueue`` until it gets None, writes them into a segment of its own,
    and puts ``(None, field names, segment)`` on ``resultqueue`` for the
    parent to commit.
    """
    from .schema import build_schema
    from .segment_writer import ArticleSegmentWriter

    exit_with_parent()
    ix = storage.open_index(indexname, schema=build_schema())
    writer = ArticleSegmentWriter(ix, _lk=False, **writer_args)
    jobs = writer.temp_storage()
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
    segment = writer._finalize_segment()
    resultqueue.put((None, writer.pool.fieldnames, segment), timeout=5)
