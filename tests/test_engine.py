"""The engine's shortcuts change nothing: every row is judged as judging it afresh would, and counted once.

The reference for each check works every row out on its own: its record converted, its facts found and
judged with no memo, no bulk count and no shared judgement.
"""

from __future__ import annotations

import random
from dataclasses import fields, replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.api import Checker
from checker.errors import InputError
from checker.judge.facts import FactFinder, Facts, VendorFacts, facts
from checker.model import Finding, Record, Skipped, Summary
from checker.sources.base import ReadOptions
from checker.sources.columns import map_columns
from checker.sources.readers import open_source
from checker.sources.rows import RowConverter
from checker.sources.values import parse_amount, sum_amounts

AS_OF = date(2024, 6, 30)
NAMES = ["WEST PUBLISHING CORP", "Acme Paving", "DOE, JANE", "Acme Paving", "PALANTIR USG INC", "Bob's Tacos",
         "SMITH, JOHN", "Acme  Paving ", "LEXIS NEXIS", "Scottsdale Plumbing", "Thomson SA", "Zed's Signs #12",
         "MOTOROLA SOLUTIONS INC", "Thompson Reuters", "CDW GOVERNMENT LLC", "THUNDERCAT TECHNOLOGY LLC"]
AMOUNTS = ["12.50", "1,005.02", "-3", "7", "(40.00)", "$9.99", "", "n/a", "1.900,12", " 5 ", "0.5", "12,3"]
DESCRIPTIONS = ["Refund", "Supplies", "CLEAR subscription thomson reuters", "Westlaw renewal", "Paving",
                "ACCURINT FOR LAW ENFORCEMENT"]
ACTIONS = ["", "payment", "new", "amended", "existing", "renewal"]


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


def _write(tmp_path, rows: int, seed: int, extra: list[str] = (), short_at: int | None = None,
           actions: bool = False) -> str:
    rnd = random.Random(seed)
    head = "Vendor Name,Amount,Payment Date,Description,Department" + (",Contract Action,Contract Start" if actions
                                                                        else "")
    lines = [head]
    for i in range(rows):
        name = rnd.choice(NAMES) if rnd.random() < 0.8 else _one_off(i)
        amount = rnd.choice(AMOUNTS) if i < 9_000 and rnd.random() < 0.1 else rnd.choice(AMOUNTS[:4])  # later
        # chunks hold plain numbers only, so their amounts are summed in bulk
        day = f"2019-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        desc = rnd.choice(DESCRIPTIONS[:2]) if rnd.random() < 0.97 else rnd.choice(DESCRIPTIONS)
        line = f'"{name}","{amount}",{day},{desc},Dept {rnd.randint(1, 3)}'
        if actions:
            line += f",{rnd.choice(ACTIONS)},{rnd.choice(['', '2017-03-01', '2020-01-01'])}"
        lines.append(line)
    if short_at is not None:  # a row with too few cells, in a chunk of its own
        lines[short_at] = '"Acme Paving",2,2019-01-01'
    lines += extra
    path = tmp_path / f"pay-{seed}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


class _MatchedOnce(FactFinder):
    """A checker's fact finder that matches each exact vendor cell once (matching reads the cell alone; the engine
    keeps its answer per normalised cell, which this does not assume); every record's facts are still found by
    ``FactFinder.of``."""

    def __init__(self, finder: FactFinder) -> None:
        super().__init__(finder.matcher, finder.registry, finder.waivers)
        self.matched: dict[tuple[str, tuple[tuple[str, str], ...]], VendorFacts] = {}

    def vendor(self, name: str, identifiers: tuple[tuple[str, str], ...] = ()) -> VendorFacts:
        key = (name, identifiers)
        if key not in self.matched:
            self.matched[key] = super().vendor(name, identifiers)
        return self.matched[key]


def _each_row_afresh(checker: Checker, path: str) -> tuple[Summary, list[tuple[int, str, object]]]:
    """The reference: every row converted and judged on its own, with no memo of facts or judgements, no sharing
    and no tallies (only each vendor cell's match is kept: ``_MatchedOnce``)."""
    source = open_source(path, ReadOptions())
    convert = RowConverter(source.path, map_columns(source.header, path))
    finder = _MatchedOnce(checker.finder)
    summary, listed = Summary(), []
    row = 0
    for chunk in source.chunks(100):
        for cells in chunk:
            row += 1
            item = convert(row, cells)
            if isinstance(item, Skipped):
                summary.skip(item)
                continue
            finding = Finding(item, checker.judge.judge(finder.of(item)))
            summary.add(finding)
            if item.amount is not None:
                summary.dollars.add(finding, parse_amount(item.amount))
            listed.append((row, finding.verdict, finding.judgement))
    return summary, listed


