"""A rule set for people: coverage, affiliates, waiver, definitions and rules, each with its source."""

from __future__ import annotations

from checker.knowledge.rulesets import RuleSet

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
    for key in ("agencies", "services", "actions"):
        out[f"coverage.{key}"] = ", ".join(d["coverage"][key])
    out["coverage.investments"] = "yes" if d["coverage"]["investments"] else "no"
    out["coverage.purpose_limited"] = "yes" if d["coverage"].get("purpose_limited") else "no"
    for key in ("self", "subsidiaries", "parents", "family"):
        out[f"affiliates.{key}"] = d["affiliates"][key]
    out["waiver.decided_by"] = d["waiver"]["decided_by"]
    out["waiver.standard"] = _flat(d["waiver"]["standard"])
    out["definitions"] = "; ".join(f"{x['term']} ({KIND[x['kind']]})" for x in d["definitions"])
    out["rules"] = "; ".join(f"{r.id} {r.applies_to}: {r.clause}" for r in rs.rules)
    return out


def diff_rulesets(a: RuleSet, b: RuleSet) -> list[list[str]]:
    """Rows ``[field, a's value, b's value]`` for every field that differs."""
    fa, fb = flatten(a), flatten(b)
    return [[k, fa[k], fb[k]] for k in fa if fa[k] != fb[k]]


def show_ruleset(rs: RuleSet) -> str:
    """Render a rule set as plain text; inherited fields say where they came from."""
    d = rs.raw
    cov, aff, w = d["coverage"], d["affiliates"], d["waiver"]
    out = [f"{rs.id}: {d['title']} — {d['jurisdiction']}"]
    if d.get("extends"):
        out.append(f"Extends: {d['extends']} (fields marked 'from …' are inherited)")
    out += [f"Citation: {rs.citation}",
           f"Status: {rs.status}; adopted {d['adopted']['date']} ({d['adopted']['confidence']}); "
           f"effective {d['effective']['date']} ({d['effective']['confidence']})",
           f"  adopted: {_flat(d['adopted']['note'])}",
           f"  effective: {_flat(d['effective']['note'])}",
           f"Text: {'verified' if rs.text_verified else 'NOT verified'} — {rs.text_note}", "",
           "Coverage:",
           f"  agencies: {', '.join(cov['agencies'])}{_from(rs, 'coverage.agencies')}",
           f"  services: {', '.join(cov['services'])}{_from(rs, 'coverage.services')}",
           f"  contract actions: {', '.join(cov['actions'])}{_from(rs, 'coverage.actions')}",
           f"  investments: {'yes' if cov['investments'] else 'no'}{_from(rs, 'coverage.investments')}"]
    if cov.get("note"):
        out.append(f"  note: {_flat(cov['note'])}")
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
