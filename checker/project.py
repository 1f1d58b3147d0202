"""The project file ``sanctuary-check.toml``: a city's rule sets, waivers, decisions, register and default output.

Found in the working directory, or named with ``--config PATH``. Every key is optional; a flag given on the command
line wins over it. Relative paths are read from the file's own folder. Every mistake is one ``InputError`` naming
the file and line: a TOML syntax error, an unknown key, a value of the wrong type, an unknown rule set or format.
``project_text`` writes a new file for a city, with a comment explaining each key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from checker.errors import InputError

FILE_NAME = "sanctuary-check.toml"


@dataclass(frozen=True)
class Project:
    """A project file as read: every path absolute (relative ones are taken from the file's folder)."""

    path: Path
    rules: tuple[str, ...] | None = None
    waivers: str | None = None
    decisions: str | None = None
    registry: str | None = None
    register: str | None = None
    output_folder: str | None = None
    output_format: str | None = None


KEYS: dict[str, tuple[str, str]] = {
    "rules": ("list", "a list of rule set ids or paths, e.g. [\"berkeley-ca\"]"),
    "waivers": ("path", "the path of a waiver register (YAML or CSV)"),
    "decisions": ("path", "the path of a YAML file of match decisions"),
    "registry": ("path", "the path of a registry folder"),
    "register": ("path", "the path of the compliance register (SQLite)"),
    "output.folder": ("path", "the folder reports are written to"),
    "output.format": ("text", "a format name, e.g. \"html\""),
}
"""Each key (dotted for a table's keys), the kind of value it takes and that value in words."""


def find_project(cwd: Path | str, explicit: str | None = None,
                 formats: Collection[str] | Callable[[], Collection[str]] = ()) -> Project | None:
    """The project file named by ``--config`` (which must exist), else ``sanctuary-check.toml`` in ``cwd``, else
    None. ``formats`` are the format names ``output.format`` may take (empty: any), or a function giving them."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise InputError(f"--config {explicit}", "no such file" if not path.exists() else "is not a file")
        return read_project(path, formats)
    path = Path(cwd) / FILE_NAME
    return read_project(path, formats, shown=FILE_NAME) if path.is_file() else None


def read_project(path: Path | str, formats: Collection[str] | Callable[[], Collection[str]] = (),
                 shown: str | None = None) -> Project:
    """Read and check a project file; ``shown`` is how errors name it (default: the path as given)."""
    path = Path(path)
    name = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(name, "is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
    try:  # imported here: a command run where there is no project file never needs it
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(*_syntax_error(name, str(exc))) from None
    lines = key_lines(text)
    values = _flatten(data, name, lines)
    folder = path.resolve().parent

    def where(key: str) -> str:
        return _at(name, lines, key)

    for key, value in values.items():
        kind, words = KEYS[key]
        ok = (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)
              if kind == "list" else isinstance(value, str) and value.strip() != "")
        if not ok:
            raise InputError(where(key), f"{key} must be {words}, not {_kind_of(value)}")
    rules = values.get("rules")
    if rules is not None:
        rules = [_rule(r, folder, where("rules")) for r in rules]
    fmt = values.get("output.format")
    if fmt is not None and callable(formats):
        formats = formats()
    if fmt is not None and formats and fmt not in formats:
        raise InputError(where("output.format"), f"output.format {fmt!r} is not a format; use one of "
                                                 f"{', '.join(sorted(formats))}")

    def absolute(key: str) -> str | None:
        value = values.get(key)
        return None if value is None else str((folder / Path(value).expanduser()).resolve())

    return Project(path=path.resolve(), rules=tuple(rules) if rules is not None else None,
                   waivers=absolute("waivers"), decisions=absolute("decisions"), registry=absolute("registry"),
                   register=absolute("register"), output_folder=absolute("output.folder"), output_format=fmt)


def _syntax_error(name: str, message: str) -> tuple[str, str]:
    """tomllib's ``… (at line 3, column 6)`` as ``NAME line 3`` and the message with its column."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    if not found:
        return name, f"is not valid TOML: {message}"
    return f"{name} line {found[1]}", f"{message[:found.start()]} (column {found[2]}): not valid TOML"


def _flatten(data: dict[str, Any], name: str, lines: dict[str, int]) -> dict[str, Any]:
    """Top-level keys and ``output.*`` as dotted keys; an unknown key or a table where a value goes is an error."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "output" and isinstance(value, dict):
            for sub, v in value.items():
                out[f"output.{sub}"] = v
        else:
            out[key] = value
    for key in out:
        if key not in KEYS:
            raise InputError(_at(name, lines, key), f"unknown key {key!r} (known keys: {', '.join(KEYS)})")
    return out


def _at(name: str, lines: dict[str, int], key: str) -> str:
    """``NAME line N`` for the line that sets ``key`` (or the table holding it: ``output = {format = 1}``)."""
    parts = key.split(".")
    for size in range(len(parts), 0, -1):
        line = lines.get(".".join(parts[:size]))
        if line:
            return f"{name} line {line}"
    return name


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"{value!r} (a string)"
    if isinstance(value, list):
        return "an empty list" if not value else "a list holding other things than names"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _rule(value: str, folder: Path, where: str) -> str:
    """A rule set id, checked against the bundled ones; a path (``.yaml`` or with ``/``) made absolute."""
    value = value.strip()
    if value.endswith((".yaml", ".yml")) or "/" in value:
        return str((folder / Path(value).expanduser()).resolve())
    from checker.knowledge.rulesets import available_rulesets

    known = available_rulesets()
    if value not in known:
        raise InputError(where, f"unknown rule set {value!r}; available: {', '.join(sorted(known))}")
    return value


_TABLE = re.compile(r"^\s*\[\s*([^\]\s]+)\s*\]")
_KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def key_lines(text: str) -> dict[str, int]:
    """Where each key is set, as dotted names (``output.format``) → line number (1-based); a table's own name
    maps to its header's line. Lines inside multi-line arrays or strings are not keys of their own."""
    lines: dict[str, int] = {}
    table = ""
    depth = 0  # open brackets of a multi-line array
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if in_string is not None:
            if in_string in line:
                in_string = None
            continue
        if depth == 0:
            header = _TABLE.match(line)
            if header:
                table = _dotted(header[1])
                lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                name = _dotted(key[1])
                lines.setdefault(f"{table}.{name}" if table else name, number)
                rest = line[key.end():]
                for quote in ('"""', "'''"):
                    if rest.count(quote) == 1:
                        in_string = quote
                depth = max(0, _brackets(rest))
                continue
        depth = max(0, depth + _brackets(line))
    return lines


def _dotted(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", key))


def _brackets(text: str) -> int:
    """Open minus closed square brackets outside strings and comments."""
    count, quote = 0, None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch == "[":
            count += 1
        elif ch == "]":
            count -= 1
    return count


def known_cities() -> dict[str, str]:
    """City names (lower case, as ``init --city`` takes them) → the id of the bundled rule set enacted there:
    ``berkeley`` → ``berkeley-ca``. Read from each enacted rule set's jurisdiction (``Berkeley, California``)."""
    from checker.knowledge.rulesets import available_rulesets

    cities: dict[str, str] = {}
    for rs in available_rulesets().values():
        jurisdiction = rs.jurisdiction or ""
        if rs.status == "enacted" and "," in jurisdiction:
            cities[jurisdiction.split(",")[0].strip().lower().replace(" ", "-")] = rs.id
    return dict(sorted(cities.items()))


def city_rule_set(city: str) -> str:
    """The rule set id for a city name (``Berkeley``, ``berkeley``) or its rule set id (``berkeley-ca``)."""
    cities = known_cities()
    key = city.strip().lower().replace(" ", "-")
    if key in cities:
        return cities[key]
    if key in cities.values():
        return key
    raise InputError("--city", f"unknown city {city!r}; known from the bundled rule sets: {', '.join(cities)}")


def project_text(city: str, rule_set: str, today: date | None = None) -> str:
    """A new project file for ``city``, with a comment explaining each key (the optional ones commented out)."""
    made = (today or date.today()).isoformat()
    return f'''# sanctuary-check project file, written by `sanctuary-check init --city {city}` on {made}.
# Commands run in this folder read it; elsewhere, name it: `sanctuary-check --config PATH COMMAND`.
# A flag given on the command line always wins over a key here. Relative paths are read from this file's folder.
# Remove the "# " before a key to use it.

# Rule sets that screen, audit and holdings apply: ids from `sanctuary-check rules list`, or paths to rule-set
# YAML files. Without this key every enacted rule set applies (Berkeley's, Oakland's and Richmond's alike).
rules = ["{rule_set}"]

# The council's waivers (YAML or CSV): a waived vendor is reported as waived, not flagged (screen, audit).
# waivers = "waivers.yaml"

# Recorded match decisions (vendor X is, or is not, registry entity Y; who decided, when, why) (screen, audit).
# decisions = "decisions.yaml"

# A registry folder of family YAML files to use instead of the bundled registry.
# registry = "vendors"

# The compliance register (SQLite) that the `register` commands record in.
# register = "sanctuary-register.sqlite"

[output]
# Where audit and compare write their reports when --output is not given: FOLDER/INPUT-NAME.EXTENSION.
# Without it, reports go to standard output.
# folder = "reports"

# The --format a command uses when none is given (table, markdown, csv, json, xlsx, html), for each command that
# writes that format.
# format = "html"
'''


def project_line(project: Project, shareable: bool = False) -> str:
    """The provenance line reports print: ``Project file: /path/sanctuary-check.toml`` (its name when shareable)."""
    return f"Project file: {project.path.name if shareable else project.path}"


def default_rules_hint(project: Project | None = None) -> str:
    """What to print on stderr when neither --rules nor a project file (``project``, if one is in use) chose the
    rule sets."""
    cities = known_cities()
    ids = ", ".join(sorted(cities.values()))
    names = list(cities)
    example = names[0] if names else "CITY"
    others = f" (or {', '.join(names[1:])})" if len(names) > 1 else ""
    if project is not None:
        return (f"sanctuary-check: no --rules and no rules key in {project.path}: every enacted rule set applies "
                f"({ids}). To apply only your city's, add rules = [\"{ids.split(', ')[0]}\"] there or pass --rules.")
    return (f"sanctuary-check: no --rules and no {FILE_NAME}: every enacted rule set applies ({ids}). To apply "
            f"only your city's, run `sanctuary-check init --city {example}`{others} or pass --rules.")


def output_path(project: Project | None, stem: str, fmt: str) -> str | None:
    """Where a report goes when --output is not given: ``FOLDER/STEM.EXT`` under the project's output folder
    (which is made when missing), or None (standard output)."""
    if project is None or project.output_folder is None:
        return None
    folder = Path(project.output_folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{project.path.name}: output.folder {folder}", f"cannot be made ({exc.strerror})") from None
    return str(folder / f"{stem}.{EXTENSIONS.get(fmt, fmt)}")


EXTENSIONS = {"table": "txt", "markdown": "md", "csv": "csv", "json": "json", "xlsx": "xlsx", "html": "html"}
"""The file extension of each format's reports."""
