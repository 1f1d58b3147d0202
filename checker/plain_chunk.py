"""Tally a chunk of rows in bulk when their vendor cells already have a shared judgement with no registry match.

Most rows of a large payment file name a vendor seen before that matched nothing. When only flagged rows
are listed, such a row changes nothing but counts and dollar totals, so a whole chunk of them can be
tallied column by column with functions that loop in C (``itemgetter``, ``dict.get``, ``Counter``,
``compress``, ``float``) instead of a pass through the per-row loop for each. A row is left to that loop,
and returned in order, when anything about it is new: a vendor cell without a tally, or a date, action or
description cell not seen before (reading it checks it). Amounts are summed in bulk only when every cell
of the chunk is a plain number (``-1234.5``, ``1,234.5``); otherwise row by row, as the loop would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import compress, repeat
from operator import contains, is_, is_not, itemgetter

from checker.models import Summary
from checker.sources.columns import ColumnMap
from checker.sources.csv_source import RowConverter
from checker.sources.values import US_GROUPED, parse_amount

MAX_PLAIN_LENGTH = 15
"""Longest cell summed in bulk: 15 characters cannot reach ``MAX_AMOUNT`` (longer cells are read one by one)."""
NOT_PLAIN = b"0123456789.-\n"
"""The bytes a column of plain numbers joined by newlines is made of."""


class PlainTally:
    """Rows counted by a shared judgement (no registry match, not flagged), folded into the summary at the end.

    Compared by identity, so that a chunk's rows can be counted per tally with a ``Counter``. Amounts are
    only ever added up by verdict, so ``PlainChunks`` may credit a chunk's amounts to any one tally of
    their verdict.
    """

    __slots__ = ("judgement", "rows", "amounts", "total", "unreadable")

    def __init__(self, judgement) -> None:
        self.judgement = judgement
        self.rows = 0
        self.amounts = 0
        self.total = 0.0
        self.unreadable = 0

    def add_amount(self, text: str, decimal_comma: bool) -> None:
        """Add one row's amount cell (not empty); a cell that is not an amount is counted as unreadable."""
        value = parse_amount(text, decimal_comma)
        if value is not None:
            self.amounts += 1
            self.total += value
        elif text.strip():
            self.unreadable += 1

    def fold_into(self, summary: Summary) -> None:
        """Add these rows to the summary's counts and dollar totals."""
        verdict = self.judgement.verdict
        summary.rows += self.rows
        summary.by_verdict[verdict] += self.rows
        summary.persons += self.rows * self.judgement.person
        d = summary.dollars
        d.rows += self.amounts
        d.unreadable += self.unreadable
        if self.amounts:
            d.total += self.total
            d.by_verdict[verdict] += self.total


