"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as used in the registry and rule sets."""

from __future__ import annotations

import calendar
from datetime import date


def parse_partial(text: str, *, end: bool = False) -> date:
    """The first (or, with ``end``, the last) day that a partial date can mean."""
    parts = [int(p) for p in str(text).split("-")]
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (12 if end else 1)
    last = calendar.monthrange(year, month)[1]
    day = parts[2] if len(parts) > 2 else (last if end else 1)
    return date(year, month, day)


def parse_iso(text: str) -> date:
    """A full ISO date; ValueError with a readable message otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date in YYYY-MM-DD form") from None