def _counts(s: Summary) -> dict:
    d = s.dollars
    return {"rows": s.rows, "verdicts": s.verdict_counts(), "persons": s.persons, "skipped": sorted(
        (k.row, k.reason) for k in s.skipped), "ragged": (s.ragged, s.ragged_rows), "dollar_rows": d.rows,
        "unreadable": d.unreadable, "total": round(d.total, 2),
        "by_verdict": {k: round(v, 2) for k, v in d.by_verdict.items() if v},
        "by_family": {k: round(v, 2) for k, v in d.by_family.items()},
        "by_department": {k: round(v, 2) for k, v in d.flagged_by_department.items()}}


@pytest.mark.parametrize("seed", [1, 2])
def test_flagged_rows_and_bulk_counts_equal_judging_each_row_afresh(tmp_path, seed):
    extra = [",,,,", '"",12.00,,,', '"Acme Paving",1,2019-01-01,Refund,Dept 1,surplus']  # blank, total, ragged
    path = _write(tmp_path, 20_000, seed, extra, short_at=12_000)  # three chunks of 8,192 rows
    run = Checker(as_of=AS_OF).audit(path, only_flagged=True)
    flagged = [(f.record.row, f.verdict, f.judgement) for f in run.findings]
    summary, listed = _each_row_afresh(Checker(as_of=AS_OF), path)
    assert flagged == [x for x in listed if x[2].flagged] and len(flagged) > 100
    assert _counts(run.summary) == _counts(summary)
    assert run.summary.dollars.unreadable > 0 and run.summary.ragged == 2
    assert run.summary.persons > 2_000  # one-off individuals among them, counted apart from companies


def test_a_full_listing_equals_judging_each_row_afresh(tmp_path):
    """Every row listed, with contract actions and start dates that matched vendors' judgements read."""
    path = _write(tmp_path, 9_000, 5, actions=True)
    run = Checker(as_of=AS_OF).audit(path)
    listed = [(f.record.row, f.verdict, f.judgement) for f in run.findings]
    summary, expected = _each_row_afresh(Checker(as_of=AS_OF), path)
    assert listed == expected
    assert _counts(run.summary) == _counts(summary)
    assert {v for _, v, _ in listed} >= {"prohibited", "potential_violation", "grandfathered", "clear"}


@pytest.mark.parametrize("vendor", ["Acme Paving", "One-off Supply X", "QXYZ, ANN"])
def test_a_bad_date_after_bulk_chunks_names_its_row(tmp_path, vendor):
    """A vendor seen before, or one named once, with a bad date mid-chunk: the error names its row."""
    after = ['"Acme Paving",2,2019-01-02,Refund,Dept 1'] * 900  # the bad row is inside a chunk, not last
    path = _write(tmp_path, 20_000, 4, [f'"{vendor}",1.00,2019-02-30,Refund,Dept 1', *after])
    with pytest.raises(InputError, match="row 20001: column 'Payment Date': '2019-02-30' is not a valid date"):
        for _ in Checker(as_of=AS_OF).audit(path, only_flagged=True).findings:
            pass


