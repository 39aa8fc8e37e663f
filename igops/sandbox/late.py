"""Late commits: creates the sandbox has taken but commits only when their delay is over.

Each waits on a timer thread of its own, not on an event loop: the in-process transport runs
every request on a loop of its own that is gone by the time the commit is due.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class LateCommits:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # held by a commit under way, so closing waits for it
        self._pending: set[threading.Timer] = set()
        self._closed = False

    def schedule(self, delay_s: float, commit: Callable[[], None]) -> None:
        """Run `commit` in `delay_s` seconds, unless the sandbox is closed by then."""

        def due() -> None:
            with self._lock:
                self._pending.discard(timer)
                if not self._closed:
                    commit()

        timer = threading.Timer(delay_s, due)
        timer.daemon = True  # a process that ends loses what is not yet committed, as a server would
        with self._lock:
            if self._closed:
                return
            self._pending.add(timer)
        timer.start()

    def close(self) -> None:
        """Drop the commits not yet due; one under way finishes first."""
        with self._lock:
            self._closed = True
            for timer in self._pending:
                timer.cancel()
            self._pending.clear()
