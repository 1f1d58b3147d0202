"""Excel report: Summary, Vendors (the per-vendor roll-up), Findings, Review (possible matches) and Method sheets;
cells are values, never formulas. Listings have a frozen, filtered header, sized columns, dates and dollar amounts
as numbers in their formats, and the input row's own columns beside the tool's.

Written with XlsxWriter in its constant-memory mode: each row goes to a temporary file beside the report as it
is written, so memory does not grow with the number of rows. Every cell but a row's number and vendor depends
only on its judgement, so those are worked out once per judgement. A sheet holds at most 1,048,576 rows
(Excel's limit): findings beyond continue on sheets named ``Findings (2)``, ``Findings (3)``... after the others.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date
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
from checker.formats.listing import (
    FILE_HEADERS,
    column_names,
    departments_text,
    evidence_ids,
    file_rows,
    input_columns,
    row_cells,
    row_label,
    shown_lines,
    stated_lines,
)
from checker.formats.method import METHOD
from checker.formats.rendered import PerJudgement
from checker.model import VERDICTS, Judgement
from checker.sources.values import parse_amount

MAX_SHEET_ROWS = 1_048_576
"""Rows an Excel sheet can hold, its header included."""

def _text(value: str) -> str:
    """A cell's text as written: formula-like text neutralised, and text XlsxWriter would take for rich-text
    markup (``<r>...</r>``, written unescaped) prefixed with an apostrophe as well."""
    value = neutralise_cell(value)
    return "'" + value if value.startswith("<r>") and value.endswith("</r>") else value


class _Sheet:
    """Rows written one after another; past ``limit`` rows they continue on a new sheet, header first. A sheet with
    a header has it frozen and filtered, its columns sized (``widths``) and styled (``styles``: money, dates)."""

    def __init__(self, book: xlsxwriter.Workbook, title: str, header: Sequence[object] | None = None,
                 bold: object = None, limit: int = MAX_SHEET_ROWS, widths: Sequence[float] = (),
                 styles: Sequence[object] = (), freeze: int = 0) -> None:
        self.book, self.title, self.header, self.bold, self.limit = book, title, header, bold, limit
        self.widths, self.styles, self.freeze = list(widths), list(styles), freeze
        self.sheets = 0
        self.done: list[tuple[object, int]] = []  # earlier sheets and their row counts
        self._new_sheet()

    def _new_sheet(self) -> None:
        if self.sheets:
            self.done.append((self.ws, self.row))
        self.sheets += 1
        self.ws = self.book.add_worksheet(self.title if self.sheets == 1 else f"{self.title} ({self.sheets})")
        self.row = 0
        for col, width in enumerate(self.widths):
            self.ws.set_column(col, col, width)
        if self.header is not None:
            self.ws.freeze_panes(1, self.freeze)
            self.add(self.header, self.bold)

    def add(self, values: Sequence[object], style: object = None, styles: Sequence[object] | None = None) -> None:
        """Write one row: text as text (empty text as an empty cell), numbers as numbers, dates as dates; in
        ``style``, or each cell in its column's style (``styles`` for this row)."""
        if self.row == self.limit:
            self._new_sheet()
        ws, row = self.ws, self.row
        styles = self.styles if styles is None else styles
        for col, value in enumerate(values):
            cell_style = style if style is not None or col >= len(styles) else styles[col]
            if isinstance(value, str):
                if value:
                    ws.write_string(row, col, value, cell_style)
            elif isinstance(value, date):
                ws.write_datetime(row, col, value, cell_style)
            elif value is not None:
                ws.write_number(row, col, value, cell_style)
        self.row += 1

    def close(self) -> None:
        """Put an autofilter on the header of each sheet that has one."""
        if self.header is None:
            return
        for ws, rows in [*self.done, (self.ws, self.row)]:
            ws.autofilter(0, 0, max(rows - 1, 0), len(self.header) - 1)  # type: ignore[attr-defined]


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


WIDTHS = {"Row": 8, "Vendor": 32, "Verdict": 18, "Entity": 28, "Family": 26, "Date": 11, "Amount": 14,
          "Relation": 24, "Matched name": 26, "Score": 7, "Reason": 60, "Citations": 20, "Evidence ids": 22,
          "Evidence": 60, "Sources": 40, "Decision": 30, "Not covered because": 22}
"""Column widths in characters (an outcome column 18, a reason 50, an input column 18)."""


