"""Turn a data row's cells (text, as every source gives them) into a Record, or a Skipped row with its reason; a
malformed cell names its row.

How a date or contract-action cell is read is passed in (``read_date``, ``read_action``), so that a caller
reading many rows may remember the cells it has read; the defaults read each cell afresh. ``text`` writes a
typed value (an Excel or Parquet cell) as the text a CSV export would hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from checker.errors import InputError
from checker.model import MAX_NAME, Record, Skipped
from checker.sources.actions import ActionReader
from checker.sources.values import parse_date

if TYPE_CHECKING:
    from checker.sources.columns import ColumnMap

TOTAL_WORDS = re.compile(r"\s*(?:(grand|sub)[\s-]*totals?\b.*|totals?\s*(?:(?:[:(\-\u2013\u2014]|for\b|of\b).*)?)",
                         re.IGNORECASE | re.DOTALL)
"""A cell that says its row is a total: ``Total``, ``TOTAL:``, ``Total for Police``, ``Grand Total``, ``Subtotal
Fire`` (never a name that starts with the word, such as ``TOTAL TRANSIT INC``)."""
TOTAL_REASON = "total row (an amount with no vendor)"
LABELLED_TOTAL_REASON = "total row (labelled a total)"


def total_words(cell: str) -> str | None:
    """For a cell that says its row is a total: ``total`` or ``subtotal`` when its words say which, else ``""``;
    None for any other cell."""
    m = TOTAL_WORDS.fullmatch(cell) if (cell[:1] in _TOTAL_INITIALS or cell[:1].isspace()) and \
        "total" in cell.lower() else None  # every such cell spells TOTAL: most names are refused without the pattern
    if m is None:
        return None
    return {"grand": "total", "sub": "subtotal"}.get((m.group(1) or "").lower(), "")


_TOTAL_INITIALS = frozenset("TtGgSs")


def read_date(cell: str) -> date | None:
    """A date cell: None when blank; ValueError naming the text when it is not a date."""
    return parse_date(cell.strip() or None)


read_action = ActionReader()
"""A contract-action cell with the built-in words only (see ``actions``): never an error."""


def text(cell: Any) -> str:
    """A cell as text (a typed value as written by ``str``; a missing one as empty text)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


