"""What the commands share: options, their parsing, and the exit code for --fail-on."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any, Optional

import typer

from checker.errors import InputError
from checker.model import SEVERITY


class FailOn(str, Enum):
    none = "none"
    prohibited = "prohibited"
    potential_violation = "potential_violation"
    possible_match = "possible_match"


def choices(kind: str) -> type[Enum]:
    """The ``--format`` choices of a kind of run (``screen``, ``audit``, ``holdings``), as an Enum for typer."""
    from checker.formats import KINDS

    return Enum(f"{kind.capitalize()}Format", {name: name for name in KINDS[kind]}, type=str)  # type: ignore[return-value]


class ListFormat(str, Enum):
    table = "table"
    json = "json"


RulesOpt = Annotated[Optional[list[str]], typer.Option(
    "--rules", "-r", help="Rule set id or path; repeat or comma-separate. Default: every enacted rule set.")]
FailOnOpt = Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when any finding is at or above this.")]
RegistryOpt = Annotated[Optional[str], typer.Option(
    "--registry", help="Registry folder of family YAML files. Default: the bundled registry.")]
DecisionsOpt = Annotated[Optional[str], typer.Option(
    "--decisions", help="YAML of recorded match decisions (vendor X is / is not entity Y, who, when, why).")]
WaiversOpt = Annotated[Optional[str], typer.Option(
    "--waivers", help="Waivers (YAML or CSV: vendor or entity, rule set, resolution, dates, scope), or the compliance "
                      "register (.sqlite), whose granted waivers apply.")]
OutputOpt = Annotated[Optional[str], typer.Option(
    "--output", "-o", help="Write here (atomically) instead of stdout.")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Judge as of this date (YYYY-MM-DD). Default: today.")]
MapActionOpt = Annotated[Optional[list[str]], typer.Option(
    "--map-action", help="VALUE=ACTION: read the city's contract-action word VALUE (e.g. PO, change order) as ACTION "
                         "(new, amended, extended, renewed, purchase_order, existing, payment); repeatable.")]
ColumnsOpt = Annotated[Optional[str], typer.Option(
    "--columns", help="The input's own columns to list beside the tool's, comma-separated (e.g. 'Vendor Name,Amount,"
                      "Department'). Default: all of them.")]
ActionMapOpt = Annotated[Optional[str], typer.Option(
    "--action-map", help="YAML file of VALUE: ACTION lines, as --map-action (both may be given).")]


def action_mapping(pairs: list[str] | None, path: str | None) -> dict[str, str]:
    """The city's contract-action words: from ``--action-map FILE``, then ``--map-action`` pairs (which win)."""
    from checker.sources.actions import parse_action_pairs

    mapping: dict[str, str] = {}
    if path:
        from checker.knowledge.action_map import load_action_map

        mapping.update(load_action_map(path))
    mapping.update(parse_action_pairs(pairs or ()))
    return mapping


def subject_of(files: list[str]) -> str:
    """``Audit of pay.csv``, or of several files: ``Audit of 3 files (a.csv, b.csv, c.csv)``."""
    if len(files) == 1:
        return f"Audit of {files[0]}"
    shown = ", ".join(files[:5]) + (f", … ({len(files):,} in all)" if len(files) > 5 else "")
    return f"Audit of {len(files):,} files ({shown})"


def rule_ids(values: list[str] | None) -> list[str] | None:
    """``--rules`` values, comma-separated or repeated, as a list of ids or paths (None: the defaults)."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def as_of_date(value: str | None) -> date | None:
    """``--as-of`` as a date (None: today)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", f"{value!r} is not a date in YYYY-MM-DD form") from None


def exit_for(run, fail_on: FailOn) -> None:
    """Exit 1 when any finding of the run reached ``--fail-on``."""
    if fail_on is FailOn.none:
        return
    level = SEVERITY[fail_on.value]
    if any(SEVERITY[v] >= level and n for v, n in run.summary.by_verdict.items()):
        raise typer.Exit(1)


SQLITE_HEADER = b"SQLite format 3\x00"


def waivers_given(path: str | None) -> Any:
    """What ``--waivers PATH`` names: the path of a waivers file, or, when PATH is a compliance register (an
    SQLite file), its granted waivers with their scope (``checker.knowledge.waivers.WaiverRegister``)."""
    import os
    import stat

    if not path or path == "-":
        return path
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return path  # a pipe or device is read once by the waivers loader, never sniffed here
        with open(path, "rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return path
    except OSError:
        return path  # the waivers loader names the problem
    import hashlib

    from checker.knowledge.waivers import WaiverRegister
    from checker.register import waivers_for_audit

    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest() if hasattr(hashlib, "file_digest") else \
            hashlib.sha256(fh.read()).hexdigest()
    given = WaiverRegister.of(waivers_for_audit(path), digest)
    given.path = path  # type: ignore[attr-defined]
    return given

