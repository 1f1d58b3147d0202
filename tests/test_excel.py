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
