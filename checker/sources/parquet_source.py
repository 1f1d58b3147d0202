"""Read a Parquet file (pyarrow) as a header and rows of cells, one record batch at a time.

The header is the column names. Each column is read by its type and given as exact text, since the audit
engine counts rows in bulk only over text cells:

* text (string, large string, dictionary-encoded text) as it is; a binary column as text when it is all
  UTF-8, else as hex;
* dates as ``YYYY-MM-DD``; timestamps in their column's time zone, as ``YYYY-MM-DD`` at midnight and
  ``YYYY-MM-DD HH:MM:SS[.fraction]`` otherwise: year first, a date is never read with day and month swapped;
* integers and floats as Python writes them (``2000.0`` as ``2000``; no exponent below 10^16), a float NaN
  as a null; decimals with every digit of their scale (``1234.50``), never with an exponent;
* nested columns (lists, structs, maps) as compact JSON, as a nested value of a JSON Lines file;
* a null in any column as empty text, as a blank cell of a CSV file.

Memory stays flat: the file is read one record batch (``size`` rows) at a time and only that batch's rows are
held as Python values; pyarrow holds at most the row group being read. pyarrow is imported when a file is
opened, never when this module is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.sources.rows import text

INSTALL_HINT = "reading Parquet needs pyarrow: pip install 'sanctuary-check[parquet]'"


@dataclass
class ParquetSource:
    """A Parquet file: its column names as the header, its rows streamed in record batches."""

    path: str
    header: list[str]
    _file: Any = field(repr=False)  # a pyarrow.parquet.ParquetFile, closed once its rows are read
    cells_from_bytes: bool = False

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """The data rows in lists of up to ``size``; a file that cannot be read is one InputError."""
        import pyarrow as pa

        try:
            for batch in self._file.iter_batches(batch_size=size, use_threads=False):
                columns = [_cells(self.path, name, batch.column(i)) for i, name in enumerate(self.header)]
                yield list(map(list, zip(*columns, strict=True)))
        except (pa.ArrowException, OSError) as exc:
            raise InputError(self.path, f"not a readable Parquet file ({_reason(exc)})") from None
        finally:
            self._file.close()


def open_parquet(path: Path | str) -> ParquetSource:
    """Open a Parquet file and read its schema (``chunks`` reads the rows)."""
    p = Path(path)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(str(p), INSTALL_HINT) from None
    if p.is_dir():
        raise InputError(str(p), "is a directory, not a Parquet file")
    try:
        parquet_file = pq.ParquetFile(p)
        header = list(parquet_file.schema_arrow.names)
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except PermissionError:
        raise InputError(str(p), "cannot be read (permission denied)") from None
    except (pa.ArrowException, OSError) as exc:
        raise InputError(str(p), f"not a readable Parquet file ({_reason(exc)})") from None
    if not header:
        parquet_file.close()
        raise InputError(str(p), "has no columns")
    return ParquetSource(str(p), header, parquet_file)


def _cells(path: str, name: str, column: Any) -> list[str]:
    """One column of a record batch as cell text (see the module's docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as t

    kind = column.type
    if t.is_dictionary(kind):
        column = column.dictionary_decode()
        kind = column.type
    if t.is_binary(kind) or t.is_large_binary(kind) or t.is_fixed_size_binary(kind):
        try:
            column = column.cast(pa.large_string())
        except pa.ArrowInvalid:  # not UTF-8
            return ["" if value is None else value.hex() for value in column.to_pylist()]
    elif t.is_null(kind):
        return [""] * len(column)
    elif t.is_timestamp(kind):
        column = _timestamp_text(column)
    elif t.is_integer(kind) or t.is_date(kind) or (t.is_decimal(kind) and 0 <= kind.scale <= 6):
        column = column.cast(pa.large_string())  # as Python writes them (such a decimal has no exponent), faster
    elif t.is_nested(kind):
        return [_json(value) for value in column.to_pylist()]
    elif t.is_floating(kind):
        column = pc.if_else(pc.is_nan(column), None, column)
    if t.is_string(column.type) or t.is_large_string(column.type):
        return pc.fill_null(column, "").to_pylist()
    try:
        values = column.to_pylist()
    except (ValueError, OverflowError) as exc:  # a value Python cannot hold
        raise InputError(path, f"column {name!r}: a value cannot be read ({exc})") from None
    return [format(value, "f") if isinstance(value, Decimal) else text(value) for value in values]


def _timestamp_text(column: Any) -> Any:
    """Timestamps as text in their column's time zone: the date alone at midnight, else the date and time (with
    a fraction of a second only when there is one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.type.tz is not None:
        column = pc.local_timestamp(column)  # the wall-clock time in the column's zone
    days = column.cast(pa.date32())
    day_text = days.cast(pa.large_string())
    midnight = pc.equal(column, days.cast(column.type))
    if pc.all(midnight).as_py() is not False:  # all at midnight (nulls aside): the usual case
        return day_text
    return pc.if_else(midnight, day_text, pc.replace_substring_regex(column.cast(pa.large_string()), r"\.0+$", ""))


def _json(value: Any) -> str:
    """A nested value as compact JSON; a null as empty text."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _reason(exc: BaseException) -> str:
    """The first line of pyarrow's message (which may run on with internal detail)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
