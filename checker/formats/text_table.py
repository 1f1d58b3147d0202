"""A plain-text table laid out as tabulate's "simple" format, with its rows kept on disk until written.

A report prints its summary before its table, so the table's rows must be kept until the end. tabulate
holds the whole table in memory several times over (hundreds of megabytes for a listing of tens of
thousands of rows); ``TableSpool`` keeps the rows in a temporary file (in memory while small) and only
their column widths in memory, then streams the lines. The first column holds numbers (right-aligned);
the others hold text, already wrapped into lines.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
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
        self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by write(), after the summary
            max_size=IN_MEMORY, mode="w+", encoding="utf-8")

    def add(self, row: Sequence[object]) -> None:
        """Keep one row (cells are stripped, as tabulate does)."""
        cells = [str(cell).strip() for cell in row]
        for i, cell in enumerate(cells):
            self.widths[i] = max(self.widths[i], *(len(line) for line in cell.split("\n")))
        self._file.write(json.dumps(cells, ensure_ascii=False) + "\n")
        self.rows += 1

    def write(self, out: TextIO) -> None:
        """Write the header line, a rule of dashes and every row; multi-line cells continue below."""
        widths = self.widths
        out.write(_line(self.headers, widths) + "\n" + "  ".join("-" * w for w in widths))
        self._file.seek(0)
        for text in self._file:
            cells = [cell.split("\n") for cell in json.loads(text)]
            for k in range(max(len(lines) for lines in cells)):
                out.write("\n" + _line([lines[k] if k < len(lines) else "" for lines in cells], widths))
        self._file.close()


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    first = cells[0].rjust(widths[0])
    rest = [cell.ljust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
    return "  ".join([first, *rest]).rstrip()
