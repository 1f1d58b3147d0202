"""A plain-text table laid out as tabulate's "simple" format, with its rows kept on disk until written.

A report prints its summary before its table, so the table's rows must be kept until the end. tabulate
holds the whole table in memory several times over (hundreds of megabytes for a listing of tens of
thousands of rows); ``TableSpool`` keeps the rows in a temporary file (in memory while small) and only
their column widths in memory, then streams the lines. The first column holds numbers (right-aligned);
the others hold text, already wrapped into lines. ``simple_table`` lays out a small table of text the same
way, in memory, so that screening a name need not import tabulate (about 15 ms of start-up).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

PADDING = 2
"""Extra width of every column beyond its header, as tabulate gives."""
IN_MEMORY = 4 * 1024 * 1024
"""Bytes of rows kept in memory before they spill to a temporary file."""


class TableSpool:
    """Rows of a table, kept in a temporary file while their column widths are measured."""

    def __init__(self, headers: Sequence[str]) -> None:
        self.headers = list(headers)
        self.widths = [len(h) + PADDING for h in headers]
        self.rows = 0
        import tempfile  # here, not at the top: a screen lays out a table without spooling it

        self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by write(), after the summary
            max_size=IN_MEMORY, mode="w+", encoding="utf-8")

    def add(self, row: Sequence[object]) -> None:
        """Keep one row (cells are stripped, as tabulate does)."""
        cells = _measured(row, self.widths)
        self._file.write(json.dumps(cells, ensure_ascii=False) + "\n")
        self.rows += 1

    def write(self, out: TextIO) -> None:
        """Write the header line, a rule of dashes and every row; multi-line cells continue below."""
        self._file.seek(0)
        for line in _lines(self.headers, (json.loads(text) for text in self._file), self.widths, True):
            out.write(line)
        self._file.close()


def simple_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows of text (cells already wrapped into lines), laid out as tabulate's "simple" format."""
    widths = [len(h) + PADDING for h in headers]
    rows = [_measured(row, widths) for row in rows]
    return "".join(_lines(headers, rows, widths, False))


def _measured(row: Sequence[object], widths: list[int]) -> list[str]:
    """The row's cells as stripped text (as tabulate strips them), each column's width widened to fit."""
    cells = [str(cell).strip() for cell in row]
    for i, cell in enumerate(cells):
        widths[i] = max(widths[i], *(len(line) for line in cell.split("\n")))
    return cells


def _lines(headers: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[int],
           first_is_number: bool) -> Iterator[str]:
    yield _line(headers, widths, first_is_number) + "\n" + "  ".join("-" * w for w in widths)
    for row in rows:
        cells = [cell.split("\n") for cell in row]
        for k in range(max(len(lines) for lines in cells)):
            yield "\n" + _line([lines[k] if k < len(lines) else "" for lines in cells], widths, first_is_number)


def _line(cells: Sequence[str], widths: Sequence[int], first_is_number: bool) -> str:
    first = cells[0].rjust(widths[0]) if first_is_number else cells[0].ljust(widths[0])
    rest = [cell.ljust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
    return "  ".join([first, *rest]).rstrip()
