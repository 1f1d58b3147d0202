"""Excel in and out: a workbook copy of a file gives the same findings; the report has its four sheets."""

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


def test_xlsx_report_has_four_sheets_and_needs_output(cli, tmp_path):
    assert cli("audit", str(EXAMPLE), "--format", "xlsx").code == 2
    out = tmp_path / "report.xlsx"
    assert cli("audit", str(EXAMPLE), "--format", "xlsx", "--output", str(out)).code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Findings", "Review", "Summary", "Method"]
    assert wb["Findings"].max_row == 18
    summary = {r[0]: r[1] if len(r) > 1 else None for r in wb["Summary"].iter_rows(values_only=True)}
    assert summary["Payments total"] == 182_792.26 and summary["Palantir Technologies Inc."] == 75_000.0
    method = {r[0]: r[1] for r in wb["Method"].iter_rows(values_only=True)}
    assert "Registry version" in method and "Bands" in method


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
    assert wb.sheetnames == ["Findings", "Review", "Findings (2)", "Findings (3)", "Summary", "Method"]
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
