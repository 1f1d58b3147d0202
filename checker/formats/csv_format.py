"""CSV report: one line per finding, one outcome column per rule set, then the input row's own columns; formula
cells neutralised.

Every column but the row number and the vendor depends only on the finding's judgement, so that part of
the line is encoded once per judgement and reused for every row sharing it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TextIO

from checker.api import Run
from checker.formats import View
from checker.formats.common import (
    FORMULA_FIRST,
    citations_text,
    display_vendor,
    evidence_text,
    main_reason,
    neutralise_cell,
    rule_set_reasons,
    sources_text,
    verdict_words,
)
from checker.formats.listing import column_names, evidence_ids, input_columns, row_cells, row_label
from checker.formats.output import write_judged_rows
from checker.formats.rendered import PerJudgement
from checker.model import Finding, Judgement

_QUOTED = frozenset(',"\r\n')
"""Characters that may make the csv module quote a cell (a cell with none of them is written as it is)."""


def header(rule_set_ids: Sequence[str], inputs: Sequence[str] = ()) -> list[str]:
    """The report's column names (columns only ever added at the end: scripts may read them by position): the
    tool's, then the input row's own (``inputs``), prefixed ``input: `` where a name clashes with the tool's."""
    tool = ["row", "vendor", "verdict", "entity", "family", "relation", "matched_name", "score", "band",
            *[f"{i} outcome" for i in rule_set_ids], "reason", "citations", "evidence", "sources", "product",
            "decision", "not_covered_cause", "verdict_words", *[f"{i} reason" for i in rule_set_ids],
            "evidence_ids"]
    return tool + column_names(tool, inputs)


class _Echo:
    """A "file" whose ``write`` gives back the line it is given: ``csv.writer(_Echo()).writerow`` returns the line
    (``writerow`` returns what ``write`` returns), with nothing to create or empty for each row."""

    write = str


def _writerow() -> Callable[[Iterable[str]], str]:
    """A ``writerow`` that returns its line. The writer is told lines end in CR LF, so that it quotes a cell
    holding either (told LF alone, it left a bare CR unquoted, which a reader takes for the end of the row)."""
    return csv.writer(_Echo(), lineterminator="\r\n").writerow


def _as_written(text: str, cells: int) -> bool:
    """Whether ``cells`` cells joined by commas (``text``) are their CSV line as it is: no cell holds a comma, a
    quote or a line break (``_QUOTED``, which ``csv.writer`` quotes) nor begins as a formula (``FORMULA_FIRST``).

    Checked on the joined text, a few scans in C, spelled out (a loop over the characters costs a quarter of what
    this saves): a listing asks it of every row. A test holds it to both sets."""
    return (text.count(",") == cells - 1 and '"' not in text and "\n" not in text and "\r" not in text
            and text[:1] not in FORMULA_FIRST and ",=" not in text and ",+" not in text and ",-" not in text
            and ",@" not in text and ",\t" not in text)


def _judged_cells(j: Judgement, rule_set_ids: Sequence[str]) -> list[str]:
    m = j.match
    outcomes = {r.rule_set: r.outcome for r in j.rules}
    return [j.verdict, j.entity_name or "", j.family_name or "", j.relation or "", m.matched_name if m else "",
            f"{m.score * 100:.1f}" if m else "", m.band if m else "", *[outcomes.get(i, "") for i in rule_set_ids],
            main_reason(j), citations_text(j), evidence_text(j), sources_text(j), j.product or "", j.decision or "",
            j.cause or "", verdict_words(j), *rule_set_reasons(j, list(rule_set_ids)), evidence_ids(j)]


class CsvRows:
    """Findings as CSV lines (no header); individuals are named only with ``show_individuals``."""

    opening = ""
    separator = ""

    def __init__(self, rule_set_ids: Sequence[str], show_individuals: bool, columns: Sequence[str] = ()) -> None:
        self.rule_set_ids = rule_set_ids
        self.show_individuals = show_individuals
        self.columns = list(columns)
        self._writerow = _writerow()  # this row writer's own (a writer is never shared by two writes)
        self.judged = PerJudgement(self._judged)

    def line(self, cells: list[str]) -> str:
        """Cells as one CSV line without its line break, exactly as ``csv.writer`` writes them."""
        return self._writerow(cells)[:-2]

    def _judged(self, j: Judgement) -> str:
        """Every column after the vendor's, from its comma (no line break)."""
        return "," + self.line([neutralise_cell(c) for c in _judged_cells(j, self.rule_set_ids)])

    def _own(self, f: Finding) -> str:
        """The row number (``file:row`` over several files) and the vendor."""
        vendor = neutralise_cell(display_vendor(f, self.show_individuals))
        row = row_label(f)
        return f"{row},{vendor}" if _QUOTED.isdisjoint(vendor) and _QUOTED.isdisjoint(row) else self.line([row, vendor])

    def _whole(self, f: Finding) -> str:
        """The whole line: the row's own cells, the judged ones, then the input's own columns."""
        cells = row_cells(f, self.columns, self.show_individuals)
        text = ",".join(cells)
        if not _as_written(text, len(cells)):
            text = self.line([neutralise_cell(c) for c in cells])
        return self._own(f) + self.judged(f.judgement) + "," + text + "\n"

    @staticmethod
    def _nothing(j: Judgement) -> str:
        return ""

    def write(self, findings: Iterable[Finding], out: TextIO, lead: str) -> int:
        """Write findings as CSV lines; how many."""
        if self.columns:
            return write_judged_rows(findings, out, self._whole, self._nothing, lead)
        return write_judged_rows(findings, out, self._own, PerJudgement(lambda j: self.judged(j) + "\n"), lead)


class CsvFormat:
    """One line per finding, one outcome column per rule set (the summary goes to stderr: the file stays a
    clean table)."""

    name = "csv"
    binary = False
    needs_file = False

    def write(self, run: Run, out: TextIO, view: View) -> None:
        """Write the findings table as CSV."""
        ids = [rs.id for rs in run.rulesets]
        columns = input_columns(run, view)
        rows = CsvRows(ids, view.show_individuals, columns)
        out.write(rows.line(header(ids, columns)) + "\n")
        if view.filtered:  # the stream holds the rows asked for (a run of any kind may be asked for them)
            run = replace(run, findings=filter(view.listed, run.findings), rows_writer=None)
        run.write_rows(rows, out)


CSV = CsvFormat()
