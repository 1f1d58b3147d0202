"""Command-line wiring only: parse options, call the library, pick a format, set the exit code."""

from __future__ import annotations

import errno
import functools
import json
import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from checker import __version__
from checker.errors import InputError
from checker.models import SEVERITY
from checker.output import open_output

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Screen vendors and audit payment files against sanctuary-contracting ordinances. "
                       "Not legal advice.")
rules_app = typer.Typer(no_args_is_help=True, help="List, show and validate rule sets (one per ordinance).")
registry_app = typer.Typer(no_args_is_help=True, help="Browse the vendor registry and test names against it.")
app.add_typer(rules_app, name="rules")
app.add_typer(registry_app, name="registry")


class ScreenFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


class AuditFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    html = "html"


class ListFormat(str, Enum):
    table = "table"
    json = "json"


class FailOn(str, Enum):
    none = "none"
    prohibited = "prohibited"
    potential_violation = "potential_violation"
    possible_match = "possible_match"


RulesOpt = Annotated[Optional[list[str]], typer.Option(
    "--rules", "-r", help="Rule set id or path; repeat or comma-separate. Default: every enacted rule set.")]
FailOnOpt = Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when any finding is at or above this.")]
RegistryOpt = Annotated[Optional[str], typer.Option(
    "--registry", help="Registry folder of family YAML files. Default: the bundled registry.")]
DecisionsOpt = Annotated[Optional[str], typer.Option(
    "--decisions", help="YAML of recorded match decisions (vendor X is / is not entity Y, who, when, why).")]
WaiversOpt = Annotated[Optional[str], typer.Option(
    "--waivers", help="Waiver register (YAML or CSV): vendor or entity, rule set, resolution, dates, scope.")]
OutputOpt = Annotated[Optional[str], typer.Option(
    "--output", "-o", help="Write here (atomically) instead of stdout.")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="Judge as of this date (YYYY-MM-DD). Default: today.")]


