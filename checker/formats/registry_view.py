"""Registry views for people and machines: a family tree with its evidence, and entity exports."""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

from checker.knowledge.registry import Entity, Registry


def entity_dict(reg: Registry, e: Entity) -> dict[str, Any]:
    """An entity with all its names, for export and comparison with other matchers."""
    return {
        "id": e.id, "name": e.name, "family": e.family_id, "family_status": reg.families[e.family_id].status,
        "parent": e.parent, "relation": e.relation, "aliases": list(e.aliases), "weak_aliases": list(e.weak_aliases),
        "former_names": list(e.former_names), "products": list(e.products), "categories": list(e.categories),
        "agencies": list(e.agencies),
        "identifiers": [{"type": i.type, "value": i.value, "source": i.source.cite()} for i in e.identifiers],
        "evidence": [{"what": ev.what, "agency": ev.agency, "category": ev.category,
                      "category_why": ev.category_why, "awards": list(ev.awards),
                      "award_pages": {piid: url for piid, url in ev.award_urls() if url},
                      "start": ev.start.isoformat(), "end": ev.end.isoformat() if ev.end else None,
                      "ended": ev.ended.date.isoformat() if ev.ended else None,
                      "confidence": ev.confidence, "sources": [s.cite() for s in ev.sources]} for ev in e.evidence],
        "sources": [s.cite() for s in e.sources],
    }


def _tree(reg: Registry, family_id: str) -> list[str]:
    fam = reg.families[family_id]
    children: dict[str | None, list[Entity]] = {}
    for e in fam.entities.values():
        children.setdefault(e.parent, []).append(e)
    lines: list[str] = []

    def walk(e: Entity, depth: int) -> None:
        extra = f", acquired {e.acquired}" if e.acquired else ""
        cats = ", ".join(e.categories) or "-"
        lines.append(f"{'  ' * depth}{'└ ' if depth else ''}{e.name} [{e.id}] ({e.relation}{extra}; {cats}; "
                     f"{', '.join(e.agencies) or '-'})")
        for child in children.get(e.id, []):
            walk(child, depth + 1)

    walk(fam.root, 0)
    return lines


def show_family(reg: Registry, family_id: str) -> str:
    """The family tree, names, identifiers and an evidence table with sources."""
    fam = reg.families[family_id]
    out = [f"{fam.root.name} — family {fam.id} ({fam.status}; last verified {fam.last_verified.isoformat()})",
           " ".join(fam.summary.split()), "", "Family tree:", *_tree(reg, family_id), "", "Names:"]
    for e in fam.entities.values():
        names = [*e.aliases, *(f"{n} (former)" for n in e.former_names), *(f"{p} (product)" for p in e.products),
                 *(f"{w} (weak: exact only)" for w in e.weak_aliases)]
        out.append(f"  {e.id}: {'; '.join(names) or e.name}")
        for i in e.identifiers:
            out.append(f"    {i.type} {i.value} — {i.source.cite()}")
        for s in e.sources:
            out.append(f"    source: {s.cite()}")
    rows = [[e.id, ev.agency, f"{ev.category}: {ev.category_why}" if ev.category_why else ev.category, ev.what,
             ", ".join(ev.awards) or "-",
             f"{ev.start.isoformat()}–{ev.end.isoformat() if ev.end else 'open'}"
             + (f" (ended {ev.ended.date.isoformat()})" if ev.ended else ""),
             ev.confidence, "; ".join(s.cite() for s in ev.sources)]
            for e in fam.entities.values() for ev in e.evidence]
    out += ["", "Evidence:", tabulate(rows, headers=["entity", "agency", "category", "what", "awards", "period",
                                                     "confidence", "sources"],
                                      maxcolwidths=[None, None, 40, 40, 20, None, None, 50])]
    pages = [f"  {piid}: {url}" for e in fam.entities.values() for ev in e.evidence
             for piid, url in ev.award_urls() if url]
    if pages:
        out += ["", "Award pages (USAspending):", *dict.fromkeys(pages)]
    if fam.decoys:
        out += ["", "Known decoys (never this family):"]
        out += [f"  {d.name}: {d.why}" for d in fam.decoys]
    out += ["", f"Source file: {fam.path} (sha256 {fam.sha256[:16]}…)"]
    return "\n".join(out)
