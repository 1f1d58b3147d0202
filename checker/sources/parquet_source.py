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
held as Python values; pyarrow reads each column chunk ``READ_BUFFER`` bytes at a time, whatever the size of a
row group, and a batch that decodes to more than ``MAX_BATCH_BYTES`` is refused before its cells become text.
A file of more than ``MAX_COLUMNS`` columns, column names or text that is not UTF-8, and whatever pyarrow cannot
read are one InputError. pyarrow is imported when a file is opened, never when this module is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.sources.csv_source import MAX_COLUMNS
from checker.sources.rows import text
from checker.sources.stream import Fingerprint, open_bytes

INSTALL_HINT = "reading Parquet needs pyarrow: pip install 'sanctuary-check[parquet]'"
READ_BUFFER = 1 << 20
"""Bytes of a column chunk pyarrow reads from the file at a time. Its default reads a row group's whole column
chunk at once (190 MB held for a 190 MB row group); read in pieces, the memory pool stays at a few MB."""
MAX_BATCH_BYTES = 256 << 20
"""Most bytes a batch of rows may take once decoded, measured before its cells become Python text (a batch of
8,192 rows of a payments file takes a few MB; a cell of hundreds of MB is not a payment)."""


@dataclass
class ParquetSource:
    """A Parquet file: its column names as the header, its rows streamed in record batches."""

    path: str
    header: list[str]
    _file: Any = field(repr=False)  # a pyarrow.parquet.ParquetFile, closed once its rows are read
    fingerprint: Fingerprint = field(repr=False)
    cells_from_bytes: bool = False
    text_cells: bool = False

    def sha256(self) -> str:
        """The file's SHA-256 (an InputError if it changed while it was read)."""
        return self.fingerprint.unchanged()

    def nul_seen(self) -> bool:
        """Cells are not checked for NUL characters as they are read."""
        return True

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """The data rows in lists of up to ``size``; a file that cannot be read is one InputError."""
        import pyarrow as pa

        read = 0  # rows before the batch
        try:
            for batch in self._file.iter_batches(batch_size=size, use_threads=False):
                if batch.nbytes > MAX_BATCH_BYTES:
                    raise InputError(self.path, f"rows {read + 1:,} to {read + batch.num_rows:,} take "
                                                f"{batch.nbytes:,} bytes once decoded; at most {MAX_BATCH_BYTES:,} "
                                                f"are read at a time (a cell far larger than a payment's?)")
                columns = [self._column(read, name, batch.column(i)) for i, name in enumerate(self.header)]
                yield list(map(list, zip(*columns, strict=True)))
                read += batch.num_rows
        except (pa.ArrowException, OSError) as exc:
            raise InputError(self.path, f"not a readable Parquet file ({_reason(exc)})") from None
        finally:
            self._file.close()

    def _column(self, read: int, name: str, column: Any) -> list[str]:
        """One column of a batch as cell text; text that is not UTF-8 is an InputError naming its row."""
        try:
            return _cells(self.path, name, column)
        except UnicodeDecodeError:
            row = read + _first_undecodable(column) + 1
            raise InputError(self.path, f"row {row:,}: column {name!r} holds text that is not UTF-8 (a damaged "
                                        "file?)") from None


def open_parquet(path: Path | str) -> ParquetSource:
    """Open a Parquet file and read its schema (``chunks`` reads the rows)."""
    p = Path(path)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(str(p), INSTALL_HINT) from None
    raw, regular = open_bytes(p, "a Parquet file")
    raw.close()
    if not regular:
        raise InputError(str(p), "a Parquet file must be a file (a pipe cannot be read as Parquet)")
    fingerprint = Fingerprint(p)
    try:
        parquet_file = pq.ParquetFile(p, buffer_size=READ_BUFFER, pre_buffer=False)
        header = list(parquet_file.schema_arrow.names)
    except UnicodeDecodeError:
        raise InputError(str(p), "not a readable Parquet file (a column name is not UTF-8 text)") from None
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except PermissionError:
        raise InputError(str(p), "cannot be read (permission denied)") from None
    except (pa.ArrowException, OSError) as exc:
        raise InputError(str(p), f"not a readable Parquet file ({_reason(exc)})") from None
    if not header:
        parquet_file.close()
        raise InputError(str(p), "has no columns")
    if len(header) > MAX_COLUMNS:
        parquet_file.close()
        raise InputError(str(p), f"has {len(header):,} columns; at most {MAX_COLUMNS:,} are read")
    return ParquetSource(str(p), header, parquet_file, fingerprint)


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


def _first_undecodable(column: Any) -> int:
    """The index of a column's first value pyarrow cannot give as Python text (0 when none is found)."""
    for index in range(len(column)):
        try:
            column[index].as_py()
        except UnicodeDecodeError:
            return index
    return 0


def _json(value: Any) -> str:
    """A nested value as compact JSON; a null as empty text."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _reason(exc: BaseException) -> str:
    """The first line of pyarrow's message (which may run on with internal detail)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
