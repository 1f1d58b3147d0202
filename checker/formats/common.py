"""What every format shares: the finding as data, the summary paragraph and the provenance line."""

from __future__ import annotations

from collections import Counter
from typing import Any

from checker.api import Run
from checker.model import VERDICTS, Dollars, Finding, Judgement, Record

PERSON_PLACEHOLDER = "(individual payee)"
DISCLAIMER = "Not legal advice: confirm findings against the ordinance text and the contract file."


def record_dict(r: Record) -> dict[str, Any]:
    """The row's own fields of a finding in the JSON contract."""
    out: dict[str, Any] = {"row": r.row, "vendor": r.vendor}
    for key in ("action", "amount", "department"):
        value = getattr(r, key)
        if value is not None:
            out[key] = value
    if r.date is not None:
        out["date"] = r.date.isoformat()
    if r.security is not None:
        out["security"] = {k: v for k, v in vars(r.security).items() if v is not None}
    return out


def judgement_dict(j: Judgement) -> dict[str, Any]:
    """The judged fields of a finding in the JSON contract (shared by rows with the same judgement)."""
    out: dict[str, Any] = {"verdict": j.verdict, "match": None}
    if j.match is not None:
        m = j.match
        out["match"] = {
            "entity": {"id": m.entity_id, "name": j.entity_name},
            "family": {"id": j.family_id, "name": j.family_name},
            "relation": j.relation, "matched_name": m.matched_name, "name_kind": m.kind,
            "score": round(m.score * 100, 1), "band": m.band, "explanation": m.explanation,
        }
    if j.note:
        out["note"] = j.note
    if j.product:
        out["product"] = j.product
    if j.decision:
        out["decision"] = j.decision
    if j.person:
        out["individual"] = True
    if j.identifier:
        out["identifier"] = j.identifier
    out["rules"] = [{"rule_set": r.rule_set, "rule": r.rule, "citation": r.citation, "outcome": r.outcome,
                     "reason": r.reason, "evidence": list(r.evidence), "text_verified": r.text_verified,
                     **({"sources": list(r.sources)} if r.sources else {}),
                     "clause_url": r.clause_url, **({"waiver": r.waiver} if r.waiver else {})}
                    for r in j.rules]
    return out


def display_vendor(f: Finding, show_individuals: bool) -> str:
    """The vendor as shown to people: individuals are not named unless asked."""
    return f.record.vendor if (show_individuals or not f.person) else PERSON_PLACEHOLDER


def citations_text(f: Finding | Judgement) -> str:
    """The clauses behind a finding's non-clear outcomes: ``BMC 13.105.030(A)``."""
    return "; ".join(sorted({r.citation for r in f.rules if r.outcome != "clear"}))


def evidence_text(f: Finding | Judgement) -> str:
    """The registry evidence behind a finding, one item per ``|``."""
    return " | ".join(dict.fromkeys(e for r in f.rules for e in r.evidence))


def sources_text(f: Finding | Judgement) -> str:
    """Where the evidence and the clauses come from (URLs, award ids, datasets), one per ``|``."""
    cited = [s for r in f.rules for s in r.sources]
    clauses = [f"{r.citation}: {r.clause_url}" for r in f.rules if r.clause_url and r.outcome != "clear"]
    return " | ".join(dict.fromkeys(cited + clauses))


def match_text(f: Finding | Judgement) -> str:
    """``West Publishing Corporation (Thomson Reuters family), 100`` or ``-``."""
    if f.match is None:
        return "-"
    fam = "" if f.family_id == f.match.entity_id else f" ({f.family_name} family)"
    band = "" if f.match.band == "match" else ", possible"
    return f"{f.entity_name}{fam}, score {f.match.score * 100:.0f}{band}"


def main_reason(f: Finding | Judgement) -> str:
    """The reason given by the rule set with the most severe outcome."""
    worst = next((r for r in f.rules if r.outcome == f.verdict), None)
    if worst is None:
        return f.note or ""
    return f"[{worst.rule_set}] {worst.reason}"


def rules_phrase(run: Run) -> str:
    """Which rule sets were applied, and whether by default."""
    ids = ", ".join(rs.id for rs in run.rulesets)
    if run.default_rules:
        return f"{ids} (every bundled enacted rule set; choose others with --rules)"
    return ids


