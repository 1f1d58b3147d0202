"""Judge a large CSV file in two processes: this one reads the rows before a byte offset, a forked one the rest.

The cut is put at the start of a line past a share of the file's bytes, after an even number of quote
characters, where a row boundary is likely; each process reads only its own part. The forked process
numbers its rows from the lines before the cut, so it must be that every line before the cut is one row:
this process checks, once its part is read, that it found exactly that many rows and that its part ended
outside a quoted field. If not (a quoted line break before the cut), the forked process is killed and
this one reads the rest of the file itself, so findings, skipped rows and errors are always those of one
process. The forked process returns its summary and either spools its flagged findings (a run that lists
flagged rows only: the listing is small) or writes every row as report text with the format's row writer
(``RowWriter``), which this one copies into the report after its own rows.

Used for CSV files of ``MIN_FILE_BYTES`` or more in an encoding that writes a line break and a quote as one
byte each, on Linux with two or more cores (``SANCTUARY_CHECK_WORKERS=0`` turns it off, ``=1`` on for any
size).
"""

from __future__ import annotations

import mmap
import os
import pickle
import shutil
import struct
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol, TextIO

from checker.engine.worker import ForkedWorker, worth_a_worker
from checker.errors import InputError
from checker.files import TEMP_MARK, remove_leftovers, temp_prefix
from checker.model import Finding, Running, Summary
from checker.sources.csv_source import CsvSource

MIN_FILE_BYTES = 8 * 1024 * 1024
FIRST_SHARE = 0.52
"""Share of the file's bytes this process judges when only flagged rows are listed."""
FIRST_SHARE_WRITTEN = 0.49
"""Share when the second process writes its rows as text: this one copies that text in at the end."""
CUT_TRIES = 1_000
"""Line breaks tried for a cut after an even number of quotes."""
CUT_WINDOW = 4 * 1024 * 1024
"""Bytes read past the share to find those line breaks."""
SINGLE_BYTE_BREAKS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "iso-8859-1", "ascii")
"""Encodings in which a line break and a quote are single bytes that appear in no other character."""
SPOOL_BATCH = 1_000
"""Findings pickled at a time."""


class RowWriter(Protocol):
    """How a format writes findings as rows of text (a JSON array's items, CSV lines)."""

    opening: str  # before the first row
    separator: str  # between two rows

    def write(self, findings: Iterable[Finding], out: TextIO, lead: str) -> int:
        """Write the findings (``lead`` before the first, ``separator`` between them); how many."""
        ...  # pragma: no cover


Audit = Callable[..., Iterator[Finding]]
"""``audit(chunks, first_row, progress, summary=None)``: judges a stream of chunks whose first row is numbered
``first_row + 1``, telling ``progress`` the rows read; counts into the run's summary, or into ``summary``
with an audit of its own (the second process's)."""


def wanted(path: str, source: object, max_rows: int | None) -> bool:
    """Whether a file may be judged in two processes: a large CSV file in a single-byte-break encoding, read
    whole (no ``--max-rows``)."""
    return (isinstance(source, CsvSource) and source.regular and max_rows is None
            and len(source.dialect.quotechar or "") == 1
            and source.encoding.replace("_", "-").lower() in SINGLE_BYTE_BREAKS
            and worth_a_worker(path, MIN_FILE_BYTES))


def cut(path: str, encoding: str, quote: str, share: float = FIRST_SHARE) -> tuple[int, int] | None:
    """Where to cut the file: a byte offset at a line start, and the number of lines before it (None: nowhere).

    The offset follows the first line break past ``share`` of the bytes that has an even number of
    quote characters before it (a row boundary unless a quote stands inside an unquoted cell: checked
    later). A line break is ``\\n``, or ``\\r`` in a file whose first block has no ``\\n`` (old Mac exports,
    as Phoenix's).
    """
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


