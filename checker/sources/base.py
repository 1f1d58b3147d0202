"""The Source protocol: a file's header, then its data rows in chunks; and what every reader shares.

Every reader gives the same thing, so the rest of the pipeline never asks what kind of file it reads:
``header`` (the column names) and ``chunks(size)``, lists of up to ``size`` rows of cells, numbered from
1 by position. ``readers.open_source`` picks the reader for a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ReadOptions:
    """How to read an input file: which columns hold which fields, which sheet, how amounts are written."""

    name_column: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    decimal_comma: bool = False


class Source(Protocol):
    """An open input file."""

    path: str
    header: list[str]
    cells_from_bytes: bool
    """True when every character of a cell stands in the file as it is (CSV): a file with no NUL byte then has
    no NUL in any cell."""
    text_cells: bool
    """True when every cell is text (``str``) as read: none needs ``rows.text`` to be listed."""

    def chunks(self, size: int) -> Iterator[list[list[Any]]]:
        """The data rows in lists of up to ``size``; a malformed file is one InputError naming the place."""
        ...  # pragma: no cover

    def sha256(self) -> str:
        """The SHA-256 of the bytes judged, once every chunk is read; an InputError when the file changed while it
        was read."""
        ...  # pragma: no cover

    def nul_seen(self) -> bool:
        """Whether a cell of the rows handed out so far may hold a NUL character (True when it cannot be known)."""
        ...  # pragma: no cover


def chunked(rows: Iterator[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    """Rows in lists of up to ``size``."""
    from itertools import islice

    while block := list(islice(rows, size)):
        yield block
