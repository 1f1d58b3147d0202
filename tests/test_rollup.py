"""The per-vendor roll-up, the evidence once per family, and a file's own totals reconciled, in every format; the
JSON report keeps to its schema."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest

from checker.api import Checker
from checker.formats import View, get

from conftest import ROOT

MOTOROLA = [("2025-07-02", "Fire", "100.00"), ("2025-07-09", "Police", "250.50"), ("2025-07-30", "Police", "49.50"),
            ("2025-07-15", "Fire", "1,000.00"), ("2025-07-21", "Police", "x")]
PAYMENTS = ("Payment Date,Vendor Name,Department,Amount\n"
            + "".join(f"{d},MOTOROLA SOLUTIONS INC,{dept},\"{a}\"\n" for d, dept, a in MOTOROLA)
            + "2025-07-03,WEST PUBLISHING CORP,Library,20.00\n2025-07-04,THOMSON REUTERS - WEST,Library,30.00\n"
            + "2025-07-05,Acme Paper Co,Finance,5.00\n"
            + ",Grand Total,,\"1,500.00\"\n")
"""Five Motorola rows (one amount unreadable), two rows of the Thomson Reuters family, a clear row, and a grand
total that differs from its rows' sum (1,455.00) by $45.00."""
AS_OF = date(2026, 11, 23)


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "payments.csv"
    path.write_text(PAYMENTS, encoding="utf-8")
    return path


def _write(fmt: str, run, view: View = View()) -> str:
    out = io.StringIO()
    get(fmt).write(run, out, view)
    return out.getvalue()


def _audit(path, **kw):
    return Checker(["berkeley-ca"], as_of=AS_OF).audit(str(path) if not isinstance(path, list) else path, **kw)


