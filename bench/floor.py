"""F: what reading the file and matching each distinct vendor name once cost, and nothing else, in one process.

The file is read with the engine's own reader (``checker.sources``, the chunks an audit gets) and every
vendor cell not seen before is matched with the tool's matcher, loaded as an audit loads it. Nothing is
tallied, judged or written. ``bench.py`` times the whole command, start-up included; an audit's (b), (c)
and (f) are stated against it.

    python bench/floor.py FILE
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from itertools import chain

from checker.api import Checker
from checker.engine.audit import CHUNK_ROWS
from checker.sources.base import ReadOptions
from checker.sources.columns import map_columns
from checker.sources.readers import open_source


def main(argv: Iterable[str] | None = None) -> int:
    """Read FILE and match each distinct vendor cell once; print the rows read."""
    (path,) = list(sys.argv[1:] if argv is None else argv)
    match = Checker().matcher.match
    source = open_source(path, ReadOptions())
    vendor = map_columns(source.header, source.path).vendor
    seen: set[str] = set()
    rows = 0
    for chunk in source.chunks(CHUNK_ROWS):
        rows += len(chunk)
        for cell in set(chain.from_iterable(cells[vendor:vendor + 1] for cells in chunk)).difference(seen):
            seen.add(cell)
            match(cell)
    print(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
