"""JSON report: the documented contract (``checker/schemas/report.schema.json``), streamed."""

from __future__ import annotations

import json
from typing import TextIO

from checker.formats.common import dollars_dict, finding_dict
from checker.service import Run

SCHEMA_VERSION = 1


def render_json(run: Run, out: TextIO, *, only_flagged: bool = False) -> None:
    """Write findings as they arrive, then the summary (JSON key order carries no meaning)."""
    head = {"schema_version": SCHEMA_VERSION, "tool": run.tool, "provenance": run.provenance()}
    out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ",\n \"findings\": [")
    first = True
    for f in run.findings:
        if only_flagged and not f.flagged:
            continue
        out.write(("\n  " if first else ",\n  ") + json.dumps(finding_dict(f), ensure_ascii=False))
        first = False
    s = run.summary
    summary = {"rows": s.rows, "skipped": [{"row": k.row, "reason": k.reason} for k in s.skipped],
               "by_verdict": s.verdict_counts(), "individual_payees": s.persons,
               "rule_sets": [rs.id for rs in run.rulesets], "default_rule_sets": run.default_rules,
               "only_flagged": only_flagged, "shareable": run.shareable}
    if s.ragged:
        summary["ragged_rows"] = {"count": s.ragged, "rows": s.ragged_rows}
    if s.dollars.rows or s.dollars.unreadable:
        summary["dollars"] = dollars_dict(s.dollars)
    if s.value_total:
        summary["market_value"] = {"total": round(s.value_total, 2), "flagged": round(s.value_flagged, 2),
                                   "flagged_share": round(s.value_flagged / s.value_total, 4),
                                   "flagged_by_family": {k: round(v, 2) for k, v in s.value_by_family.most_common()}}
    out.write(("\n " if not first else "") + "],\n \"summary\": " + json.dumps(summary, ensure_ascii=False) + "\n}\n")
