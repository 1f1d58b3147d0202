"""Excel report: Findings, Review (possible matches), Summary and Method sheets; cells are values, never formulas."""

from __future__ import annotations

from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from checker.formats.common import (
    DISCLAIMER,
    citations_text,
    display_vendor,
    dollars_dict,
    evidence_text,
    main_reason,
    neutralise_cell,
    provenance_line,
    rules_phrase,
    sources_text,
)
from checker.matcher import MATCH_THRESHOLD, PROFILE, REVIEW_THRESHOLD
from checker.models import VERDICTS, Finding
from checker.service import Run

METHOD = [
    ("What this is", "A screen of each row against sanctuary-contracting rule sets and a registry of companies "
                     "that provide U.S. immigration enforcement with data broker or extreme vetting services. "
                     + DISCLAIMER),
    ("Verdict", "The most severe outcome over the rule sets: prohibited > potential_violation > possible_match > "
                "waived > grandfathered > not_covered > clear."),
    ("Bands", f"Names scoring {MATCH_THRESHOLD * 100:.0f} or more are matches; {REVIEW_THRESHOLD * 100:.0f} to "
              f"{MATCH_THRESHOLD * 100:.0f} are possible matches a person must confirm (sheet 'Review'). "
              f"Matcher profile {PROFILE}."),
    ("How to read a row", "Entity is the registry company the vendor name matched and Family its corporate group; "
                          "Reason explains the most severe outcome; Citations give the clauses; Evidence lists the "
                          "federal awards or published sources relied on."),
]


def _cell(ws, value, bold: bool = False) -> WriteOnlyCell:
    text = value if not isinstance(value, str) else neutralise_cell(value)
    cell = WriteOnlyCell(ws, value=text)
    if isinstance(text, str):
        cell.data_type = "s"  # a value, never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def _row(ws, values, bold: bool = False) -> None:
    ws.append([_cell(ws, v, bold) for v in values])


def render_xlsx(run: Run, out: BinaryIO, *, only_flagged: bool = False, show_individuals: bool = False) -> None:
    """Write the workbook (this format holds every finding in memory until the file is saved)."""
    wb = Workbook(write_only=True)
    findings_ws, review_ws = wb.create_sheet("Findings"), wb.create_sheet("Review")
    ids = [rs.id for rs in run.rulesets]
    header = ["Row", "Vendor", "Verdict", "Entity", "Family", "Relation", "Matched name", "Score",
              *[f"{i} outcome" for i in ids], "Reason", "Citations", "Evidence", "Sources"]
    _row(findings_ws, header, bold=True)
    _row(review_ws, header, bold=True)
    for f in run.findings:
        if only_flagged and not f.flagged:
            continue
        values = _values(f, ids, show_individuals)
        _row(findings_ws, values)
        if f.verdict == "possible_match":
            _row(review_ws, values)
    summary_ws = wb.create_sheet("Summary")
    s = run.summary
    _row(summary_ws, ["Rows read", s.rows], bold=False)
    _row(summary_ws, ["Rule sets", rules_phrase(run)])
    for v in VERDICTS:
        _row(summary_ws, [v, s.by_verdict.get(v, 0)])
    _row(summary_ws, ["Skipped rows", len(s.skipped)])
    for k in s.skipped:
        _row(summary_ws, [f"row {k.row}", k.reason])
    if s.dollars.rows:
        _row(summary_ws, ["Payments total", round(s.dollars.total, 2)])
        for title, table in dollars_dict(s.dollars).items():
            if isinstance(table, dict) and table:
                _row(summary_ws, [title.replace("_", " ").capitalize()], bold=True)
                for key, amount in table.items():
                    _row(summary_ws, [key, amount])
    method_ws = wb.create_sheet("Method")
    p = run.provenance()
    rows = METHOD + [("Registry version", p["registry_version"]), ("Registry sha256", p["registry_sha256"])]
    rows += [(f"Rule set {r['id']}", f"sha256 {r['sha256']}; text verified: {r['text_verified']}") for r in p["rules"]]
    rows += [("As of", p["as_of"]), ("Provenance", provenance_line(run))]
    for key, value in rows:
        _row(method_ws, [key, value])
    wb.save(out)


def _values(f: Finding, ids: list[str], show_individuals: bool) -> list:
    m = f.match
    outcomes = {r.rule_set: r.outcome for r in f.rules}
    return [f.record.row, display_vendor(f, show_individuals), f.verdict, f.entity_name or "", f.family_name or "",
            f.relation or "", m.matched_name if m else "", round(m.score * 100, 1) if m else "",
            *[outcomes.get(i, "") for i in ids], main_reason(f),
            citations_text(f), evidence_text(f), sources_text(f)]
