"""A file's own total rows reconciled with its data rows, as the rows stream past in chunks.

The summary's ``Running`` sums must see the data rows' amounts in row order, total rows in between. Rows counted
in bulk (``tally``) are summed per chunk, before the chunk's other rows are read one by one; so a total row's
place in its chunk decides which bulk rows are above it. Those are summed again only in a chunk that has a total
row (a file has a few); every other chunk adds its bulk sum as it is.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from checker.model import Skipped, Summary
from checker.sources.rows import total_words
from checker.sources.values import parse_amount, sum_amounts


class Reconciler:
    """Feeds one file's data-row amounts to ``summary.running`` in row order and notes its total rows."""

    def __init__(self, summary: Summary, amount: int | None, source: str | None = None) -> None:
        self.summary = summary
        self.amount = amount
        self.source = source
        self.cells: list[list[Any]] = []
        self.groups: list[int | None] | None = None
        self.first = 0  # rows before the chunk
        self.cursor = 0  # the chunk's rows before this are added
        self.bulk_left = 0.0  # the chunk's bulk rows' amounts not yet added
        self.single = 0.0  # amounts of rows read one by one since the cursor

    def chunk(self, cells: list[list[Any]], groups: list[int | None] | None, first: int, bulk_total: float) -> None:
        """Start a chunk: its rows, their tally groups (None: none in bulk), and the bulk rows' total amount."""
        self.cells, self.groups, self.first, self.bulk_left = cells, groups, first, bulk_total
        self.cursor = 0
        self.single = 0.0

    def data(self, amount: float | None) -> None:
        """A data row read one by one, in order (its amount, None when it has no readable one)."""
        if amount is not None:
            self.single += amount

    def total(self, skipped: Skipped) -> None:
        """A total row (read one by one, in order): add the rows above it, then reconcile it."""
        at = skipped.row - self.first - 1
        bulk = self._bulk(self.cursor, at)
        self.bulk_left -= bulk
        self.summary.running.add(self.single + bulk)
        self.single = 0.0
        self.cursor = at + 1
        stated = parse_amount(skipped.total, self.summary.decimal_comma)
        if stated is None:  # not an amount: nothing to reconcile (the row is still reported as skipped)
            return
        kind = total_words(skipped.words) or None if skipped.words else None
        self.summary.total_row(skipped.row, skipped.words or "", stated, kind, self.source)

    def end(self) -> None:
        """End the chunk: add its rows after the last total row."""
        self.summary.running.add(self.single + self.bulk_left)
        self.single = self.bulk_left = 0.0
        self.cells, self.groups = [], None

    def _bulk(self, start: int, stop: int) -> float:
        """The amounts of the chunk's bulk rows from ``start`` to before ``stop``."""
        groups = self.groups
        if groups is None or self.amount is None or stop <= start:
            return 0.0
        get = itemgetter(self.amount)
        cells = [get(self.cells[i]) for i in range(start, stop) if groups[i] is not None]
        return sum_amounts(cells, self.summary.decimal_comma)[1] if cells else 0.0
