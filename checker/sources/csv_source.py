"""Read records from a CSV export: encoding and delimiter detection, column mapping, skipped rows."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from checker.errors import InputError, open_input
from checker.models import ACTIONS, Record, Skipped
from checker.sources.columns import ColumnMap, map_columns
from checker.sources.values import parse_date

SAMPLE_BYTES = 64 * 1024
MAX_FIELD = 1_000_000
MAX_NAME = 1_000
"""Longest vendor name accepted, in characters; real names are under 100."""


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
class CsvRows:
    """An open CSV file: its header and an iterator of (data row number, cells); closes when exhausted."""

    path: Path
    header: list[str]
    fh: io.TextIOBase
    reader: Any  # a csv.reader
    encoding: str = "utf-8"
    dialect: Any = csv.excel
    lines_before: int = 0
    """Physical lines before the first byte read (a part of a file read from an offset), for error messages."""

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
            raise InputError(str(self.path), f"line {line}: the file is not consistently {self.fh.encoding}; "
                                             "re-save it as UTF-8") from None
        except csv.Error as exc:
            line = self.lines_before + reader.line_num
            raise InputError(str(self.path), f"line {line}: malformed CSV: {exc}") from None
        finally:
            self.fh.close()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Data rows numbered from 1, one at a time (errors as for ``chunks``)."""
        row = 0
        for block in self.chunks(256):
            for cells in block:
                row += 1
                yield row, cells


def open_csv(path: Path | str) -> CsvRows:
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
    return CsvRows(p, header, fh, reader, encoding, dialect)


def open_csv_part(opened: CsvRows, start: int, stop: int | None, lines_before: int) -> CsvRows:
    """The data rows of ``opened``'s file between bytes ``start`` (0, or a line start) and ``stop`` (None: the
    end), read with the encoding and dialect found when it was opened (a part of a file split in two)."""
    encoding = "utf-8" if start and opened.encoding == "utf-8-sig" else opened.encoding  # a BOM only at 0
    fh = _part(opened.path, start, stop, encoding)
    reader = csv.reader(fh, opened.dialect, strict=True)
    if not start:
        next(reader, None)  # the header, read once already
    return CsvRows(opened.path, opened.header, fh, reader, encoding, opened.dialect, lines_before)


def _part(path: Path, start: int, stop: int | None, encoding: str) -> io.TextIOWrapper:
    raw = open(path, "rb")  # noqa: SIM115 - closed with the text stream that wraps it
    raw.seek(start)
    stream = raw if stop is None else io.BufferedReader(_Bounded(raw, stop - start))
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


class _Bounded(io.RawIOBase):
    """At most ``limit`` bytes of an open binary file, then end of file."""

    def __init__(self, raw: io.BufferedReader, limit: int) -> None:
        self.raw = raw
        self.left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            return 0
        n = self.raw.readinto(memoryview(buffer)[:min(len(buffer), self.left)])
        self.left -= n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def read_csv(path: Path | str, name_column: str | None = None) -> tuple[ColumnMap, Iterator[Record | Skipped]]:
    """Open a CSV file, map its columns, and return the mapping and a stream of records and skipped rows."""
    opened = open_csv(path)
    columns = map_columns(opened.header, str(opened.path), name_column)
    convert = RowConverter(opened.path, columns)
    return columns, (convert(row, cells) for row, cells in opened.rows())


MEMO_LIMIT = 100_000
"""Distinct date and action cells remembered while reading (emptied when full; it only saves time)."""


