"""A rule set for people: coverage, affiliates, waiver, definitions and rules, each with its source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.knowledge.rulesets import RuleSet
from checker.model import ACTIONS

if TYPE_CHECKING:
    from checker.knowledge.registry import Registry

TREATED = {"covered": "covered", "review": "sent for review", "not_covered": "not covered",
           "until_changed": "reached when next changed", "check_contract": "check the contract behind it"}
BASIS = {"text": "the text", "report": "as reported", "inference": "inferred"}
STATUS = {"enacted": "enacted", "model": "a model: it binds no one", "proposed": "a proposal: it binds no one",
          "failed": "failed: it binds no one"}

KIND = {"verified_quotation": "verified quotation", "reported_quotation": "quotation as reported (text not seen)",
        "paraphrase": "paraphrase"}


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def _from(rs: RuleSet, *keys: str) -> str:
    """`` (from parent-id)`` when the field was inherited through ``extends:``."""
    for key in keys:
        src = rs.origin.get(key)
        if src is not None and src != rs.id:
            return f" (from {src})"
    return ""


def flatten(rs: RuleSet) -> dict[str, str]:
    """The resolved rule set as dotted fields with display values, for diffs."""
    d = rs.raw
    out = {"status": d["status"], "citation": rs.citation, "effective": f"{d['effective']['date']} "
           f"({d['effective']['confidence']})", "text verified": "yes" if rs.text_verified else "no"}
    if rs.window:
        out["effective.window"] = f"{rs.window[0]} to {rs.window[1]}"
    for key in ("agencies", "services"):
        out[f"coverage.{key}"] = ", ".join(d["coverage"][key])
    out["coverage.actions"] = ", ".join(sorted(rs.actions))
    out["coverage.investments"] = "yes" if d["coverage"]["investments"] else "no"
    for action, m in rs.action_table.items():
        out[f"actions.{action}"] = f"{m.treated_as} ({m.basis})"
    if rs.investing is not None:
        inv = rs.investing
        out["investing"] = (f"new purchase {inv.new_purchase}, existing holding {inv.existing_holding}"
                            if inv.known else "not known")
    out["coverage.purpose_limited"] = "yes" if d["coverage"].get("purpose_limited") else "no"
    for key in ("self", "subsidiaries", "parents", "family"):
        out[f"affiliates.{key}"] = d["affiliates"][key]
    out["waiver.decided_by"] = d["waiver"]["decided_by"]
    out["waiver.standard"] = _flat(d["waiver"]["standard"])
    out["definitions"] = "; ".join(f"{x['term']} ({KIND[x['kind']]})" for x in d["definitions"])
    out["rules"] = "; ".join(f"{r.id} {r.applies_to}: {r.clause}" for r in rs.rules)
    return out


def _services_without_vendors(rs: RuleSet, registry: Registry) -> list[str]:
    """The rule set's services that no registry evidence shows for one of its agencies."""
    found = {ev.category for fam in registry.families.values() for e in fam.entities.values() for ev in e.evidence
             if ev.agency in rs.agencies}
    return sorted(s.replace("_", " ") for s in rs.services - found)


def diff_rulesets(a: RuleSet, b: RuleSet) -> list[list[str]]:
    """Rows ``[field, a's value, b's value]`` for every field that differs."""
    fa, fb = flatten(a), flatten(b)
    return [[k, fa[k], fb[k]] for k in fa if fa[k] != fb[k]]


