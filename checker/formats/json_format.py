"""JSON report: the documented contract (``checker/knowledge/schemas/report.schema.json``), streamed.

Findings are written as they are judged (each with the input row's own cells); the summary, the per-vendor
roll-up (``vendors``) and the provenance (with the SHA-256 of the input's bytes
as they were read) follow them. The part of a finding that depends only on its judgement is encoded once per
judgement; only the row's own fields are encoded for each row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TextIO

from checker.api import Run
from checker.formats import View
from checker.formats.common import dollars_dict, judgement_dict, record_dict
from checker.formats.listing import files_dicts, input_columns, row_cells, shown_lines, stated_dicts, vendor_dict
from checker.formats.output import write_judged_rows
from checker.formats.rendered import PerJudgement
from checker.model import Finding, Judgement

SCHEMA_VERSION = 1
ROW_SEPARATOR = ",\n  "

_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # json.dumps of a str, in C


def _judged(j: Judgement) -> str:
    """``, "verdict": ...`` to the end of the judged fields, closing the finding's object."""
    return ", " + json.dumps(judgement_dict(j), ensure_ascii=False)[1:-1] + "}"


def _row_fields(f: Finding) -> str:
    """``{"row": ...`` to the last of the row's own fields (the input's own cells apart: ``JsonRows``)."""
    r = f.record
    parts = ['{"row": ', str(r.row), ', "vendor": ', _string(r.vendor)]
    source = getattr(r, "source", None)
    if source is not None:
        parts += [', "source": ', _string(source)]
    if r.action is not None:
        parts += [', "action": ', _string(r.action)]
    if r.amount is not None:
        parts += [', "amount": ', _string(r.amount)]
    if r.department is not None:
        parts += [', "department": ', _string(r.department)]
    if r.date is not None:
        parts += [', "date": "', r.date.isoformat(), '"']
    if r.security is not None:
        parts += [', "security": ', json.dumps(record_dict(r)["security"], ensure_ascii=False)]
    return "".join(parts)


class JsonRows:
    """Findings as items of the report's findings array (the row writer a second process may use)."""

    opening = "\n  "
    separator = ROW_SEPARATOR

    def __init__(self, columns: Sequence[str] = (), show_individuals: bool = False) -> None:
        self.judged = PerJudgement(_judged)
        self.columns = list(columns)
        self.show_individuals = show_individuals
        self._keys = [_string(c) + ": " for c in self.columns]  # each cell's key, encoded once

    def _own(self, f: Finding) -> str:
        """The row's own fields, then its input cells (``"cells": {"Column": "text"}``) when it has any."""
        cells = f.record.cells
        if cells is None:
            return _row_fields(f)
        if f.person and not self.show_individuals:
            values = row_cells(f, self.columns, False)
        else:
            values = [cells.get(c) or "" for c in self.columns]
        return _row_fields(f) + ', "cells": {' + ", ".join(map(str.__add__, self._keys, map(_string, values))) + "}"

    def write(self, findings: Iterable[Finding], out: TextIO, lead: str) -> int:
        """Write findings as array items; how many."""
        own = self._own if self.columns else _row_fields
        return write_judged_rows(findings, out, own, self.judged, lead, ROW_SEPARATOR)


class JsonFormat:
    """The JSON contract, for every kind of run."""

    name = "json"
    binary = False
    needs_file = False

    def write(self, run: Run, out: TextIO, view: View) -> None:
        """Write findings as they arrive, then the summary (JSON key order carries no meaning)."""
        only_flagged = view.only_flagged
        head = {"schema_version": SCHEMA_VERSION, "tool": run.tool}
        out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ",\n \"findings\": [")
        if view.filtered:  # the stream holds the rows asked for (a run of any kind may be asked for them)
            run = replace(run, findings=filter(view.listed, run.findings), rows_writer=None)
        rows = run.write_rows(JsonRows(input_columns(run, view), view.show_individuals), out)
        s = run.summary
        summary = {"rows": s.rows, "skipped": [{"row": k.row, "reason": k.reason} for k in s.skipped],
                   "by_verdict": s.verdict_counts(), "individual_payees": s.persons,
                   "rule_sets": [rs.id for rs in run.rulesets], "default_rule_sets": run.default_rules,
                   "only_flagged": only_flagged, "shareable": run.shareable}
        if s.skipped_count > len(s.skipped):  # the list stops at SKIPPED_KEPT rows
            summary["skipped_count"] = s.skipped_count
            summary["skipped_by_reason"] = dict(s.skipped_by_reason)
        if view.only_matched:
            summary["only_matched"] = True
        if s.not_covered_by_cause:
            summary["not_covered_by_cause"] = dict(s.not_covered_by_cause.most_common())
        if s.unrecognised_actions:
            summary["unrecognised_actions"] = dict(s.unrecognised_actions.most_common())
        if any(not rs.binding for rs in run.rulesets):
            summary["non_binding_rule_sets"] = {rs.id: rs.status for rs in run.rulesets if not rs.binding}
        if s.ragged:
            summary["ragged_rows"] = {"count": s.ragged, "rows": s.ragged_rows}
        if s.dollars.rows or s.dollars.unreadable:
            summary["dollars"] = dollars_dict(s.dollars)
        if s.value_total:
            by_family = {k: round(v, 2) for k, v in s.value_by_family.most_common()}
            summary["market_value"] = {"total": round(s.value_total, 2), "flagged": round(s.value_flagged, 2),
                                       "flagged_share": round(s.value_flagged / s.value_total, 4),
                                       "flagged_by_family": by_family}
        if stated_dicts(s):
            summary["stated_totals"] = stated_dicts(s)
        if files_dicts(s):
            summary["files"] = files_dicts(s)
        vendors = [vendor_dict(v) for v in shown_lines(s, view)]
        provenance = json.dumps(run.provenance(), ensure_ascii=False, indent=1).replace("\n", "\n ")
        out.write(("\n " if rows else "") + "],\n \"summary\": " + json.dumps(summary, ensure_ascii=False)
                  + ",\n \"vendors\": " + json.dumps(vendors, ensure_ascii=False)
                  + ",\n \"provenance\": " + provenance + "\n}\n")


JSON = JsonFormat()
