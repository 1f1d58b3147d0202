"""Read records from a CSV export: encoding and delimiter detection, column mapping, skipped rows."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from checker.errors import InputError
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
    reader: Iterator[list[str]]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Data rows numbered from 1; malformed CSV or a change of encoding is one clear error."""
        row = 0
        try:
            while True:
                try:
                    cells = next(self.reader)
                except StopIteration:
                    return
                except UnicodeDecodeError:
                    raise InputError(str(self.path), f"row {row + 1}: the file is not consistently "
                                                     f"{self.fh.encoding}; re-save it as UTF-8") from None
                except csv.Error as exc:
                    raise InputError(str(self.path), f"row {row + 1}: malformed CSV: {exc}") from None
                row += 1
                yield row, cells
        finally:
            self.fh.close()


def open_csv(path: Path | str) -> CsvRows:
    """Open a CSV export whatever its encoding, delimiter and line endings, and read its header."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(SAMPLE_BYTES)
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(p), "is a directory, not a CSV file") from None
    except PermissionError:
        raise InputError(str(p), "cannot be read (permission denied)") from None
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
    return CsvRows(p, header, fh, reader)


def read_csv(path: Path | str, name_column: str | None = None) -> tuple[ColumnMap, Iterator[Record | Skipped]]:
    """Open a CSV file, map its columns, and return the mapping and a stream of records and skipped rows."""
    opened = open_csv(path)
    columns = map_columns(opened.header, str(opened.path), name_column)
    return columns, (to_record(opened.path, row, cells, columns) for row, cells in opened.rows())


def _cell(cells: list[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    value = cells[index].strip()
    return value or None


def to_record(p: Path, row: int, cells: list[str], columns: ColumnMap) -> Record | Skipped:
    if any("\x00" in c for c in cells):
        raise InputError(str(p), f"row {row}: contains NUL bytes (a binary or mis-encoded file?)")
    if not any(c.strip() for c in cells):
        return Skipped(row, "blank row")
    ragged = len(cells) if len(cells) != len(columns.header) else None
    vendor = _cell(cells, columns.vendor)
    if vendor is not None and len(vendor) > MAX_NAME:
        raise InputError(str(p), f"row {row}: the vendor name is {len(vendor):,} characters long; "
                                 f"names are limited to {MAX_NAME:,}")
    if vendor is None:
        others = [c for i, c in enumerate(cells) if c.strip() and i != columns.vendor]
        if columns.amount is not None and _cell(cells, columns.amount) and len(others) == 1:
            return Skipped(row, "total row (an amount with no vendor)")
        return Skipped(row, f"no vendor name in column {columns.header[columns.vendor]!r}")
    action = _cell(cells, columns.action)
    if action is not None:
        action = action.lower()
        if action == "renewal":
            action = "renewed"
        if action not in ACTIONS:
            raise InputError(str(p), f"row {row}: contract action {action!r} is not one of {', '.join(ACTIONS)}")
    try:
        return Record(
            row=row, vendor=" ".join(vendor.split()), action=action,
            date=parse_date(_cell(cells, columns.action_date) or _cell(cells, columns.date)),
            contract_start=parse_date(_cell(cells, columns.contract_start)),
            contract_end=parse_date(_cell(cells, columns.contract_end)),
            amount=_cell(cells, columns.amount), department=_cell(cells, columns.department),
            fiscal_year=_cell(cells, columns.fiscal_year),
            description=_cell(cells, columns.description), contract_id=_cell(cells, columns.contract_id),
            ragged=ragged,
        )
    except ValueError as exc:
        raise InputError(str(p), f"row {row}: {exc}") from None
