"""Listings carry the input row's own columns beside the tool's (all, or those chosen), with clashing names made
unambiguous, formula cells neutralised, and no individual named where they must not be."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from checker.api import Checker
from checker.formats import View, get
from checker.formats.listing import INPUT_PREFIX, WITHHELD, column_names, names_person

PAYMENTS = """\
Payment Date,Vendor Name,Department,Description,Amount,verdict,Notes
2025-07-14,WEST PUBLISHING CORP,City Attorney,Westlaw subscription,"4,812.00",ours,=HYPERLINK("x")
2025-07-18,"DOE, JANE",Parks,Refund to Jane Doe,86.40,ours,paid by check
2025-07-19,Acme Paper Co,Finance,Copy paper,"2,000.00",ours,-5 discount
"""
AS_OF = date(2026, 11, 23)


def _run(tmp_path, shareable: bool = False):
    src = tmp_path / "payments.csv"
    src.write_text(PAYMENTS, encoding="utf-8")
    run = Checker(["berkeley-ca"], as_of=AS_OF).audit(str(src))
    return run.for_publication() if shareable else run


def _write(fmt: str, run, view: View = View()) -> str:
    out = io.StringIO()
    get(fmt).write(run, out, view)
    return out.getvalue()


def test_clashing_names_are_prefixed_and_kept_apart():
    tool = ["row", "vendor", "verdict", "Amount"]
    assert column_names(tool, ["Vendor Name", " Verdict ", "amount", "Notes"]) == [
        "Vendor Name", INPUT_PREFIX + " Verdict ", INPUT_PREFIX + "amount", "Notes"]
    assert column_names(["x", "input: x"], ["x"]) == ["input: x (2)"]


def test_names_person_reads_either_order():
    assert names_person("Refund to Jane Doe", "DOE, JANE")
    assert names_person("DOE, JANE", "DOE, JANE")
    assert not names_person("Refund to Jane", "DOE, JANE") and not names_person("Copy paper", "DOE, JANE")


def test_csv_lists_every_input_column_after_the_tools(tmp_path):
    rows = list(csv.reader(io.StringIO(_write("csv", _run(tmp_path)))))
    header = rows[0]
    own = ["Payment Date", "Vendor Name", "Department", "Description", "Amount", "input: verdict", "Notes"]
    assert header[-len(own):] == own and header[:3] == ["row", "vendor", "verdict"]  # the tool's keep their places
    west = dict(zip(header, rows[1], strict=True))
    assert west["verdict"] == "potential_violation" and west["input: verdict"] == "ours"
    assert west["Amount"] == "4,812.00"
    assert west["Notes"] == "'=HYPERLINK(\"x\")"  # a formula in the input is neutralised
    assert dict(zip(header, rows[3], strict=True))["Notes"] == "'-5 discount"
    person = dict(zip(header, rows[2], strict=True))
    assert person["vendor"] == "(individual payee)" and person["Vendor Name"] == WITHHELD
    assert person["Description"] == WITHHELD and person["Department"] == "Parks" and person["Amount"] == "86.40"
    assert "JANE" not in "".join(rows[2]).upper()


def test_columns_chosen_are_the_only_ones_listed(tmp_path):
    run = _run(tmp_path)
    view = View(columns=run.chosen_columns("Amount,Department"))
    rows = list(csv.reader(io.StringIO(_write("csv", run, view))))
    assert rows[0][-2:] == ["Amount", "Department"] and "Notes" not in rows[0]
    data = json.loads(_write("json", _run(tmp_path), view))
    assert data["findings"][0]["cells"] == {"Amount": "4,812.00", "Department": "City Attorney"}


def test_json_and_html_carry_the_input_cells(tmp_path):
    data = json.loads(_write("json", _run(tmp_path)))
    west = data["findings"][0]
    assert west["cells"]["Description"] == "Westlaw subscription" and west["cells"]["verdict"] == "ours"
    assert west["verdict"] == "potential_violation"  # the input's own "verdict" lives apart, in cells
    assert data["findings"][1]["cells"]["Vendor Name"] == WITHHELD
    page = _write("html", _run(tmp_path))
    start = page.index('<table id="findings"')
    head = page[start:page.index("</thead>", start)]
    for name in ("Payment Date", "Department", "Description", "input: verdict", "Notes", "Vendor Name"):
        assert f">{name}</button>" in head
    assert 'data-key="vendor"' in head and 'data-key="amount" data-type="num"' in head
    assert "Westlaw subscription" in page and "Jane" not in page and "JANE" not in page


@pytest.mark.parametrize("fmt", ["csv", "json", "html", "markdown", "table", "xlsx"])
def test_shareable_listing_names_no_individual(tmp_path, fmt):
    """A shareable report counts the individual payee and names them nowhere: not in a row, a cell, the roll-up
    or a summary table."""
    run = _run(tmp_path, shareable=True)
    if fmt == "xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        path = tmp_path / "out.xlsx"
        with path.open("wb") as out:
            get(fmt).write(run, out, View(spool_dir=str(tmp_path)))
        book = openpyxl.load_workbook(path)
        text = " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c)
    else:
        text = _write(fmt, run)
    assert "JANE" not in text.upper() and "WEST PUBLISHING CORP" in text


def test_html_reads_any_cell_without_failing(tmp_path):
    """Cells that are no date, or numbers that are no amount, are listed as they are (a city's own action words
    beside its dates)."""
    src = tmp_path / "p.csv"
    src.write_text("Vendor Name,Contract Action,Action Date,Amount,Contract Number\n"
                   "PALANTIR TECHNOLOGIES INC,PO,2024-03-01,\"1,000.00\",7\nAcme Paving,PO,2024-03-05,5.00,8\n",
                   encoding="utf-8")
    page = _write("html", Checker(["deportice-model"], as_of=date(2025, 1, 10)).audit(str(src)))
    start = page.index('<table id="findings"')
    head = page[start:page.index("</thead>", start)]
    assert 'data-key="date"' in head and 'data-key="amount" data-type="num"' in head
    assert ">Contract Action</button>" in head and ">PO</td>" in page