def test_only_the_rows_a_bulk_count_cannot_take_are_converted(tmp_path, monkeypatch):
    """With only flagged rows listed, a row is made into a record only when its vendor's judgement is flagged or
    reads the row, its description names a product, or the row cannot be counted (ragged, blank, a total): rows
    whose date or action cells are new are counted in bulk too, and so are the rows of a chunk in which the
    remembered vendor cells are forgotten (a small limit forgets them every few chunks)."""
    from checker.engine import tally
    from checker.engine.audit import CHUNK_ROWS
    from checker.judge.facts import vendor_only

    monkeypatch.setattr(tally, "GROUP_LIMIT", 600)
    extra = [",,,,", '"",12.00,,,', '"Acme Paving",1,2019-01-01,Refund,Dept 1,surplus']
    path = _write(tmp_path, 20_000, 3, extra, short_at=12_000, actions=True)
    converted: list[int] = []
    convert = RowConverter.__call__
    monkeypatch.setattr(RowConverter, "__call__", lambda self, row, cells: converted.append(row) or convert(
        self, row, cells))
    checker = Checker(as_of=AS_OF)
    run = checker.audit(path, only_flagged=True)
    flagged = [(f.record.row, f.verdict, f.judgement) for f in run.findings]
    monkeypatch.setattr(RowConverter, "__call__", convert)
    summary, listed = _each_row_afresh(Checker(as_of=AS_OF), path)
    assert flagged == [x for x in listed if x[2].flagged] and _counts(run.summary) == _counts(summary)
    finder = checker.finder
    source = open_source(path, ReadOptions())
    columns = map_columns(source.header, path)
    judged = {row: j for row, _, j in listed}
    expected, row = [], 0
    for chunk in source.chunks(CHUNK_ROWS):
        ragged = any(len(cells) != len(source.header) for cells in chunk)  # its chunk is read row by row
        for cells in chunk:
            row += 1
            if ragged or row not in judged:  # or a blank or total row
                expected.append(row)
                continue
            shared = vendor_only(finder.vendor(" ".join(cells[columns.vendor].split())))
            if shared is None or judged[row].flagged or not finder.names_no_product(cells[columns.description]):
                expected.append(row)
    assert converted == expected and len(converted) < 20_000 - 5_000


def test_equal_judgements_of_different_days_are_one_object(tmp_path):
    """Rows of a covered vendor on different days have different facts but often the same judgement: the engine
    gives them one object, so that a format renders it once."""
    path = tmp_path / "days.csv"
    path.write_text("Vendor Name,Amount,Payment Date\n" + "".join(
        f"WEST PUBLISHING CORP,10,2021-03-{day:02d}\n" for day in range(1, 29)), encoding="utf-8")
    found = list(Checker(["berkeley-ca"], as_of=AS_OF).audit(str(path)).findings)
    assert len({f.record.date for f in found}) == 28 and found[0].flagged
    assert len({id(f.judgement) for f in found}) == 1


def test_only_flagged_stream_still_counts_every_row(tmp_path):
    path = _write(tmp_path, 3_000, 6)
    full = Checker(as_of=AS_OF).audit(path)
    listed = list(full.findings)
    flagged_run = Checker(as_of=AS_OF).audit(path, only_flagged=True)
    flagged = list(flagged_run.findings)
    assert [f.record.row for f in flagged] == [f.record.row for f in listed if f.flagged]
    assert _counts(flagged_run.summary) == _counts(full.summary)


GROUPED = st.from_regex(r"-?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{1,3})?", fullmatch=True)
CELL = st.text(alphabet="0123456789.-,$() e+_\u00a0", max_size=8) | GROUPED


@given(st.lists(CELL, min_size=1, max_size=6))
def test_amounts_summed_in_bulk_equal_reading_each_cell(cells):
    values = [parse_amount(c) for c in cells]
    read = [v for v in values if v is not None]
    count, total, unreadable = sum_amounts(cells)
    assert count == len(read) and total == pytest.approx(sum(read))
    assert unreadable == sum(1 for c, v in zip(cells, values, strict=True) if v is None and c.strip())


# -- the facts declaration -------------------------------------------------------------------------------
VENDORS = ["WEST PUBLISHING CORP", "PALANTIR USG INC", "GIANT OAK INC", "MOTOROLA SOLUTIONS INC", "TRANS UNION LLC",
           "SAS INSTITUTE INC", "LEXISNEXIS RISK SOLUTIONS", "Thompson Reuters", "Thomson Retuers Holdings Group",
           "Acme Paving", "DOE, JANE", "CDW GOVERNMENT LLC", "THUNDERCAT TECHNOLOGY LLC", "Vigilant Insurance Company"]
DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 1, 1))
RECORDS = st.builds(
    Record, row=st.just(1), vendor=st.sampled_from(VENDORS), action=st.sampled_from([None, *ACTIONS[1:4], "existing",
                                                                                      "extended", "renewed"]),
    date=st.none() | DAYS, contract_start=st.none() | DAYS, contract_end=st.none() | DAYS,
    amount=st.sampled_from([None, "10", "250000", "n/a"]), department=st.sampled_from([None, "Police"]),
    description=st.sampled_from([None, *DESCRIPTIONS]), contract_id=st.sampled_from([None, "C-1", "C-2"]))
