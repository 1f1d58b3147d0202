"""JSON report: the documented contract (``checker/schemas/report.schema.json``), streamed."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TextIO

from checker.formats.common import dollars_dict, judgement_dict, record_dict
from checker.models import Finding, Judgement
from checker.output import writes_utf8
from checker.service import Run

SCHEMA_VERSION = 1


_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # json.dumps of a str, in C


def finding_json(f: Finding) -> str:
    """One finding as JSON text, equal to ``json.dumps(finding_dict(f), ensure_ascii=False)``.

    The judged part is rendered once per shared judgement; only the row's own fields are encoded per row.
    """
    return _row_fields(f) + _judged(f.judgement) + "}"


def _judged(j: Judgement) -> str:
    """``, "verdict": ...`` to the end of the judged fields, rendered once per judgement."""
    judged = j.rendered.get("json")
    if judged is None:
        judged = j.rendered["json"] = ", " + json.dumps(judgement_dict(j), ensure_ascii=False)[1:-1]
    return judged


def _judged_bytes(j: Judgement) -> bytes:
    judged = j.rendered.get("json-utf8")
    if judged is None:
        judged = j.rendered["json-utf8"] = (_judged(j) + "}").encode("utf-8")
    return judged


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
BLOCK_BYTES = 1 << 20
"""Bytes of rows gathered before one write, when rows are written as bytes."""


def write_rows(findings: Iterable[Finding], out: TextIO, first: str = "") -> int:
    """Write findings as rows of the findings array (``first`` before the first, separators between them);
    how many. A second process judging a large file's later rows writes them this way.

    When ``out`` is a UTF-8 text file over a binary buffer (a file or stdout), rows go to the buffer as
    bytes in large blocks, the judged part encoded once per judgement: the same bytes, written faster.
    """
    binary = _utf8_buffer(out)
    count = 0
    if binary is None:
        for f in findings:
            out.write((first if not count else ROW_SEPARATOR) + finding_json(f))
            count += 1
        return count
    out.flush()  # what the text layer holds goes first
    block = bytearray()
    for f in findings:
        block += ((first if not count else ROW_SEPARATOR) + _row_fields(f)).encode("utf-8")
        block += _judged_bytes(f.judgement)
        count += 1
        if len(block) >= BLOCK_BYTES:
            binary.write(block)
            block = bytearray()
    binary.write(block)
    return count


def _utf8_buffer(out: TextIO):
    """``out``'s binary buffer when text written to it is UTF-8 with line breaks as they are, else None."""
    if not writes_utf8(out) or os.linesep != "\n" or getattr(out, "errors", "strict") != "strict":
        return None
    return getattr(out, "buffer", None)


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
