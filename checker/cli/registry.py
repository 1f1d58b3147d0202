"""registry …: browse the vendor registry, lint it, and test names against it."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from checker.cli.options import ListFormat
from checker.errors import InputError


def registry_list(fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table) -> None:
    """List every registry entity (JSON: with all its names, for comparison with other matchers)."""
    from tabulate import tabulate

    from checker.api import registry

    reg = registry()
    if fmt is ListFormat.json:
        from checker.formats.registry_view import entity_dict

        typer.echo(json.dumps({"registry_version": reg.version, "registry_sha256": reg.sha256,
                               "entities": [entity_dict(reg, e) for e in reg.entities.values()]}, indent=1))
        return
    rows = [[e.id, e.name, e.family_id, e.relation, ",".join(e.categories), ",".join(e.agencies), len(e.evidence)]
            for e in reg.entities.values()]
    typer.echo(tabulate(rows, headers=["id", "name", "family", "relation", "categories", "agencies", "evidence"]))
    typer.echo(f"\n{len(reg.entities)} entities in {len(reg.families)} families; registry {reg.version}")


def registry_show(ident: Annotated[str, typer.Argument(help="Family or entity id.")]) -> None:
    """Show a family: its tree, names, categories, agencies and evidence with sources."""
    from checker.api import registry
    from checker.formats.registry_view import show_family

    reg = registry()
    if ident not in reg.entities:
        raise InputError("registry", f"no entity or family {ident!r}; try `sanctuary-check registry search NAME`")
    typer.echo(show_family(reg, reg.entities[ident].family_id))


def registry_lint(
    directory: Annotated[Optional[str], typer.Argument(help="Registry folder; default: the bundled one.")] = None,
) -> None:
    """Check the registry: schema, clashing names, weak aliases, sources, staleness, identifier check digits."""
    from checker.api import lint_registry

    reg, problems = lint_registry(directory)
    for p in problems:
        typer.echo(f"{p.level}: {p.where}: {p.message}", err=p.level == "error")
    errors = sum(p.level == "error" for p in problems)
    typer.echo(f"{len(reg.families)} families, {len(reg.entities)} entities, "
               f"{sum(len(e.evidence) for e in reg.entities.values())} evidence items: "
               f"{errors} errors, {len(problems) - errors} warnings")
    if errors:
        raise typer.Exit(1)


def registry_search(
    name: Annotated[str, typer.Argument(help="A vendor name.")],
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """Show how a name scores against the registry (best candidates, with explanations)."""
    from tabulate import tabulate

    from checker.api import search

    outcome, ranked = search(name)
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


def registry_refresh(
    files: Annotated[list[str], typer.Argument(
        help="Federal award files: USAspending contract-transaction downloads (the 259-column FY2013-18 layout or "
             "today's, with recipient_uei) or the 10-column D2 extract.")],
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="Write the review here (atomically) instead of stdout.")] = None,
    directory: Annotated[Optional[str], typer.Option(
        "--registry", help="Registry folder to compare with. Default: the bundled registry.")] = None,
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="An award whose period of performance ended before this day (YYYY-MM-DD) has ended. "
                        "Default: today.")] = None,
    dataset: Annotated[Optional[str], typer.Option(
        "--dataset", help="Cite every file's rows as this dataset of vendors/datasets.yaml (default, by layout: "
                          "D1, D2; a current download is cited by award and URL).")] = None,
    max_candidates: Annotated[int, typer.Option(
        "--max-candidates", min=0, help="List at most this many candidate vendors, the largest (0: all).")] = 100,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
) -> None:
    """Compare award files with the registry and write a review: new or changed evidence of registry companies,
    candidate vendors, ended awards. Nothing in the registry changes (see `registry apply`)."""
    from checker.cli.options import as_of_date
    from checker.formats.output import open_output
    from checker.tools.refresh import refresh, write_review

    review = refresh(files, directory, as_of=as_of_date(as_of), dataset=dataset,
                     max_candidates=max_candidates or None)
    with open_output(output, inputs=files) as out:
        write_review(review, out)
    if not quiet:
        for line in review.summary() + ([f"Review written to {output}."] if output else []):
            typer.echo(line, err=output is None)


def registry_apply(
    review: Annotated[str, typer.Argument(help="A review written by `registry refresh`, its items accepted.")],
    directory: Annotated[Optional[str], typer.Option(
        "--registry", help="Registry folder to write into. Default: the bundled registry.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change (a diff); write nothing.")] = False,
) -> None:
    """Write the accepted items of a review into the registry's family files, keeping their comments and layout;
    refuse (writing nothing) when the registry would not load or lint after it."""
    from checker.tools.apply import apply_review

    result = apply_review(review, directory, dry_run=dry_run)
    if dry_run and result.diff:
        typer.echo(result.diff, nl=False)
    for line in result.done:
        typer.echo(line)
    for line in result.skipped:
        typer.echo(f"skipped {line}")
    for line in result.notes:
        typer.echo(f"note: {line}", err=True)
    verb = "would change" if dry_run else "changed"
    typer.echo(f"{result.accepted} accepted items: {len(result.done)} applied, {len(result.skipped)} already there; "
               f"{len(result.files)} files {verb}" + (" (dry run: nothing written)" if dry_run else "")
               + ("." if result.accepted else "; set accept: true on the items to apply."))
