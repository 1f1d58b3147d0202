"""JSON report: the documented contract (``checker/schemas/report.schema.json``), streamed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from checker.formats.common import dollars_dict, judgement_dict, record_dict
from checker.models import Finding, Judgement
from checker.output import write_judged_rows
from checker.service import Run

SCHEMA_VERSION = 1


_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # json.dumps of a str, in C


def finding_json(f: Finding) -> str:
    """One finding as JSON text, equal to ``json.dumps(finding_dict(f), ensure_ascii=False)``.

    The judged part is rendered once per shared judgement; only the row's own fields are encoded per row.
    """
    return _row_fields(f) + _judged_closed(f.judgement)


def _judged(j: Judgement) -> str:
    """``, "verdict": ...`` to the end of the judged fields, rendered once per judgement."""
    return j.rendering("json", lambda j: ", " + json.dumps(judgement_dict(j), ensure_ascii=False)[1:-1])


def _judged_closed(j: Judgement) -> str:
    return _judged(j) + "}"


def _row_fields(f: Finding) -> str:
    """``{"row": ...`` to the last of the row's own fields."""
    row, vendor, action, amount, department, day = f.brief()
    parts = ['{"row": ', str(row), ', "vendor": ', _string(vendor)]
    if action is not None:
        parts += [', "action": ', _string(action)]
    if amount is not None:
        parts += [', "amount": ', _string(amount)]
    if department is not None:
        parts += [', "department": ', _string(department)]
    if day is not None:
        parts += [', "date": "', day.isoformat(), '"']
    if f.security is not None:
        parts += [', "security": ', json.dumps(record_dict(f.record)["security"], ensure_ascii=False)]
    return "".join(parts)


ROW_SEPARATOR = ",\n  "


def write_rows(findings: Iterable[Finding], out: TextIO, first: str = "") -> int:
    """Write findings as rows of the findings array (``first`` before the first, separators between them);
    how many. A second process judging a large file's later rows writes them this way."""
    return write_judged_rows(findings, out, _row_fields, _judged_closed, "json-utf8", first, ROW_SEPARATOR)


def render_json(run: Run, out: TextIO, *, only_flagged: bool = False) -> None:
    """Write findings as they arrive, then the summary (JSON key order carries no meaning)."""
    head = {"schema_version": SCHEMA_VERSION, "tool": run.tool, "provenance": run.provenance()}
    out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ",\n \"findings\": [")
    rows = write_rows((f for f in run.findings if f.flagged or not only_flagged), out, "\n  ")
    if run.rendered_tail is not None and run.rendered_tail.write_to(out, ROW_SEPARATOR if rows else "\n  "):
        rows += 1  # and more: rows written by a second process
    first = rows == 0
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
