"""Pick the reader for a file by its extension: ``.xlsx``/``.xlsm`` (a worksheet), ``.jsonl``/``.ndjson``
(JSON Lines), ``.parquet``/``.pq`` (typed columns), anything else CSV in any dialect."""

from __future__ import annotations

from pathlib import Path

from checker.errors import InputError
from checker.sources.base import ReadOptions, Source

XLSX_SUFFIXES = (".xlsx", ".xlsm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")


def open_source(path: str | Path, options: ReadOptions) -> Source:
    """The reader for a CSV, .xlsx, JSON Lines or Parquet file, with its header read."""
    p = Path(path)
    suffix = p.suffix.lower()
    if options.sheet is not None and suffix not in XLSX_SUFFIXES:
        raise InputError(str(p), "--sheet applies to .xlsx workbooks only")
    if suffix in XLSX_SUFFIXES:
        from checker.sources.xlsx_source import open_xlsx

        return open_xlsx(p, options.sheet)
    if suffix in JSONL_SUFFIXES:
        from checker.sources.jsonl_source import open_jsonl

        return open_jsonl(p)
    if suffix in PARQUET_SUFFIXES:
        from checker.sources.parquet_source import open_parquet

        return open_parquet(p)
    from checker.sources.csv_source import open_csv

    return open_csv(p)
