"""What a user types, checked on the way in: dates, bounded texts without NUL bytes, choices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from checker.errors import InputError

MAX_TEXT = 20_000
"""Longest text a register field accepts (a finding of a waiver, a complaint's summary), in characters."""
MAX_SHORT = 1_000
"""Longest short text (a name, a reference, a resolution number), in characters."""


def day(value: str | date | None, option: str, *, default: date | None = None) -> date:
    """``value`` as a date (``YYYY-MM-DD``); ``default`` when None; otherwise one error naming the option."""
    if isinstance(value, date):
        return value
    if value is None:
        if default is None:
            raise InputError(option, "a date is needed (YYYY-MM-DD)")
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(option, f"{value!r} is not a date in YYYY-MM-DD form") from None


def optional_day(value: str | None, option: str) -> date | None:
    """``value`` as a date, or None when not given."""
    return None if value is None else day(value, option)


def text(value: str | None, option: str, *, limit: int = MAX_TEXT, required: bool = True) -> str | None:
    """A text a user typed, whitespace at its ends removed; empty, over ``limit`` characters or with a NUL byte
    is refused (None when not given and not ``required``)."""
    if value is None or not value.strip():
        if required:
            raise InputError(option, "must not be empty")
        return None
    if "\x00" in value:
        raise InputError(option, "contains a NUL byte")
    if len(value) > limit:
        raise InputError(option, f"is longer than {limit:,} characters")
    return value.strip()


def short(value: str | None, option: str, *, required: bool = True) -> str | None:
    """A short text: a name, a reference, a resolution number."""
    return text(value, option, limit=MAX_SHORT, required=required)


def choice(value: str | None, option: str, allowed: Iterable[str], *, required: bool = True) -> str | None:
    """One of ``allowed``."""
    options = tuple(allowed)
    if value is None:
        if required:
            raise InputError(option, f"choose one of {', '.join(options)}")
        return None
    if value not in options:
        raise InputError(option, f"{value!r} is not one of {', '.join(options)}")
    return value


def same_vendor(a: str, b: str) -> bool:
    """True when two vendor strings are the same but for case and spacing."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
