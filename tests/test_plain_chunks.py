"""Rows tallied in bulk (``checker.plain_chunk``) count exactly as judging each row afresh would."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.errors import InputError
from checker.models import Skipped, Summary
from checker.plain_chunk import _plain_numbers
from checker.service import Checker
from checker.sources.columns import map_columns
from checker.sources.csv_source import RowConverter, open_csv
from checker.sources.values import parse_amount

AS_OF = date(2024, 6, 30)
NAMES = ["WEST PUBLISHING CORP", "Acme Paving", "DOE, JANE", "Acme Paving", "PALANTIR USG INC", "Bob's Tacos",
         "SMITH, JOHN", "Acme  Paving ", "LEXIS NEXIS", "Scottsdale Plumbing", "Thomson SA", "Zed's Signs #12"]
AMOUNTS = ["12.50", "1,005.02", "-3", "7", "(40.00)", "$9.99", "", "n/a", "1.900,12", " 5 ", "0.5", "12,3"]
DESCRIPTIONS = ["Refund", "Supplies", "CLEAR subscription", "Westlaw renewal", "Paving"]


def _letters(i: int) -> str:
    """A surname made of letters only, one per number: 0 -> "QA", 27 -> "QBB"."""
    out = ""
    while True:
        out = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i % 26] + out
        i //= 26
        if not i:
            return "Q" + out


def _one_off(i: int) -> str:
    """A payee named once in the file: a company, or an individual (``LAST, FIRST``)."""
    return f"One-off Supply {i}" if i % 2 else f"{_letters(i)}, ANN"


def _write(tmp_path, rows: int, seed: int, extra: list[str] = (), short_at: int | None = None) -> str:
    rnd = random.Random(seed)
    lines = ["Vendor Name,Amount,Payment Date,Description,Department"]
    for i in range(rows):
        name = rnd.choice(NAMES) if rnd.random() < 0.8 else _one_off(i)
        amount = rnd.choice(AMOUNTS) if i < 9_000 and rnd.random() < 0.1 else rnd.choice(AMOUNTS[:4])  # later
        # chunks hold plain numbers only, so their amounts are summed in bulk
        day = f"2019-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        desc = rnd.choice(DESCRIPTIONS[:2]) if rnd.random() < 0.97 else rnd.choice(DESCRIPTIONS)
        lines.append(f'"{name}","{amount}",{day},{desc},Dept {rnd.randint(1, 3)}')
    if short_at is not None:  # a row with too few cells, in a chunk of its own
        lines[short_at] = '"Acme Paving",2,2019-01-01'
    lines += extra
    path = tmp_path / f"pay-{seed}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _each_row_afresh(checker: Checker, path: str) -> tuple[Summary, list[tuple[int, str]]]:
    """The reference: every row converted and judged on its own, with no sharing and no tallies."""
    opened = open_csv(path)
    convert = RowConverter(opened.path, map_columns(opened.header, path))
    summary, flagged = Summary(), []
    for row, cells in opened.rows():
        item = convert(row, cells)
        if isinstance(item, Skipped):
            summary.skip(item)
            continue
        finding = checker.judge.judge(item)
        summary.add(finding)
        if finding.flagged:
            flagged.append((row, finding.verdict))
    return summary, flagged


def _counts(s: Summary) -> dict:
    d = s.dollars
    return {"rows": s.rows, "verdicts": s.verdict_counts(), "persons": s.persons, "skipped": sorted(
        (k.row, k.reason) for k in s.skipped), "ragged": (s.ragged, s.ragged_rows), "dollar_rows": d.rows,
        "unreadable": d.unreadable, "total": round(d.total, 2),
        "by_verdict": {k: round(v, 2) for k, v in d.by_verdict.items() if v}}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_tallies_equal_judging_each_row_afresh(tmp_path, seed, monkeypatch):
    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "0")
    extra = [",,,,", '"",12.00,,,', '"Acme Paving",1,2019-01-01,Refund,Dept 1,surplus']  # blank, total, ragged
    path = _write(tmp_path, 30_000, seed, extra, short_at=12_000)  # several chunks of 8,192 rows
    checker = Checker(as_of=AS_OF)
    run = checker.audit(path, only_flagged=True)
    flagged = [(f.record.row, f.verdict) for f in run.findings]
    summary, expected_flagged = _each_row_afresh(Checker(as_of=AS_OF), path)
    assert flagged == expected_flagged and len(flagged) > 100
    assert _counts(run.summary) == _counts(summary)
    assert run.summary.dollars.unreadable > 0 and run.summary.ragged == 2
    assert run.summary.persons > 3_000  # one-off individuals among them, tallied apart from companies


@pytest.mark.parametrize("vendor", ["Acme Paving", "One-off Supply X", "QXYZ, ANN"])
def test_a_bad_date_after_bulk_chunks_names_its_row(tmp_path, monkeypatch, vendor):
    """A vendor seen before, or one named once (its tally found in bulk), with a bad date mid-chunk."""
    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "0")
    after = ['"Acme Paving",2,2019-01-02,Refund,Dept 1'] * 900  # the bad row is inside a chunk, not last
    path = _write(tmp_path, 20_000, 4, [f'"{vendor}",1.00,2019-02-30,Refund,Dept 1', *after])
    with pytest.raises(InputError, match="row 20001: '2019-02-30' is not a valid date"):
        for _ in Checker(as_of=AS_OF).audit(path, only_flagged=True).findings:
            pass


GROUPED = st.from_regex(r"-?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{1,3})?", fullmatch=True)
CELL = st.text(alphabet="0123456789.-,$() e+_\u00a0", max_size=8) | GROUPED


@given(st.lists(CELL, min_size=1, max_size=6))
def test_amounts_read_in_bulk_equal_reading_each_cell(cells):
    values = _plain_numbers(cells)
    if values is not None:
        assert values == [parse_amount(c) for c in cells]
