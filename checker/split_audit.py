"""Judge a large CSV file in two processes: this one takes the first rows, a forked one the rest.

Both processes parse the whole file with the same csv reader, so they agree on every row boundary
(quoted newlines included); the second skips the first rows without judging them. Each judges its rows
with the same compiled knowledge and numbers them globally, so findings, skipped rows and errors are the
same as in one process. The second process spools its flagged findings to a temporary file and returns
its summary; they are appended after the first's. Used only when a run lists flagged rows only (the
listing is small), for CSV files of 8 MB or more, on Linux with two or more cores;
``SANCTUARY_CHECK_WORKERS=0`` turns it off.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Iterator

from checker.models import Finding, Summary
from checker.worker import ForkedWorker, worth_a_worker

MIN_FILE_BYTES = 8 * 1024 * 1024
FIRST_SHARE = 0.55
"""Share of the rows this process judges; the other also parses the rows it skips, so it gets fewer."""

SPOOL_BATCH = 1_000
"""Findings pickled at a time by ``spool``."""

def wanted(path: str, only_flagged: bool, max_rows: int | None, is_csv: bool) -> bool:
    """Whether to judge this file in two processes."""
    return only_flagged and max_rows is None and is_csv and worth_a_worker(path, MIN_FILE_BYTES)


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


def start_tail(tail: Callable[[], tuple[str, Summary]]) -> ForkedWorker:
    """Fork a process that runs ``tail`` at once; ``receive()`` gives its spool path and summary."""
    worker = ForkedWorker(lambda _: tail())
    worker.send(None)
    return worker


def spool(findings: Iterator[Finding], folder: str) -> str:
    """Write findings (records made) to a file in ``folder`` in batches; its path, for the other process."""
    fd, path = tempfile.mkstemp(prefix="tail-", suffix=".findings", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        batch: list[Finding] = []
        for f in findings:
            f.record  # noqa: B018 - builds a deferred record before pickling
            batch.append(f)
            if len(batch) == SPOOL_BATCH:
                pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def unspool(path: str) -> Iterator[Finding]:
    """The findings written by ``spool``, read back batch by batch."""
    with open(path, "rb") as fh:
        while True:
            try:
                batch = pickle.load(fh)
            except EOFError:
                return
            yield from batch
