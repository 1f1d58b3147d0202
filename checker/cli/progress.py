"""Progress for long audits: a row counter on stderr, only when stderr is a terminal a person is watching."""

from __future__ import annotations

import sys
import time
from typing import TextIO

EVERY_SECONDS = 0.5


class Progress:
    """``label: N rows…`` rewritten in place about twice a second; silent when the stream is not a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.out = stream or sys.stderr
        self.live = self.out.isatty()
        self.shown = time.monotonic()

    def update(self, rows: int) -> None:
        """Rows read so far (called as often as convenient; it writes at most twice a second)."""
        if self.live and time.monotonic() - self.shown >= EVERY_SECONDS:
            self.out.write(f"\r{self.label}: {rows:,} rows…")
            self.out.flush()
            self.shown = time.monotonic()

    def finish(self, rows: int) -> None:
        """The final count, on a line of its own."""
        if self.live:
            self.out.write(f"\r{self.label}: {rows:,} rows.   \n")
            self.out.flush()
