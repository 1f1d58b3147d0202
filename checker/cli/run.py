"""screen, audit and holdings: parse the options, call the library, write the chosen format, set the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from checker.cli.options import (
    ActionMapOpt,
    AsOfOpt,
    ColumnsOpt,
    DecisionsOpt,
    FailOn,
    FailOnOpt,
    MapActionOpt,
    OutputOpt,
    RegistryOpt,
    RulesOpt,
    WaiversOpt,
    action_mapping,
    as_of_date,
    choices,
    exit_for,
    rule_ids,
    subject_of,
    waivers_given,
)
from checker.errors import InputError, printable

ScreenFormat = choices("screen")
AuditFormat = choices("audit")
HoldingsFormat = choices("holdings")


def screen(
    names: Annotated[list[str], typer.Argument(help="Vendor names to screen as proposed new contracts.")],
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[ScreenFormat, typer.Option("--format", "-f")] = "table",  # type: ignore[valid-type,assignment]
    fail_on: FailOnOpt = FailOn.none,
    registry: RegistryOpt = None,
    decisions: DecisionsOpt = None,
    waivers: WaiversOpt = None,
) -> None:
    """Judge each NAME as a proposed new contract on the as-of date."""
    from checker.api import Checker
    from checker.formats import View, get

    checker = Checker(rule_ids(rules), as_of=as_of_date(as_of), registry_dir=registry, decisions=decisions,
                      waivers=waivers_given(waivers))
    run = checker.screen(names)
    get(_value(fmt)).write(run, sys.stdout, View(subject="Screened as proposed new contracts"))
    exit_for(run, fail_on)


def audit(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(
        help="Vendors, contracts or payments: CSV, .xlsx, JSON Lines (.jsonl) or Parquet (.parquet). Several files, "
             "a folder or a glob ('exports/*.csv') make one report, rows named file:row.")],
    rules: RulesOpt = None,
    name_column: Annotated[Optional[str], typer.Option(
        "--name-column", help="Header of the vendor-name column (same as --map vendor=COLUMN).")] = None,
    mapping: Annotated[Optional[list[str]], typer.Option(
        "--map", help="FIELD=COLUMN: read FIELD (vendor, amount, date, department, description, contract_id, "
                      "action, contract_start, contract_end, fiscal_year, action_date, ein, duns, uei, cage) "
                      "from COLUMN; repeatable.",
    )] = None,
    fmt: Annotated[AuditFormat, typer.Option("--format", "-f")] = "table",  # type: ignore[valid-type,assignment]
    output: OutputOpt = None,
    only_flagged: Annotated[bool, typer.Option("--only-flagged", help="List only rows a person must act on.")] = False,
    only_matched: Annotated[bool, typer.Option(
        "--only-matched", help="List flagged rows and every row paid to a registry family (waived, grandfathered, "
                               "not covered too), so no money to a registry family is left out.")] = False,
    map_action: MapActionOpt = None,
    action_map: ActionMapOpt = None,
    fail_on: FailOnOpt = FailOn.none,
    as_of: AsOfOpt = None,
    show_individuals: Annotated[bool, typer.Option(
        "--show-individuals", help="Name individual payees in table, Markdown, CSV, XLSX and HTML output.")] = False,
    shareable: Annotated[bool, typer.Option(
        "--shareable", help="For publication: individual payees counted, never listed (in every format, JSON "
                            "too); match-decision wording withheld; file paths reduced to names.")] = False,
    decimal_comma: Annotated[bool, typer.Option(
        "--decimal-comma", help="Amounts use a decimal comma (1.900,12). Unambiguous ones are read anyway.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress counter and no summary on stderr (errors are still printed).")] = False,
    registry: RegistryOpt = None,
    decisions: DecisionsOpt = None,
    waivers: WaiversOpt = None,
    max_rows: Annotated[Optional[int], typer.Option(
        "--max-rows", min=1, help="Refuse files with more data rows than this (exit 2, no output).")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Worksheet of an .xlsx file (default: 1st).")] = None,
    columns: ColumnsOpt = None,
) -> None:
    """Judge every row of FILES; rows that are not records (blank, totals) are reported as skipped, and a file's own
    total rows are checked against the rows they cover."""
    from checker.api import Checker
    from checker.cli.progress import Progress
    from checker.cli.project import current_project
    from checker.formats import View, get
    from checker.formats.common import provenance_line, summary_paragraph
    from checker.formats.output import Printable, open_output
    from checker.project import default_rules_hint, output_path, project_line
    from checker.sources.base import ReadOptions
    from checker.sources.columns import parse_mapping
    from checker.sources.inputs import files_to_audit

    if shareable and show_individuals:
        raise InputError("--shareable", "cannot be combined with --show-individuals")
    fmt_name = _value(fmt)
    out_format = get(fmt_name)
    project = current_project(ctx)
    chosen_by_project = output is None and project is not None and project.output_folder is not None
    if output is None:
        output = output_path(project, Path(files[0]).stem if len(files) == 1 else "audit", fmt_name)
    if out_format.needs_file and output is None:
        raise InputError(f"--format {fmt_name}", "an Excel report needs --output PATH.xlsx")
    options = ReadOptions(name_column=name_column, mapping=parse_mapping(mapping), sheet=sheet,
                          decimal_comma=decimal_comma)
    files = files_to_audit(files)
    checker = Checker(rule_ids(rules), as_of=as_of_date(as_of), registry_dir=registry, decisions=decisions,
                      waivers=waivers_given(waivers), action_map=action_mapping(map_action, action_map))
    subject = subject_of(files)
    progress = None if quiet else Progress(printable(subject.replace("Audit of", "Auditing", 1)))
    spool_dir = str(Path(output).absolute().parent) if output else None  # where temporary files go
    run = checker.audit(files, options=options, max_rows=max_rows, only_flagged=only_flagged,
                        only_matched=only_matched, progress=progress.update if progress else None,
                        spool_dir=spool_dir)
    if project is not None:
        run.project_path = str(project.path)
    listed = None if columns is None else run.chosen_columns(columns)
    if shareable:
        run = run.for_publication()
    view = View(only_flagged=only_flagged, show_individuals=show_individuals, subject=subject, spool_dir=spool_dir,
                only_matched=only_matched, columns=listed)
    try:
        with open_output(output, binary=out_format.binary, inputs=files) as out:
            if output is None and sys.stdout.isatty():
                out = Printable(out)  # a terminal never runs what a file's text holds
            out_format.write(run, out, view)
    finally:
        if progress is not None:
            progress.finish(run.summary.rows)
    if not quiet and (fmt_name in ("csv", "xlsx", "html") or output is not None):
        typer.echo(printable(summary_paragraph(run, subject)), err=True)
        typer.echo(printable(provenance_line(run)), err=True)
    if not quiet and chosen_by_project:
        typer.echo(printable(f"Wrote {output} (the project file's output folder)."), err=True)
    if not quiet and project is not None:
        typer.echo(printable(project_line(project, shareable)), err=True)
    if not quiet and rules is None:
        typer.echo(printable(default_rules_hint(project)), err=True)
    exit_for(run, fail_on)


def holdings(
    file: Annotated[str, typer.Argument(
        help="Holdings report (CSV): issuer, CUSIP, ISIN, ticker, values; a transaction (buy, sell) and trade date "
             "when the report has them.")],
    rules: RulesOpt = None,
    fmt: Annotated[HoldingsFormat, typer.Option("--format", "-f")] = "table",  # type: ignore[valid-type,assignment]
    output: OutputOpt = None,
    only_flagged: Annotated[bool, typer.Option("--only-flagged", help="List only flagged holdings.")] = False,
    fail_on: FailOnOpt = FailOn.none,
    as_of: AsOfOpt = None,
    registry: RegistryOpt = None,
    max_rows: Annotated[Optional[int], typer.Option(
        "--max-rows", min=1, help="Refuse files with more data rows than this (exit 2, no output).")] = None,
) -> None:
    """Screen a city's investment holdings by CUSIP issuer prefix, ISIN, ticker and issuer name."""
    from checker.api import Checker
    from checker.formats import View, get
    from checker.formats.output import open_output

    checker = Checker(rule_ids(rules), as_of=as_of_date(as_of), registry_dir=registry)
    run = checker.holdings(file, max_rows)
    with open_output(output, inputs=[file]) as out:
        get(_value(fmt)).write(run, out, View(only_flagged=only_flagged, subject="Holdings screen"))
    exit_for(run, fail_on)


def _value(choice: object) -> str:
    """A ``--format`` choice's name (typer gives the Enum member; a default is the plain text)."""
    return getattr(choice, "value", choice)  # type: ignore[return-value]
