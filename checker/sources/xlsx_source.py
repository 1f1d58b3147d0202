"""Read an Excel workbook sheet (openpyxl, read-only streaming) as the same rows a CSV would give."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from checker.errors import InputError
from checker.sources.base import chunked
from checker.sources.rows import text


@dataclass
class XlsxSource:
    """One sheet of a workbook: its first row as the header, every cell as text."""

    path: str
    header: list[str]
    _rows: Iterator[list[str]]
    cells_from_bytes: bool = False

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """The data rows in lists of up to ``size``."""
        return chunked(self._rows, size)


def open_xlsx(path: Path | str, sheet: str | None = None) -> XlsxSource:
    """Open a sheet of a workbook (default: the first) and read its header row."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    p = Path(path)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputError(str(p), f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    if sheet is not None and sheet not in wb.sheetnames:
        raise InputError(str(p), f"no sheet {sheet!r}; sheets are: {', '.join(repr(n) for n in wb.sheetnames)}")
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        header = [text(v) for v in next(rows)]
    except StopIteration:
        wb.close()
        raise InputError(str(p), f"sheet {ws.title!r} is empty") from None

    def data() -> Iterator[list[str]]:
        try:
            for values in rows:
                yield [text(v) for v in values]
        finally:
            wb.close()

    return XlsxSource(str(p), header, data())
