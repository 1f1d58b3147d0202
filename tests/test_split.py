"""A large CSV file judged in two processes reports exactly what one process does, wherever the cut falls.

``SANCTUARY_CHECK_WORKERS=1`` makes the engine split files of any size, so small files show every case.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest

from checker.api import Checker
from checker.engine import split

from conftest import real_file

NAMES = ["WEST PUBLISHING CORP", "Acme Paving", "DOE, JANE", "PALANTIR USG INC", "Caf\u00e9 Olé", "LEXIS NEXIS"]


def _plain_row(i: int) -> str:
    return f'"{NAMES[i % len(NAMES)]} {i % 60}","{i:,}.25",2024-01-{i % 28 + 1:02d},Supplies'


def _payments(tmp_path, rows: int, row_text=_plain_row, encoding: str = "utf-8", name: str = "pay.csv") -> str:
    lines = ["Vendor Name,Amount,Payment Date,Description"] + [row_text(i) for i in range(rows)]
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return str(path)


@pytest.fixture
def both(cli, monkeypatch):
    """Run the audit in one process and in two: (one, two) results."""
    def run(*args: str):
        results = []
        for workers in ("0", "1"):
            monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", workers)
            results.append(cli("audit", *args, "--as-of", "2024-06-30", "--quiet"))
        return results

    return run


VARIANTS = {
    "one row per line": lambda i: _plain_row(i),
    "quoted line breaks before the cut": lambda i: _plain_row(i).replace("Supplies", '"Sup\nplies"') if i % 97 == 0
    else _plain_row(i),
    "inch marks in unquoted cells": lambda i: _plain_row(i).replace("Supplies", '12" pipe') if i % 3 == 0
    else _plain_row(i),
    "rows skipped and ragged in both halves": lambda i: (",,," if i % 501 == 0 else _plain_row(i) + (
        ",extra" if i % 703 == 0 else "")),
}


@pytest.mark.parametrize("variant", [*VARIANTS, "cp1252", "carriage returns only"])
def test_flagged_rows_judged_in_two_processes_equal_one(tmp_path, both, variant):
    text = VARIANTS.get(variant, _plain_row)
    path = _payments(tmp_path, 3_000, text, "cp1252" if variant == "cp1252" else "utf-8")
    if variant == "carriage returns only":
        Path(path).write_bytes(Path(path).read_bytes().replace(b"\n", b"\r"))
    for fmt in ("json", "table") if variant == "one row per line" else ("json",):
        one, two = both(path, "--only-flagged", "-f", fmt)
        assert (one.code, one.out, one.err) == (two.code, two.out, two.err)
    assert one.code == 0


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("variant", ["one row per line", "quoted line breaks before the cut", "nothing after the cut"])
def test_a_listing_written_by_two_processes_equals_one(tmp_path, both, cli, monkeypatch, variant, fmt):
    """The second process writes its rows as JSON or CSV text; the report is the same, to stdout or a file."""
    text = VARIANTS.get(variant) or (lambda i: _plain_row(i) if i < 1_500 else ",,,")  # rows after the cut blank
    path = _payments(tmp_path, 3_000, text)
    one, two = both(path, "-f", fmt)
    assert one.code == 0 and two.out == one.out
    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "1")
    cli("audit", path, "-f", fmt, "--as-of", "2024-06-30", "-q", "--output", str(tmp_path / f"out.{fmt}"))
    assert (tmp_path / f"out.{fmt}").read_text(encoding="utf-8") == one.out
    if fmt == "json":
        data = json.loads(one.out)
        summary = data["summary"]
        listed, skipped = len(data["findings"]), summary.get("skipped_count", len(summary["skipped"]))
    else:
        listed, skipped = len(list(csv.DictReader(io.StringIO(one.out)))), 1_500 if variant.startswith("nothing") else 0
    assert listed == 3_000 - skipped


def test_an_unclosed_quote_after_the_cut_is_the_same_error(tmp_path, both):
    path = _payments(tmp_path, 3_000, lambda i: _plain_row(i) + (',"oops' if i == 2_500 else ""))
    one, two = both(path, "--only-flagged")
    assert (one.code, one.err) == (two.code, two.err) and one.code == 2
    assert "line 2503: malformed CSV" in one.err  # the quote runs on into the next line


def test_an_error_late_in_the_file_names_the_same_row_and_leaves_no_spool(tmp_path, both, monkeypatch):
    path = _payments(tmp_path, 3_000, lambda i: _plain_row(i).replace("2024-01-", "2024-13-") if i == 2_800
                     else _plain_row(i))
    temp = tmp_path / "temp"  # a temporary folder of the test's own: other tests may spool at the same time
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    def spools() -> set[str]:
        return set(glob.glob(os.path.join(tempfile.gettempdir(), "sanctuary-check-*")))

    before = spools()
    one, two = both(path, "--only-flagged")
    assert one.code == two.code == 2 and one.err == two.err and "row 2801:" in one.err
    assert spools() == before  # the second process's spool folder is gone too


@pytest.mark.parametrize("name", ["phoenix_az_checkbook_2018-06.csv", "scottsdale_az_vendor_payments_fy2018.csv"])
def test_real_files_judged_in_two_processes_equal_one(both, name):
    """Phoenix's export ends lines with a bare carriage return; Scottsdale's quotes its cells (and breaks lines
    inside quotes): forced into two processes, each gives the report one process gives."""
    path = str(real_file(name))
    for args in (["-f", "json"], ["--only-flagged"]):
        one, two = both(path, *args)
        assert (one.code, one.out, one.err) == (two.code, two.out, two.err) and len(one.out) > 1_000


def test_rows_of_the_second_process_wait_in_the_given_folder(tmp_path, monkeypatch):
    """A listing's second half waits next to the report (the CLI passes the output's folder), then is gone."""
    from checker.formats import View, get

    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "1")
    path = _payments(tmp_path, 3_000)
    spool = tmp_path / "reports"
    spool.mkdir()
    run = Checker(as_of=date(2024, 6, 30)).audit(path, spool_dir=str(spool))
    seen: list[list[str]] = []
    real_copy = split._copy

    def copy(text: str, out) -> None:
        seen.append([p.name for p in spool.iterdir()])
        real_copy(text, out)

    monkeypatch.setattr(split, "_copy", copy)
    out = io.StringIO()
    get("json").write(run, out, View())
    assert seen and seen[0][0].startswith("sanctuary-check-")
    assert list(spool.iterdir()) == [] and len(json.loads(out.getvalue())["findings"]) == 3_000


@pytest.mark.parametrize("only_flagged", [True, False])
def test_progress_counts_the_rows_of_both_processes(tmp_path, monkeypatch, only_flagged):
    """The row counter on a terminal counts the second process's rows too, and ends at every row."""
    from checker.formats import View, get

    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "1")
    path = _payments(tmp_path, 20_000)
    told: list[int] = []
    run = Checker(as_of=date(2024, 6, 30)).audit(path, only_flagged=only_flagged, progress=told.append)
    get("csv").write(run, io.StringIO(), View(only_flagged=only_flagged))
    assert run.summary.rows == 20_000
    assert told == sorted(told) and told[-1] == 20_000


