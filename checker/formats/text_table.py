"""Plain-text and Markdown tables laid out as tabulate's "simple" and "github" formats, rows kept on disk until written.

A report prints its summary before its table, so the table's rows must be kept until the end. tabulate
holds the whole table in memory several times over (hundreds of megabytes for a listing of tens of
thousands of rows); ``TableSpool`` keeps the rows in a temporary file (in memory while small) and only
their column widths in memory, then streams the lines. The first column holds numbers (right-aligned);
the others hold text, already wrapped into lines (Markdown cells are single lines). The last cells of
many rows are often the same (they depend only on a row's judgement): ``TableSpool.shared`` measures and
encodes them once. ``simple_table`` lays out a table of text the same way, in memory, with the columns it is told
to right-align: a screen need not import tabulate (about 15 ms of start-up), and the roll-up of a large audit is
laid out in a tenth of tabulate's time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TextIO

PADDING = 2
"""Extra width of every column beyond its header, as tabulate gives."""
IN_MEMORY = 4 * 1024 * 1024
"""Bytes of rows kept in memory before they spill to a temporary file."""
FIRST = (0,)
"""A spooled table's right-aligned columns: the first (row numbers)."""


class SharedCells:
    """The last cells of rows that share them, measured and encoded once (``TableSpool.shared``)."""

    __slots__ = ("widths", "encoded", "mark")

    def __init__(self, widths: list[int], encoded: str) -> None:
        self.widths = widths
        self.encoded = encoded  # the cells as the end of a JSON array: '"a", "b"]'
        self.mark: object = None  # the last spool whose column widths took these in


class TableSpool:
    """Rows of a table, kept in a temporary file while their column widths are measured."""

    def __init__(self, headers: Sequence[str], markdown: bool = False) -> None:
        self.headers = list(headers)
        self.markdown = markdown
        self.widths = [len(h) + PADDING for h in headers]
        self.rows = 0
        self._mark = object()
        import json  # here, not at the top: a screen lays out a table without spooling it
        import tempfile

        self._json = json.JSONEncoder(ensure_ascii=False).encode  # a row's cells as they wait in the spool
        self._loads = json.loads

        self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by write(), after the summary
            max_size=IN_MEMORY, mode="w+", encoding="utf-8")

    @staticmethod
    def shared(cells: Sequence[object]) -> SharedCells:
        """Last cells that many rows share, to pass to ``add`` for each of them."""
        import json

        widths = [0] * len(cells)
        texts = _measured(cells, widths)
        return SharedCells(widths, json.dumps(texts, ensure_ascii=False)[1:])

    def add(self, row: Sequence[object], shared: SharedCells | None = None) -> None:
        """Keep one row (cells are stripped, as tabulate does), ending with ``shared`` cells if given."""
        text = self._json(_measured(row, self.widths))
        if shared is not None:
            if shared.mark is not self._mark:  # its widths are not yet in this table's
                first = len(row)
                for i, width in enumerate(shared.widths, first):
                    if width > self.widths[i]:
                        self.widths[i] = width
                shared.mark = self._mark
            text = text[:-1] + ", " + shared.encoded
        self._file.write(text + "\n")
        self.rows += 1

    def write(self, out: TextIO) -> None:
        """Write the header line, a rule of dashes and every row; multi-line cells continue below."""
        self._file.seek(0)
        rows = (self._loads(text) for text in self._file)
        lines = _markdown_lines(self.headers, rows, self.widths, FIRST) if self.markdown else \
            _lines(self.headers, rows, self.widths, FIRST)
        for line in lines:
            out.write(line)
        self._file.close()


def simple_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Collection[int] = (),
                 markdown: bool = False) -> str:
    """Rows of text laid out as tabulate's "simple" format (cells already wrapped into lines) or, with ``markdown``,
    its "github" format (cells already one line each, their pipes escaped); the columns numbered in ``right``
    right-aligned."""
    widths = [len(h) + PADDING for h in headers]
    rows = [_measured(row, widths) for row in rows]
    return "".join(_markdown_lines(headers, rows, widths, right) if markdown else _lines(headers, rows, widths, right))


def _measured(row: Sequence[object], widths: list[int]) -> list[str]:
    """The row's cells as stripped text (as tabulate strips them), each column's width widened to fit."""
    cells = [str(cell).strip() for cell in row]
    for i, cell in enumerate(cells):
        width = max(map(len, cell.split("\n"))) if "\n" in cell else len(cell)
        if width > widths[i]:
            widths[i] = width
    return cells


def _lines(headers: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[int],
           right: Collection[int]) -> Iterator[str]:
    yield _line(headers, widths, right) + "\n" + "  ".join("-" * w for w in widths)
    for row in rows:
        cells = [cell.split("\n") for cell in row]
        for k in range(max(len(lines) for lines in cells)):
            yield "\n" + _line([lines[k] if k < len(lines) else "" for lines in cells], widths, right)


def _markdown_lines(headers: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[int],
                    right: Collection[int]) -> Iterator[str]:
    """tabulate's "github" layout: the ``right`` columns right-aligned, the others left-aligned."""
    yield _markdown_line(headers, widths, right) + "\n|" + "|".join("-" * (w + 2) for w in widths) + "|"
    for row in rows:
        yield "\n" + _markdown_line(row, widths, right)


def _markdown_line(cells: Sequence[str], widths: Sequence[int], right: Collection[int]) -> str:
    return "| " + " | ".join(_padded(cells, widths, right)) + " |"


def _line(cells: Sequence[str], widths: Sequence[int], right: Collection[int]) -> str:
    return "  ".join(_padded(cells, widths, right)).rstrip()


def _padded(cells: Sequence[str], widths: Sequence[int], right: Collection[int]) -> list[str]:
    """Each cell padded to its column's width: the ``right`` columns (numbers) to the right, text to the left."""
    return [cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))]
