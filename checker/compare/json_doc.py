"""The comparison as JSON (``checker/knowledge/schemas/compare.schema.json``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, TextIO

from checker import __version__
from checker.compare.diff import Comparison, Totals, VendorChange
from checker.compare.report import Report
from checker.compare.sections import report_name

SCHEMA_VERSION = 1


def comparison_dict(cmp: Comparison) -> dict[str, Any]:
    """The whole comparison as a JSON-ready object."""
    shareable = cmp.old.shareable or cmp.new.shareable
    return {
        "schema_version": SCHEMA_VERSION, "tool": {"name": "sanctuary-check", "version": __version__},
        "kind": "comparison",
        "old": _report(cmp.old, shareable), "new": _report(cmp.new, shareable),
        "cautions": list(cmp.cautions), "flagged_only": cmp.flagged_only, "shareable": shareable,
        "counts": cmp.counts(), "individual_payees_withheld": dict(cmp.withheld),
        "vendors": [_vendor(v) for v in cmp.vendors],
        "families": [{"family": f.family, "old": {"rows": f.old_rows, "paid": f.old_dollars, "flagged": f.old_flagged},
                      "new": {"rows": f.new_rows, "paid": f.new_dollars, "flagged": f.new_flagged},
                      "change": round(f.change, 2), "flagged_change": round(f.flagged_change, 2)}
                     for f in cmp.families],
        "totals": {"old": _totals(cmp.old_totals), "new": _totals(cmp.new_totals),
                   "change": {"matched": round(cmp.new_totals.matched - cmp.old_totals.matched, 2),
                              "flagged": round(cmp.new_totals.flagged - cmp.old_totals.flagged, 2)}},
    }


def write_json(cmp: Comparison, out: TextIO) -> None:
    out.write(json.dumps(comparison_dict(cmp), ensure_ascii=False, indent=1) + "\n")


def _report(r: Report, shareable: bool) -> dict[str, Any]:
    source = r.input_name
    if shareable and source:
        from pathlib import Path

        source = Path(source).name
    return {"path": report_name(r, shareable), "input": source, "rows": r.rows_read, "listed": r.listed,
            "shareable": r.shareable, "as_of": r.as_of,
            "rule_sets": [{"id": i, "sha256": h} for i, h in r.rule_sets],
            "registry_version": r.registry, "registry_sha256": r.registry_sha256, "matcher": r.matcher,
            "tool_version": r.tool_version}


def _vendor(v: VendorChange) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": v.kind, "vendor": v.vendor,
                           "old": asdict(v.old) if v.old else None, "new": asdict(v.new) if v.new else None,
                           "dollar_change": round(v.dollar_change, 2)}
    if v.before:
        out["in_other_report"] = v.before
    if v.changes:
        out["changes"] = list(v.changes)
    return out


def _totals(t: Totals) -> dict[str, Any]:
    return {"paid": None if t.paid is None else round(t.paid, 2), "matched": t.matched, "flagged": t.flagged}
