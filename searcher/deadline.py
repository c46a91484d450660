"""Stopping a search that runs past its time limit, without a thread per search.

Whoosh's ``TimeLimitCollector`` starts a ``threading.Timer`` for every search;
starting that thread cost about 3 ms, most of the time of a search for a rare
word. :class:`DeadlineCollector` instead arms an interval timer (``SIGALRM``)
when it runs in the main thread, which interrupts even a slow matcher between
two matches, and elsewhere checks the clock every few matches.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from whoosh.collectors import TimeLimit, WrappingCollector

__all__ = ["DeadlineCollector", "TimeLimit"]

_CHECK_EVERY = 64  # matches between two looks at the clock


class DeadlineCollector(WrappingCollector):
    """Wraps a collector; raises :class:`TimeLimit` once ``seconds`` have passed.

    Use it with ``try``/``finally``: :meth:`disarm` must run however the
    search ends.

    :param child: the collector to wrap.
    :param seconds: the time limit.
    """

    def __init__(self, child: Any, seconds: float) -> None:
        super().__init__(child)
        self.seconds = seconds
        self.deadline = 0.0
        self._armed = False
        self._previous_handler: Any = None

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        self.child.prepare(top_searcher, q, context)
        self.deadline = time.monotonic() + self.seconds
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGALRM, self._on_alarm)
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if self._armed:
            raise TimeLimit

    def disarm(self) -> None:
        """Stop the timer and put back the previous ``SIGALRM`` handler."""
        if self._armed:
            self._armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous_handler)

    def collect_matches(self) -> None:
        child = self.child
        deadline = self.deadline
        for count, sub_docnum in enumerate(child.matches()):
            if count % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                raise TimeLimit
            child.collect(sub_docnum)

    def finish(self) -> None:
        self.disarm()
        self.child.finish()
