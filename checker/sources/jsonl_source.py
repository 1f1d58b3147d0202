"""Read a JSON Lines file (one JSON object per line) as the same header and rows a CSV would give.

Each line is decoded and parsed on its own, so that an error names its line. What JSON allows but a table cannot
hold is refused, naming the line: a key given twice in one object (one value would be lost), a string that is
not Unicode (a lone surrogate escape, ``"\\ud800"``), ``NaN`` or ``Infinity``, a number too long or too large
to be one, nesting deeper than ``MAX_JSON_DEPTH``. A line is at most ``MAX_JSON_LINE`` bytes, an object at most
``MAX_COLUMNS`` keys.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.sources.base import chunked
from checker.sources.csv_source import MAX_COLUMNS
from checker.sources.stream import STDIN, Measured, open_bytes

MAX_JSON_LINE = 4 << 20
"""Longest line read, in bytes (a payment's object is a few hundred): parsing holds a line whole, and its values
take several times its size."""
MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects in a line (a payment's object is flat; a nested value becomes a cell of
compact JSON): measured on every nested value, and a line too deep for the parser itself is refused the same."""
MAX_NUMBER_DIGITS = 100
"""Longest number read, in characters (an amount has a dozen): Python refuses integers of more than 4,300 digits,
and a longer float is not an amount."""
BUFFER_BYTES = 1 << 20

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A ``\\uD800``-``\\uDFFF`` escape: half of a surrogate pair, which must come with its other half."""


class _Refused(Exception):
    """A value a line may not hold (raised inside the JSON parser, named with its line by ``_object``)."""


@dataclass
class JsonlSource:
    """A JSON Lines file: the keys of its first object as the header, each line's values in that order."""

    path: str
    header: list[str]
    _rows: Iterator[list[str]]
    measured: Measured
    cells_from_bytes: bool = False
    text_cells: bool = False

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """The data rows in lists of up to ``size``."""
        return chunked(self._rows, size)

    def sha256(self) -> str:
        """The SHA-256 of the bytes read (of the whole file, once every chunk is read)."""
        return self.measured.sha256()

    def nul_seen(self) -> bool:
        """A JSON string may hold a NUL as an escape: cells are checked row by row."""
        return True


def open_jsonl(path: Path | str) -> JsonlSource:
    """Open a JSON Lines file (or a named pipe) and read its first object.

    A line with keys the first object lacks keeps them as extra cells, so it is reported as ragged.
    A blank line is a blank row; a line that is not a JSON object is an error naming the line.
    """
    p = Path(path)
    name = str(path) if str(path) == STDIN else str(p)
    raw, _ = open_bytes(path, "a JSON Lines file")
    measured = Measured(raw, name, max_line=MAX_JSON_LINE)
    fh = io.BufferedReader(measured, BUFFER_BYTES)
    lines = _lines(name, fh)
    try:
        first = next(((number, line) for number, line in lines if line.strip()), None)
    except BaseException:
        fh.close()
        raise
    if first is None:
        fh.close()
        raise InputError(name, "file is empty")
    first_object = _object(name, *first)
    header = list(first_object)

    def data() -> Iterator[list[str]]:
        try:
            yield [_text(value) for value in first_object.values()]
            for number, line in lines:
                if not line.strip():
                    yield []
                    continue
                obj = _object(name, number, line)
                cells = [_text(obj.get(k)) for k in header]
                cells.extend(_text(v) for k, v in obj.items() if k not in first_object)
                yield cells
        finally:
            fh.close()

    return JsonlSource(name, header, data(), measured)


def _lines(name: str, fh: io.BufferedReader) -> Iterator[tuple[int, str]]:
    """The file's lines, numbered from 1 and decoded one by one (so that a bad byte names its own line)."""
    for number, line in enumerate(fh, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]  # a byte-order mark
        try:
            yield number, line.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(name, f"line {number}: not UTF-8 text (JSON Lines must be UTF-8)") from None


def _object(name: str, number: int, line: str) -> dict[str, Any]:
    """One line's object; anything else, or a value a table cannot hold, is an InputError naming the line."""
    try:
        obj = json.loads(line, object_pairs_hook=_unique_keys, parse_int=_integer, parse_float=_float,
                         parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(name, f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    except _Refused as exc:
        raise InputError(name, f"line {number}: {exc}") from None
    except RecursionError:
        raise InputError(name, f"line {number}: nested more than {MAX_JSON_DEPTH} levels deep") from None
    if not isinstance(obj, dict):
        raise InputError(name, f"line {number}: expected a JSON object, found {type(obj).__name__}")
    for value in obj.values():
        if isinstance(value, (dict, list)) and _depth(value) >= MAX_JSON_DEPTH:
            raise InputError(name, f"line {number}: nested more than {MAX_JSON_DEPTH} levels deep")
    if _SURROGATE_ESCAPE.search(line):  # a pair parses as one character; half of one stays a lone surrogate
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(name, f"line {number}: a string holds half of a surrogate pair (\\ud800-\\udfff "
                                   "without its other half): not Unicode text") from None
    return obj


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict; a key given twice, or more than ``MAX_COLUMNS`` keys, is refused."""
    if len(pairs) > MAX_COLUMNS:
        raise _Refused(f"an object has {len(pairs):,} keys; at most {MAX_COLUMNS:,} are read")
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"the key {key!r} is given twice in one object (which value is meant?)")
            seen.add(key)
    return obj


def _integer(digits: str) -> int:
    if len(digits) > MAX_NUMBER_DIGITS:
        raise _Refused(f"a number of {len(digits):,} digits; at most {MAX_NUMBER_DIGITS} are read")
    return int(digits)


def _float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_DIGITS:
        raise _Refused(f"a number of {len(literal):,} characters; at most {MAX_NUMBER_DIGITS} are read")
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(f"the number {literal} is too large to be one")
    return value


def _constant(literal: str) -> float:
    raise _Refused(f"{literal} is not a JSON number")


def _depth(value: dict | list) -> int:
    """How deeply a nested value nests (1 for a flat list or object), measured without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _text(value: object) -> str:
    """A JSON value as cell text: null is empty, numbers as Python writes them, nested values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
