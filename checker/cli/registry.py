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
