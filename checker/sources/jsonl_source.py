"""Read a JSON Lines file (one JSON object per line) as the same header and rows a CSV would give."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from checker.errors import InputError, open_input
from checker.sources.base import chunked


@dataclass
class JsonlSource:
    """A JSON Lines file: the keys of its first object as the header, each line's values in that order."""

    path: str
    header: list[str]
    _rows: Iterator[list[str]]
    cells_from_bytes: bool = False

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """The data rows in lists of up to ``size``."""
        return chunked(self._rows, size)


def open_jsonl(path: Path | str) -> JsonlSource:
    """Open a JSON Lines file and read its first object.

    A line with keys the first object lacks keeps them as extra cells, so it is reported as ragged.
    A blank line is a blank row; a line that is not a JSON object is an error naming the line.
    """
    p = Path(path)
    fh = open_input(p, "a JSON Lines file", encoding="utf-8-sig")
    lines = enumerate(fh, start=1)
    header: list[str] | None = None
    first: dict | None = None
    try:
        for number, line in lines:
            if line.strip():
                first = _object(p, number, line)
                header = list(first)
                break
    except UnicodeDecodeError:
        fh.close()
        raise InputError(str(p), "is not UTF-8 text (JSON Lines must be UTF-8)") from None
    if header is None or first is None:
        fh.close()
        raise InputError(str(p), "file is empty")

    def data() -> Iterator[list[str]]:
        row = 1
        try:
            yield [_text(first.get(k)) for k in header]
            for number, line in lines:
                row += 1
                if not line.strip():
                    yield []
                    continue
                obj = _object(p, number, line)
                cells = [_text(obj.get(k)) for k in header]
                cells.extend(_text(v) for k, v in obj.items() if k not in first)
                yield cells
        except UnicodeDecodeError:
            raise InputError(str(p), f"line {row + 1}: not UTF-8 text") from None
        finally:
            fh.close()

    return JsonlSource(str(p), header, data())


def _object(p: Path, number: int, line: str) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(str(p), f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise InputError(str(p), f"line {number}: expected a JSON object, found {type(obj).__name__}")
    return obj


def _text(value: object) -> str:
    """A JSON value as cell text: null is empty, numbers as written, nested values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
