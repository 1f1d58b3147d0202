"""Match vendor names ahead of the audit in a second process, so that matching and judging overlap.

The audit reads rows in chunks. Before judging a chunk, it sends the next chunk's vendor names that are
not yet known to a worker process (forked, so it has the same compiled matcher), and primes the matcher
with the outcomes when they come back. The outcomes are the ones the matcher would compute itself, so
results do not change; only the work moves to the other core. Used for large files on Linux with two or
more cores; ``SANCTUARY_CHECK_WORKERS=0`` turns it off and ``=1`` forces it on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from checker.matcher import Matcher
from checker.worker import ForkedWorker, worth_a_worker

MIN_FILE_BYTES = 4 * 1024 * 1024
"""Files smaller than this are judged in one process (starting a worker would not pay)."""


def wanted(path: str) -> bool:
    """Whether to match ahead in a worker for this input file."""
    return worth_a_worker(path, MIN_FILE_BYTES)


def prematched(chunks: Iterator[list[list[str]]], vendor: int, matcher: Matcher,
               needed: Callable[[str], bool]) -> Iterator[list[list[str]]]:
    """The same chunks of rows, in order; each chunk's new vendor names were matched in a worker meanwhile.

    ``needed(cell)`` says whether a vendor cell still needs an outcome (the caller may know it already).
    The worker matches chunk k+1's names while the caller judges chunk k.
    """
    worker = ForkedWorker(matcher.match_many)
    try:
        in_flight: set[str] = set()
        pending: tuple[list[list[str]], list[str]] | None = None
        for chunk in chunks:
            batch = _new_names(chunk, vendor, matcher, needed, in_flight)
            if pending is not None:
                _prime(worker, pending[1], matcher, in_flight)
            if batch:
                worker.send(batch)
            if pending is not None:
                yield pending[0]
            pending = chunk, batch
        if pending is not None:
            _prime(worker, pending[1], matcher, in_flight)
            yield pending[0]
    finally:
        worker.close()


def _new_names(chunk: list[list[str]], vendor: int, matcher: Matcher, needed: Callable[[str], bool],
               in_flight: set[str]) -> list[str]:
    names: dict[str, None] = {}
    for cells in chunk:
        if vendor < len(cells) and needed(cells[vendor]):
            name = " ".join(cells[vendor].split())
            if name and name not in in_flight and not matcher.knows(name):
                names[name] = None
    in_flight.update(names)
    return list(names)


def _prime(worker: ForkedWorker, batch: list[str], matcher: Matcher, in_flight: set[str]) -> None:
    if not batch:
        return
    for name, outcome in zip(batch, worker.receive(), strict=True):
        matcher.remember(name, outcome)
        in_flight.discard(name)
