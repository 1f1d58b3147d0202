"""Read an Excel workbook sheet (openpyxl, read-only streaming) as the same rows a CSV would give."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from checker.errors import InputError


def xlsx_rows(path: Path | str, sheet: str | None = None) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and numbered data rows of a sheet (default: the first), every cell as text."""
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
        header = [_text(v) for v in next(rows)]
    except StopIteration:
        wb.close()
        raise InputError(str(p), f"sheet {ws.title!r} is empty") from None

    def data() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(rows, start=1):
                yield number, [_text(v) for v in values]
        finally:
            wb.close()

    return header, data()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