WAIVERS = """waivers:
  - {entity: palantir, rule_set: berkeley-ca, resolution: "R-1", decided: "2019-06-01", scope: {contract_id: C-1}}
  - {vendor: "WEST PUBLISHING CORP", rule_set: berkeley-ca, resolution: "R-2", decided: "2020-01-01",
     expires: "2023-12-31", scope: {max_amount: 100000}}
"""


def _every_field(record: Record, vendor: VendorFacts, product, screening: bool) -> Facts:
    """Facts with every field the record has, whatever ``reads_the_row`` says."""
    return Facts(vendor, product, screening, record.action, record.date, record.contract_start, record.contract_end,
                 record.vendor, record.contract_id, record.amount)


@pytest.fixture(scope="module")
def checkers(tmp_path_factory):
    waivers = tmp_path_factory.mktemp("w") / "waivers.yaml"
    waivers.write_text(WAIVERS, encoding="utf-8")
    rules = ["berkeley-ca", "oakland-ca", "richmond-ca", "ca-ab2597-2020"]
    return Checker(rules, as_of=AS_OF), Checker(rules, as_of=AS_OF, waivers=str(waivers))


@settings(max_examples=300, deadline=None)
@given(record=RECORDS, screening=st.booleans(), with_waivers=st.booleans())
def test_a_judgement_reads_only_the_declared_facts(checkers, record, screening, with_waivers):
    """Judging the declared facts gives what judging every field of the record gives."""
    checker = checkers[with_waivers]
    finder = checker.finder
    vendor = finder.vendor(record.vendor)
    product = finder.product(record.description, vendor)
    declared = facts(record, vendor, product, waivers=finder.waivers, screening=screening)
    assert checker.judge.judge(declared) == checker.judge.judge(_every_field(record, vendor, product, screening))


@settings(max_examples=200, deadline=None)
@given(record=RECORDS, screening=st.booleans(), with_waivers=st.booleans(), other=DAYS)
def test_a_day_judged_as_a_watched_day_gives_its_judgement_to_its_whole_stretch(checkers, record, screening,
                                                                                 with_waivers, other):
    """Judged as a ``WatchedDay``, a record's facts get their own judgement, and the first and last days of the
    stretch it noted, and any day between, get that judgement too (any action, contract dates, waivers)."""
    from checker.engine.days import WatchedDay

    checker = checkers[with_waivers]
    finder = checker.finder
    vendor = finder.vendor(record.vendor)
    declared = facts(record, vendor, finder.product(record.description, vendor), waivers=finder.waivers,
                     screening=screening)
    if declared.day is None:
        return
    watched = WatchedDay(declared.day)
    judgement = checker.judge.judge(declared._replace(day=watched))
    assert judgement == checker.judge.judge(declared)
    first, last = max(watched.first, date(1900, 1, 1)), min(watched.last, date(2100, 1, 1))
    for day in {first, last, min(max(other, first), last)}:
        assert checker.judge.judge(declared._replace(day=day)) == judgement, day


def test_records_that_differ_outside_their_facts_share_a_judgement(checkers):
    """The converse, on the fields the facts leave out: rows of an unmatched vendor on any day, with any action."""
    checker = checkers[0]
    base = Record(1, "Acme Paving", "new", date(2019, 1, 1), description="Supplies")
    judgements = {checker.judge.judge(checker.finder.of(replace(base, action=a, date=d)))
                  for a in (None, "new", "existing") for d in (None, date(2016, 1, 1), date(2025, 1, 1))}
    assert len(judgements) == 1
    assert {f.name for f in fields(Record)} >= {"action", "date", "contract_start", "contract_end", "amount"}


