"""Pick the reader for a file by its extension: CSV (any dialect), an Excel sheet, or JSON Lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from checker.errors import InputError
from checker.sources.columns import ColumnMap, map_columns
from checker.sources.csv_source import CsvRows, open_csv
from checker.sources.jsonl_source import jsonl_rows
from checker.sources.xlsx_source import xlsx_rows

XLSX_SUFFIXES = (".xlsx", ".xlsm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class ReadOptions:
    """How to read an input file: which columns hold which fields, which sheet, how amounts are written."""

    name_column: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    decimal_comma: bool = False


def open_rows(path: str | Path, options: ReadOptions) -> tuple[ColumnMap, Iterator[tuple[int, list[str]]]]:
    """The column mapping and the numbered data rows of a CSV, .xlsx or JSON Lines file."""
    p = Path(path)
    suffix = p.suffix.lower()
    if options.sheet is not None and suffix not in XLSX_SUFFIXES:
        raise InputError(str(p), "--sheet applies to .xlsx workbooks only")
    if suffix in XLSX_SUFFIXES:
        header, rows = xlsx_rows(p, options.sheet)
    elif suffix in JSONL_SUFFIXES:
        header, rows = jsonl_rows(p)
    else:
        opened = open_csv(p)
        header, rows = opened.header, opened.rows()
    return map_columns(header, str(p), options.name_column, options.mapping), rows


CHUNK_ROWS = 8_192
"""Rows handed over at a time by ``open_chunks``."""


def is_csv(path: str | Path, options: ReadOptions) -> bool:
    """True when the file is read as CSV (not a workbook sheet, not JSON Lines)."""
    return options.sheet is None and Path(path).suffix.lower() not in XLSX_SUFFIXES + JSONL_SUFFIXES


def open_chunks(path: str | Path, options: ReadOptions) -> tuple[ColumnMap, Iterator[list[list[str]]]]:
    """The column mapping and the data rows in lists (rows are numbered from 1 by position)."""
    p = Path(path)
    if not is_csv(p, options):
        columns, rows = open_rows(p, options)
        return columns, _chunked(cells for _, cells in rows)
    columns, opened = open_csv_mapped(p, options)
    return columns, opened.chunks(CHUNK_ROWS)


def open_csv_mapped(path: str | Path, options: ReadOptions) -> tuple[ColumnMap, CsvRows]:
    """A CSV file opened with its header read, and its column mapping."""
    opened = open_csv(path)
    return map_columns(opened.header, str(path), options.name_column, options.mapping), opened


def _chunked(cells: Iterator[list[str]]) -> Iterator[list[list[str]]]:
    while block := list(islice(cells, CHUNK_ROWS)):
        yield block
