"""The Source protocol: a file's header, then its data rows in chunks; and what every reader shares.

Every reader gives the same thing, so the rest of the pipeline never asks what kind of file it reads:
``header`` (the column names) and ``chunks(size)``, lists of up to ``size`` rows of cells, numbered from
1 by position. ``readers.open_source`` picks the reader for a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
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

    def chunks(self, size: int) -> Iterator[list[list[Any]]]:
        """The data rows in lists of up to ``size``; a malformed file is one InputError naming the place."""
        ...  # pragma: no cover


def file_digest(path: str | Path) -> tuple[str, bool]:
    """SHA-256 of a file, and whether it is free of NUL bytes (then no cell read from it holds one)."""
    h = hashlib.sha256()
    nul_free = True
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            nul_free = nul_free and b"\x00" not in chunk
    return h.hexdigest(), nul_free


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in chunks."""
    return file_digest(path)[0]


def chunked(rows: Iterator[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    """Rows in lists of up to ``size``."""
    from itertools import islice

    while block := list(islice(rows, size)):
        yield block
