"""CSV report: one line per finding, one outcome column per rule set; formula cells neutralised."""

from __future__ import annotations

import csv
from typing import TextIO

from checker.formats.common import (
    citations_text,
    display_vendor,
    evidence_text,
    main_reason,
    neutralise_cell,
    sources_text,
)
from checker.service import Run


def render_csv(run: Run, out: TextIO, *, only_flagged: bool = False, show_individuals: bool = True) -> None:
    """Write the findings table as CSV (the summary goes to stderr, so the file stays a clean table)."""
    writer = csv.writer(out, lineterminator="\n")
    ids = [rs.id for rs in run.rulesets]
    writer.writerow(["row", "vendor", "verdict", "entity", "family", "relation", "matched_name", "score", "band",
                     *[f"{i} outcome" for i in ids], "reason", "citations", "evidence",
                     "sources", "product", "decision"])
    for f in run.findings:
        if only_flagged and not f.flagged:
            continue
        m = f.match
        outcomes = {r.rule_set: r.outcome for r in f.rules}
        cells = [str(f.record.row), display_vendor(f, show_individuals), f.verdict,
                 f.entity_name or "", f.family_name or "", f.relation or "", m.matched_name if m else "",
                 f"{m.score * 100:.1f}" if m else "", m.band if m else "",
                 *[outcomes.get(i, "") for i in ids], main_reason(f), citations_text(f), evidence_text(f),
                 sources_text(f), f.product or "", f.decision or ""]
        writer.writerow([neutralise_cell(c) for c in cells])