class TwoProcesses:
    """A CSV file judged in two processes (see the module's docstring)."""

    def __init__(self, source: CsvSource, audit: Audit, summary: Summary, chunk_rows: int,
                 progress: Callable[[int], None] | None, spool_dir: str | None, reopen: Callable[[], CsvSource]
                 ) -> None:
        self.source, self.audit, self.summary, self.chunk_rows = source, audit, summary, chunk_rows
        self.progress, self.spool_dir, self.reopen = progress, spool_dir, reopen
        self.tail_read = mmap.mmap(-1, 8)  # rows read by the second process, shared with it for progress
        self.worker: ForkedWorker | None = None
        self.folder: str | None = None
        self.digest: Callable[[], str] = source.sha256  # the bytes judged: see ``sha256``

    def sha256(self) -> str:
        """The SHA-256 of the file's bytes as the two processes judged them, once both have read their part."""
        return self.digest()
    # -- flagged findings ---------------------------------------------------------------------------
    def findings(self) -> Iterator[Finding]:
        """This process's findings, then the second's (spooled); the summary then counts every row."""
        at = cut(self.source.path, self.source.encoding, self.source.dialect.quotechar, FIRST_SHARE)
        if at is None:
            yield from self.audit(self.source.chunks(self.chunk_rows), 0, self.progress)
            return
        self.source.close()  # each process reads its own part
        try:
            self._start(at, lambda found, folder: _spool(found, folder))
            spooled = yield from self._first_part(at)
            if spooled is not None:
                yield from _unspool(spooled)
        finally:
            self.close()

    # -- every row, written -------------------------------------------------------------------------
    def write_rows(self, writer: RowWriter, out: TextIO) -> int:
        """Write every row with ``writer``: this process's rows, then the text of the second's."""
        at = cut(self.source.path, self.source.encoding, self.source.dialect.quotechar, FIRST_SHARE_WRITTEN)
        if at is None:
            return writer.write(self.audit(self.source.chunks(self.chunk_rows), 0, self.progress), out,
                                writer.opening)
        self.source.close()  # each process reads its own part
        try:
            self._start(at, lambda found, folder: _write_text(writer, found, folder))
            holder: list[str | None] = []

            def first() -> Iterator[Finding]:
                holder.append((yield from self._first_part(at)))

            rows = writer.write(first(), out, writer.opening)
            text = holder[0] if holder else None
            if text is not None and os.path.getsize(text):
                out.write(writer.separator if rows else writer.opening)
                _copy(text, out)
                rows += 1  # and more: how many is not needed, only whether any
            return rows
        finally:
            self.close()

    # -- both ---------------------------------------------------------------------------------------
    def _start(self, at: tuple[int, int], keep: Callable[[Iterator[Finding], str], str]) -> None:
        offset, lines = at
        remove_leftovers(Path(self.spool_dir or tempfile.gettempdir()), f"{TEMP_MARK}-")
        self.folder = folder = tempfile.mkdtemp(prefix=temp_prefix(), dir=self.spool_dir)
        weakref.finalize(self, shutil.rmtree, folder, True)  # removed whatever happens, at the latest on exit
        first = lines - 1  # data rows before the cut when each line is one row (after the header)

        def second(_: object) -> tuple[str, Summary, str]:
            """In the forked process: judge the rows from the cut; keep its findings or their text."""
            summary = Summary(decimal_comma=self.summary.decimal_comma, running=Running.within())
            part = self.source.part(offset, None, lines)
            found = self.audit(part.chunks(self.chunk_rows), first,
                               lambda done: struct.pack_into("q", self.tail_read, 0, done - first), summary,
                               nul_seen=part.nul_seen)
            return keep(found, folder), summary, part.sha256()

        self.worker = ForkedWorker(second)
        self.worker.send(None)

    def _first_part(self, at: tuple[int, int]) -> Iterator[Finding]:
        """This process's rows (and, when its part was not one row a line, the rest of the file): the path the
        second process kept its findings at, or None when this process read on itself."""
        offset, lines = at
        first = lines - 1
        read = 0
        ended_in_a_cell = False

        part = self.source.part(0, offset)

        def chunks() -> Iterator[list[list[str]]]:
            nonlocal read, ended_in_a_cell
            try:
                for chunk in part.chunks(self.chunk_rows):
                    read += len(chunk)
                    yield chunk
            except InputError:  # the cut fell inside a quoted cell, or the file is malformed there
                ended_in_a_cell = True

        def both(done: int) -> None:  # this process's rows and the second's
            assert self.progress is not None
            self.progress(done + struct.unpack_from("q", self.tail_read)[0])

        assert self.worker is not None
        yield from self.audit(chunks(), 0, None if self.progress is None else both, nul_seen=part.nul_seen)
        if ended_in_a_cell or read != first:  # rows and lines disagree: read on here, from the start
            self.worker.close()
            struct.pack_into("q", self.tail_read, 0, 0)
            again = self.reopen()
            self.digest = again.sha256  # type: ignore[attr-defined]
            yield from self.audit(_skip_rows(again.chunks(self.chunk_rows), read), read, self.progress,
                                  nul_seen=again.nul_seen)
            return None
        kept, tail_summary, tail_sha256 = self.worker.receive(None if self.progress is None else lambda: both(read))
        if self.progress is not None:
            both(read)  # every row now
        self.summary.merge(tail_summary)
        whole = _whole_file_sha256(self.source.path, part, offset, tail_sha256)
        self.digest = lambda: whole
        return kept

    def close(self) -> None:
        """Stop the second process and remove the spool folder (again: harmless)."""
        if self.worker is not None:
            self.worker.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _whole_file_sha256(path: str, first: CsvSource, offset: int, tail_sha256: str) -> str:
    """The SHA-256 of the whole file: this process's part as it read it, then the rest, read again here and checked
    against the hash the second process made of what it read (a file that changed meanwhile is refused)."""
    import hashlib

    assert first.measured is not None
    whole, tail = first.measured.hasher.copy(), hashlib.sha256()
    with open(path, "rb") as fh:
        fh.seek(offset)
        for block in iter(lambda: fh.read(1 << 20), b""):
            whole.update(block)
            tail.update(block)
    if tail.hexdigest() != tail_sha256:
        raise InputError(path, "the file changed while it was read: audit it again once it is written")
    return whole.hexdigest()


