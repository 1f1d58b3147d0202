"""Read a CSV export, from a file, a pipe or standard input: encoding and delimiter detection, strict parsing."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.sources.stream import STDIN, Measured, open_bytes

SAMPLE_BYTES = 64 * 1024
MAX_FIELD = 1_000_000
"""Longest cell, in characters."""
MAX_COLUMNS = 10_000
"""Most columns a header may have (exports have tens)."""
BUFFER_BYTES = 1 << 20


def detect_encoding(head: bytes) -> str:
    """The text encoding of a file from its first bytes: BOMs first, then UTF-8 if it decodes, else cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 starts both
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the sample's end
            return "cp1252"
    return "utf-8"


MAGIC = {b"PK\x03\x04": "an Excel workbook or another zip file: name an Excel file .xlsx",
         b"PAR1": "a Parquet file: name it .parquet", b"%PDF": "a PDF document, not a table",
         b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file: save it as .xlsx or CSV"}
"""The first bytes of files that are not CSV, and what to tell the user."""


class _Sniffed(csv.excel):
    """RFC 4180 quoting (the sniffer's quoting guesses are unreliable on small samples), sniffed delimiter."""


def _dialect(sample: str) -> type[csv.Dialect]:
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return csv.excel
    return type("Sniffed", (_Sniffed,), {"delimiter": delimiter})


@dataclass
class CsvSource:
    """An open CSV file: its header, then its data rows in chunks; closes when they are read."""

    path: str
    header: list[str]
    fh: io.TextIOBase
    reader: Any  # a csv.reader
    encoding: str = "utf-8"
    dialect: Any = csv.excel
    cells_from_bytes: bool = True
    text_cells: bool = True
    lines_before: int = 0
    """Physical lines before the first byte read (a part of a file read from a line), for error messages."""
    measured: Measured | None = None
    regular: bool = True
    """A regular file (it may be read again, or in parts); else a pipe or standard input, read once."""

    def sha256(self) -> str:
        """The SHA-256 of the bytes read (of the whole file, once every chunk is read)."""
        assert self.measured is not None
        return self.measured.sha256()

    def nul_seen(self) -> bool:
        """Whether a NUL byte was among the bytes read so far (at least every row handed out)."""
        return self.measured is None or self.measured.nul_seen

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """The data rows in lists of up to ``size`` (read by the csv module without a Python step per row).

        Rows are numbered from 1 by their position. A malformed file is one clear error naming the line.
        """
        reader = self.reader
        try:
            while True:
                block = list(islice(reader, size))
                if not block:
                    return
                yield block
        except UnicodeDecodeError:
            line = reader.line_num + 1
            if self.regular and not self.lines_before:
                line = _first_undecodable_line(self.path, self.encoding, line)
            line += self.lines_before
            raise InputError(self.path, f"line {line}: the file is not consistently {self.encoding}; "
                                        "re-save it as UTF-8") from None
        except csv.Error as exc:
            line = self.lines_before + reader.line_num
            raise InputError(self.path, f"line {line}: malformed CSV: {exc}") from None
        finally:
            self.fh.close()

    def part(self, start: int, stop: int | None, lines_before: int = 0) -> CsvSource:
        """The data rows between bytes ``start`` (0, or the start of line ``lines_before + 1``) and ``stop`` (None:
        the end), read with the encoding and dialect found when the file was opened (a file read in two parts)."""
        encoding = "utf-8" if start and self.encoding == "utf-8-sig" else self.encoding  # a BOM only at 0
        raw = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed with the text stream that wraps it
        raw.seek(start)
        measured = Measured(raw if stop is None else _Bounded(raw, stop - start), self.path)
        fh = io.TextIOWrapper(io.BufferedReader(measured, BUFFER_BYTES), encoding=encoding, newline="")
        reader = csv.reader(fh, self.dialect, strict=True)
        if not start:
            next(reader, None)  # the header, read once already
        return CsvSource(self.path, self.header, fh, reader, encoding, self.dialect, lines_before=lines_before,
                         measured=measured)

    def close(self) -> None:
        """Close the file (reading every chunk closes it too)."""
        self.fh.close()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Data rows numbered from 1, one at a time (errors as for ``chunks``)."""
        row = 0
        for block in self.chunks(256):
            for cells in block:
                row += 1
                yield row, cells


def open_csv(path: Path | str) -> CsvSource:
    """Open a CSV export whatever its encoding, delimiter and line endings, and read its header.

    A file, a named pipe or standard input (``-``) is read once, as a stream.
    """
    name = str(path) if str(path) == STDIN else str(Path(path))
    raw, regular = open_bytes(path, "a CSV file")
    try:
        head = _read_head(raw, SAMPLE_BYTES)
    except OSError as exc:
        raw.close()
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
    if not head.strip():
        raw.close()
        raise InputError(name, "file is empty")
    for magic, what in MAGIC.items():
        if head.startswith(magic):
            raw.close()
            raise InputError(name, f"is {what}")
    encoding = detect_encoding(head)
    dialect = _dialect(head.decode(encoding, errors="ignore"))
    measured = Measured(raw, name, head)
    fh = io.TextIOWrapper(io.BufferedReader(measured, BUFFER_BYTES), encoding=encoding, newline="")
    reader = csv.reader(fh, dialect, strict=True)  # an unclosed quote is an error, not a swallowed file
    csv.field_size_limit(MAX_FIELD)
    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise InputError(name, "file is empty") from None
    except UnicodeDecodeError:
        fh.close()
        raise InputError(name, f"line 1: the header is not {encoding}; re-save the file as UTF-8") from None
    except csv.Error as exc:
        fh.close()
        raise InputError(name, f"cannot read the header row: {exc}") from None
    if len(header) > MAX_COLUMNS:
        fh.close()
        raise InputError(name, f"the header has {len(header):,} columns; at most {MAX_COLUMNS:,} are read")
    return CsvSource(name, header, fh, reader, encoding, dialect, measured=measured, regular=regular)


def _read_head(raw, size: int) -> bytes:  # noqa: ANN001 - a binary stream
    """Up to ``size`` bytes from the start of a stream (a pipe may give them in several reads)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        part = raw.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _first_undecodable_line(path: str, encoding: str, fallback: int) -> int:
    """The line of a file where its bytes first fail to decode (read again, only to name it in the error); for an
    encoding whose line break is more than one byte, ``fallback``."""
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "cp1252", "ascii"):
        return fallback
    number = 0
    carry = b""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        brk = b"\n" if b"\n" in head or b"\r" not in head else b"\r"
        fh.seek(0)
        for block in iter(lambda: fh.read(1 << 20), b""):
            lines = (carry + block).split(brk)
            carry = lines.pop()
            for line in lines:
                number += 1
                try:
                    line.decode(encoding)
                except UnicodeDecodeError:
                    return number
    try:
        carry.decode(encoding)
    except UnicodeDecodeError:
        return number + 1
    return fallback


class _Bounded(io.RawIOBase):
    """At most ``limit`` bytes of an open binary file, then end of file."""

    def __init__(self, raw: io.BufferedReader, limit: int) -> None:
        self.raw = raw
        self.left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        if self.left <= 0:
            return 0
        n = self.raw.readinto(memoryview(buffer)[:min(len(buffer), self.left)])
        self.left -= n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()
