"""The Registry and rules pages: browse the registry's families with their evidence and sources, and read each
rule set with its clauses."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from checker.web.render import page


def _registry(request: Request):  # noqa: ANN202 - the server's registry (through the on-disk cache)
    from checker.api import registry

    return registry(request.app.state.config.registry)


async def knowledge_page(request: Request) -> Response:
    """Every family of the registry and every rule set."""
    from checker.api import rule_sets

    reg = _registry(request)
    families = sorted(reg.families.values(), key=lambda f: f.root.name.casefold())
    rows = [{"id": f.id, "name": f.root.name, "status": f.status, "entities": len(f.entities),
             "categories": sorted({c for e in f.entities.values() for c in e.categories}),
             "agencies": sorted({a for e in f.entities.values() for a in e.agencies}),
             "evidence": sum(len(e.evidence) for e in f.entities.values()),
             "verified": f.last_verified.isoformat()} for f in families]
    configured = request.app.state.config.rules
    named = {rs.id: rs for rs in [*rule_sets(), *(rule_sets(list(configured)) if configured else [])]}
    return page(request, "knowledge.html", "knowledge", families=rows, registry_version=reg.version,
                rule_sets=sorted(named.values(), key=lambda rs: rs.id))


async def family_page(request: Request) -> Response:
    """One family: its tree, names, identifiers, evidence with sources, decoys."""
    reg = _registry(request)
    fam = reg.families.get(request.path_params["ident"])
    if fam is None:
        raise HTTPException(404)
    children: dict[str | None, list] = {}
    for e in fam.entities.values():
        children.setdefault(e.parent, []).append(e)
    tree: list[tuple[int, object]] = []

    def walk(e, depth: int) -> None:  # noqa: ANN001
        tree.append((depth, e))
        for child in children.get(e.id, []):
            walk(child, depth + 1)

    walk(fam.root, 0)
    return page(request, "family.html", "knowledge", fam=fam, tree=tree,
                summary=" ".join(fam.summary.split()))


async def ruleset_page(request: Request) -> Response:
    """One rule set: status, coverage, actions, waiver, definitions and each rule with its clause's text."""
    from checker.api import rule_sets
    from checker.formats.rules_view import KIND, show_ruleset

    configured = request.app.state.config.rules
    named = [*rule_sets(), *(rule_sets(list(configured)) if configured else [])]
    found = {rs.id: rs for rs in named}.get(request.path_params["ident"])
    if found is None:
        raise HTTPException(404)
    return page(request, "ruleset.html", "knowledge", rs=found, raw=found.raw, kinds=KIND,
                full=show_ruleset(found, _registry(request)))


routes = [Route("/registry", knowledge_page), Route("/registry/{ident}", family_page),
          Route("/rules/{ident}", ruleset_page)]