def test_a_shareable_listing_is_written_by_one_process(tmp_path, both):
    """Individuals are left out of a shareable report after judging, so its rows are never written elsewhere."""
    path = _payments(tmp_path, 3_000, lambda i: '"DOE, JANE",1,2024-01-02,Refund' if i % 6 == 2 else _plain_row(i))
    one, two = both(path, "-f", "csv", "--shareable")
    assert one.out == two.out and "DOE" not in two.out
    assert two.out.count("\n") == 3_001 - 500  # every sixth row is an individual


def test_the_cut_follows_an_even_number_of_quotes(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes(b'h\n' + b'"a\nb"\n' * 50 + b'x\n' * 50)
    offset, lines = split.cut(str(path), "utf-8", '"')
    before = path.read_bytes()[:offset]
    assert before.endswith(b"\n") and before.count(b'"') % 2 == 0 and lines == before.count(b"\n")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))  # old Mac line ends: cut after a \r
    offset, lines = split.cut(str(path), "utf-8", '"')
    before = path.read_bytes()[:offset]
    assert before.endswith(b"\r") and before.count(b'"') % 2 == 0 and lines == before.count(b"\r")


def _with_departments(tmp_path) -> str:
    names = ["WEST PUBLISHING CORP", "Acme Paving", "LEXISNEXIS RISK SOLUTIONS FL INC", "MOTOROLA SOLUTIONS INC",
             "Bob's Tacos", "PALANTIR USG INC", "DOE, JANE"]
    lines = ["Vendor Name,Amount,Payment Date,Department,Notes"]
    for i in range(20_000):
        amount = "n/a" if i % 911 == 0 else f'"{(i * 37) % 5_000:,}.{i % 100:02d}"'
        lines.append(f'"{names[i % len(names)]}",{amount},2024-0{i % 6 + 1}-{i % 28 + 1:02d},Dept {i % 5},note {i}')
    path = tmp_path / "depts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _lines(summary) -> list[tuple]:
    return [(v.vendor, v.verdict, v.entity, v.family, v.rows, round(v.dollars, 2), v.unreadable, v.first_date,
             v.last_date, dict(v.departments)) for v in summary.vendor_lines()]