class PlainChunks:
    """Tallies the rows of a chunk whose vendor cell has a tally in ``plain``; says which rows are left."""

    def __init__(self, columns: ColumnMap, convert: RowConverter, plain: dict[str, PlainTally],
                 names_no_product: Callable[[str], bool], decimal_comma: bool,
                 learn: Callable[[list[str]], None] | None = None) -> None:
        self.width = len(columns.header)
        self.plain = plain
        self.learn = learn  # given a chunk's vendor cells without a tally, adds to ``plain`` those it can
        self.vendor = itemgetter(columns.vendor)
        self.description = None if columns.description is None else itemgetter(columns.description)
        self.names_no_product = names_no_product
        self.amount = None if columns.amount is None else itemgetter(columns.amount)
        self.decimal_comma = decimal_comma
        # cells checked when first read, each with the memo that holds those already read
        self.checked = [(itemgetter(i), convert.dates) for i in convert.date_columns]
        if columns.action is not None:
            self.checked.append((itemgetter(columns.action), convert.actions))

    def tally(self, chunk: list[list[str]]) -> list[int] | None:
        """Tally the chunk's plain rows; the indexes of the others, in order (None: every row, one by one)."""
        n = len(chunk)
        width = self.width
        if not n or max(map(len, chunk)) != width or sum(map(len, chunk)) != width * n:
            return None  # a ragged row: the loop reports it (none longer, and the total says none shorter)
        vendors = list(map(self.vendor, chunk))
        if self.learn is not None:
            plain = self.plain
            new = [cell for cell in dict.fromkeys(vendors) if cell not in plain]  # in order of first row
            if new:
                self.learn(new)
        tallies = list(map(self.plain.get, vendors))
        if not any(tallies):
            return list(range(n))
        for cell, known in self.checked:
            new = set(map(cell, chunk)).difference(known)
            if new:
                _leave(tallies, map(new.__contains__, map(cell, chunk)))
        if self.description is not None:
            named = {text for text in set(map(self.description, chunk)) if not self.names_no_product(text)}
            if named:
                _leave(tallies, map(named.__contains__, map(self.description, chunk)))
        counts = _counts(tallies)
        for tally, rows in counts.items():
            tally.rows += rows
        if self.amount is not None and counts:
            self._amounts(list(map(self.amount, chunk)), tallies, counts)
        return list(compress(range(n), map(is_, tallies, repeat(None))))

    def _amounts(self, cells: list[str], tallies: list[PlainTally | None], counts: dict[PlainTally, int]) -> None:
        values = None if self.decimal_comma else _plain_numbers(cells)
        if values is None:
            for tally, text in zip(tallies, cells, strict=True):
                if tally is not None and text:
                    tally.add_amount(text, self.decimal_comma)
            return
        if len({tally.judgement.verdict for tally in counts}) == 1:  # the usual case: one pass
            first = next(iter(counts))
            first.amounts += sum(counts.values())
            first.total += sum(compress(values, map(is_not, tallies, repeat(None))))
            return
        for tally, rows in counts.items():
            tally.amounts += rows
            tally.total += sum(compress(values, map(is_, tallies, repeat(tally))))


def _counts(tallies: list[PlainTally | None]) -> dict[PlainTally, int]:
    """How many rows each tally has in the chunk (rows left to the loop not counted)."""
    distinct = set(tallies)
    distinct.discard(None)
    if len(distinct) > 8:
        counts = Counter(tallies)
        counts.pop(None, None)
        return counts
    return {tally: tallies.count(tally) for tally in distinct}  # one C-level pass per tally


def _leave(tallies: list[PlainTally | None], rows) -> None:
    """Leave the rows marked true to the per-row loop."""
    for i in compress(range(len(tallies)), rows):
        tallies[i] = None


def _plain_numbers(cells: list[str]) -> list[float] | None:
    """The cells as numbers when each is a plain number (``-?digits(.digits)?``, or ``1,234.5`` with US
    thousands commas), else None.

    Checked on the joined column: only digits, dots, minus signs and separators once the commas of
    grouped numbers are removed; no dot or minus sign that would make ``float`` accept what
    ``PLAIN_NUMBER`` does not (``.5``, ``5.``, ``-.5``), a minus sign only in front; every cell read by ``float``;
    none longer than ``MAX_PLAIN_LENGTH``, so none reaches ``MAX_AMOUNT``.
    """
    if "" in cells or max(map(len, cells)) > MAX_PLAIN_LENGTH:
        return None
    text = "\n".join(cells)
    if "," in text:
        if not all(map(US_GROUPED.fullmatch, compress(cells, map(contains, cells, repeat(","))))):
            return None
        text = text.replace(",", "")
        cells = text.split("\n")
    try:
        joined = ("\n" + text + "\n").encode("ascii")
    except UnicodeEncodeError:
        return None
    if joined.translate(None, NOT_PLAIN) or b"\n." in joined or b".\n" in joined or b"-." in joined \
            or joined.count(b"-") != joined.count(b"\n-") or b"\n-\n" in joined:
        return None
    try:
        return list(map(float, cells))
    except ValueError:
        return None