def _fill(book: xlsxwriter.Workbook, run: Run, view: View, sheet_rows: int) -> None:
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    money = book.add_format({"num_format": "$#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ids = [rs.id for rs in run.rulesets]
    columns = input_columns(run, view)
    tool = ["Row", "Vendor", "Verdict", "Entity", "Family", "Date", "Amount", "Relation", "Matched name", "Score",
            *[f"{i} outcome" for i in ids], "Reason", "Citations", "Evidence ids", "Evidence", "Sources", "Decision",
            "Not covered because", *[f"{i} reason" for i in ids]]
    inputs = column_names(tool, columns)
    at = tool.index("Relation")
    header = [*tool[:at], *inputs, *tool[at:]]
    widths = [WIDTHS.get(h, 50 if h.endswith(" reason") else 18) for h in header]
    styles = [money if h == "Amount" else day if h == "Date" else None for h in header]
    summary = _Sheet(book, "Summary", widths=[44, 60])
    vendors = _Sheet(book, "Vendors", ["Vendor", "Verdict", "Entity", "Family", "Rows", "Amount",
                                       "Unreadable amounts", "First date", "Last date", "Departments"], bold,
                     widths=[32, 18, 28, 26, 7, 14, 10, 11, 11, 60], styles=[None] * 5 + [money, None, day, day],
                     freeze=1)
    findings = _Sheet(book, "Findings", header, bold, sheet_rows, widths, styles, freeze=2)
    review = _Sheet(book, "Review", header, bold, sheet_rows, widths, styles, freeze=2)
    judged = PerJudgement(lambda j: _judged(j, ids))
    decimal_comma = run.summary.decimal_comma
    for f in run.findings:
        if not view.listed(f):
            continue
        r = f.record
        own = [_text(c) for c in row_cells(f, columns, view.show_individuals)]
        amount = parse_amount(r.amount, decimal_comma) if r.amount is not None else None
        head, tail = judged(f.judgement)
        values = [r.row if r.source is None else _text(row_label(f)), _text(display_vendor(f, view.show_individuals)),
                  *head, r.date, amount if amount is not None else _text(r.amount or ""), *own, *tail]
        findings.add(values)
        if f.verdict == "possible_match":
            review.add(values)
    findings.close()
    review.close()
    s = run.summary
    for v in shown_lines(s, view):
        vendors.add([_text(v.vendor), v.verdict, _text(v.entity or ""), _text(v.family or ""), v.rows,
                     round(v.dollars, 2), v.unreadable or None, v.first_date, v.last_date,
                     _text(departments_text(v, top=10))])
    vendors.close()
    _summary(summary, run, bold, money)
    _method(book, run)


def _summary(summary: _Sheet, run: Run, bold: object, money: object) -> None:
    """The counts, then only the dollar tables the file has the columns for, the file's own totals reconciled, and
    the totals per file."""
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
    if s.persons:
        summary.add(["Individual payees (counted, not named)", s.persons])
    summary.add(["Skipped rows", s.skipped_count])
    for k in s.skipped:
        summary.add([f"row {getattr(k, 'label', k.row)}", _text(k.reason)])
    if s.dollars.rows:
        summary.add(["Payments total", round(s.dollars.total, 2)], styles=[None, money])
        for title, table in dollars_dict(s.dollars).items():
            if not isinstance(table, dict) or not table or _only_missing(table):
                continue
            summary.add([title.replace("_", " ").capitalize()], bold)
            for label, amount in table.items():
                summary.add([_text(label), amount], styles=[None, money])
    stated = stated_lines(s)
    if stated:
        summary.add(["The file's own totals, checked against its rows"], bold)
        for t, line in zip(s.stated_totals, stated, strict=True):
            summary.add([f"row {getattr(t, 'place', t.row)}", _text(line)])
    files = file_rows(s)
    if files:
        summary.add(["Totals per file: " + ", ".join(FILE_HEADERS[1:]).lower()], bold)
        for row in files:
            summary.add([_text(row[0]), _text("; ".join(row[1:]))])


def _only_missing(table: dict) -> bool:
    """A dollar table whose one line is "(no department)" or "(no fiscal year)": the file has no such column."""
    return len(table) == 1 and next(iter(table)).startswith("(no ")


def _method(book: xlsxwriter.Workbook, run: Run) -> None:
    """How to read the report, the award datasets, and what decided it: versions and hashes of every input."""
    method = _Sheet(book, "Method", widths=[28, 120])
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    p = run.provenance()
    rows = METHOD + [("Registry version", p["registry_version"]), ("Registry sha256", p["registry_sha256"])]
    rows += [(f"Rule set {r['id']}", f"sha256 {r['sha256']}; text verified: {r['text_verified']}") for r in p["rules"]]
    for key in ("input", "decisions", "waivers"):
        if p.get(key):
            rows.append((key.capitalize(), f"{p[key]['path']} (sha256 {p[key]['sha256']})"))
    for item in p.get("inputs", ()):
        rows.append(("Input file", f"{item['path']} (sha256 {item['sha256']})"))
    rows += [("As of", p["as_of"]), ("Provenance", provenance_line(run))]
    for label, value in rows:
        method.add([_text(label), _text(value)], wrap)


def _judged(j: Judgement, ids: list[str]) -> tuple[list[object], list[object]]:
    """The cells that depend only on the judgement: those before the row's date, and those after its input cells."""
    m = j.match
    outcomes = {r.rule_set: outcome_words(r) for r in j.rules}
    head = [_text(verdict_words(j)), _text(j.entity_name or ""), _text(j.family_name or "")]
    tail = [_text(j.relation or ""), _text(m.matched_name if m else ""), round(m.score * 100, 1) if m else "",
            *[outcomes.get(i, "") for i in ids], _text(main_reason(j)), _text(citations_text(j)),
            _text(evidence_ids(j)), _text(evidence_text(j)), _text(sources_text(j)), _text(j.decision or ""),
            _text(cause_words(j.cause)), *[_text(r) for r in rule_set_reasons(j, ids)]]
    return head, tail


class XlsxFormat:
    """An Excel workbook (it needs an output file)."""

    name = "xlsx"
    binary = True
    needs_file = True

    def write(self, run: Run, out: BinaryIO, view: View) -> None:
        """Write the workbook."""
        render_xlsx(run, out, view)


XLSX = XlsxFormat()
