"""Reading city exports: encodings, delimiters, line endings, blank and total rows."""

from __future__ import annotations

import codecs

import pytest

from checker.errors import InputError
from checker.model import Record, Skipped
from checker.sources.values import parse_date

from conftest import read_records as read_csv

ROWS = ["Vendor Name,Amount", "Café Olé Catering,12.50", '"WEST PUBLISHING, CORP","1,900.12"']


def _read(path):
    cols, items = read_csv(path)
    return cols, list(items)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings(tmp_path, encoding):
    f = tmp_path / "v.csv"
    f.write_bytes("\r\n".join(ROWS).encode(encoding) + b"\r\n" if encoding != "utf-16"
                  else "\r\n".join(ROWS).encode("utf-16"))
    cols, items = _read(f)
    assert cols.header[cols.vendor] == "Vendor Name"
    assert [i.vendor for i in items] == ["Café Olé Catering", "WEST PUBLISHING, CORP"]


@pytest.mark.parametrize("sep", [",", "\t", ";", "|"])
def test_delimiters(tmp_path, sep):
    f = tmp_path / "v.csv"
    f.write_text(f"Payee{sep}Amount\nAcme Paving{sep}10\nPalantir USG{sep}20\n", encoding="utf-8")
    _, items = _read(f)
    assert [i.vendor for i in items] == ["Acme Paving", "Palantir USG"]


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_line_endings_and_quoted_newlines(tmp_path, newline):
    f = tmp_path / "v.csv"
    text = newline.join(["VendorName,Fund", 'ACME,"G.O. DEBT\nSERVICE"', "BETA INC,X"]) + newline
    f.write_bytes(text.encode())
    _, items = _read(f)
    assert [(i.row, i.vendor) for i in items] == [(1, "ACME"), (2, "BETA INC")]


def test_blank_and_total_rows_are_skipped_with_reasons(tmp_path):
    f = tmp_path / "v.csv"
    f.write_text('Check Date,Vendor Name,Invoice Net Amt\n6/1/2018,ACME,5\n,,\n,,"639,423,536.77"\n'
                 '6/2/2018,,7\n', encoding="utf-8")
    _, items = _read(f)
    assert isinstance(items[0], Record) and items[0].date.isoformat() == "2018-06-01"
    assert [(i.row, i.reason) for i in items[1:]] == [
        (2, "blank row"), (3, "total row (an amount with no vendor)"), (4, "no vendor name in column 'Vendor Name'")]
    assert all(isinstance(i, Skipped) for i in items[1:])


def test_padded_names_are_trimmed(tmp_path):
    f = tmp_path / "v.csv"
    f.write_text("VendorName\n" + "THOMSON REUTERS - WEST".ljust(45) + "\n", encoding="utf-8")
    assert _read(f)[1][0].vendor == "THOMSON REUTERS - WEST"


def test_a_contract_action_the_tool_does_not_know_is_kept_as_written(tmp_path):
    """Judged "action not recognised" for review (and counted), never a reason to stop reading."""
    f = tmp_path / "v.csv"
    f.write_text("Vendor,Contract Action\nA,new\nB,Side-ways\nC,Purchase Order\nD,Renewal\n", encoding="utf-8")
    _, items = read_csv(f)
    assert [r.action for r in items] == ["new", "side ways", "purchase_order", "renewed"]


def test_empty_file(tmp_path):
    f = tmp_path / "v.csv"
    f.write_bytes(codecs.BOM_UTF8)
    with pytest.raises(InputError, match="empty"):
        read_csv(f)


@pytest.mark.parametrize(("text", "iso"), [("8/14/2017 0:00", "2017-08-14"), ("6/1/2018", "2018-06-01"),
                                           ("2025-07-14", "2025-07-14"), ("6/1/18", "2018-06-01")])
def test_dates(text, iso):
    assert parse_date(text).isoformat() == iso


def test_total_rows_keep_their_amount_and_words(tmp_path):
    """A total row is skipped, with its amount and words kept for reconciling (``test_reconcile``)."""
    f = tmp_path / "t.csv"
    f.write_text('Vendor Name,Department,Amount\nACME,Fire,5\n,Subtotal Fire,5\nGrand Total,,"1,005"\n'
                 'TOTAL TRANSIT INC,Fire,1\nTotal,,\n', encoding="utf-8")
    _, items = _read(f)
    assert [(i.row, i.reason, i.total, i.words) for i in items if isinstance(i, Skipped)] == [
        (2, "total row (labelled a total)", "5", "Subtotal Fire"),
        (3, "total row (labelled a total)", "1,005", "Grand Total")]
    assert [i.vendor for i in items if isinstance(i, Record)] == ["ACME", "TOTAL TRANSIT INC", "Total"]