class RowConverter:
    """Turns one row's cells into a Record, or a Skipped row with its reason; reads only mapped columns."""

    def __init__(self, path: str, columns: ColumnMap, *, read_date: Callable[[str], date | None] = read_date,
                 read_action: Callable[[str], str | None] = read_action, text_without_nul: bool = False) -> None:
        self.path = path
        self.text_without_nul = text_without_nul
        """No cell holds a NUL byte (the caller checked the file): the check is skipped."""
        self.columns = columns
        self.width = len(columns.header)
        self.read_date = read_date
        self.read_action = read_action
        self.date_columns = tuple(i for i in (columns.action_date, columns.date, columns.contract_start,
                                              columns.contract_end) if i is not None)
        """The columns read as dates, in the order a row's are checked."""
        self._id_columns = columns.identifier_columns

    def __call__(self, row: int, cells: list[str]) -> Record | Skipped:
        c = self.columns
        if len(cells) != self.width:
            return self._ragged(row, cells)  # the slower reader checks every index
        if not self.text_without_nul and "\x00" in "".join(cells):
            raise InputError(self.path, f"row {row}: contains NUL bytes (a binary or mis-encoded file?)")
        vendor = cells[c.vendor].strip()
        if not vendor:
            return self._without_vendor(row, cells)
        if vendor[:1] in _TOTAL_INITIALS and (labelled := self._labelled_total(row, cells, vendor)) is not None:
            return labelled
        if len(vendor) > MAX_NAME:
            raise InputError(self.path, f"row {row}: the vendor name is {len(vendor):,} characters long; "
                                        f"names are limited to {MAX_NAME:,}")
        read_date = self.read_date
        try:
            action = None if c.action is None else self.read_action(cells[c.action])
            day = (None if c.action_date is None else read_date(cells[c.action_date])) or \
                (None if c.date is None else read_date(cells[c.date]))
            start = None if c.contract_start is None else read_date(cells[c.contract_start])
            end = None if c.contract_end is None else read_date(cells[c.contract_end])
        except ValueError:
            self._refuse(row, cells)
        return Record(
            row, " ".join(vendor.split()), action, day, start, end,
            None if c.amount is None else cells[c.amount].strip() or None,
            None if c.department is None else cells[c.department].strip() or None,
            None if c.fiscal_year is None else cells[c.fiscal_year].strip() or None,
            None if c.description is None else cells[c.description].strip() or None,
            None if c.contract_id is None else cells[c.contract_id].strip() or None,
            None, None,
            tuple((kind, value) for kind, i in self._id_columns if (value := cells[i].strip())) if self._id_columns
            else (),
        )

    def _ragged(self, row: int, cells: list[str]) -> Record | Skipped:
        """A row of more or fewer cells than the header (judged with the cells present)."""
        c = self.columns
        n = len(cells)
        if "\x00" in "".join(cells):
            raise InputError(self.path, f"row {row}: contains NUL bytes (a binary or mis-encoded file?)")
        vendor = cells[c.vendor].strip() if c.vendor < n else ""
        if not vendor:
            return self._without_vendor(row, cells)
        if (labelled := self._labelled_total(row, cells, vendor)) is not None:
            return labelled
        if len(vendor) > MAX_NAME:
            raise InputError(self.path, f"row {row}: the vendor name is {len(vendor):,} characters long; "
                                        f"names are limited to {MAX_NAME:,}")
        try:
            return Record(
                row, " ".join(vendor.split()),
                self._action(cells, c.action),
                self._date(cells, c.action_date) or self._date(cells, c.date),
                self._date(cells, c.contract_start),
                self._date(cells, c.contract_end),
                _cell(cells, c.amount), _cell(cells, c.department), _cell(cells, c.fiscal_year),
                _cell(cells, c.description), _cell(cells, c.contract_id),
                None, n if n != self.width else None,
                tuple((kind, value) for kind, i in self._id_columns if (value := _cell(cells, i)) is not None),
            )
        except ValueError:
            self._refuse(row, cells)

    def _refuse(self, row: int, cells: list[str]) -> NoReturn:
        """Raise the error for the first cell of the row that cannot be read, naming its column."""
        c = self.columns
        steps = [(c.action, self.read_action), (c.action_date, self.read_date), (c.date, self.read_date),
                 (c.contract_start, self.read_date), (c.contract_end, self.read_date)]
        for index, read in steps:  # in the order a row's cells are read
            if index is None or index >= len(cells):
                continue
            if index == c.date and c.action_date is not None and c.action_date < len(cells) and \
                    self.read_date(cells[c.action_date]) is not None:
                continue  # the action date is used, the payment date not read
            try:
                read(cells[index])
            except ValueError as exc:
                raise InputError(self.path, f"row {row}: column {c.header[index]!r}: {exc}") from None
        raise AssertionError("a cell failed to read, then read")  # pragma: no cover

    def _without_vendor(self, row: int, cells: list[str]) -> Skipped:
        c = self.columns
        if not any(x.strip() for x in cells):
            return Skipped(row, "blank row")
        amount = _cell(cells, c.amount)
        if amount is not None:
            words = [x.strip() for i, x in enumerate(cells) if x.strip() and i not in (c.vendor, c.amount)]
            if not words:
                return Skipped(row, TOTAL_REASON, amount, "")
            if all(total_words(w) is not None for w in words):
                return Skipped(row, LABELLED_TOTAL_REASON, amount, " ".join(words))
        return Skipped(row, f"no vendor name in column {c.header[c.vendor]!r}")

    def _labelled_total(self, row: int, cells: list[str], vendor: str) -> Skipped | None:
        """A row whose vendor cell says it is a total (``Grand Total``) and that has an amount; None for others."""
        if total_words(vendor) is None:
            return None
        amount = _cell(cells, self.columns.amount)
        return None if amount is None else Skipped(row, LABELLED_TOTAL_REASON, amount, vendor)

    def _date(self, cells: list[str], index: int | None) -> date | None:
        """The date in a cell (None when there is no such cell or it is blank)."""
        if index is None or index >= len(cells):
            return None
        return self.read_date(cells[index])

    def _action(self, cells: list[str], index: int | None) -> str | None:
        if index is None or index >= len(cells):
            return None
        return self.read_action(cells[index])


def _cell(cells: list[str], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    return cells[index].strip() or None