def test_json_lists_one_roll_up_line_per_vendor_and_keeps_to_its_schema(source):
    import jsonschema

    data = json.loads(_write("json", _audit(source)))
    schema = json.loads((ROOT / "checker" / "knowledge" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(data, schema)
    motorola = [v for v in data["vendors"] if v["vendor"] == "MOTOROLA SOLUTIONS INC"]
    assert motorola == [{"vendor": "MOTOROLA SOLUTIONS INC", "entity": "Motorola Solutions, Inc.",
                         "family": "Motorola Solutions, Inc.", "verdict": motorola[0]["verdict"], "rows": 5,
                         "dollars": 1400.0, "unreadable_amounts": 1, "first_date": "2025-07-02",
                         "last_date": "2025-07-30", "departments": {"Police": 3, "Fire": 2}}]
    assert {v["vendor"] for v in data["vendors"]} == {"MOTOROLA SOLUTIONS INC", "WEST PUBLISHING CORP",
                                                    "THOMSON REUTERS - WEST"}  # the clear row is not rolled up
    assert data["summary"]["stated_totals"] == [{"row": 9, "label": "Grand Total", "kind": "total", "first_row": 1,
                                                 "stated": 1500.0, "computed": 1455.0, "difference": 45.0}]


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_text_reports_roll_up_before_the_rows_and_print_evidence_once(source, fmt):
    text = _write(fmt, _audit(source))
    rollup = text.index("Vendors flagged or matched to the registry (3)")
    rows = text.index("Row  Vendor" if fmt == "table" else "|   Row | Vendor")
    assert rollup < rows < text.index("Evidence for the flagged rows")
    lines = [ln for ln in text[rollup:rows].splitlines() if "MOTOROLA SOLUTIONS INC" in ln]
    assert len(lines) == 1 and "$1,400.00 (1 unreadable)" in lines[0] and "2025-07-02 – 2025-07-30" in lines[0]
    assert "Police (3), Fire (2)" in text[rollup:rows]
    # West Publishing and Thomson Reuters share one family: its evidence is printed once and both rows refer to it
    evidence = text[text.index("Evidence for the flagged rows"):]
    assert evidence.count("CLEAR ACCESS FOR FLO") == 1 and text.count("CLEAR ACCESS FOR FLO") == 1
    if fmt == "markdown":
        refs = re.findall(r"\[\^(e\d+)\](?!:)", text[rows:text.index("## Evidence")])
        defined = re.findall(r"^\[\^(e\d+)\]:", evidence, re.M)
        assert set(refs) == set(defined) and len(defined) == len(set(defined)) == 2
        assert len(refs) == 7  # every flagged row refers to its family's footnote
    else:
        assert "[E1] Motorola Solutions, Inc." in evidence and "[E2] Thomson Reuters Corporation" in evidence
        assert text[rows:].count("[E2]") == 2 + 1  # two rows and the evidence heading


def test_total_differences_are_in_every_formats_summary(source, tmp_path, cli):
    """The file's grand total differs from its rows by $45.00: each format says so, naming the row."""
    words = "row 9 (Grand Total: the total of rows 1-8) states $1,500.00"
    for fmt in ("table", "markdown", "html"):
        text = _write(fmt, _audit(source))
        assert words in text and "$45.00" in text, fmt
    assert "difference $45.00" in _write("table", _audit(source)).split("\n")[0]  # the summary paragraph itself
    result = cli("audit", str(source), "--format", "csv", "--rules", "berkeley-ca", "--as-of", "2026-11-23")
    assert result.code == 0 and words in result.err and "$45.00" in result.err  # csv: the summary on stderr
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "out.xlsx"
    with path.open("wb") as out:
        get("xlsx").write(_audit(source), out, View(spool_dir=str(tmp_path)))
    cells = [c for row in openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True) for c in row if c]
    assert any(isinstance(c, str) and c.startswith(words) and "$45.00" in c for c in cells)


def test_roll_up_in_html_and_xlsx(source, tmp_path):
    page = _write("html", _audit(source))
    section = page[page.index('<section id="vendors">'):page.index("</section>", page.index('id="vendors"'))]
    assert section.count("MOTOROLA SOLUTIONS INC") == 1 and ">5</td>" in section and "$1,400.00" in section
    assert page.index('id="vendors"') < page.index('id="findings"')
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "out.xlsx"
    with path.open("wb") as out:
        get("xlsx").write(_audit(source), out, View(spool_dir=str(tmp_path)))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index("Vendors") < book.sheetnames.index("Findings")
    motorola = [r for r in book["Vendors"].iter_rows(values_only=True) if r[0] == "MOTOROLA SOLUTIONS INC"]
    assert len(motorola) == 1 and motorola[0][4:7] == (5, 1400, 1)
    assert motorola[0][9] == "Police (3), Fire (2)"


def test_only_flagged_rolls_up_flagged_vendors_only(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Payment Date,Vendor Name,Amount,Contract Action\n2025-07-02,MOTOROLA SOLUTIONS INC,10,new\n"
                    "2010-01-05,MOTOROLA SOLUTIONS INC,20,new\n", encoding="utf-8")
    every = json.loads(_write("json", _audit(path)))["vendors"]
    flagged = json.loads(_write("json", _audit(path), View(only_flagged=True)))["vendors"]
    assert {v["verdict"] for v in every} == {"prohibited", "not_covered"}
    assert [v["verdict"] for v in flagged] == ["prohibited"]


def test_several_files_have_totals_per_file_and_overall(tmp_path):
    a, b = tmp_path / "june.csv", tmp_path / "july.csv"
    a.write_text("Vendor Name,Amount\nMOTOROLA SOLUTIONS INC,10.00\nAcme Paper Co,5.00\n", encoding="utf-8")
    b.write_text("Vendor Name,Amount\nAcme Paper Co,2.50\n", encoding="utf-8")
    data = json.loads(_write("json", _audit([a, b])))
    assert [(f["path"], f["rows"], f["dollars"]) for f in data["summary"]["files"]] == [
        ("june.csv", 2, 15.0), ("july.csv", 1, 2.5)]
    text = _write("table", _audit([a, b]))
    assert re.search(r"june\.csv\s+2\s+\$15\.00", text) and re.search(r"All files\s+3\s+\$17\.50", text)
    assert "june.csv:1" in text  # rows named file:row
    page = _write("html", _audit([a, b]))
    assert 'id="file-totals"' in page and "All files" in page and "$17.50" in page
