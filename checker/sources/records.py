"""Pick the reader for a file by its extension: CSV (any dialect) or an Excel workbook sheet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from checker.errors import InputError
from checker.models import Record, Skipped
from checker.sources.columns import map_columns
from checker.sources.csv_source import read_csv, to_record
from checker.sources.xlsx_source import xlsx_rows


def read_records(path: str, name_column: str | None = None, sheet: str | None = None) -> Iterator[Record | Skipped]:
    """Records and skipped rows of a CSV or .xlsx file (``sheet`` applies to workbooks only)."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        header, rows = xlsx_rows(p, sheet)
        columns = map_columns(header, str(p), name_column)
        return (to_record(p, row, cells, columns) for row, cells in rows)
    if sheet is not None:
        raise InputError(str(p), "--sheet applies to .xlsx workbooks only")
    return read_csv(p, name_column)[1]
