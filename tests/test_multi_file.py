"""Several files in one audit: one report, rows named ``file:row``, each file mapped on its own, totals and
provenance per file; a bad file among several is one error naming it."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from checker.api import Checker
from checker.model import FLAGGED
from checker.sources.base import ReadOptions
from checker.sources.inputs import files_to_audit

from conftest import real_file

AS_OF = "2024-06-30"
JUNE = "Vendor Name,Amount,Payment Date,Notes\n" \
       "WEST PUBLISHING CORP,100,2024-06-03,law library\n" \
       "Acme Paving,50,2024-06-04,\n" \
       "LEXISNEXIS RISK SOLUTIONS FL INC,\"25,50\",2024-06-05,batch 7\n"
JULY = "Dept;Payee;Net Amount;Check Date\n" \
       "Police;PALANTIR USG INC;1.000,00;2024-07-01\n" \
       "Parks;Bob's Tacos;12,00;2024-07-02\n" \
       ";;;\n"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "exports"
    folder.mkdir()
    june, july = folder / "june.csv", folder / "july.csv"
    june.write_text(JUNE, encoding="utf-8")
    july.write_text(JULY, encoding="utf-8")
    (folder / "README.md").write_text("# not data\n", encoding="utf-8")
    return june, july


def test_two_files_with_different_columns_are_one_run(tmp_path):
    june, july = _files(tmp_path)
    run = Checker(["berkeley-ca"], as_of=date(2024, 6, 30)).audit(
        [str(june), str(july)], options=ReadOptions(decimal_comma=True))
    found = list(run.findings)
    s = run.summary
    assert [f.record.label for f in found] == ["june.csv:1", "june.csv:2", "june.csv:3", "july.csv:1", "july.csv:2"]
    assert {f.record.source for f in found} == {"june.csv", "july.csv"}
    # each file mapped on its own: July's payee, amount and date columns are found by their own headers
    palantir = found[3]
    assert palantir.record.vendor == "PALANTIR USG INC" and palantir.record.amount == "1.000,00"
    assert palantir.record.cells == {"Dept": "Police", "Payee": "PALANTIR USG INC", "Net Amount": "1.000,00",
                                     "Check Date": "2024-07-01"}
    assert found[0].record.cells["Notes"] == "law library"
    assert run.input_columns == ("Vendor Name", "Amount", "Payment Date", "Notes", "Dept", "Payee", "Net Amount",
                                 "Check Date")
    assert s.rows == 6 and s.skipped_count == 1 and s.skipped[0].label == "july.csv:3"
    by_file = {t.path: t for t in s.files}
    assert [t.path for t in s.files] == ["june.csv", "july.csv"]
    assert (by_file["june.csv"].rows, round(by_file["june.csv"].dollars, 2)) == (3, 175.50)
    assert (by_file["july.csv"].rows, round(by_file["july.csv"].dollars, 2)) == (3, 1012.00)
    flagged = [f for f in found if f.flagged]
    for name, t in by_file.items():
        mine = [f for f in flagged if f.record.source == name]
        assert t.flagged_rows == len(mine) > 0
        assert t.sha256 == hashlib.sha256((june if name == "june.csv" else july).read_bytes()).hexdigest()
    assert sum(t.rows for t in s.files) == s.rows
    assert round(sum(t.dollars for t in s.files), 2) == round(s.dollars.total, 2)
    assert sum(t.flagged_rows for t in s.files) == sum(s.by_verdict[v] for v in FLAGGED)
    inputs = run.provenance()["inputs"]
    assert [i["sha256"] for i in inputs] == [t.sha256 for t in s.files] and run.provenance()["input"] is None


def test_a_folder_or_a_glob_is_its_data_files(tmp_path):
    june, july = _files(tmp_path)
    folder = str(june.parent)
    assert files_to_audit([folder]) == [str(july), str(june)]  # by name; the README is not data
    assert files_to_audit([f"{folder}/j*.csv", str(june)]) == [str(july), str(june)]  # each file once
    assert files_to_audit([str(june)]) == [str(june)]


def test_the_cli_audits_a_glob_it_expands_itself(tmp_path, cli):
    june, july = _files(tmp_path)
    result = cli("audit", f"{june.parent}/*.csv", "--rules", "berkeley-ca", "--decimal-comma", "-f", "json",
                 "--as-of", AS_OF, "-q")
    assert result.code == 0, result.err
    data = result.json()
    assert data["findings"] and data["summary"]["rows"] == 6
    assert {f["path"] for f in data["summary"]["files"]} == {"june.csv", "july.csv"}


@pytest.mark.parametrize("bad", ["missing.csv", "notes.txt"])
def test_a_bad_file_among_several_is_one_error_naming_it(tmp_path, cli, bad):
    june, july = _files(tmp_path)
    path = tmp_path / bad
    if bad == "notes.txt":
        path.write_text("Colour,Size\nred,3\n", encoding="utf-8")  # no vendor column
    out = tmp_path / "report.json"
    result = cli("audit", str(june), str(path), str(july), "-f", "json", "-o", str(out), "--as-of", AS_OF, "-q")
    assert result.code == 2 and bad in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 and not out.exists()


def test_map_applies_to_each_file(tmp_path, cli):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("Remit To,Payee,Net\nWEST PUBLISHING CORP,someone,1\n", encoding="utf-8")
    b.write_text("Payee,Remit To,Net\nnobody,PALANTIR USG INC,2\n", encoding="utf-8")
    result = cli("audit", str(a), str(b), "--map", "vendor=Remit To", "--map", "amount=Net", "-f", "json",
                 "--rules", "berkeley-ca", "--as-of", AS_OF, "-q")
    assert result.code == 0, result.err
    assert [f["vendor"] for f in result.json()["findings"]] == ["WEST PUBLISHING CORP", "PALANTIR USG INC"]
    missing = cli("audit", str(a), str(b), "--map", "vendor=Payee", "--map", "amount=Gross", "--as-of", AS_OF, "-q")
    assert missing.code == 2 and "a.csv" in missing.err and "Gross" in missing.err


def test_columns_chosen_for_several_files(tmp_path, cli):
    june, july = _files(tmp_path)
    run = Checker(["berkeley-ca"], as_of=date(2024, 6, 30)).audit([str(june), str(july)])
    assert run.chosen_columns("vendor name, Net Amount") == ("Vendor Name", "Net Amount")
    result = cli("audit", str(june), str(july), "--columns", "Vendor Name,Invoice Total", "--as-of", AS_OF, "-q")
    assert result.code == 2 and "'Invoice Total'" in result.err and "june.csv" in result.err
    assert len(result.err.strip().splitlines()) == 1


PHOENIX = ["phoenix_az_checkbook_2018-06.csv", "phoenix_az_checkbook_2018-11.csv", "phoenix_az_checkbook_2018-12.csv"]


def test_three_phoenix_months_as_one_run_equal_the_three_runs(cli):
    paths = [str(real_file(name)) for name in PHOENIX]
    args = ("--only-flagged", "-f", "json", "--as-of", "2026-11-23", "-q")
    singles = [cli("audit", p, *args).json() for p in paths]
    year = cli("audit", *paths, *args)
    assert year.code == 0, year.err
    whole = year.json()
    s = whole["summary"]
    assert s["rows"] == sum(one["summary"]["rows"] for one in singles) == 136_611

    def flagged_dollars(summary: dict) -> float:
        return round(sum(v for k, v in summary["dollars"]["by_verdict"].items() if k in FLAGGED), 2)

    assert flagged_dollars(s) == round(sum(flagged_dollars(one["summary"]) for one in singles), 2) > 0
    assert [f["flagged_rows"] for f in s["files"]] == [len(one["findings"]) for one in singles]
    assert len(whole["findings"]) == sum(len(one["findings"]) for one in singles)
    assert [t["source"] for t in s["stated_totals"]] == [PHOENIX[0]]  # June's own grand total, named by file
    for f, one in zip(s["files"], singles, strict=True):
        assert f["sha256"] == one["provenance"]["input"]["sha256"]
    json.dumps(whole)  # one report
