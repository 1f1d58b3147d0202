"""Parse cell values as cities export them: dates in several forms, amounts with or without $, commas, parentheses."""

from __future__ import annotations

import re
from datetime import date, datetime

_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$", re.IGNORECASE)
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")  # 31.12.2025: day first, as Europe writes it
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+Z?)?$")


def parse_date(text: str | None) -> date | None:
    """``2018-06-01``, ``6/1/2018``, ``8/14/2017 0:00``, ``6/1/18`` or ``1.6.2018`` → a date; None when empty."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    m = _ISO.match(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DOTTED.match(text)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        m = _US.match(text)
        if m:
            year = int(m[3])
            if year < 100:
                year += 2000 if year < 70 else 1900
            return date(year, int(m[1]), int(m[2]))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from None
    for fmt in ("%d-%b-%Y", "%b %d, %Y", "%B %d, %Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date this tool can read (use YYYY-MM-DD)")


_AMOUNT = re.compile(r"^\(?-?\$?\s*(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?\)?-?$")
"""An amount with a decimal point: thousands commas only in groups of three (``12,345,67`` is no amount)."""
_COMMA_AMOUNT = re.compile(r"^\(?-?\$?\s*(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(,[0-9]+)?\)?-?$")
# A decimal comma nobody could misread: "1.900,12" or "1900,5" (a thousands comma is followed by 3 digits).
_PLAIN_COMMA_DECIMAL = re.compile(r"^\(?-?\$?\s*(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),[0-9]{1,2}\)?-?$")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
MAX_AMOUNT = 1e15
"""Amounts this large or larger (a quadrillion dollars, or too many digits for a float) are not read as amounts,
so that no total can overflow."""
US_GROUPED = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def parse_amount(text: str | float | int | None, decimal_comma: bool = False) -> float | None:
    """``$1,900.12``, ``(1,900.12)``, ``-1900.12`` → a number; None when empty or not an amount.

    ``1.900,12`` is read with a decimal comma always; ``1.900`` and ``1,5`` only when ``decimal_comma``
    is set (the file says its amounts use a decimal comma).
    """
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return _bounded(float(text))
    if not decimal_comma:  # the common cases, read without the slower checks
        if PLAIN_NUMBER.fullmatch(text):
            return _bounded(float(text))
        if US_GROUPED.fullmatch(text):
            return _bounded(float(text.replace(",", "")))
    t = text.strip().replace(" ", "")
    if not t:
        return None
    if decimal_comma or _PLAIN_COMMA_DECIMAL.match(t):
        if not _COMMA_AMOUNT.match(t):
            return None
        digits = t.strip("()-").lstrip("$").replace(".", "").replace(",", ".")
    elif _AMOUNT.match(t):
        digits = t.strip("()-").lstrip("$").replace(",", "")
    else:
        return None
    negative = t.startswith("(") or t.startswith("-") or t.endswith("-")
    value = _bounded(float(digits))
    return -value if negative and value is not None else value


def _bounded(value: float) -> float | None:
    """The value, or None when it is not a finite amount below ``MAX_AMOUNT``."""
    return value if -MAX_AMOUNT < value < MAX_AMOUNT else None


_PLAIN_CELL = f"(?:{PLAIN_NUMBER.pattern}|{US_GROUPED.pattern})"
_PLAIN_COLUMN = re.compile(f"(?:{_PLAIN_CELL}\n)*{_PLAIN_CELL}")
"""A column of cells joined by line breaks, each a plain number (``PLAIN_NUMBER`` or ``US_GROUPED``)."""


def sum_amounts(cells: list[str], decimal_comma: bool = False) -> tuple[int, float, int]:
    """How many cells are amounts, their total, and how many non-blank cells are not amounts (``parse_amount``
    of each; blank cells count in neither).

    A column of plain numbers (the usual export) is read at once; any other is read cell by cell.
    """
    if cells and not decimal_comma:
        joined = "\n".join(cells)
        if _PLAIN_COLUMN.fullmatch(joined):
            values = list(map(float, joined.replace(",", "").split("\n") if "," in joined else cells))
            if min(values) > -MAX_AMOUNT and max(values) < MAX_AMOUNT:
                return len(values), sum(values), 0
    count = unreadable = 0
    total = 0.0
    for cell in cells:
        value = parse_amount(cell, decimal_comma)
        if value is not None:
            count += 1
            total += value
        elif cell.strip():
            unreadable += 1
    return count, total, unreadable
