"""rules …: list, show, compare, test and validate the rule sets (one per ordinance)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from checker.cli.options import ListFormat


def rules_list(fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table) -> None:
    """List the bundled rule sets."""
    from tabulate import tabulate

    from checker.api import rule_sets

    rows = [{"id": rs.id, "jurisdiction": rs.jurisdiction, "status": rs.status, "effective": rs.effective.isoformat(),
             "agencies": sorted(rs.agencies), "services": sorted(rs.services), "actions": sorted(rs.actions),
             "investments": rs.investments, "text_verified": rs.text_verified, "citation": rs.citation}
            for rs in rule_sets()]
    if fmt is ListFormat.json:
        typer.echo(json.dumps(rows, indent=1))
        return
    typer.echo(tabulate([[r["id"], r["jurisdiction"], r["status"], r["effective"], ",".join(r["agencies"]),
                          "yes" if r["text_verified"] else "no (reported)", r["citation"]] for r in rows],
                        headers=["id", "jurisdiction", "status", "effective", "agencies", "text verified", "citation"]))


def rules_show(rule_set: Annotated[str, typer.Argument(help="Rule set id or path.")]) -> None:
    """Print a rule set: coverage, what each contract action means, investing, affiliates, waiver, definitions
    and rules, with sources."""
    from checker.api import registry, rule_sets
    from checker.formats.rules_view import show_ruleset

    (rs,) = rule_sets([rule_set])
    typer.echo(show_ruleset(rs, registry()))


def rules_diff(
    a: Annotated[str, typer.Argument(help="Rule set id or path.")],
    b: Annotated[str, typer.Argument(help="Rule set id or path.")],
) -> None:
    """Side-by-side table of the fields in which two rule sets differ (after extends: is applied)."""
    from tabulate import tabulate

    from checker.api import rule_sets
    from checker.formats.rules_view import diff_rulesets

    ra, rb = rule_sets([a, b])
    rows = diff_rulesets(ra, rb)
    if not rows:
        typer.echo(f"{ra.id} and {rb.id} do not differ in any compared field.")
        return
    typer.echo(tabulate(rows, headers=["field", ra.id, rb.id], maxcolwidths=[None, 50, 50]))


def rules_test(ids: Annotated[Optional[list[str]], typer.Argument(help="Rule set ids; default: all bundled.")] = None,
               ) -> None:
    """Run each rule set's test cases (rules/tests/ID.yaml) and print pass/fail per case."""
    from checker.api import run_rule_tests

    counts: dict[str, int] = {}
    for r in run_rule_tests(ids):
        counts[r.status] = counts.get(r.status, 0) + 1
        line = f"{r.status.upper():5} {r.rule_set}: {r.name}"
        if r.status in ("fail", "todo", "fixed"):
            line += f" — expected {r.expected}, got {r.got}: {r.reason}"
        typer.echo(line, err=r.status == "fail")
    typer.echo(f"{counts.get('pass', 0)} passed, {counts.get('fail', 0)} failed, {counts.get('todo', 0)} todo "
               f"(known gaps), {counts.get('fixed', 0)} todo now passing")
    if counts.get("fail") or counts.get("fixed"):
        raise typer.Exit(1)


def rules_validate(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files; default: the bundled ones.")] = None,
) -> None:
    """Validate rule-set files against the schema; exit 2 naming the file, line and field of an error."""
    from checker.api import validate_rule_sets

    for path, rs in validate_rule_sets(paths):
        typer.echo(f"ok  {path} ({rs.id}, {len(rs.rules)} rules)")
