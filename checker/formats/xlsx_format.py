"""Excel report: Findings, Review (possible matches), Summary and Method sheets; cells are values, never formulas.

Written with XlsxWriter in its constant-memory mode: each row goes to a temporary file beside the report as it
is written, so memory does not grow with the number of rows. Every cell but a row's number and vendor depends
only on its judgement, so those are worked out once per judgement. A sheet holds at most 1,048,576 rows
(Excel's limit): findings beyond continue on sheets named ``Findings (2)``, ``Findings (3)``... after the others.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
import xlsxwriter.exceptions

from checker.api import Run
from checker.files import TEMP_MARK, remove_leftovers, temp_prefix
from checker.formats import View
from checker.formats.common import (
    binding_note,
    cause_words,
    citations_text,
    display_vendor,
    dollars_dict,
    evidence_text,
    main_reason,
    neutralise_cell,
    outcome_words,
    provenance_line,
    rule_set_reasons,
    rules_phrase,
    sources_text,
    verdict_words,
)
from checker.formats.method import METHOD
from checker.formats.rendered import PerJudgement
from checker.model import VERDICTS, Judgement

MAX_SHEET_ROWS = 1_048_576
"""Rows an Excel sheet can hold, its header included."""

def _text(value: str) -> str:
    """A cell's text as written: formula-like text neutralised, and text XlsxWriter would take for rich-text
    markup (``<r>...</r>``, written unescaped) prefixed with an apostrophe as well."""
    value = neutralise_cell(value)
    return "'" + value if value.startswith("<r>") and value.endswith("</r>") else value


class _Sheet:
    """Rows written one after another; past ``limit`` rows they continue on a new sheet, header first."""

    def __init__(self, book: xlsxwriter.Workbook, title: str, header: Sequence[object] | None = None,
                 bold: object = None, limit: int = MAX_SHEET_ROWS) -> None:
        self.book, self.title, self.header, self.bold, self.limit = book, title, header, bold, limit
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        self.ws = self.book.add_worksheet(self.title if self.sheets == 1 else f"{self.title} ({self.sheets})")
        self.row = 0
        if self.header is not None:
            self.add(self.header, self.bold)

    def add(self, values: Sequence[object], style: object = None) -> None:
        """Write one row: text as text (empty text as an empty cell), numbers as numbers."""
        if self.row == self.limit:
            self._new_sheet()
        write_string, write_number, row = self.ws.write_string, self.ws.write_number, self.row
        for col, value in enumerate(values):
            if isinstance(value, str):
                if value:
                    write_string(row, col, value, style)
            elif value is not None:
                write_number(row, col, value, style)
        self.row += 1


def render_xlsx(run: Run, out: BinaryIO, view: View, sheet_rows: int = MAX_SHEET_ROWS) -> None:
    """Write the workbook. Its rows wait in a temporary folder made in ``view.spool_dir`` (default: the system's
    temporary folder) until it is saved; the folder is removed whatever happens."""
    spool_dir = view.spool_dir
    remove_leftovers(Path(spool_dir or tempfile.gettempdir()), f"{TEMP_MARK}-")
    with tempfile.TemporaryDirectory(prefix=temp_prefix(), dir=spool_dir, ignore_cleanup_errors=True) as folder:
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": folder, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
        _fill(book, run, view, sheet_rows)
        try:
            book.close()
        except xlsxwriter.exceptions.FileCreateError as exc:  # XlsxWriter's name for an OSError while saving
            _forget_unfinished_zip(exc)
            if isinstance(exc.__context__, OSError):
                raise exc.__context__ from None
            raise OSError(str(exc)) from None
        except BaseException as exc:
            _forget_unfinished_zip(exc)
            raise


def _forget_unfinished_zip(exc: BaseException) -> None:
    """A workbook that failed to save (a full disk) leaves XlsxWriter's zip file open; when it is collected, its
    finaliser would write again and print "Exception ignored" with a traceback after the one-line error. Each
    zip file the failing calls held is let go of its file (which the output's context closes) first."""
    import zipfile

    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        tb = error.__traceback__
        while tb is not None:
            for value in tb.tb_frame.f_locals.values():
                if isinstance(value, zipfile.ZipFile):
                    value.fp = None  # close() then does nothing
            tb = tb.tb_next
        error = error.__context__


def _fill(book: xlsxwriter.Workbook, run: Run, view: View, sheet_rows: int) -> None:
    bold = book.add_format({"bold": True})
    ids = [rs.id for rs in run.rulesets]
    header = ["Row", "Vendor", "Verdict", "Entity", "Family", "Relation", "Matched name", "Score",
              *[f"{i} outcome" for i in ids], "Reason", "Citations", "Evidence", "Sources", "Not covered because",
              *[f"{i} reason" for i in ids]]
    findings = _Sheet(book, "Findings", header, bold, sheet_rows)
    review = _Sheet(book, "Review", header, bold, sheet_rows)
    judged = PerJudgement(lambda j: _judged(j, ids))
    for f in run.findings:
        if not view.listed(f):
            continue
        values = [f.record.row, _text(display_vendor(f, view.show_individuals)), *judged(f.judgement)]
        findings.add(values)
        if f.verdict == "possible_match":
            review.add(values)
    summary = _Sheet(book, "Summary")
    s = run.summary
    summary.add(["Rows read", s.rows])
    summary.add(["Rule sets", _text(rules_phrase(run))])
    for v in VERDICTS:
        summary.add([v, s.by_verdict.get(v, 0)])
    for cause, n in s.not_covered_by_cause.most_common():
        summary.add([f"not covered: {cause_words(cause)}", n])
    for value, n in s.unrecognised_actions.most_common():
        summary.add([_text(f"contract action not recognised: {value}"), n])
    if binding_note(run):
        summary.add(["Rule sets that bind no one", _text(binding_note(run))])
    summary.add(["Skipped rows", s.skipped_count])
    for k in s.skipped:
        summary.add([f"row {k.row}", _text(k.reason)])
    if s.dollars.rows:
        summary.add(["Payments total", round(s.dollars.total, 2)])
        for title, table in dollars_dict(s.dollars).items():
            if isinstance(table, dict) and table:
                summary.add([title.replace("_", " ").capitalize()], bold)
                for label, amount in table.items():
                    summary.add([_text(label), amount])
    method = _Sheet(book, "Method")
    p = run.provenance()
    rows = METHOD + [("Registry version", p["registry_version"]), ("Registry sha256", p["registry_sha256"])]
    rows += [(f"Rule set {r['id']}", f"sha256 {r['sha256']}; text verified: {r['text_verified']}") for r in p["rules"]]
    rows += [("As of", p["as_of"]), ("Provenance", provenance_line(run))]
    for label, value in rows:
        method.add([_text(label), _text(value)])


def _judged(j: Judgement, ids: list[str]) -> list[object]:
    """The cells after the vendor's, which depend only on the judgement."""
    m = j.match
    outcomes = {r.rule_set: outcome_words(r) for r in j.rules}
    return [_text(verdict_words(j)), _text(j.entity_name or ""), _text(j.family_name or ""), _text(j.relation or ""),
            _text(m.matched_name if m else ""), round(m.score * 100, 1) if m else "",
            *[outcomes.get(i, "") for i in ids], _text(main_reason(j)), _text(citations_text(j)),
            _text(evidence_text(j)), _text(sources_text(j)), _text(cause_words(j.cause)),
            *[_text(r) for r in rule_set_reasons(j, ids)]]


class XlsxFormat:
    """An Excel workbook (it needs an output file)."""

    name = "xlsx"
    binary = True
    needs_file = True

    def write(self, run: Run, out: BinaryIO, view: View) -> None:
        """Write the workbook."""
        render_xlsx(run, out, view)


XLSX = XlsxFormat()
