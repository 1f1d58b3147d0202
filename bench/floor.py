"""A lower bound for (b): what parsing the file and matching each distinct name once cost, and nothing else.

Two processes, as the audit of a large file uses: this one parses the rows before the first line break
past half of the file with ``csv.reader``, a forked one the rest, and each matches every vendor cell it has
not seen before with the tool's own matcher (loaded as the audit loads it). Nothing is tallied, judged or
written. An audit cannot take less time than this without a faster parser or matcher; ``bench.py`` times
the whole command, start-up included, and prints its ratio to (a) beside the target for (b).

    python bench/floor.py FILE [--column "Vendor Name"]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Iterable
from itertools import islice

from checker.matcher import compiled_matcher


def half(path: str) -> tuple[int, int]:
    """The offset of the first line after half of the file's bytes, and the number of lines before it."""
    with open(path, "rb") as fh:
        fh.seek(os.fstat(fh.fileno()).st_size // 2)
        fh.readline()
        cut = fh.tell()
        fh.seek(0)
        lines = sum(fh.read(min(1 << 20, cut - done)).count(b"\n") for done in range(0, cut, 1 << 20))
    return cut, lines


def parse_and_match(path: str, cut: tuple[int, int], tail: bool, column: str, match) -> int:
    """Parse the rows before the cut (or from it: ``tail``) and match each new vendor cell; rows read."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        index = next(csv.reader(fh)).index(column)
    offset, lines = cut
    with open(path, "rb") as raw:
        if tail:
            raw.seek(offset)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        if not tail:
            next(reader)  # the header
        rows = 0
        seen: set[str] = set()
        for cells in reader if tail else islice(reader, lines - 1):
            rows += 1
            cell = cells[index]
            if cell not in seen:
                seen.add(cell)
                match(" ".join(cell.split()))
    return rows


def main(argv: Iterable[str] | None = None) -> int:
    """Parse and match FILE in two processes; print the rows this one read."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--column", default="Vendor Name")
    args = ap.parse_args(sys.argv[1:] if argv is None else list(argv))
    match = compiled_matcher().match
    cut = half(args.file)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            parse_and_match(args.file, cut, True, args.column, match)
        except BaseException:  # noqa: BLE001 - the parent reports a failed child by its exit status
            code = 1
        os._exit(code)
    rows = parse_and_match(args.file, cut, False, args.column, match)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        print("error: the second process failed", file=sys.stderr)
        return 2
    print(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