def summary_paragraph(run: Run, subject: str) -> str:
    """One paragraph for people: what was judged, under which rules, with what result."""
    s = run.summary
    counts = s.verdict_counts()
    parts = [f"{counts[v]:,} {v.replace('_', ' ')}" for v in VERDICTS]
    text = (f"{subject}: {s.rows:,} rows under {rules_phrase(run)}, as of {run.as_of.isoformat()}. "
            f"Verdicts: {', '.join(parts)}.")
    if s.skipped_count:
        reasons: dict[str, list[int]] = {}
        for sk in s.skipped:
            reasons.setdefault(sk.reason, []).append(sk.row)
        skipped = "; ".join(f"{r} (row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows[:10]))}"
                            f"{f'…; {s.skipped_by_reason[r]:,} in all' if s.skipped_by_reason[r] > 10 else ''})"
                            for r, rows in reasons.items())
        text += f" Skipped {s.skipped_count:,}: {skipped}."
    else:
        text += " No rows skipped."
    if s.ragged:
        listed = ", ".join(map(str, s.ragged_rows[:10])) + ("…" if s.ragged > 10 else "")
        text += (f" {s.ragged:,} row{'s' if s.ragged > 1 else ''} had a different number of cells from the header "
                 f"(row{'s' if s.ragged > 1 else ''} {listed}); judged with the cells present.")
    if s.persons:
        rows = "row is an individual payee" if s.persons == 1 else "rows are individual payees"
        listed = "counted, not listed" if run.shareable else "not named here"
        text += f" {s.persons:,} {rows} (never matched to companies, {listed})."
    for rs in run.rulesets:
        if not rs.text_verified:
            text += f" Caution: {rs.id}: {rs.text_note}"
    return text + " " + DISCLAIMER


def provenance_line(run: Run) -> str:
    """One line naming the tool, registry, rule and input versions."""
    p = run.provenance()
    rules = ", ".join(f"{r['id']}@{r['sha256'][:12]}" for r in p["rules"])
    inp = f"; input sha256 {p['input']['sha256'][:16]}…" if p["input"] else ""
    m = p["matcher"]
    return (f"Provenance: sanctuary-check {run.tool['version']}; registry {p['registry_version']} "
            f"({len(run.registry.families)} families); rules {rules}{inp}; matcher {m['profile']} "
            f"(match ≥ {m['match_threshold'] * 100:.0f}, review ≥ {m['review_threshold'] * 100:.0f}).")


def neutralise_cell(value: str) -> str:
    """Prefix cells a spreadsheet would run as a formula (=, +, -, @, tab, CR) with an apostrophe."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


TOP_VENDORS = 10


def dollars_dict(d: Dollars) -> dict[str, Any]:
    """Payment totals for the JSON summary (rounded to cents; largest first)."""
    def money(c: Counter[str]) -> dict[str, float]:
        return {k: round(v, 2) for k, v in c.most_common()}

    return {"total": round(d.total, 2), "rows_with_amount": d.rows, "unreadable_amounts": d.unreadable,
            "by_verdict": money(d.by_verdict), "by_family": money(d.by_family),
            "flagged_by_department": money(d.flagged_by_department),
            "flagged_by_fiscal_year": money(d.flagged_by_fiscal_year),
            "top_flagged_vendors": dict(list(money(d.flagged_by_vendor).items())[:TOP_VENDORS])}


def dollars_tables(d: Dollars, tablefmt: str) -> str:
    """Dollar totals for people: by verdict, paid to each registry family, top flagged vendors."""
    from tabulate import tabulate

    parts = [f"Payments: ${d.total:,.2f} over {d.rows:,} rows with an amount"
             + (f" ({d.unreadable:,} amounts could not be read)." if d.unreadable else ".")]
    sections = [("Verdict", d.by_verdict), ("Paid to registry family", d.by_family),
                ("Flagged, by department", d.flagged_by_department),
                ("Flagged, by fiscal year", d.flagged_by_fiscal_year), ("Top flagged vendors", d.flagged_by_vendor)]
    for title, counter in sections:
        rows = [[k, f"${v:,.2f}"] for k, v in counter.most_common(TOP_VENDORS)]
        if rows and not (title.startswith("Flagged, by") and len(counter) == 1 and next(iter(counter)).startswith("(")):
            parts.append(tabulate(rows, headers=[title, "Amount"], tablefmt=tablefmt, disable_numparse=True))
    return "\n\n".join(parts)
