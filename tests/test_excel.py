"""Excel in and out: a workbook copy of a file gives the same findings; the report has its sheets, laid out
for an aide."""

from __future__ import annotations

import csv

import pytest

from conftest import ROOT

openpyxl = pytest.importorskip("openpyxl")
EXAMPLE = ROOT / "examples" / "city-payments.csv"


def _xlsx_copy(tmp_path, sheets=("Notes", "Payments")):
    wb = openpyxl.Workbook()
    wb.active.title = sheets[0]
    wb.active.append(["This sheet is a cover note."])
    ws = wb.create_sheet(sheets[1])
    with EXAMPLE.open(newline="") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    path = tmp_path / "payments.xlsx"
    wb.save(path)
    return path


def test_xlsx_copy_gives_the_same_findings_as_the_csv(cli, tmp_path):
    from_csv = cli("audit", str(EXAMPLE), "--format", "json", "--as-of", "2026-11-23").json()
    path = _xlsx_copy(tmp_path)
    from_xlsx = cli("audit", str(path), "--sheet", "Payments", "--format", "json", "--as-of", "2026-11-23").json()
    strip = lambda r: [{k: v for k, v in f.items()} for f in r["findings"]]  # noqa: E731
    assert strip(from_xlsx) == strip(from_csv)
    assert from_xlsx["summary"]["skipped"] == from_csv["summary"]["skipped"]


def test_missing_sheet_lists_the_sheets(cli, tmp_path):
    result = cli("audit", str(_xlsx_copy(tmp_path)), "--sheet", "Checks")
    assert result.code == 2 and "'Notes', 'Payments'" in result.err


def test_xlsx_report_has_its_sheets_and_needs_output(cli, tmp_path):
    assert cli("audit", str(EXAMPLE), "--format", "xlsx").code == 2
    out = tmp_path / "report.xlsx"
    assert cli("audit", str(EXAMPLE), "--format", "xlsx", "--output", str(out)).code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Vendors", "Findings", "Review", "Method"]
    assert wb["Findings"].max_row == 18
    summary = {r[0]: r[1] if len(r) > 1 else None for r in wb["Summary"].iter_rows(values_only=True)}
    assert summary["Payments total"] == 182_792.26 and summary["Palantir Technologies Inc."] == 75_000.0
    method = {r[0]: r[1] for r in wb["Method"].iter_rows(values_only=True)}
    assert "Registry version" in method and "Bands" in method
    assert method["Dataset D1"] and method["Dataset D2"]  # the award datasets evidence cites, defined
    assert method["Input"].startswith(str(EXAMPLE)) and "sha256" in method["Input"]


def test_xlsx_is_laid_out_for_an_aide(cli, tmp_path):
    """Frozen, filtered header; sized columns; dates and dollars as numbers in their formats; the input's own
    columns beside the tool's (a clashing name prefixed); the per-vendor sheet; a Summary without dimensions the
    file does not have."""
    out = tmp_path / "report.xlsx"
    assert cli("audit", str(EXAMPLE), "--format", "xlsx", "--output", str(out), "--as-of", "2026-11-23").code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}18"
    assert header[:7] == ["Row", "Vendor", "Verdict", "Entity", "Family", "Date", "Amount"]
    with EXAMPLE.open(newline="") as fh:
        own = next(csv.reader(fh))
    assert header[7:7 + len(own)] == [f"input: {c}" if c == "Amount" else c for c in own]
    assert header.index("Evidence ids") > header.index("Reason")
    assert ws.column_dimensions["B"].width > 30 and ws.column_dimensions["F"].width < 15
    west = [c for c in ws[2]]
    assert west[5].value.date().isoformat() == "2025-07-14" and west[5].number_format == "yyyy-mm-dd"
    assert west[6].value == 4812.0 and "$" in west[6].number_format
    assert west[7 + own.index("Amount")].value == "4,812.00"  # the input's own cell, as written
    assert "70CMSD22FR0000187" in west[header.index("Evidence ids")].value
    person = [c.value for c in ws[4]]
    assert person[1] == "(individual payee)" and "MARTINEZ" not in " ".join(str(v) for v in person)

    vendors = list(wb["Vendors"].iter_rows(values_only=True))
    assert vendors[0][:6] == ("Vendor", "Verdict", "Entity", "Family", "Rows", "Amount")
    assert vendors[1][:6] == ("PALANTIR USG INC", "prohibited", "Palantir USG, Inc.", "Palantir Technologies Inc.",
                              1, 75_000)
    assert wb["Vendors"].freeze_panes == "B2" and wb["Vendors"]["F2"].number_format.startswith("$")

    labels = [r[0] for r in wb["Summary"].iter_rows(values_only=True)]
    assert "Flagged by department" in labels and "Flagged by fiscal year" not in labels
    assert not any(str(x).startswith("(no ") for x in labels)
    assert any(str(r[1]).startswith("row 19 (the total of rows 1-18) states $182,792.26, which agrees")
               for r in wb["Summary"].iter_rows(values_only=True) if len(r) > 1)


def test_awkward_vendor_text_is_written_as_plain_text(cli, tmp_path):
    """A control character (legal in a CSV cell, not in XML) and text that looks like rich-text markup are
    written as text: the report is made, and nothing in a cell becomes markup or a formula."""
    src = tmp_path / "v.csv"
    src.write_text('Vendor Name,Amount\n"Bell\x07Co",1\n"<r>x</r>",2\n"=1+1",3\n', encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = cli("audit", str(src), "--format", "xlsx", "--output", str(out))
    assert result.code == 0 and "Traceback" not in result.err and "error" not in result.err
    ws = openpyxl.load_workbook(out)["Findings"]
    vendors = [ws.cell(row, 2).value for row in (2, 3, 4)]
    assert vendors[0].startswith("Bell") and vendors[0].endswith("Co")
    assert vendors[1:] == ["'<r>x</r>", "'=1+1"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("sanctuary-check-")] == []


def test_findings_past_a_sheets_rows_continue_on_more_sheets(tmp_path):
    """Excel holds 1,048,576 rows a sheet: every finding is still listed, on Findings (2), (3)..."""
    from datetime import date

    from checker.api import Checker
    from checker.formats import View
    from checker.formats.xlsx_format import render_xlsx

    src = tmp_path / "v.csv"
    src.write_text("Vendor Name,Amount\n" + "".join(f"Acme {i},{i}\n" for i in range(25)), encoding="utf-8")
    with (tmp_path / "out.xlsx").open("wb") as out:
        render_xlsx(Checker(as_of=date(2024, 6, 30)).audit(str(src)), out, View(spool_dir=str(tmp_path)),
                    sheet_rows=10)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb.sheetnames == ["Summary", "Vendors", "Findings", "Review", "Findings (2)", "Findings (3)", "Method"]
    listed = []
    for name in ("Findings", "Findings (2)", "Findings (3)"):
        rows = list(wb[name].iter_rows(values_only=True))
        assert rows[0][:2] == ("Row", "Vendor") and len(rows) <= 10
        listed += [r[0] for r in rows[1:]]
    assert listed == list(range(1, 26))


def test_a_failed_workbook_leaves_no_temporary_files(tmp_path, monkeypatch):
    from datetime import date

    from checker.api import Checker
    from checker.formats import View, xlsx_format

    def fail(self, values, style=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(xlsx_format._Sheet, "add", fail)
    with (tmp_path / "out.xlsx").open("wb") as out, pytest.raises(KeyboardInterrupt):
        xlsx_format.render_xlsx(Checker(as_of=date(2024, 6, 30)).audit(str(EXAMPLE)), out,
                                View(spool_dir=str(tmp_path)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]