def _rules(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", f"{value!r} is not a date in YYYY-MM-DD form") from None


def _exit_for(run, fail_on: FailOn) -> None:
    if fail_on is FailOn.none:
        return
    level = SEVERITY[fail_on.value]
    if any(SEVERITY[v] >= level and n for v, n in run.summary.by_verdict.items()):
        raise typer.Exit(1)


@app.command()
def screen(
    names: Annotated[list[str], typer.Argument(help="Vendor names to screen as proposed new contracts.")],
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[ScreenFormat, typer.Option("--format", "-f")] = ScreenFormat.table,
    fail_on: FailOnOpt = FailOn.none,
    registry: RegistryOpt = None,
    decisions: DecisionsOpt = None,
    waivers: WaiversOpt = None,
) -> None:
    """Judge each NAME as a proposed new contract on the as-of date."""
    from checker.formats.human import render_screen
    from checker.formats.json_format import render_json
    from checker.service import Checker

    checker = Checker(_rules(rules), as_of=_as_of(as_of), registry_dir=registry, decisions=decisions,
                      waivers=waivers)
    run = checker.screen(names)
    if fmt is ScreenFormat.json:
        render_json(run, sys.stdout)
    else:
        render_screen(run, sys.stdout, fmt.value)
    _exit_for(run, fail_on)


@app.command()
def audit(
    file: Annotated[str, typer.Argument(help="Vendors, contracts or payments: CSV, .xlsx or JSON Lines (.jsonl).")],
    rules: RulesOpt = None,
    name_column: Annotated[Optional[str], typer.Option(
        "--name-column", help="Header of the vendor-name column (same as --map vendor=COLUMN).")] = None,
    mapping: Annotated[Optional[list[str]], typer.Option(
        "--map", help="FIELD=COLUMN: read FIELD (vendor, amount, date, department, description, contract_id, "
                      "action, contract_start, contract_end, fiscal_year, action_date, ein, duns, uei, cage) "
                      "from COLUMN; repeatable.",
    )] = None,
    fmt: Annotated[AuditFormat, typer.Option("--format", "-f")] = AuditFormat.table,
    output: OutputOpt = None,
    only_flagged: Annotated[bool, typer.Option("--only-flagged", help="List only rows a person must act on.")] = False,
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
) -> None:
    """Judge every row of FILE; rows that are not records (blank, totals) are reported as skipped."""
    from checker.formats import csv_format, json_format
    from checker.formats.common import provenance_line, summary_paragraph
    from checker.formats.human import render_audit
    from checker.progress import Progress
    from checker.service import Checker
    from checker.sources.columns import parse_mapping
    from checker.sources.records import ReadOptions

    if shareable and show_individuals:
        raise InputError("--shareable", "cannot be combined with --show-individuals")
    options = ReadOptions(name_column=name_column, mapping=parse_mapping(mapping), sheet=sheet,
                          decimal_comma=decimal_comma)
    checker = Checker(_rules(rules), as_of=_as_of(as_of), registry_dir=registry, decisions=decisions,
                      waivers=waivers)
    if fmt is AuditFormat.xlsx and output is None:
        raise InputError("--format xlsx", "an Excel report needs --output PATH.xlsx")
    progress = None if quiet else Progress(f"Auditing {file}")
    write_rows = None  # how a second process may write its rows itself (never for a shareable run)
    if fmt is AuditFormat.json and not shareable:
        write_rows = json_format.write_rows
    elif fmt is AuditFormat.csv and not shareable:
        write_rows = functools.partial(csv_format.write_rows, rule_set_ids=[rs.id for rs in checker.rulesets],
                                       show_individuals=show_individuals)
    spool_dir = str(Path(output).absolute().parent) if output else None  # rows waiting to be written go here
    run = checker.audit(file, options=options, max_rows=max_rows, only_flagged=only_flagged,
                        progress=progress.update if progress else None, write_rows=write_rows, spool_dir=spool_dir)
    if shareable:
        run = run.for_publication()
    try:
        with open_output(output, binary=fmt is AuditFormat.xlsx) as out:
            if fmt is AuditFormat.xlsx:
                from checker.formats.xlsx_format import render_xlsx

                render_xlsx(run, out, only_flagged=only_flagged, show_individuals=show_individuals, spool_dir=spool_dir)
            elif fmt is AuditFormat.html:
                from checker.formats.html_format import render_html

                render_html(run, out, only_flagged=only_flagged, show_individuals=show_individuals)
            elif fmt is AuditFormat.json:
                json_format.render_json(run, out, only_flagged=only_flagged)
            elif fmt is AuditFormat.csv:
                csv_format.render_csv(run, out, only_flagged=only_flagged, show_individuals=show_individuals)
            else:
                render_audit(run, out, fmt.value, only_flagged=only_flagged, show_individuals=show_individuals,
                             subject=f"Audit of {file}")
    finally:
        if progress is not None:
            progress.finish(run.summary.rows)
    if not quiet and (fmt in (AuditFormat.csv, AuditFormat.xlsx, AuditFormat.html) or output is not None):
        typer.echo(summary_paragraph(run, f"Audit of {file}"), err=True)
        typer.echo(provenance_line(run), err=True)
    _exit_for(run, fail_on)


class HoldingsFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    json = "json"


@app.command()
def holdings(
    file: Annotated[str, typer.Argument(help="Holdings report (CSV): issuer, CUSIP, ISIN, ticker, values.")],
    rules: RulesOpt = None,
    fmt: Annotated[HoldingsFormat, typer.Option("--format", "-f")] = HoldingsFormat.table,
    output: OutputOpt = None,
    only_flagged: Annotated[bool, typer.Option("--only-flagged", help="List only flagged holdings.")] = False,
    fail_on: FailOnOpt = FailOn.none,
    as_of: AsOfOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Screen a city's investment holdings by CUSIP issuer prefix, ISIN, ticker and issuer name."""
    from checker.formats.human import render_holdings
    from checker.formats.json_format import render_json
    from checker.service import Checker

    checker = Checker(_rules(rules), as_of=_as_of(as_of), registry_dir=registry)
    run = checker.holdings(file)
    with open_output(output) as out:
        if fmt is HoldingsFormat.json:
            render_json(run, out, only_flagged=only_flagged)
        else:
            render_holdings(run, out, fmt.value, only_flagged=only_flagged)
    _exit_for(run, fail_on)


@rules_app.command("list")
def rules_list(fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table) -> None:
    """List the bundled rule sets."""
    from tabulate import tabulate

    from checker.rulesets import available_rulesets

    sets = available_rulesets()
    rows = [{"id": rs.id, "jurisdiction": rs.jurisdiction, "status": rs.status, "effective": rs.effective.isoformat(),
             "agencies": sorted(rs.agencies), "services": sorted(rs.services), "actions": sorted(rs.actions),
             "investments": rs.investments, "text_verified": rs.text_verified, "citation": rs.citation}
            for rs in sets.values()]
    if fmt is ListFormat.json:
        typer.echo(json.dumps(rows, indent=1))
        return
    typer.echo(tabulate([[r["id"], r["jurisdiction"], r["status"], r["effective"], ",".join(r["agencies"]),
                          "yes" if r["text_verified"] else "no (reported)", r["citation"]] for r in rows],
                        headers=["id", "jurisdiction", "status", "effective", "agencies", "text verified", "citation"]))


@rules_app.command("show")
def rules_show(rule_set: Annotated[str, typer.Argument(help="Rule set id or path.")]) -> None:
    """Print a rule set: coverage, affiliates, waiver, definitions and rules, with sources."""
    from checker.formats.rules_view import show_ruleset
    from checker.rulesets import select_rulesets

    (rs,), _ = select_rulesets([rule_set])
    typer.echo(show_ruleset(rs))


@rules_app.command("diff")
def rules_diff(
    a: Annotated[str, typer.Argument(help="Rule set id or path.")],
    b: Annotated[str, typer.Argument(help="Rule set id or path.")],
) -> None:
    """Side-by-side table of the fields in which two rule sets differ (after extends: is applied)."""
    from tabulate import tabulate

    from checker.formats.rules_view import diff_rulesets
    from checker.rulesets import select_rulesets

    (ra, rb), _ = select_rulesets([a, b])
    rows = diff_rulesets(ra, rb)
    if not rows:
        typer.echo(f"{ra.id} and {rb.id} do not differ in any compared field.")
        return
    typer.echo(tabulate(rows, headers=["field", ra.id, rb.id], maxcolwidths=[None, 50, 50]))


@rules_app.command("test")
def rules_test(ids: Annotated[Optional[list[str]], typer.Argument(help="Rule set ids; default: all bundled.")] = None,
               ) -> None:
    """Run each rule set's test cases (rules/tests/ID.yaml) and print pass/fail per case."""
    from checker.matcher import Matcher
    from checker.registry import load_registry
    from checker.rulesets import available_rulesets, select_rulesets
    from checker.ruletests import run_cases

    sets = select_rulesets(ids)[0] if ids else list(available_rulesets().values())
    reg = load_registry()
    matcher = Matcher(reg)
    counts: dict[str, int] = {}
    for rs in sets:
        for r in run_cases(rs, reg, matcher):
            counts[r.status] = counts.get(r.status, 0) + 1
            line = f"{r.status.upper():5} {r.rule_set}: {r.name}"
            if r.status in ("fail", "todo", "fixed"):
                line += f" — expected {r.expected}, got {r.got}: {r.reason}"
            typer.echo(line, err=r.status == "fail")
    typer.echo(f"{counts.get('pass', 0)} passed, {counts.get('fail', 0)} failed, {counts.get('todo', 0)} todo "
               f"(known gaps), {counts.get('fixed', 0)} todo now passing")
    if counts.get("fail") or counts.get("fixed"):
        raise typer.Exit(1)


@rules_app.command("validate")
def rules_validate(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files; default: the bundled ones.")] = None,
) -> None:
    """Validate rule-set files against the schema; exit 2 naming the file, line and field of an error."""
    from checker.resources import bundled_dir
    from checker.rulesets import load_ruleset

    files = paths or [str(p) for p in sorted(bundled_dir("rules").glob("*.yaml"))]
    for path in files:
        rs = load_ruleset(path)
        typer.echo(f"ok  {path} ({rs.id}, {len(rs.rules)} rules)")


@registry_app.command("list")
def registry_list(fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table) -> None:
    """List every registry entity (JSON: with all its names, for comparison with other matchers)."""
    from tabulate import tabulate

    from checker.registry import load_registry

    reg = load_registry()
    if fmt is ListFormat.json:
        from checker.formats.registry_view import entity_dict

        typer.echo(json.dumps({"registry_version": reg.version, "registry_sha256": reg.sha256,
                               "entities": [entity_dict(reg, e) for e in reg.entities.values()]}, indent=1))
        return
    rows = [[e.id, e.name, e.family_id, e.relation, ",".join(e.categories), ",".join(e.agencies), len(e.evidence)]
            for e in reg.entities.values()]
    typer.echo(tabulate(rows, headers=["id", "name", "family", "relation", "categories", "agencies", "evidence"]))
    typer.echo(f"\n{len(reg.entities)} entities in {len(reg.families)} families; registry {reg.version}")


@registry_app.command("show")
def registry_show(ident: Annotated[str, typer.Argument(help="Family or entity id.")]) -> None:
    """Show a family: its tree, names, categories, agencies and evidence with sources."""
    from checker.formats.registry_view import show_family
    from checker.registry import load_registry

    reg = load_registry()
    if ident not in reg.entities:
        raise InputError("registry", f"no entity or family {ident!r}; try `sanctuary-check registry search NAME`")
    typer.echo(show_family(reg, reg.entities[ident].family_id))


@registry_app.command("lint")
def registry_lint(
    directory: Annotated[Optional[str], typer.Argument(help="Registry folder; default: the bundled one.")] = None,
) -> None:
    """Check the registry: schema, clashing names, weak aliases, sources, staleness, identifier check digits."""
    from checker.lint import lint_registry
    from checker.registry import load_registry

    reg = load_registry(directory)
    problems = lint_registry(reg)
    for p in problems:
        typer.echo(f"{p.level}: {p.where}: {p.message}", err=p.level == "error")
    errors = sum(p.level == "error" for p in problems)
    typer.echo(f"{len(reg.families)} families, {len(reg.entities)} entities, "
               f"{sum(len(e.evidence) for e in reg.entities.values())} evidence items: "
               f"{errors} errors, {len(problems) - errors} warnings")
    if errors:
        raise typer.Exit(1)


@registry_app.command("search")
def registry_search(
    name: Annotated[str, typer.Argument(help="A vendor name.")],
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """Show how a name scores against the registry (best candidates, with explanations)."""
    from tabulate import tabulate

    from checker.matcher import Matcher
    from checker.registry import load_registry

    reg = load_registry()
    matcher = Matcher(reg)
    outcome = matcher.match(name)
    ranked = matcher.ranked(name)
    rows = [{"entity": m.entity_id, "family": m.family_id, "matched_name": m.matched_name,
             "score": round(m.score * 100, 1), "band": m.band, "explanation": m.explanation} for m in ranked]
    if fmt is ListFormat.json:
        typer.echo(json.dumps({"name": name, "note": outcome.note, "candidates": rows}, indent=1))
        return
    if outcome.note:
        typer.echo(f"{name}: {outcome.note}")
    if not rows:
        typer.echo(f"{name}: no registry name shares a word with it.")
        return
    typer.echo(tabulate([list(r.values()) for r in rows], headers=list(rows[0]),
                        maxcolwidths=[None, None, 30, None, None, 60]))


@app.command("eval")
def eval_command(
    file: Annotated[Optional[str], typer.Argument(
        help="Labelled CSV (vendor,expected_family,tier[,note]). "
             "Default: tests/data/eval_names.csv of a checkout.")] = None,
    registry: RegistryOpt = None,
) -> None:
    """Measure the matcher: recall per tier, decoys wrongly flagged, confusions and score calibration."""
    from pathlib import Path

    from checker.evaluate import evaluate, load_cases, render
    from checker.matcher import Matcher
    from checker.registry import load_registry

    path = file or str(Path(__file__).resolve().parent.parent / "tests" / "data" / "eval_names.csv")
    reg = load_registry(registry)
    typer.echo(render(evaluate(Matcher(reg), load_cases(path)), set(reg.families)))


@app.callback(invoke_without_command=True)
def _version(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False) -> None:
    if version:
        typer.echo(f"sanctuary-check {__version__}")
        raise typer.Exit(0)


READER_GONE = 141
"""Exit code when standard output's reader stops reading (``| head``): 128 + SIGPIPE, as a shell reports a
command that a closed pipe stopped."""


def _reader_gone() -> None:
    """Exit silently with ``READER_GONE``; what is left unwritten goes nowhere (nothing to flush at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (AttributeError, OSError, ValueError):
        pass
    sys.exit(READER_GONE)


def _pipe_closed(exc: BaseException) -> bool:
    """True for the exit typer makes when writing to a closed pipe (an EPIPE error becomes exit code 1)."""
    cause = exc.__context__
    return isinstance(cause, OSError) and cause.errno == errno.EPIPE


def main() -> None:
    """Entry point: one clear line and exit 2 for bad input; 130 on Ctrl-C; 141 when the reader of standard
    output stops reading; never a traceback."""
    try:
        code = app(standalone_mode=False)  # exit codes come back as values; Ctrl-C comes back as 130
        if code == 130:
            typer.echo("sanctuary-check: interrupted; no output file was left half-written", err=True)
        if isinstance(code, int) and code:
            sys.exit(code)
    except InputError as exc:
        typer.echo(f"sanctuary-check: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("sanctuary-check: interrupted; no output file was left half-written", err=True)
        sys.exit(130)
    except BrokenPipeError:
        _reader_gone()
    except SystemExit as exc:
        if _pipe_closed(exc):
            _reader_gone()
        raise
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("sanctuary-check: interrupted; no output file was left half-written", err=True)
        sys.exit(130)
    except Exception as exc:  # usage errors from typer's click layer, and anything unforeseen
        usage = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
        if isinstance(exc, usage):
            exc.show()
            sys.exit(2)
        typer.echo(f"sanctuary-check: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(3)
