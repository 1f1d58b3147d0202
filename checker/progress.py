"""Progress for long audits: a counter on stderr, only when stderr is a terminal a person is watching."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")
EVERY_ROWS = 8192
EVERY_SECONDS = 0.5


def with_progress(items: Iterator[T], label: str, stream: TextIO | None = None) -> Iterator[T]:
    """Yield ``items`` unchanged, rewriting ``label: N rows…`` on a terminal about twice a second."""
    out = stream or sys.stderr
    if not out.isatty():
        yield from items
        return
    shown = time.monotonic()
    count = 0
    try:
        for count, item in enumerate(items, start=1):
            if count % EVERY_ROWS == 0 and time.monotonic() - shown >= EVERY_SECONDS:
                out.write(f"\r{label}: {count:,} rows…")
                out.flush()
                shown = time.monotonic()
            yield item
    finally:
        out.write(f"\r{label}: {count:,} rows.   \n")
        out.flush()
