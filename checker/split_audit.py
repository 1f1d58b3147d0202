"""Judge a large CSV file in two processes: this one takes the first rows, a forked one the rest.

Both processes parse the whole file with the same csv reader, so they agree on every row boundary
(quoted newlines included); the second skips the first rows without judging them. Each judges its rows
with the same compiled knowledge and numbers them globally, so findings, skipped rows and errors are the
same as in one process. The second process returns its flagged findings and its summary, which are
appended after the first's. Used only when a run lists flagged rows only (the listing is small), for
CSV files of 8 MB or more, on Linux with two or more cores; ``SANCTUARY_CHECK_WORKERS=0`` turns it off.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import Any

from checker.models import Finding, Summary

MIN_FILE_BYTES = 8 * 1024 * 1024
FIRST_SHARE = 0.55
"""Share of the rows this process judges; the other also parses the rows it skips, so it gets fewer."""

_TAIL: Callable[[], tuple[list[Finding], Summary]] | None = None  # what the forked process runs


def wanted(path: str, only_flagged: bool, max_rows: int | None, is_csv: bool) -> bool:
    """Whether to judge this file in two processes."""
    from checker import prematch

    if not (only_flagged and max_rows is None and is_csv and prematch.forking_allowed()):
        return False
    if os.environ.get(prematch.ENV) == "1":
        return True
    try:
        return (os.cpu_count() or 1) >= 2 and os.path.getsize(path) >= MIN_FILE_BYTES
    except OSError:
        return False


def first_rows(path: str) -> int:
    """How many data rows this process judges: ``FIRST_SHARE`` of the rows, estimated from the file's size."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    lines = max(1, head.count(b"\n") or head.count(b"\r"))
    per_row = len(head) / lines
    return max(1, int(os.path.getsize(path) / per_row * FIRST_SHARE))


def skip_rows(chunks: Iterator[list[list[str]]], count: int) -> Iterator[list[list[str]]]:
    """The chunks after the first ``count`` rows."""
    for chunk in chunks:
        if count >= len(chunk):
            count -= len(chunk)
            continue
        yield chunk[count:]
        count = 0
        break
    yield from chunks


def take_rows(chunks: Iterator[list[list[str]]], count: int) -> Iterator[list[list[str]]]:
    """The chunks of the first ``count`` rows."""
    for chunk in chunks:
        if count <= 0:
            return
        yield chunk if len(chunk) <= count else chunk[:count]
        count -= len(chunk)


def start_tail(tail: Callable[[], tuple[list[Finding], Summary]]) -> tuple[Any, Any]:
    """Fork a process that runs ``tail`` and returns its findings and summary; (pool, pending result)."""
    global _TAIL
    _TAIL = tail
    pool = multiprocessing.get_context("fork").Pool(1)
    _TAIL = None
    return pool, pool.apply_async(_run_tail)


def _run_tail() -> tuple[list[Finding], Summary]:
    assert _TAIL is not None
    return _TAIL()


def listed(findings: Iterator[Finding]) -> list[Finding]:
    """Findings with their records made, ready to be sent to the other process."""
    out = list(findings)
    for f in out:
        f.record  # noqa: B018 - builds a deferred record before pickling
    return out