def show_ruleset(rs: RuleSet, registry: Registry | None = None) -> str:
    """Render a rule set as plain text; inherited fields say where they came from. With the registry, a covered
    service that no registry vendor provides is named (nothing can be found for it)."""
    d = rs.raw
    cov, aff, w = d["coverage"], d["affiliates"], d["waiver"]
    eff = d["effective"]
    out = [f"{rs.id}: {d['title']} — {d['jurisdiction']}"]
    if d.get("extends"):
        out.append(f"Extends: {d['extends']} (fields marked 'from …' are inherited)")
    out += [f"Citation: {rs.citation}",
            f"Status: {STATUS.get(rs.status, rs.status)}; adopted {d['adopted']['date']} "
            f"({d['adopted']['confidence']}); effective {eff['date']} ({eff['confidence']})"]
    if not rs.binding:
        out.append("  never applied by default; its verdicts say what the text would do (\"would be prohibited\")")
    out += [f"  adopted: {_flat(d['adopted']['note'])}", f"  effective: {_flat(eff['note'])}"]
    if rs.window:
        out.append(f"  effective date not verified: between {rs.window[0]} and {rs.window[1]}; any covered action "
                   f"in that window is sent for review{_from(rs, 'effective.window')}")
        out.append(f"    why: {_flat(eff['window']['basis'])}")
    out += [f"Text: {'verified' if rs.text_verified else 'NOT verified'} — {rs.text_note}", "",
            "Coverage:",
            f"  agencies: {', '.join(cov['agencies'])}{_from(rs, 'coverage.agencies')}",
            f"  services: {', '.join(cov['services'])}{_from(rs, 'coverage.services')}"]
    if cov.get("note"):
        out.append(f"  note: {_flat(cov['note'])}")
    missing = _services_without_vendors(rs, registry) if registry is not None else []
    if missing:
        out.append(f"  no registry vendor provides {', '.join(missing)} to {'/'.join(sorted(rs.agencies))}: "
                   "nothing can be flagged for it until the registry lists one")
    out += ["", "Contract actions (what each means here):"]
    for action in ACTIONS:
        m = rs.action_table[action]
        given = _from(rs, f"actions.{action}") if m.given else " [not in the rule set's table: the default]"
        out.append(f"  {action}: {TREATED[m.treated_as]} — {m.clause} ({BASIS[m.basis]}){given}")
        out.append(f"    {m.note}")
    inv = rs.investing
    out += ["", f"Investing{_from(rs, 'investing.known', 'investing.note')}:"]
    if inv is None or (inv.known and not cov["investments"]):
        out.append("  no investment provision" + (f": {inv.note}" if inv is not None and inv.note else ""))
    elif not inv.known:
        out.append(f"  not known: holdings are sent for review. {inv.note}")
    else:
        basis = f" ({BASIS[inv.basis]})" if inv.basis else ""
        out.append(f"  new purchase: {inv.new_purchase}; existing holding: {inv.existing_holding} — "
                   f"{inv.clause or ''}{basis}")
        if inv.note:
            out.append(f"    {inv.note}")
    out += ["", "Affiliates (who holds the ICE link → what happens):",
            *(f"  {k}: {aff[k]}{_from(rs, 'affiliates.' + k)}" for k in ("self", "subsidiaries", "parents", "family")),
            f"  note: {_flat(aff['note'])}", "",
            f"Waiver ({KIND[w['kind']]}): {_flat(w['standard'])}{_from(rs, 'waiver.standard')}",
            f"  requested by: {w.get('requested_by', 'not stated')}; decided by: {w['decided_by']}"]
    out += [f"  factor: {f}" for f in w.get("factors", [])]
    out += [f"  source: {w['source']['title']} <{w['source']['url']}>", "", f"Definitions{_from(rs, 'definitions')}:"]
    for df in d["definitions"]:
        out.append(f"  {df['term']} ({KIND[df['kind']]}): {_flat(df['text'])}")
        out.append(f"    source: {df['source']['title']} <{df['source']['url']}>")
    out += ["", f"Rules{_from(rs, 'rules')}:"]
    for r in rs.rules:
        out.append(f"  {r.id} [{r.applies_to}] {r.clause} ({KIND[r.kind]}) → {r.severity}")
        out.append(f"    {r.message}")
        if r.text:
            out.append(f"    text: {_flat(r.text)}")
        out.append(f"    source: <{r.source_url}>")
    out += ["", "Sources:", *(f"  {s['title']} <{s['url']}>" for s in d["sources"]),
            "", f"File: {rs.path} (sha256 {rs.sha256[:16]}…). Not legal advice."]
    return "\n".join(out)