def _skip_rows(chunks: Iterator[list[list[str]]], count: int) -> Iterator[list[list[str]]]:
    """The chunks after the first ``count`` rows."""
    for chunk in chunks:
        if count >= len(chunk):
            count -= len(chunk)
            continue
        yield chunk[count:]
        break
    yield from chunks


def _spool(findings: Iterator[Finding], folder: str) -> str:
    """Write findings to a file in ``folder`` in batches; its path, for the other process."""
    fd, path = tempfile.mkstemp(prefix="tail-", suffix=".findings", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        batch: list[Finding] = []
        for f in findings:
            batch.append(f)
            if len(batch) == SPOOL_BATCH:
                pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _unspool(path: str) -> Iterator[Finding]:
    """The findings written by ``_spool``, read back batch by batch."""
    with open(path, "rb") as fh:
        while True:
            try:
                batch = pickle.load(fh)
            except EOFError:
                return
            yield from batch


def _write_text(writer: RowWriter, findings: Iterator[Finding], folder: str) -> str:
    """Write findings as text rows to a file in ``folder`` (no lead before the first); its path."""
    path = os.path.join(folder, "rows.txt")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer.write(findings, fh, "")
    return path


def _copy(path: str, out: TextIO) -> None:
    """Copy a UTF-8 text file to ``out``: in the kernel when ``out`` is a UTF-8 file or pipe, else as text."""
    if not _send(path, out):
        with open(path, encoding="utf-8", newline="") as fh:
            shutil.copyfileobj(fh, out, 1 << 20)


def _send(path: str, out: TextIO) -> bool:
    """Copy a UTF-8 text file's bytes to ``out``'s file descriptor in the kernel (True), when it has one:
    ``copy_file_range`` between files, else ``sendfile`` (to a pipe, say)."""
    if (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "") != "utf8":
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
