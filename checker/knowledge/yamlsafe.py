"""Safe, bounded YAML loading that remembers the line of every value.

Rule sets, registry files, waivers and decisions are YAML. We never trust them to be well formed:
only the core YAML tags are accepted (no ``!!python/...``), alias expansion is bounded (a "billion
laughs" file is refused, not expanded), dates stay strings (the JSON Schemas check their form), and
every value's line is kept so that an error can name the YAML line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import InputError, open_input

if TYPE_CHECKING:
    import yaml

MAX_NODES = 200_000
MAX_BYTES = 5 * 1024 * 1024

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _SCALAR_TAGS | {_CORE + "map", _CORE + "seq"}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedYaml:
    """A parsed YAML document with the 1-based line of every value, keyed by its path."""

    data: Any
    lines: dict[Path_, int]
    path: str

    def line_of(self, path: Path_) -> int:
        """The line of the deepest known node on ``path`` (1 when nothing matches)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 1


def load_yaml_text(text: str, source: str) -> LoadedYaml:
    """Parse ``text`` (named ``source`` in errors) into plain Python values with line numbers."""
    import yaml  # imported when first needed: a warm start (compiled cache) reads no YAML

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(source, f"line {line}: not valid YAML: {problem}") from None
    lines: dict[Path_, int] = {}
    budget = [MAX_NODES]
    data = None if node is None else _build(node, (), lines, budget, source)
    return LoadedYaml(data=data, lines=lines, path=source)


def load_yaml_file(path: Path | str) -> LoadedYaml:
    """Read and parse a YAML file, refusing oversized files with a clear error."""
    p = Path(path)
    with open_input(p, "a YAML file", "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > MAX_BYTES:
            raise InputError(str(p), f"file is {size:,} bytes; YAML inputs are limited to {MAX_BYTES:,}")
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(p), f"is not UTF-8 text (byte {exc.start})") from None
    return load_yaml_text(text, str(p))


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int], budget: list[int], source: str) -> Any:
    import yaml

    budget[0] -= 1
    line = node.start_mark.line + 1
    if budget[0] < 0:
        raise InputError(source, f"line {line}: document expands to more than {MAX_NODES:,} values "
                                 "(alias bomb?); refused")
    if node.tag not in _ALLOWED_TAGS:
        raise InputError(source, f"line {line}: YAML tag {node.tag!r} is not allowed")
    lines.setdefault(path, line)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(source, f"line {key_node.start_mark.line + 1}: mapping keys must be plain text")
            if key_node.tag == _CORE + "merge":
                raise InputError(source, f"line {key_node.start_mark.line + 1}: merge keys (<<) are not allowed")
            key = str(key_node.value)
            if key in out:
                raise InputError(source, f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), lines, budget, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, budget, source) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return value.lower() in ("true", "yes", "on")
    if tag == _CORE + "int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag == _CORE + "float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value  # str and timestamp stay text; schemas check date forms
