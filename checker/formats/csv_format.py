"""CSV report: one line per finding, one outcome column per rule set; formula cells neutralised.

Every column but the row number and the vendor depends only on the finding's judgement, so that part of
the line is encoded once per judgement and reused for every row sharing it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TextIO

from checker.formats.common import (
    citations_text,
    evidence_text,
    listed_vendor,
    main_reason,
    neutralise_cell,
    sources_text,
)
from checker.models import Finding, Judgement
from checker.output import write_judged_rows
from checker.service import Run

_QUOTED = frozenset(',"\r\n')
"""Characters that may make the csv module quote a cell (a cell with none of them is written as it is)."""


def header(rule_set_ids: Sequence[str]) -> list[str]:
    """The report's column names."""
    return ["row", "vendor", "verdict", "entity", "family", "relation", "matched_name", "score", "band",
            *[f"{i} outcome" for i in rule_set_ids], "reason", "citations", "evidence", "sources", "product",
            "decision"]


def _line(cells: list[str]) -> str:
    """Cells as one CSV line without its line break, exactly as ``csv.writer`` writes them."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(cells)
    return text.getvalue()[:-1]


def _judged_cells(j: Judgement, rule_set_ids: Sequence[str]) -> list[str]:
    m = j.match
    outcomes = {r.rule_set: r.outcome for r in j.rules}
    return [j.verdict, j.entity_name or "", j.family_name or "", j.relation or "", m.matched_name if m else "",
            f"{m.score * 100:.1f}" if m else "", m.band if m else "", *[outcomes.get(i, "") for i in rule_set_ids],
            main_reason(j), citations_text(j), evidence_text(j), sources_text(j), j.product or "", j.decision or ""]


def write_rows(findings: Iterable[Finding], out: TextIO, *, rule_set_ids: Sequence[str],
               show_individuals: bool) -> int:
    """Write findings as CSV lines (no header); how many. A second process judging a large file's later rows
    writes them this way. Individuals are named only with ``show_individuals``."""
    name = "csv-" + "\x1f".join(rule_set_ids)

    def line(j: Judgement) -> str:  # every column after the vendor
        return "," + _line([neutralise_cell(c) for c in _judged_cells(j, rule_set_ids)]) + "\n"

    def judged(j: Judgement) -> str:
        return j.rendering(name, line)

    def own(f: Finding) -> str:  # the row number and the vendor
        row, vendor = listed_vendor(f, show_individuals)
        vendor = neutralise_cell(vendor)
        return f"{row},{vendor}" if _QUOTED.isdisjoint(vendor) else _line([str(row), vendor])

    return write_judged_rows(findings, out, own, judged, name + "-utf8")


def render_csv(run: Run, out: TextIO, *, only_flagged: bool = False, show_individuals: bool = True) -> None:
    """Write the findings table as CSV (the summary goes to stderr, so the file stays a clean table). Rows a
    second process wrote (``run.rendered_tail``) follow this process's rows."""
    ids = [rs.id for rs in run.rulesets]
    out.write(_line(header(ids)) + "\n")
    write_rows((f for f in run.findings if f.flagged or not only_flagged), out, rule_set_ids=ids,
               show_individuals=show_individuals)
    if run.rendered_tail is not None:
        run.rendered_tail.write_to(out, "")