class RowConverter:
    """Turns one row's cells into a Record, or a Skipped row with its reason; reads only mapped columns."""

    def __init__(self, path: Path | str, columns: ColumnMap) -> None:
        self.path = str(path)
        self.columns = columns
        self.width = len(columns.header)
        self.dates: dict[str, date | None] = {}  # date cell as read -> its date (None when blank)
        self.actions: dict[str, str | None] = {}  # action cell as read -> the action (None when blank)
        self.date_columns = tuple(i for i in (columns.action_date, columns.date, columns.contract_start,
                                              columns.contract_end) if i is not None)
        self._id_columns = columns.identifier_columns

    def valid(self, row: int, cells: list[str]) -> bool:
        """Check a full-width row whose vendor cell was read before: NUL bytes, dates, contract action.

        Raises the same error reading it would; True otherwise. Cells found valid are kept in ``dates``
        and ``actions``, so a caller can skip this for a row whose cells are all there.
        """
        if "\x00" in "".join(cells):
            raise InputError(self.path, f"row {row}: contains NUL bytes (a binary or mis-encoded file?)")
        self._action(row, cells, self.columns.action)  # in the order reading checks them
        try:
            for i in self.date_columns:
                self._date(cells, i)
        except ValueError as exc:
            raise InputError(self.path, f"row {row}: {exc}") from None
        return True

    def __call__(self, row: int, cells: list[str]) -> Record | Skipped:
        c = self.columns
        n = len(cells)
        if "\x00" in "".join(cells):
            raise InputError(self.path, f"row {row}: contains NUL bytes (a binary or mis-encoded file?)")
        vendor = cells[c.vendor].strip() if c.vendor < n else ""
        if not vendor:
            return self._without_vendor(row, cells)
        if len(vendor) > MAX_NAME:
            raise InputError(self.path, f"row {row}: the vendor name is {len(vendor):,} characters long; "
                                        f"names are limited to {MAX_NAME:,}")
        try:
            return Record(
                row, " ".join(vendor.split()),
                self._action(row, cells, c.action),
                self._date(cells, c.action_date) or self._date(cells, c.date),
                self._date(cells, c.contract_start),
                self._date(cells, c.contract_end),
                _cell(cells, c.amount), _cell(cells, c.department), _cell(cells, c.fiscal_year),
                _cell(cells, c.description), _cell(cells, c.contract_id),
                None, n if n != self.width else None,
                tuple((kind, value) for kind, i in self._id_columns if (value := _cell(cells, i)) is not None),
            )
        except ValueError as exc:
            raise InputError(self.path, f"row {row}: {exc}") from None

    def brief(self, row: int, cells: list[str]) -> tuple[int, str, str | None, str | None, str | None, date | None]:
        """``Finding.brief`` of a full-width row read before (its cells are valid), without making its record."""
        c = self.columns
        return (row, " ".join(cells[c.vendor].split()), self._action(row, cells, c.action),
                _cell(cells, c.amount), _cell(cells, c.department),
                self._date(cells, c.action_date) or self._date(cells, c.date))

    def _without_vendor(self, row: int, cells: list[str]) -> Skipped:
        c = self.columns
        if not any(x.strip() for x in cells):
            return Skipped(row, "blank row")
        others = [x for i, x in enumerate(cells) if x.strip() and i != c.vendor]
        if c.amount is not None and _cell(cells, c.amount) and len(others) == 1:
            return Skipped(row, "total row (an amount with no vendor)")
        return Skipped(row, f"no vendor name in column {c.header[c.vendor]!r}")

    def _date(self, cells: list[str], index: int | None) -> date | None:
        """The date in a cell (None when there is no such cell or it is blank), remembered per cell text."""
        if index is None or index >= len(cells):
            return None
        cell = cells[index]
        found = self.dates.get(cell, _UNSEEN)
        if found is _UNSEEN:
            if len(self.dates) >= MEMO_LIMIT:
                self.dates.clear()
            found = self.dates[cell] = parse_date(cell.strip() or None)
        return found  # type: ignore[return-value]

    def _action(self, row: int, cells: list[str], index: int | None) -> str | None:
        """The contract action in a cell, normalised ("renewal" is "renewed"), remembered per cell text."""
        if index is None or index >= len(cells):
            return None
        cell = cells[index]
        if cell in self.actions:
            return self.actions[cell]
        action = cell.strip().lower() or None
        if action == "renewal":
            action = "renewed"
        if action is not None and action not in ACTIONS:
            raise InputError(self.path, f"row {row}: contract action {action!r} is not one of {', '.join(ACTIONS)}")
        if len(self.actions) >= MEMO_LIMIT:
            self.actions.clear()
        self.actions[cell] = action
        return action


_UNSEEN = object()


def _cell(cells: list[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    return cells[index].strip() or None
