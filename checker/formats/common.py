"""What every format shares: the finding as data, the summary paragraph and the provenance line."""

from __future__ import annotations

from collections import Counter
from typing import Any

from checker.api import Run
from checker.formats.listing import differences_sentence
from checker.model import NOT_COVERED_CAUSES, VERDICTS, Dollars, Finding, Judgement, Record, RuleOutcome

PERSON_PLACEHOLDER = "(individual payee)"
WOULD = {"prohibited": "would be prohibited", "potential_violation": "would need review",
         "possible_match": "possible match", "waived": "would be waived", "grandfathered": "would be grandfathered",
         "not_covered": "would not be covered", "clear": "clear"}
"""A verdict under a text that binds no one (a model, a proposal, a failed bill): what the text would do."""
STATUS_WORDS = {"enacted": "an enacted ordinance", "model": "a model ordinance", "proposed": "a proposal",
                "failed": "a bill that failed"}
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
    if j.hypothetical:
        out["hypothetical"] = True
        out["verdict_words"] = verdict_words(j)
    if j.cause:
        out["cause"] = j.cause
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
                     "clause_url": r.clause_url, **({"waiver": r.waiver} if r.waiver else {}),
                     **({"cause": r.cause} if r.cause else {}), **({} if r.binding else {"binding": False})}
                    for r in j.rules]
    return out


def verdict_words(j: Finding | Judgement) -> str:
    """The verdict as reports show it: ``potential_violation``, or for a judgement made only under texts that bind
    no one, what they would do: ``would be prohibited under deportice-model``."""
    if not j.hypothetical:
        return j.verdict
    deciding = j.deciding
    return WOULD[j.verdict] + (f" under {deciding.rule_set}" if deciding and j.verdict != "clear" else "")


def outcome_words(r: RuleOutcome) -> str:
    """One rule set's outcome as reports show it (``would be prohibited`` for a text that binds no one)."""
    return r.outcome if r.binding else WOULD[r.outcome]


def cause_words(cause: str | None) -> str:
    """Why a registry vendor is not covered, in words (empty for none)."""
    return NOT_COVERED_CAUSES.get(cause, cause or "") if cause else ""


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
    """The reason given by the rule set that decided the verdict (``Judgement.deciding``)."""
    deciding = f.deciding
    if deciding is None:
        return f.note or ""
    return f"[{deciding.rule_set}] {deciding.reason}"


def rule_set_reasons(f: Finding | Judgement, rule_set_ids: list[str]) -> list[str]:
    """Each rule set's reason, in the order of ``rule_set_ids`` (for one column per rule set)."""
    reasons = {r.rule_set: r.reason for r in f.rules}
    return [reasons.get(i, "") for i in rule_set_ids]


def rules_phrase(run: Run) -> str:
    """Which rule sets were applied, and whether by default."""
    ids = ", ".join(rs.id for rs in run.rulesets)
    if run.default_rules:
        return f"{ids} (every bundled enacted rule set; choose others with --rules)"
    return ids


def binding_note(run: Run) -> str:
    """Which of the run's rule sets bind no one, and what that means for the verdicts (empty when all bind)."""
    others = [rs for rs in run.rulesets if not rs.binding]
    if not others:
        return ""
    named = "; ".join(f"{rs.id} is {STATUS_WORDS.get(rs.status, rs.status)}" for rs in others)
    binds = "it binds" if len(others) == 1 else "they bind"
    if len(others) == len(run.rulesets):
        return (f"Hypothetical: {named}; {binds} no one, so every verdict says what the text would do "
                "(\"would be prohibited\"), never what the law requires.")
    return f"{named}: {binds} no one, so {'its' if len(others) == 1 else 'their'} outcomes say what " \
           "the text would do and decide no verdict."


