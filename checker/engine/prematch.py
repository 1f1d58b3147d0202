"""Match vendor names ahead of the audit in a second process, so that matching and judging overlap.

The audit reads rows in chunks. Before judging a chunk, it sends the next chunk's vendor cells that it
does not know yet to a worker process (forked, so it has the same loaded matcher), and takes the answers
back when it reaches that chunk. The answers are those the audit would work out itself (the same pure
function, run elsewhere), so no result changes; only the work moves to the other core. Used for large
files on Linux with two or more cores; ``SANCTUARY_CHECK_WORKERS=0`` turns it off and ``=1`` forces it on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from checker.engine.worker import ForkedWorker, worth_a_worker

V = TypeVar("V")

MIN_FILE_BYTES = 4 * 1024 * 1024
"""Files smaller than this are judged in one process (starting a worker would not pay)."""


def wanted(path: str) -> bool:
    """Whether to match ahead in a worker for this input file."""
    return worth_a_worker(path, MIN_FILE_BYTES)


def ahead(chunks: Iterator[list[list[Any]]], new_keys: Callable[[list[list[Any]]], list[str]],
          compute: Callable[[list[str]], list[V]]) -> Iterator[tuple[list[list[Any]], dict[str, V]]]:
    """Each chunk, in order, with ``compute``'s answers for its ``new_keys``, worked out in a worker while the
    caller was busy with the chunk before."""
    worker = ForkedWorker(compute)
    try:
        pending: tuple[list[list[Any]], list[str]] | None = None
        in_flight: set[str] = set()
        for chunk in chunks:
            batch = [key for key in new_keys(chunk) if key not in in_flight]
            in_flight.update(batch)
            answers = _receive(worker, pending, in_flight)
            if batch:
                worker.send(batch)
            if pending is not None:
                yield pending[0], answers
            pending = chunk, batch
        if pending is not None:
            yield pending[0], _receive(worker, pending, in_flight)
    finally:
        worker.close()


def _receive(worker: ForkedWorker, pending: tuple[list[list[Any]], list[str]] | None,
             in_flight: set[str]) -> dict[str, Any]:
    if pending is None or not pending[1]:
        return {}
    keys = pending[1]
    in_flight.difference_update(keys)
    return dict(zip(keys, worker.receive(), strict=True))
