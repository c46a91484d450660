"""Keeping the worker processes of a multi-process index run from outliving it."""

from __future__ import annotations

import multiprocessing
import os
import threading

__all__ = ["exit_with_parent"]

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
