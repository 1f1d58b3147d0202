"""A file's own total and subtotal rows are reconciled with the sum of the data rows they cover, and still
reported as skipped; the same whichever way the engine reads the rows (bulk counts, chunks, two processes)."""

from __future__ import annotations

import io
import random
from datetime import date

import pytest

from checker.api import Checker
from checker.formats import View, get
from checker.model import Running, Summary, TotalRow, reconciled
from checker.sources.rows import LABELLED_TOTAL_REASON, TOTAL_REASON, total_words

from conftest import real_file

AS_OF = date(2024, 6, 30)


def _audit(path, only_flagged: bool = True) -> Summary:
    run = Checker(["berkeley-ca"], as_of=AS_OF).audit(str(path), only_flagged=only_flagged)
    if only_flagged:
        list(run.findings)
    else:  # every row listed: a large file's second process writes its rows as text
        get("json").write(run, io.StringIO(), View())
    return run.summary


def _totals(summary: Summary) -> list[tuple]:
    return [(t.row, t.label, t.kind, t.first_row, t.stated, t.computed, t.difference)
            for t in summary.stated_totals]


def test_subtotals_and_a_grand_total(tmp_path):
    path = tmp_path / "sections.csv"
    path.write_text("Vendor Name,Department,Amount\n"
                    "Acme Paving,Fire,10\n"            # 1
                    "Bob's Tacos,Fire,5.50\n"          # 2
                    ",Subtotal Fire,15.50\n"           # 3 labelled in another column
                    "Acme Paving,Police,20\n"          # 4
                    "Zed's Signs,Police,n/a\n"         # 5 no readable amount: not in any sum
                    "Zed's Signs,Police,\"1,000.25\"\n"  # 6
                    ",,\"1,020.00\"\n"                 # 7 no words: a subtotal of rows 4-6 that differs from them
                    "TOTAL TRANSIT INC,Fire,4\n"       # 8 a vendor whose name starts with "total"
                    "Grand Total,,\"1,050.00\"\n",     # 9 labelled in the vendor column
                    encoding="utf-8")
    s = _audit(path)
    assert _totals(s) == [
        (3, "Subtotal Fire", "subtotal", 1, 15.5, 15.5, 0.0),
        (7, "", "subtotal", 4, 1020.0, 1020.25, -0.25),  # no words: nearer the rows since row 3 than all above
        (9, "Grand Total", "total", 1, 1050.0, 1039.75, 10.25),
    ]
    assert s.skipped_by_reason == {LABELLED_TOTAL_REASON: 2, TOTAL_REASON: 1}  # still reported as skipped
    assert s.rows == 9 and s.by_verdict["clear"] == 6  # TOTAL TRANSIT INC is judged as a vendor


def test_a_total_row_without_words_that_sums_the_rows_since_the_last_one_is_a_subtotal(tmp_path):
    path = tmp_path / "blocks.csv"
    path.write_text("Vendor Name,Amount\nA Co,1\nB Co,2\n,3\nC Co,4\n,4\n,7\n", encoding="utf-8")
    assert _totals(_audit(path)) == [(3, "", "total", 1, 3.0, 3.0, 0.0), (5, "", "subtotal", 4, 4.0, 4.0, 0.0),
                                     (6, "", "total", 1, 7.0, 7.0, 0.0)]


def test_total_words():
    assert [total_words(w) for w in ("TOTAL", "Total:", "Grand Total", "Sub-total Fire", "Totals for June")] == \
        ["", "", "total", "subtotal", ""]
    assert [total_words(w) for w in ("TOTAL TRANSIT INC", "Totally Kids", "SUBARU OF AMERICA", "")] == [None] * 4


def _big(tmp_path, rows: int = 30_000, seed: int = 3) -> tuple[str, list[tuple]]:
    """Clear vendors (counted in bulk) with a subtotal row every few thousand rows (one of them wrong) and a
    grand total that is off by $12.34; the expected reconciliation, worked out in cents."""
    rnd = random.Random(seed)
    lines = ["Vendor Name,Amount,Payment Date"]
    expected, above, since, first, row = [], 0, 0, 1, 0
    for i in range(rows):
        row += 1
        cents = rnd.randint(-5_000, 500_000)
        lines.append(f'"{rnd.choice(["Acme Paving", "Bob Tacos", "Zed Signs"])} {i % 40}",'
                     f'"{cents / 100:,.2f}",2024-01-{i % 28 + 1:02d}')
        above += cents
        since += cents
        if i % 4_099 == 4_098:
            row += 1
            stated = since + (700 if len(expected) == 2 else 0)
            lines.append(f',"{stated / 100:,.2f}",')
            kind = "total" if not expected else "subtotal"
            expected.append((row, "", kind, 1 if kind == "total" else first, stated / 100,
                             (above if kind == "total" else since) / 100, round((stated - since) / 100, 2)))
            since, first = 0, row + 1
    row += 1
    lines.append(f'"Grand Total","{(above + 1_234) / 100:,.2f}",')
    expected.append((row, "Grand Total", "total", 1, (above + 1_234) / 100, above / 100, 12.34))
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path), expected


@pytest.mark.parametrize("workers", ["0", "1"])
@pytest.mark.parametrize("only_flagged", [True, False])
def test_totals_of_a_large_file_in_chunks_and_in_two_processes(tmp_path, monkeypatch, workers, only_flagged):
    """Total rows fall inside chunks whose other rows are counted in bulk, and on either side of the cut."""
    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", workers)
    continued: list[TotalRow] = []
    real = Running.continued
    monkeypatch.setattr(Running, "continued", lambda self, t: continued.append(t) or real(self, t))
    path, expected = _big(tmp_path)
    s = _audit(path, only_flagged)
    assert bool(continued) == (workers == "1")  # the second process's total rows waited for the first's sums
    assert [t[:5] for t in _totals(s)] == [t[:5] for t in expected]
    assert [t[5] for t in _totals(s)] == pytest.approx([t[5] for t in expected], abs=0.005)
    assert [t[6] for t in _totals(s)] == [t[6] for t in expected]
    assert round(s.running.above, 2) == round(s.dollars.total, 2)  # every data row's amount summed once


def test_a_later_part_waits_for_the_rows_before_it():
    """``Summary.merge`` adds the first part's sums to the second part's total rows (two processes)."""
    head, tail = Summary(), Summary(running=Running.within())
    head.running.add(10)
    head.total_row(2, "", 10, None)
    head.running.add(5)
    tail.running.add(1)
    tail.total_row(9, "", 6, None)  # after a total row (in the head): the rows since it sum to 6
    tail.running.add(4)
    tail.total_row(12, "Grand Total", 20, "total")
    assert not tail.stated_totals and len(tail.open_totals) == 2
    head.merge(tail)
    assert [(t.row, t.kind, t.first_row, t.computed) for t in head.stated_totals] == \
        [(2, "total", 1, 10), (9, "subtotal", 3, 6), (12, "total", 1, 20)]
    assert reconciled(TotalRow(4, "", 3.0, None, 3.0, 3.0, 1, False)).kind == "total"


def test_phoenix_june_grand_total_differs_from_its_rows():
    path = real_file("phoenix_az_checkbook_2018-06.csv")
    s = _audit(path)
    assert _totals(s) == [(54_992, "", "total", 1, 639_423_536.77, 639_418_184.77, 5_352.00)]
    assert s.skipped_by_reason[TOTAL_REASON] == 1
