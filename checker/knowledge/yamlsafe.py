"""Safe, bounded YAML loading that remembers the line of every value.

Rule sets, registry files, waivers and decisions are YAML. We never trust them to be well formed:
only the core YAML tags are accepted (no ``!!python/...``), alias expansion is bounded (a "billion
laughs" file is refused, not expanded), nesting is bounded (a file nested a thousand lists deep is refused,
not recursed into), at most ``MAX_BYTES`` + 1 bytes are ever read, whatever the file's size claims (a device
is refused, a named pipe read once), dates stay strings (the JSON Schemas check their form and that they
exist), and every value's line is kept so that an error can name the YAML line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import InputError

if TYPE_CHECKING:
    import yaml

MAX_NODES = 200_000
"""Most values a document may expand to, aliases counted at every use (a "billion laughs" file is refused)."""
MAX_BYTES = 5 * 1024 * 1024
"""Largest knowledge file (YAML, or a waiver register in CSV) in bytes: at most this + 1 bytes are ever read."""
MAX_DEPTH = 64
"""Most lists and mappings a YAML value may sit inside (the bundled files need 7); a deeper document is refused."""
READ_BLOCK = 1 << 20
"""Bytes asked for in one read of a knowledge file."""

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
    sha256: str = ""
    """The SHA-256 of the bytes read (empty for a document parsed from text)."""

    def line_of(self, path: Path_) -> int:
        """The line of the deepest known node on ``path`` (1 when nothing matches)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 1


def load_yaml_text(text: str, source: str, sha256: str = "") -> LoadedYaml:
    """Parse ``text`` (named ``source`` in errors) into plain Python values with line numbers."""
    import yaml  # imported when first needed: a warm start (compiled cache) reads no YAML

    loader, made = None, _bounded_loader()
    try:
        loader = made(text)  # PyYAML's own reader checks the characters here
        loader.source = source
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        line = _error_line(exc, text, getattr(made, "byte_offsets", False))
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(source, f"line {line}: not valid YAML: {problem}") from None
    except RecursionError:  # MAX_DEPTH stops this first, unless the interpreter's own limit is lower
        raise InputError(source, f"nested too deeply (YAML inputs may nest at most {MAX_DEPTH} levels)") from None
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[Path_, int] = {}
    budget = [MAX_NODES]
    try:
        data = None if node is None else _build(node, (), lines, budget, source)
    except RecursionError:
        raise InputError(source, f"nested too deeply (YAML inputs may nest at most {MAX_DEPTH} levels)") from None
    return LoadedYaml(data=data, lines=lines, path=source, sha256=sha256)


def _error_line(exc: Exception, text: str, byte_offsets: bool) -> int:
    """The 1-based line of a YAML error: its mark's, else that of the offset of a character the reader refused
    (libyaml counts it in UTF-8 bytes, PyYAML in characters), else 1."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return mark.line + 1
    at = getattr(exc, "position", None)
    if not isinstance(at, int):
        return 1
    if byte_offsets:
        return text.encode("utf-8", "surrogatepass")[:at].count(b"\n") + 1
    return text.count("\n", 0, at) + 1


def read_bounded(path: Path | str, what: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a knowledge file, read once and never more than ``limit`` + 1 of them.

    The file is opened by ``open_bytes``: a folder or a device is refused, a named pipe or standard input (``-``)
    is read once. The size the file system reports is not trusted (a device or a pipe reports 0).
    """
    from checker.sources.stream import STDIN, open_bytes

    name = str(path)
    fh, _regular = open_bytes(path, what)
    blocks: list[bytes] = []
    total = 0
    try:
        while total <= limit:
            block = fh.read(min(READ_BLOCK, limit + 1 - total))
            if not block:
                break
            blocks.append(block)
            total += len(block)
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
    finally:
        if name != STDIN:  # standard input stays open: it is not ours to close
            fh.close()
    if total > limit:
        raise InputError(name, f"is larger than {limit:,} bytes, the limit for {what}")
    return b"".join(blocks)


def load_yaml_file(path: Path | str) -> LoadedYaml:
    """Read (bounded, once) and parse a YAML file, refusing oversized files and devices with a clear error."""
    raw = read_bounded(path, "a YAML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"is not UTF-8 text (byte {exc.start})") from None
    return load_yaml_text(text, str(path), sha256=hashlib.sha256(raw).hexdigest())


@cache
def _bounded_loader(libyaml: bool = True) -> type:
    """PyYAML's safe loader, made to refuse a document nested more than ``MAX_DEPTH`` levels deep.

    PyYAML composes nodes recursively; counting the depth there stops a deeply nested file before it exhausts
    the interpreter's stack. The events come from libyaml when PyYAML was built with it (the same nodes, about
    eight times faster: most of a first run's loading of the registry), else from PyYAML's own parser; the nodes
    are always composed here, in Python, so that the depth is counted (libyaml's own composer would not).
    """
    import yaml

    class BoundedLoader(_events_parser(libyaml)):  # type: ignore[misc]
        source = "YAML"
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                return super().compose_node(parent, index)
            self.depth += 1  # the number of lists and mappings around this node, plus one
            try:
                if self.depth > MAX_DEPTH + 1:
                    line = self.peek_event().start_mark.line + 1
                    raise InputError(self.source, f"line {line}: nested more than {MAX_DEPTH} levels deep; refused")
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return BoundedLoader


def _events_parser(libyaml: bool) -> type:
    """A loader whose Python composer reads libyaml's events (``libyaml`` and PyYAML has it), else PyYAML's
    ``SafeLoader``."""
    import yaml

    try:
        from yaml.cyaml import CParser
    except ImportError:
        libyaml = False
    if not libyaml:
        return yaml.SafeLoader
    from yaml.composer import Composer
    from yaml.resolver import Resolver

    class LibyamlEvents(Composer, CParser, Resolver):  # Composer first: its compose_node, not libyaml's
        byte_offsets = True  # a refused character's position counts UTF-8 bytes

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)

    return LibyamlEvents


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int], budget: list[int], source: str) -> Any:
    import yaml

    budget[0] -= 1
    line = node.start_mark.line + 1
    if budget[0] < 0:
        raise InputError(source, f"line {line}: document expands to more than {MAX_NODES:,} values "
                                 "(alias bomb?); refused")
    if len(path) > MAX_DEPTH:  # aliases may nest what the text does not (a chain of anchors, or one in itself)
        raise InputError(source, f"line {line}: nested more than {MAX_DEPTH} levels deep (through aliases); refused")
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