@pytest.mark.parametrize("only_flagged", [True, False])
def test_the_vendor_roll_up_of_two_processes_equals_one_and_every_row(tmp_path, monkeypatch, only_flagged):
    """The per-vendor roll-up (``Summary.merge`` of the second process's) equals one process's, and rolling up
    every listed row afresh."""
    from checker.formats import View, get
    from checker.model import Summary
    from checker.sources.values import parse_amount

    path = _with_departments(tmp_path)
    results, every = [], Summary()
    for workers in ("0", "1"):
        monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", workers)
        run = Checker(["berkeley-ca"], as_of=date(2024, 6, 30)).audit(path, only_flagged=only_flagged)
        if only_flagged:
            found = list(run.findings)
            assert all(f.record.cells and f.record.cells["Notes"] == f"note {f.record.row - 1}" for f in found)
        else:
            get("csv").write(run, io.StringIO(), View())
        results.append(_lines(run.summary))
    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "0")
    for f in Checker(["berkeley-ca"], as_of=date(2024, 6, 30)).audit(path).findings:
        every.add(f, None if f.record.amount is None else parse_amount(f.record.amount))
    assert results[0] == results[1] == _lines(every)
    assert len(results[0]) >= 4 and any(line[6] for line in results[0])  # unreadable amounts counted


class _CellsWriter:
    """A row writer that writes each row's name and own cells as a JSON line."""

    opening, separator = "", "\n"

    def write(self, findings, out, lead: str) -> int:
        n = 0
        for f in findings:
            out.write((lead if n == 0 else self.separator) + json.dumps([f.record.label, f.record.cells]))
            n += 1
        return n


def test_rows_written_by_the_second_process_carry_their_cells(tmp_path, monkeypatch):
    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "1")
    path = _with_departments(tmp_path)
    run = Checker(["berkeley-ca"], as_of=date(2024, 6, 30)).audit(path)
    assert run.rows_writer is not None  # the second process writes its rows
    out = io.StringIO()
    run.write_rows(_CellsWriter(), out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [label for label, _ in rows] == [str(i) for i in range(1, 20_001)]
    assert all(cells["Notes"] == f"note {int(label) - 1}" and len(cells) == 5 for label, cells in rows)
