"""A forked worker process that answers requests one at a time over a pipe, and is killed when done.

multiprocessing.Pool keeps helper threads and locks in the parent; a Ctrl-C that lands while one of them
holds a lock can hang the pool's shutdown. This worker has none: the parent sends a request, later
receives its reply, and never sends while a reply is due, so neither side can block the other; closing
kills the child outright. The child inherits the parent's memory (fork), so a handler can use the loaded
knowledge without sending it, and it ignores SIGINT (the parent decides what a Ctrl-C means).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

ENV = "SANCTUARY_CHECK_WORKERS"
"""``0`` never starts a worker process; ``1`` always does (where it can fork); unset: large files only."""


WAIT_SECONDS = 0.25
"""How often ``ForkedWorker.receive`` calls its ``waiting`` function."""
HELD = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
"""Signals held while a worker is forked, and in the worker until its own handlers are set."""


def worth_a_worker(path: str, min_bytes: int) -> bool:
    """Whether a worker process pays for this input: Linux (fork), two or more cores, a file this large."""
    import multiprocessing  # here, not at the top: screening a name never starts a worker

    setting = os.environ.get(ENV, "")
    if setting == "0" or not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if setting == "1":
        return True
    try:
        return (os.cpu_count() or 1) >= 2 and os.path.getsize(path) >= min_bytes
    except OSError:
        return False


class ForkedWorker:
    """A child process running ``handler(request)`` for each request sent to it."""

    def __init__(self, handler: Callable[[Any], Any]) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_end, self._conn, handler), daemon=True)
        # A Ctrl-C or SIGTERM during the fork waits until the child is known, and the child starts with them held
        # too: until it has set its own handlers, the parent's (which raise) must not run in it.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
        try:
            try:
                self._process.start()
            finally:
                child_end.close()
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        except BaseException:  # interrupted as the signals came through: the caller never gets this worker
            if self._process.pid is None:  # never started
                self._conn.close()
            else:
                self.close()
            raise

    def send(self, request: Any) -> None:
        """Ask for ``handler(request)``; receive the reply before sending again."""
        self._conn.send(request)

    def receive(self, waiting: Callable[[], None] | None = None) -> Any:
        """The reply to the last request; an exception raised by the handler is raised here. ``waiting`` is
        called about every ``WAIT_SECONDS`` until the reply comes (e.g. to show progress)."""
        if waiting is not None:
            while not self._conn.poll(WAIT_SECONDS):
                waiting()
        ok, value = self._conn.recv()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Kill the child (whatever it is doing) and release the pipe."""
        self._process.kill()
        self._process.join()
        self._conn.close()


def _serve(conn: Connection, parent_end: Connection, handler: Callable[[Any], Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handlers unwind the parent only
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # under nohup the worker ignores a hangup too
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)  # one that came meanwhile now acts as its default
    parent_end.close()  # so that the parent's end closing (it exited) ends this loop
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        try:
            reply: tuple[bool, Any] = (True, handler(request))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
            reply = (False, exc)
        try:
            conn.send(reply)
        except OSError:  # the parent is gone (interrupted): nobody wants the reply
            return
