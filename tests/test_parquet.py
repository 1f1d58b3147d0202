"""Parquet input: typed columns give the findings the same data gives as CSV; a bad file is one line, exit 2."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal

import pytest

from checker.api import Checker
from checker.errors import InputError
from checker.sources.parquet_source import open_parquet

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

AS_OF = date(2024, 6, 30)
HEADER = ["Vendor Name", "Amount", "Payment Date", "Contract Action"]
ROWS = [  # vendor, amount, payment date, contract action
    ("WEST PUBLISHING CORP", "1200.50", date(2024, 3, 1), "extended"),  # prohibited under berkeley-ca
    ("PALANTIR USG INC", "98000.00", date(2024, 2, 15), "new"),
    ("Acme Paving", "4500.25", date(2024, 1, 10), None),
    ("DOE, JANE", "350.00", date(2024, 4, 2), None),
    (None, "10.00", date(2024, 4, 3), None),  # no vendor: skipped
    ("Acme Paving", "75.10", None, "renewed"),  # no date
]
AMOUNT_TYPES = {"float64": pa.float64(), "decimal": pa.decimal128(12, 2)}
DATE_TYPES = {"date32": pa.date32(), "timestamp": pa.timestamp("us"), "timestamp-utc": pa.timestamp("ns", "UTC")}


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(as_of=AS_OF)


def _write_parquet(path, rows, amount_type=pa.float64(), date_type=pa.date32(), **options) -> None:
    vendors, amounts, days, actions = zip(*rows, strict=True)
    if pa.types.is_decimal(amount_type):
        amounts = [None if a is None else Decimal(a) for a in amounts]
    else:
        amounts = [None if a is None else float(a) for a in amounts]
    if pa.types.is_timestamp(date_type):
        days = [None if d is None else datetime(d.year, d.month, d.day) for d in days]
    table = pa.table([pa.array(vendors, pa.string()), pa.array(amounts, amount_type), pa.array(days, date_type),
                      pa.array(actions, pa.string())], names=HEADER)
    pq.write_table(table, path, **options)


def _write_csv(path, rows) -> None:
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for vendor, amount, day, action in rows:
            out.writerow([vendor or "", amount, "" if day is None else day.isoformat(), action or ""])


def _essentials(report: dict) -> tuple:
    """What a report found, whatever the file's format: each row's verdict, match and fields; the counts."""
    rows = [(f["row"], f["vendor"], f["verdict"], (f["match"] or {}).get("entity"), f.get("date"), f.get("action"),
             None if f.get("amount") is None else float(f["amount"])) for f in report["findings"]]
    summary = report["summary"]
    dollars = {k: summary["dollars"][k] for k in ("total", "rows_with_amount", "unreadable_amounts", "by_verdict")}
    return rows, summary["rows"], summary["skipped"], summary["by_verdict"], summary["individual_payees"], dollars


@pytest.mark.parametrize("date_kind", DATE_TYPES)
@pytest.mark.parametrize("amount_kind", AMOUNT_TYPES)
def test_typed_columns_give_the_findings_of_the_same_csv(cli, checker, tmp_path, amount_kind, date_kind):
    _write_csv(tmp_path / "payments.csv", ROWS)
    _write_parquet(tmp_path / "payments.parquet", ROWS, AMOUNT_TYPES[amount_kind], DATE_TYPES[date_kind])
    from_csv = cli("audit", str(tmp_path / "payments.csv"), "--as-of", "2024-06-30", "-f", "json")
    result = cli("audit", str(tmp_path / "payments.parquet"), "--as-of", "2024-06-30", "-f", "json")
    assert result.code == from_csv.code == 0, result.err
    assert _essentials(result.json()) == _essentials(from_csv.json())
    verdicts = {f["vendor"]: f["verdict"] for f in result.json()["findings"]}
    assert verdicts["WEST PUBLISHING CORP"] == verdicts["PALANTIR USG INC"] == "prohibited"
    assert verdicts["Acme Paving"] == verdicts["DOE, JANE"] == "clear"

    run = checker.audit(str(tmp_path / "payments.parquet"))
    findings = list(run.findings)
    assert [(f.record.row, f.record.date, f.verdict) for f in findings] == \
        [(row, day, verdicts[vendor]) for row, (vendor, _, day, _) in enumerate(ROWS, start=1) if vendor]
    assert run.summary.rows == len(ROWS) and [s.row for s in run.summary.skipped] == [5]
    assert run.summary.dollars.total == pytest.approx(sum(float(r[1]) for r in ROWS if r[0]))


def test_a_typed_date_is_the_date_whatever_text_would_say(checker, tmp_path):
    """6 January and 1 June 2019 fall either side of the window of Berkeley's unverified effective date (28 February
    to 31 May 2019): were either read with day and month swapped, its verdict under berkeley-ca would change."""
    rows = [("WEST PUBLISHING CORP", "1.00", date(2019, 6, 1), "extended"),
            ("WEST PUBLISHING CORP", "1.00", date(2019, 1, 6), "extended")]
    for date_type in (pa.date32(), pa.timestamp("ms")):
        _write_parquet(tmp_path / "dates.parquet", rows, date_type=date_type)
        findings = list(checker.audit(str(tmp_path / "dates.parquet")).findings)
        assert [f.record.date for f in findings] == [date(2019, 6, 1), date(2019, 1, 6)]
        berkeley = [next(r.outcome for r in f.rules if r.rule_set == "berkeley-ca") for f in findings]
        assert berkeley == ["prohibited", "grandfathered"]


def test_a_zoned_timestamp_is_read_on_its_own_zones_calendar(checker, tmp_path):
    """03:00 on 1 March UTC is still 29 February in Los Angeles."""
    table = pa.table({"Vendor Name": ["Acme Paving"], "Payment Date": pa.array(
        [datetime(2024, 3, 1, 3)], pa.timestamp("us", "UTC")).cast(pa.timestamp("us", "America/Los_Angeles"))})
    pq.write_table(table, tmp_path / "zoned.parquet")
    [finding] = checker.audit(str(tmp_path / "zoned.parquet")).findings
    assert finding.record.date == date(2024, 2, 29)


def test_only_flagged_lists_flagged_rows_and_counts_every_row(cli, tmp_path):
    _write_parquet(tmp_path / "payments.parquet", ROWS)
    report = cli("audit", str(tmp_path / "payments.parquet"), "--as-of", "2024-06-30", "-f", "json",
                 "--only-flagged").json()
    assert [(f["row"], f["verdict"]) for f in report["findings"]] == [(1, "prohibited"), (2, "prohibited")]
    assert report["summary"]["rows"] == len(ROWS)
    assert report["summary"]["by_verdict"]["clear"] == 3 and len(report["summary"]["skipped"]) == 1


def test_every_row_of_every_row_group_is_read_and_numbered(checker, tmp_path):
    west = {1, 3000, 3001, 8192, 8193, 16385, 20000}  # row-group and chunk edges
    rows = [("WEST PUBLISHING CORP" if i in west else "Acme Paving", "2.50", date(2024, 5, 1),
             "extended" if i in west else None) for i in range(1, 20_001)]
    _write_parquet(tmp_path / "big.parquet", rows, row_group_size=3000)
    assert pq.ParquetFile(tmp_path / "big.parquet").num_row_groups == 7
    run = checker.audit(str(tmp_path / "big.parquet"), only_flagged=True)
    assert [f.record.row for f in run.findings] == sorted(west)
    assert run.summary.rows == 20_000 and not run.summary.skipped
    assert run.summary.by_verdict == {"prohibited": len(west), "clear": 20_000 - len(west)}
    assert run.summary.dollars.total == pytest.approx(2.5 * 20_000)


def test_nested_columns_are_compact_json_and_nulls_empty_text(tmp_path):
    table = pa.table({"Vendor Name": ["Acme Paving", None], "Tags": pa.array([["a", "b"], None]),
                      "Address": pa.array([{"city": "Berkeley", "zip": 94704}, None]),
                      "Count": pa.array([3, None], pa.int32())})
    pq.write_table(table, tmp_path / "nested.parquet")
    source = open_parquet(tmp_path / "nested.parquet")
    assert source.header == ["Vendor Name", "Tags", "Address", "Count"]
    assert [row for chunk in source.chunks(10) for row in chunk] == \
        [["Acme Paving", '["a","b"]', '{"city":"Berkeley","zip":94704}', "3"], ["", "", "", ""]]


def test_a_file_that_is_not_parquet_is_one_line_naming_it(cli, tmp_path):
    path = tmp_path / "x.parquet"
    path.write_text("Vendor Name,Amount\nAcme Paving,12.00\n")
    result = cli("audit", str(path), "--as-of", "2024-06-30", "-f", "json")
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and str(path) in result.err and "not a readable Parquet file" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("name, message", [("missing.parquet", "no such file"),
                                           ("folder.pq", "is a directory, not a Parquet file"),
                                           ("empty.parquet", "not a readable Parquet file")])
def test_a_file_that_cannot_be_read_is_one_clear_error(cli, tmp_path, name, message):
    (tmp_path / "folder.pq").mkdir()
    (tmp_path / "empty.parquet").write_bytes(b"")
    result = cli("audit", str(tmp_path / name))
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith(f"sanctuary-check: error: {tmp_path / name}: {message}")


def test_without_pyarrow_the_error_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(InputError, match=r"reading Parquet needs pyarrow: pip install 'sanctuary-check\[parquet\]'"):
        open_parquet(tmp_path / "x.parquet")


def test_importing_the_reader_does_not_import_pyarrow():
    code = "import sys, checker.sources.parquet_source; sys.exit('pyarrow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