def causes_phrase(counts: Counter[str] | dict[str, int]) -> str:
    """``12 before the effective date, 3 service not covered`` (most first), or empty."""
    return ", ".join(f"{n:,} {cause_words(cause)}" for cause, n in Counter(counts).most_common() if n)


def actions_phrase(s: Any) -> str:
    """The contract-action values no rule set knows, with their counts, and how to map them (or empty)."""
    if not s.unrecognised_actions:
        return ""
    top = ", ".join(f"{value!r} ({n:,} rows)" for value, n in s.unrecognised_actions.most_common(10))
    more = len(s.unrecognised_actions) - 10
    return (f"Contract actions not recognised: {top}{f' and {more:,} more' if more > 0 else ''}; rows of covered "
            "vendors with them are sent for review. Map a city's own words with --map-action VALUE=ACTION.")


def summary_paragraph(run: Run, subject: str) -> str:
    """One paragraph for people: what was judged, under which rules, with what result."""
    s = run.summary
    counts = s.verdict_counts()
    words = WOULD if all(not rs.binding for rs in run.rulesets) and run.rulesets else {}
    parts = [f"{counts[v]:,} {words.get(v, v.replace('_', ' '))}" for v in VERDICTS]
    text = (f"{subject}: {s.rows:,} rows under {rules_phrase(run)}, as of {run.as_of.isoformat()}. "
            f"Verdicts: {', '.join(parts)}.")
    if s.not_covered_by_cause:
        text += f" Not covered, by cause: {causes_phrase(s.not_covered_by_cause)}."
    if actions_phrase(s):
        text += " " + actions_phrase(s)
    if binding_note(run):
        text += " " + binding_note(run)
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
    if differences_sentence(s):
        text += " " + differences_sentence(s)
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
    project = f"; project file {p['project']}" if p.get("project") else ""
    m = p["matcher"]
    return (f"Provenance: sanctuary-check {run.tool['version']}; registry {p['registry_version']} "
            f"({len(run.registry.families)} families); rules {rules}{inp}; matcher {m['profile']} "
            f"(match ≥ {m['match_threshold'] * 100:.0f}, review ≥ {m['review_threshold'] * 100:.0f}){project}.")


FORMULA_FIRST = frozenset("=+-@\t\r")
"""First characters of a cell a spreadsheet would run as a formula (``neutralise_cell``)."""


def neutralise_cell(value: str) -> str:
    """Prefix cells a spreadsheet would run as a formula (=, +, -, @, tab, CR) with an apostrophe."""
    if value and value[0] in FORMULA_FIRST:
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
            "top_flagged_vendors": dict(list(money(d.flagged_by_vendor).items())[:TOP_VENDORS]),
            **({"not_covered_by_cause": money(d.not_covered_by_cause)} if d.not_covered_by_cause else {})}


def dollars_tables(d: Dollars, tablefmt: str) -> str:
    """Dollar totals for people: by verdict, paid to each registry family, top flagged vendors."""
    from tabulate import tabulate

    parts = [f"Payments: ${d.total:,.2f} over {d.rows:,} rows with an amount"
             + (f" ({d.unreadable:,} amounts could not be read)." if d.unreadable else ".")]
    sections = [("Verdict", d.by_verdict), ("Paid to registry family", d.by_family),
                ("Flagged, by department", d.flagged_by_department),
                ("Flagged, by fiscal year", d.flagged_by_fiscal_year), ("Top flagged vendors", d.flagged_by_vendor),
                ("Not covered, by cause", Counter({cause_words(k): v for k, v in d.not_covered_by_cause.items()}))]
    for title, counter in sections:
        rows = [[k, f"${v:,.2f}"] for k, v in counter.most_common(TOP_VENDORS)]
        if rows and not (title.startswith("Flagged, by") and len(counter) == 1 and next(iter(counter)).startswith("(")):
            parts.append(tabulate(rows, headers=[title, "Amount"], tablefmt=tablefmt, disable_numparse=True))
    return "\n\n".join(parts)
