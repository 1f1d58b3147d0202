"""Judge a large CSV file in two processes: this one takes the rows before a byte offset, a forked one the rest.

The cut is put at the start of a line past ``FIRST_SHARE`` of the file's bytes, after an even number of
quote characters, where a row boundary is likely; each process reads only its own part. The forked
process numbers its rows from the lines before the cut, so it must be that every line before the cut
is one row: this process checks, once its part is read, that it found exactly that many rows and that
its part ended outside a quoted field. If not (a quoted line break before the cut), the forked process
is killed and this one reads the rest of the file itself, so findings, skipped rows and errors are
always those of one process. The forked process returns its summary and either spools its flagged
findings (a run that lists flagged rows only: the listing is small) or writes every row as report text
(a JSON or CSV listing: ``SpooledRows``), which is copied into the report after this one's rows. Used
for CSV files of 8 MB or more in an encoding that writes a line break as one byte, on Linux with two or
more cores; ``SANCTUARY_CHECK_WORKERS=0`` turns it off.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import TextIO

from checker.models import Finding, Summary
from checker.output import writes_utf8
from checker.worker import ForkedWorker, worth_a_worker

MIN_FILE_BYTES = 8 * 1024 * 1024
FIRST_SHARE = 0.52
"""Share of the file's bytes this process judges when only flagged rows are listed."""
FIRST_SHARE_RENDERED = 0.49
"""Share when the second process writes its rows as text: this one copies that text in at the end."""
CUT_TRIES = 1_000
"""Line breaks tried for a cut after an even number of quotes."""
CUT_WINDOW = 4 * 1024 * 1024
"""Bytes read past the share to find those line breaks."""
SINGLE_BYTE_BREAKS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "iso-8859-1", "ascii")
"""Encodings in which a line break and a quote are single bytes that appear in no other character."""

SPOOL_BATCH = 1_000
"""Findings pickled at a time by ``spool``."""

def wanted(path: str, only_flagged: bool, max_rows: int | None, is_csv: bool, rendered: bool = False) -> bool:
    """Whether to judge this file in two processes: when only flagged rows are listed, or when the second
    process can render its rows itself (``rendered``)."""
    return (only_flagged or rendered) and max_rows is None and is_csv and worth_a_worker(path, MIN_FILE_BYTES)


def cut(path: str, encoding: str, quote: str, share: float = FIRST_SHARE) -> tuple[int, int] | None:
    """Where to cut the file: a byte offset at a line start, and the number of lines before it (None: nowhere).

    The offset follows the first line break past ``share`` of the bytes that has an even number of
    quote characters before it (a row boundary unless a quote stands inside an unquoted cell: checked
    later). A line break is ``\n``, or ``\r`` in a file whose first block has no ``\n`` (old Mac exports,
    as Phoenix's). Only for encodings that write a line break and a quote as single bytes.
    """
    if encoding.replace("_", "-").lower() not in SINGLE_BYTE_BREAKS or len(quote) != 1:
        return None
    quote_byte = quote.encode("ascii")
    with open(path, "rb") as fh:  # read in blocks, not mapped: memory stays flat whatever the file's size
        size = os.fstat(fh.fileno()).st_size
        target = int(size * share)
        head = fh.read(1 << 16)
        brk = b"\n" if b"\n" in head or b"\r" not in head else b"\r"
        fh.seek(0)
        quotes = lines = position = 0
        while position < target:
            block = fh.read(min(1 << 20, target - position))
            if not block:
                return None
            quotes += block.count(quote_byte)
            lines += block.count(brk)
            position += len(block)
        window = fh.read(CUT_WINDOW)
    start = 0
    for _ in range(CUT_TRIES):
        at = window.find(brk, start)
        if at < 0 or target + at + 1 >= size:
            return None
        quotes += window.count(quote_byte, start, at + 1)
        lines += 1
        if quotes % 2 == 0:
            return target + at + 1, lines
        start = at + 1
    return None


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


class SpooledRows:
    """Rows the second process wrote as report text, to be copied into the report after the first's rows."""

    def __init__(self, path: Callable[[], str | None], close: Callable[[], None]) -> None:
        self._path = path  # the text file, once the second process is done (None: it was dropped)
        self._close = close

    def write_to(self, out: TextIO, before: str) -> bool:
        """Write ``before`` and the rows to ``out``, when there are any; whether there were. Then clean up."""
        try:
            path = self._path()
            if path is None or not os.path.getsize(path):
                return False
            out.write(before)
            if not _send(path, out):
                with open(path, encoding="utf-8", newline="") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
            return True
        finally:
            self._close()


def _send(path: str, out: TextIO) -> bool:
    """Copy a UTF-8 text file's bytes to ``out``'s file descriptor in the kernel (True), when it has one:
    ``copy_file_range`` between files, else ``sendfile`` (to a pipe, say)."""
    if not writes_utf8(out):
        return False
    try:
        target = out.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    out.flush()
    with open(path, "rb") as fh:
        size, sent = os.fstat(fh.fileno()).st_size, 0
        for in_kernel in (True, False):
            try:
                while sent < size:
                    done = os.copy_file_range(fh.fileno(), target, size - sent, sent) if in_kernel else \
                        os.sendfile(target, fh.fileno(), sent, size - sent)
                    if not done:
                        break
                    sent += done
            except OSError:
                if sent:
                    raise  # part of it is written: never write it twice
                continue
            break
    if 0 < sent < size:
        raise OSError(f"{path}: cut short while copying")  # never copy the start twice
    return sent == size


def unspool(path: str) -> Iterator[Finding]:
    """The findings written by ``spool``, read back batch by batch."""
    with open(path, "rb") as fh:
        while True:
            try:
                batch = pickle.load(fh)
            except EOFError:
                return
            yield from batch