def test_judgements_of_matched_vendors_across_days_equal_fresh_ones(checkers):
    """The same vendor on many days, near every date the registry and rule sets name, through the engine's
    memo of judgements, equals a fresh judge's answer. (Each checker matches a vendor once, ``_MatchedOnce``: the
    day is what this varies.)"""
    from checker.engine.memo import Memo

    checker = checkers[0]
    fresh = Checker(["berkeley-ca", "oakland-ca", "richmond-ca", "ca-ab2597-2020"], as_of=AS_OF)
    memo = Memo(checker.judge.judge)
    points = {rs.effective for rs in checker.rulesets} | {
        p for e in checker.registry.entities.values() for ev in e.evidence for p in (ev.start, ev.end) if p}
    near = {p + timedelta(days=d) for p in points for d in (-1, 0, 1) if date(2015, 1, 1) <= p <= date(2026, 1, 1)}
    days = sorted(near | {date(2016, 1, 1) + timedelta(days=k) for k in range(0, 9 * 365, 37)})
    checked = 0
    mine, theirs = _MatchedOnce(checker.finder), _MatchedOnce(fresh.finder)
    for vendor in VENDORS[:9]:
        for action, start, end in [(None, None, None), ("new", None, None), ("existing", date(2018, 1, 1),
                                                                              date(2021, 3, 1))]:
            for day in days:
                record = Record(1, vendor, action, day, start, end)
                assert memo(mine.of(record)) == fresh.judge.judge(theirs.of(record)), (vendor, day)
                checked += 1
    assert checked > 3000


def _holds_a_watched_day(value: object) -> bool:
    from checker.engine.days import WatchedDay

    if isinstance(value, WatchedDay):
        return True
    return isinstance(value, tuple) and any(map(_holds_a_watched_day, value))


@pytest.mark.parametrize("with_waivers", [False, True])
def test_judgements_by_stretch_of_days_equal_each_day_judged(checkers, with_waivers):
    """The engine judges facts that differ only in their day once for each stretch of days with one answer
    (``ByStretch``): every day next to a date the rule sets, the registry, the waivers or the contract name, and
    every 47th day, asked in a shuffled order, gets the judgement of that day, with no watched day in it; and
    fewer judgements are made than days asked."""
    from checker.engine.days import ByStretch
    from checker.knowledge.dates import parse_partial

    checker = checkers[with_waivers]
    judge = checker.judge.judge
    made: list[Facts] = []
    by_stretch = ByStretch(lambda f: made.append(f) or judge(f), 100_000)
    points = {p for rs in checker.rulesets for p in (rs.may_apply_from, rs.in_force_from)}
    points |= {p for e in checker.registry.entities.values() for ev in e.evidence
               for p in (ev.start, ev.end, ev.ended.date if ev.ended else None) if p}
    points |= {parse_partial(e.acquired, end=True) for e in checker.registry.entities.values() if e.acquired}
    points |= {parse_partial(e.divested) for e in checker.registry.entities.values() if e.divested}
    points |= {date(2019, 6, 1), date(2020, 1, 1), date(2023, 12, 31), date(2018, 1, 1), date(2021, 3, 1)}
    near = {p + timedelta(days=d) for p in points for d in (-1, 0, 1) if date(2015, 1, 1) <= p <= date(2026, 6, 1)}
    days = sorted(near | {date(2015, 1, 1) + timedelta(days=k) for k in range(0, 12 * 365, 47)})
    random.Random(7).shuffle(days)
    finder = _MatchedOnce(checker.finder)
    asked = 0
    for vendor in ("WEST PUBLISHING CORP", "PALANTIR USG INC", "MOTOROLA SOLUTIONS INC", "VIGILANT SOLUTIONS LLC",
                   "TRANS UNION LLC", "B I"):
        for action, start, end in [(None, None, None), ("payment", None, None), ("extended", None, None),
                                   ("existing", date(2018, 1, 1), date(2021, 3, 1))]:
            for day in days:
                f = finder.of(Record(1, vendor, action, day, start, end, amount="10", contract_id="C-1"))
                assert by_stretch(f) == judge(f), (vendor, action, day)
                asked += 1
    assert asked > 8_000 and len(made) < asked / 2  # most of these days are next to a date that changes the answer
    assert not any(_holds_a_watched_day(j) for _, stretches in by_stretch.known.values() for _, j in stretches)


