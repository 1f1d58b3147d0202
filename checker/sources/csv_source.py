"""Read records from a CSV export: encoding and delimiter detection, column mapping, skipped rows."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from checker.errors import InputError, open_input

SAMPLE_BYTES = 64 * 1024
MAX_FIELD = 1_000_000


def detect_encoding(head: bytes) -> str:
    """The text encoding of a file from its first bytes: BOMs first, then UTF-8 if it decodes, else cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the sample's end
            return "cp1252"
    return "utf-8"


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
    lines_before: int = 0
    """Physical lines before the first byte read (a part of a file read from a line), for error messages."""

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
            line = self.lines_before + reader.line_num + 1
            raise InputError(self.path, f"line {line}: the file is not consistently {self.fh.encoding}; "
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
        raw = open(self.path, "rb")  # noqa: SIM115 - closed with the text stream that wraps it
        raw.seek(start)
        stream = raw if stop is None else io.BufferedReader(_Bounded(raw, stop - start))
        fh = io.TextIOWrapper(stream, encoding=encoding, newline="")
        reader = csv.reader(fh, self.dialect, strict=True)
        if not start:
            next(reader, None)  # the header, read once already
        return CsvSource(self.path, self.header, fh, reader, encoding, self.dialect, lines_before=lines_before)

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
    """Open a CSV export whatever its encoding, delimiter and line endings, and read its header."""
    p = Path(path)
    with open_input(p, "a CSV file", "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if not head.strip():
        raise InputError(str(p), "file is empty")
    encoding = detect_encoding(head)
    sample = head.decode(encoding, errors="ignore")
    dialect = _dialect(sample)
    fh = p.open("r", encoding=encoding, newline="")
    reader = csv.reader(fh, dialect, strict=True)  # an unclosed quote is an error, not a swallowed file
    csv.field_size_limit(MAX_FIELD)
    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise InputError(str(p), "file is empty") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        fh.close()
        raise InputError(str(p), f"cannot read the header row: {exc}") from None
    return CsvSource(str(p), header, fh, reader, encoding, dialect)


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
