"""A rule set for people: coverage, affiliates, waiver, definitions and rules, each with its source."""

from __future__ import annotations

from checker.rulesets import RuleSet

KIND = {"verified_quotation": "verified quotation", "reported_quotation": "quotation as reported (text not seen)",
        "paraphrase": "paraphrase"}


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def show_ruleset(rs: RuleSet) -> str:
    """Render a rule set as plain text."""
    d = rs.raw
    cov, aff, w = d["coverage"], d["affiliates"], d["waiver"]
    out = [f"{rs.id}: {d['title']} — {d['jurisdiction']}",
           f"Citation: {rs.citation}",
           f"Status: {rs.status}; adopted {d['adopted']['date']} ({d['adopted']['confidence']}); "
           f"effective {d['effective']['date']} ({d['effective']['confidence']})",
           f"  adopted: {_flat(d['adopted']['note'])}",
           f"  effective: {_flat(d['effective']['note'])}",
           f"Text: {'verified' if rs.text_verified else 'NOT verified'} — {rs.text_note}", "",
           "Coverage:",
           f"  agencies: {', '.join(cov['agencies'])}",
           f"  services: {', '.join(cov['services'])}",
           f"  contract actions: {', '.join(cov['actions'])}",
           f"  investments: {'yes' if cov['investments'] else 'no'}"]
    if cov.get("note"):
        out.append(f"  note: {_flat(cov['note'])}")
    out += ["", "Affiliates (who holds the ICE link → what happens):",
            *(f"  {k}: {aff[k]}" for k in ("self", "subsidiaries", "parents", "family")),
            f"  note: {_flat(aff['note'])}", "",
            f"Waiver ({KIND[w['kind']]}): {_flat(w['standard'])}",
            f"  requested by: {w.get('requested_by', 'not stated')}; decided by: {w['decided_by']}"]
    out += [f"  factor: {f}" for f in w.get("factors", [])]
    out += [f"  source: {w['source']['title']} <{w['source']['url']}>", "", "Definitions:"]
    for df in d["definitions"]:
        out.append(f"  {df['term']} ({KIND[df['kind']]}): {_flat(df['text'])}")
        out.append(f"    source: {df['source']['title']} <{df['source']['url']}>")
    out += ["", "Rules:"]
    for r in rs.rules:
        out.append(f"  {r.id} [{r.applies_to}] {r.clause} ({KIND[r.kind]}) → {r.severity}")
        out.append(f"    {r.message}")
        if r.text:
            out.append(f"    text: {_flat(r.text)}")
        out.append(f"    source: <{r.source_url}>")
    out += ["", "Sources:", *(f"  {s['title']} <{s['url']}>" for s in d["sources"]),
            "", f"File: {rs.path} (sha256 {rs.sha256[:16]}…). Not legal advice."]
    return "\n".join(out)