def test_a_watched_day_notes_the_days_each_comparison_agrees_on():
    """Each comparison, either way round, narrows the stretch to exactly the days that compare alike (checked day
    by day around it); anything else done with the day pins the stretch to the day."""
    import operator
    from bisect import bisect_right

    from checker.engine.days import WatchedDay

    day = date(2020, 5, 5)
    around = [day + timedelta(days=k) for k in range(-6, 7)]
    for op in (operator.lt, operator.le, operator.gt, operator.ge):
        for cut in (day - timedelta(days=3), day, day + timedelta(days=3)):
            for left in (True, False):
                watched = WatchedDay(day)
                result = op(watched, cut) if left else op(cut, watched)
                assert result == (op(day, cut) if left else op(cut, day))
                alike = [d for d in around if (op(d, cut) if left else op(cut, d)) == result]
                assert [d for d in around if watched.first <= d <= watched.last] == alike, (op, cut, left)
    watched = WatchedDay(day)
    assert bisect_right([date(2020, 1, 1), date(2020, 5, 6)], watched) == 1
    assert (watched.first, watched.last) == (date(2020, 1, 1), date(2020, 5, 5))
    assert watched <= date.max and watched > date.min and (watched.first, watched.last) == (date(2020, 1, 1), day)
    for use in (str, hash, lambda d: d.isoformat(), lambda d: d - date(2020, 1, 1), lambda d: d == day,
                lambda d: f"{d}"):
        other = WatchedDay(day)
        use(other)
        assert other.first == other.last == day


def test_the_coverage_timeline_equals_working_each_day_out(checkers):
    """The answer remembered for a stretch of days is the one each day of it gives, at every date where the
    registry's evidence starts or stops and the days either side."""
    checker = checkers[0]
    coverage = checker.judge.coverage
    checked = 0
    for rs in checker.rulesets:
        for entity_id in checker.registry.entities:
            links = coverage.links(rs, entity_id)
            edges = {lk.since for lk in links} | {lk.until for lk in links if lk.until < date.max}
            days = {d + timedelta(days=k) for d in edges for k in (-1, 0, 1)} | {date(2010, 1, 1), date(2030, 1, 1)}
            for day in days:
                assert coverage.covered(rs, entity_id, day) == coverage.covered_on(rs, entity_id, day, links)
                checked += 1
    assert checked > 1000


# -- the row's own cells -----------------------------------------------------------------------------------
def test_rows_that_differ_only_in_a_column_no_judgement_reads_share_one(tmp_path):
    """``Record.cells`` carries every cell of a listed row, and no judgement reads it: rows that differ only in a
    column the facts leave out share one judgement (the same object, through the engine's memo)."""
    path = tmp_path / "notes.csv"
    path.write_text("Vendor Name,Amount,Payment Date,Notes,Notes\n"
                    "WEST PUBLISHING CORP,10,2019-07-01,first,a\n"
                    "WEST PUBLISHING CORP,10,2019-07-01,second,b\n"
                    "Acme Paving,10,2019-07-01,third,c\n"
                    "Acme Paving,10,2019-07-01,fourth,d\n", encoding="utf-8")
    checker = Checker(["berkeley-ca"], as_of=AS_OF)
    run = checker.audit(str(path))
    found = list(run.findings)
    assert run.input_columns == ("Vendor Name", "Amount", "Payment Date", "Notes", "Notes#2")
    assert [f.record.cells["Notes"] for f in found] == ["first", "second", "third", "fourth"]
    assert found[0].record.cells == {"Vendor Name": "WEST PUBLISHING CORP", "Amount": "10",
                                     "Payment Date": "2019-07-01", "Notes": "first", "Notes#2": "a"}
    assert found[0].flagged and found[0].judgement is found[1].judgement
    assert found[2].judgement is found[3].judgement
    for f in found:
        plain = replace(f.record, cells=None)
        assert checker.judge.judge(checker.finder.of(plain)) == f.judgement
        assert checker.finder.of(plain) == checker.finder.of(replace(f.record, cells={"Notes": "other"}))


@pytest.mark.parametrize("only_flagged", [True, False])
def test_every_listed_row_carries_its_cells_on_every_path(tmp_path, only_flagged):
    """Rows counted in bulk and listed, rows read one by one, ragged rows: each carries its own cells."""
    import csv

    path = _write(tmp_path, 20_000, 5, ['"Acme Paving",1,2019-01-01,Refund,Dept 1,surplus'], short_at=12_000)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    found = list(Checker(as_of=AS_OF).audit(path, only_flagged=only_flagged).findings)
    assert len(found) > (100 if only_flagged else 19_000)
    for f in found:
        assert f.record.cells == dict(zip(header, rows[f.record.row], strict=False)), f.record.row
        assert f.record.source is None and f.record.label == str(f.record.row)
