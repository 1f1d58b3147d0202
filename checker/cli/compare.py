"""compare: read two JSON audit reports, compare them, write the chosen format."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from checker.cli.options import OutputOpt
from checker.errors import InputError


def _formats() -> type[Enum]:
    """The ``--format`` choices, as an Enum for typer (``checker.compare.FORMATS``)."""
    from checker.compare.writers import FORMATS

    return Enum("CompareFormat", {name: name for name in FORMATS}, type=str)  # type: ignore[return-value]


CompareFormat = _formats()


def compare(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The earlier report (written by `audit FILE --format json`).")],
    new: Annotated[str, typer.Argument(help="The later report, written the same way.")],
    fmt: Annotated[CompareFormat, typer.Option("--format", "-f")] = "table",  # type: ignore[valid-type,assignment]
    output: OutputOpt = None,
    show_individuals: Annotated[bool, typer.Option(
        "--show-individuals", help="Name individual payees (refused when either report is shareable).")] = False,
) -> None:
    """New, resolved and changed findings per vendor between two JSON audit reports, and the dollar change per
    registry family. Rows are paired by vendor, not by row number."""
    from pathlib import Path

    from checker.cli.project import current_project
    from checker.compare.diff import compare_reports
    from checker.compare.report import read_report
    from checker.compare.writers import write
    from checker.formats.output import Printable, open_output
    from checker.project import output_path, project_line

    before, after = read_report(old), read_report(new)
    if show_individuals and (before.shareable or after.shareable):
        shared = old if before.shareable else new
        raise InputError("--show-individuals", f"{shared} is a shareable report: individual payees stay unnamed")
    comparison = compare_reports(before, after, show_individuals=show_individuals)
    fmt_name = getattr(fmt, "value", fmt)
    project = current_project(ctx)
    if output is None:  # the project's output folder, if it names one
        output = output_path(project, f"compare-{Path(old).stem}-{Path(new).stem}", fmt_name)
    with open_output(output, inputs=[old, new]) as out:
        if output is None and sys.stdout.isatty():
            out = Printable(out)  # a terminal never runs what a report's text holds
        write(comparison, fmt_name, out)
    if project is not None:
        typer.echo(project_line(project, before.shareable or after.shareable), err=True)
