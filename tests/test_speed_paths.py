"""The fast paths give the same answers as the plain ones: compiled cache, shared judgements, JSON rendering."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from checker.compiled_cache import ENV
from checker.formats.common import finding_dict
from checker.formats.json_format import finding_json
from checker.service import Checker

from conftest import ROOT

EXAMPLE = str(ROOT / "examples" / "city-payments.csv")


def _audit_json(cache: str, *args: str) -> dict:
    env = {**os.environ, ENV: cache}
    out = subprocess.run([sys.executable, "-m", "checker", "audit", EXAMPLE, "-f", "json", "--as-of", "2024-06-30",
                          *args], capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out)


def test_results_identical_with_and_without_the_compiled_cache(tmp_path):
    cache = tmp_path / "cache"
    off = _audit_json("off")
    cold = _audit_json(str(cache))  # fills the cache
    assert sorted(p.name.split("-")[0] for p in cache.iterdir()) == ["matcher", "rulesets"]
    warm = _audit_json(str(cache))  # reads it
    assert off == cold == warm


def test_a_corrupt_cache_entry_is_rebuilt_not_trusted(tmp_path):
    cache = tmp_path / "cache"
    expected = _audit_json(str(cache))
    for entry in cache.iterdir():
        entry.write_bytes(b"not a pickle")
    assert _audit_json(str(cache)) == expected
    assert all(entry.read_bytes() != b"not a pickle" for entry in cache.iterdir())


def test_an_edited_registry_file_is_never_read_stale(tmp_path, cli):
    import shutil

    vendors = tmp_path / "vendors"
    shutil.copytree(ROOT / "vendors", vendors)
    before = cli("screen", "PALANTIR USG INC", "--registry", str(vendors), "-f", "json").json()
    assert before["findings"][0]["verdict"] != "clear"
    (vendors / "palantir.yaml").unlink()
    after = cli("screen", "PALANTIR USG INC", "--registry", str(vendors), "-f", "json").json()
    assert after["findings"][0]["verdict"] == "clear"


def test_shared_judgements_equal_judging_each_row_afresh(tmp_path):
    rows = ["Vendor Name,Amount,Payment Date,Description"]
    names = ["WEST PUBLISHING CORP", "Acme Paving", "DOE, JANE", "Acme Paving", "PALANTIR USG INC", "Acme Paving",
             "West Coast Arborists", "WEST PUBLISHING CORP", "Acme Paving"]
    for i, name in enumerate(names):
        memo = "ACCURINT FOR LAW ENFORCEMENT renewal" if i == 5 else "supplies"
        rows.append(f'"{name}",{i + 1}.50,2019-0{i % 9 + 1}-15,{memo}')
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    as_of = date(2024, 6, 30)
    shared = list(Checker(as_of=as_of).audit(str(path)).findings)
    assert len(shared) == len(names)
    for f in shared:
        fresh = Checker(as_of=as_of).judge.judge(f.record)
        assert finding_dict(f) == finding_dict(fresh), f.record.vendor
    assert shared[5].verdict == "possible_match"  # the same vendor, but a product named in the memo


def test_finding_json_equals_the_generic_encoding():
    run = Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE)
    for f in run.findings:
        assert finding_json(f) == json.dumps(finding_dict(f), ensure_ascii=False)


def test_rows_listed_without_a_record_encode_as_with_one(tmp_path):
    """A full listing reads a repeated plain row's fields from its cells; the JSON is what its record gives."""
    rows = ["Vendor Name,Contract Action,Payment Date,Contract Date,Amount,Department"]
    cells = ['"  Acme   Paving  "', '" Renewal "', "6/1/2018", "", '" 1,200.50 "', '""']
    rows += [",".join(cells)] * 3 + ['"Caf\u00e9 \u00ab Olé \u00bb",,,2019-02-03,,"  Parks "'] * 3
    rows += ['"DOE, JANE",payment,2020-01-01,,7,Fire'] * 2
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    listed = list(Checker(as_of=date(2024, 6, 30)).audit(str(path)).findings)
    deferred = [f for f in listed if f._record is None]
    assert [f._row for f in deferred] == [2, 3, 4, 5, 6, 8]  # all but the first company and the first person
    for f in listed:
        text = finding_json(f)  # before any record is made
        assert text == json.dumps(finding_dict(f), ensure_ascii=False)


def _generic_csv(run, show_individuals: bool) -> str:
    """The CSV report written cell by cell from the shared helpers, every row afresh."""
    import csv
    import io

    from checker.formats.common import (
        citations_text,
        display_vendor,
        evidence_text,
        main_reason,
        neutralise_cell,
        sources_text,
    )
    from checker.formats.csv_format import header

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    ids = [rs.id for rs in run.rulesets]
    writer.writerow(header(ids))
    for f in run.findings:
        m, outcomes = f.match, {r.rule_set: r.outcome for r in f.rules}
        cells = [str(f.record.row), display_vendor(f, show_individuals), f.verdict, f.entity_name or "",
                 f.family_name or "", f.relation or "", m.matched_name if m else "",
                 f"{m.score * 100:.1f}" if m else "", m.band if m else "", *[outcomes.get(i, "") for i in ids],
                 main_reason(f), citations_text(f), evidence_text(f), sources_text(f), f.product or "",
                 f.decision or ""]
        writer.writerow([neutralise_cell(c) for c in cells])
    return out.getvalue()


@pytest.mark.parametrize("show_individuals", [False, True])
def test_csv_lines_equal_the_cell_by_cell_encoding(tmp_path, show_individuals):
    """A CSV report encodes each judgement's cells once; every line is what writing its cells afresh gives,
    for vendor cells a spreadsheet or the csv module treats specially."""
    import io

    from checker.formats.csv_format import render_csv

    vendors = ['"WEST PUBLISHING CORP"', '"=HYPERLINK(""x"")"', '"Acme, ""Paving"""', '"Line\nbreak Inc"',
               '"DOE, JANE"', "-Minus Co", "@At Co", '"Caf\u00e9 \u00ab Olé \u00bb"', "PALANTIR USG INC", "Plain Co"]
    rows = ["Vendor Name,Amount,Payment Date"] + [f"{vendors[i % len(vendors)]},{i},2020-01-0{i % 9 + 1}"
                                                 for i in range(40)]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    checker = Checker(as_of=date(2024, 6, 30))
    out = io.StringIO()
    render_csv(checker.audit(str(path)), out, show_individuals=show_individuals)
    assert out.getvalue() == _generic_csv(checker.audit(str(path)), show_individuals)
    assert ("DOE" in out.getvalue()) is show_individuals and out.getvalue().count("\n'=HYPERLINK") == 0


@pytest.mark.parametrize(("args", "split"), [(("-f", "csv"), True), (("-f", "json"), True), (("-f", "table"), False),
                                            (("-f", "csv", "--shareable"), False)])
def test_the_cli_lets_a_second_process_write_csv_and_json_rows(cli, tmp_path, monkeypatch, args, split):
    """CSV and JSON listings of a large file are written in two processes; a shareable report never is
    (its rows are scrubbed after judging), and individuals stay unnamed in CSV rows the second process writes."""
    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "1")
    path = _payments(tmp_path, "pay.csv", 20_000,
                     lambda i: f'"{"DOE, JANE" if i % 2 else "Acme Paving"}",{i},2024-01-02,x')
    tails = []
    real_run = Checker._run

    def run(self, *a, **k):
        tails.append(k.get("rendered_tail"))
        return real_run(self, *a, **k)

    monkeypatch.setattr(Checker, "_run", run)
    result = cli("audit", path, "--as-of", "2024-06-30", "-q", *args)
    assert result.code == 0, result.err
    assert (tails[0] is not None) is split
    if "csv" in args:
        assert "DOE" not in result.out
        assert result.out.count("\n") == (20_001 if split else 10_001)  # a shareable report leaves individuals out
        if split:  # the last row is the second process's
            assert result.out.splitlines()[-1].startswith("20000,(individual payee),")


def test_rows_written_as_bytes_equal_rows_written_as_text(tmp_path):
    """A file or stdout gets the rows as UTF-8 bytes in blocks; the text is what a text stream gets."""
    import io

    from checker.formats.json_format import write_rows

    listed = list(Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE).findings) * 200  # several blocks' worth
    text = io.StringIO()  # no binary buffer: written as text
    assert write_rows(listed, text, "\n  ") == len(listed)
    with open(tmp_path / "rows.json", "w", encoding="utf-8", newline="") as fh:
        fh.write("[")  # held by the text layer: must come first
        assert write_rows(listed, fh, "\n  ") == len(listed)
        fh.write("]")
    assert (tmp_path / "rows.json").read_text(encoding="utf-8") == "[" + text.getvalue() + "]"


def test_only_flagged_stream_still_counts_every_row():
    full = Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE)
    listed = list(full.findings)
    flagged_run = Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE, only_flagged=True)
    flagged = list(flagged_run.findings)
    assert [f.record.row for f in flagged] == [f.record.row for f in listed if f.flagged]
    assert flagged_run.summary.verdict_counts() == full.summary.verdict_counts()
    assert flagged_run.summary.dollars.total == full.summary.dollars.total


def test_judgements_shared_across_days_equal_fresh_ones():
    """Rows of the same vendor on different days share a judgement only when it does not depend on the day."""
    from datetime import timedelta

    from checker.models import Record

    checker = Checker(as_of=date(2024, 6, 30))
    fresh_judge = Checker(as_of=date(2024, 6, 30)).judge  # remembers nothing: every answer worked out afresh
    fresh_judge._coverage = fresh_judge._coverage_uncached
    fresh_judge._links = fresh_judge._links_uncached
    vendors = ["WEST PUBLISHING CORP", "PALANTIR USG INC", "GIANT OAK INC", "MOTOROLA SOLUTIONS INC",
               "TRANS UNION LLC", "SAS INSTITUTE INC", "LEXISNEXIS RISK SOLUTIONS", "Thompson Reuters",
               "Thomson Retuers Holdings Group", "Thomson Retuers Global"]  # two scores below the match band
    contracts = [(None, None, None), ("new", None, None), ("amended", None, None),
                 ("existing", date(2018, 1, 1), date(2021, 3, 1)), ("existing", date(2020, 1, 1), None)]
    near_breakpoints = {p + timedelta(days=d) for p in checker.judge._breakpoints for d in (-1, 0, 1)}
    days = sorted({date(2016, 1, 1) + timedelta(days=offset) for offset in range(0, 9 * 365, 11)} |
                  {p for p in near_breakpoints if date(2015, 1, 1) <= p <= date(2026, 1, 1)})
    checked = 0
    for vendor in vendors:
        for action, start, end in contracts:
            for day in days:
                record = Record(1, vendor, action, day, start, end)
                shared = checker.judge.judgement(record)
                fresh = fresh_judge._judge(record, checker.matcher.match(vendor), False)
                assert shared == fresh, (vendor, action, day)
                checked += 1
    assert checked > 8000


@pytest.mark.parametrize("fmt", ["simple", "github"])
def test_streamed_table_is_laid_out_as_tabulate_does(fmt):
    """Plain text and Markdown tables, with the last cells of some rows shared, as tabulate lays them out."""
    import io
    import random

    from tabulate import tabulate

    from checker.formats.text_table import TableSpool

    rnd = random.Random(5)
    words = ["WEST", "PUBLISHING CORP", "x", "potential_violation", "clear", "(individual payee)", " padded ",
             "West Publishing Corporation (Thomson Reuters Corporation family), score 100", "Caf\u00e9 \\| Ol\u00e9"]
    joiner = "\n" if fmt == "simple" else " "  # Markdown cells are single lines
    headers = ["Row", "Vendor", "Verdict", "Registry match", "Why"]
    for _ in range(200):
        shared_ends = [[joiner.join(rnd.choice(words) for _ in range(rnd.randint(1, 3))) for _ in range(3)]
                       for _ in range(3)]
        ends = [rnd.randrange(3) for _ in range(rnd.randint(1, 8))]
        rows = [[rnd.randint(1, 10 ** rnd.randint(1, 7)), joiner.join(rnd.choice(words) for _ in range(2))]
                + shared_ends[k] for k in ends]
        out, spool = io.StringIO(), TableSpool(headers, markdown=fmt == "github")
        shared = [TableSpool.shared(end) for end in shared_ends]
        for row, k in zip(rows, ends, strict=True):
            if rnd.random() < 0.5:
                spool.add(row[:2], shared[k])
            else:
                spool.add(row)
        spool.write(out)
        assert out.getvalue() == tabulate(rows, headers=headers, tablefmt=fmt)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_audit_tables_equal_tabulate_of_each_row_afresh(tmp_path, fmt):
    """Rows sharing a judgement share its prepared cells; the table is the one tabulate makes of every row's
    cells worked out afresh (names wrapped, pipes escaped, individuals unnamed)."""
    import io

    from tabulate import tabulate

    from checker.formats.common import display_vendor, main_reason, match_text
    from checker.formats.human import _prepared, render_audit

    names = ["WEST PUBLISHING CORP", "A|B Paving", "DOE, JANE", "PALANTIR USG INC", "LEXISNEXIS RISK SOLUTIONS",
             "Very Long Vendor Name Incorporated Of The Greater Metropolitan Area Holdings", "Motorola Solutions"]
    rows = ["Vendor Name,Amount,Payment Date"] + [f'"{names[i % len(names)]}",{i},2024-0{i % 9 + 1}-02'
                                                 for i in range(60)]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    checker = Checker(as_of=date(2024, 6, 30))
    out, again = io.StringIO(), io.StringIO()
    render_audit(checker.audit(str(path)), out, fmt)
    render_audit(checker.audit(str(path)), again, fmt)  # the same judgements, prepared by the first table
    assert again.getvalue() == out.getvalue()
    cells = [_prepared(fmt, [f.record.row, display_vendor(f, False), f.verdict, match_text(f), main_reason(f)],
                       (None, 40, None, 40, 70)) for f in checker.audit(str(path)).findings]
    expected = tabulate(cells, headers=["Row", "Vendor", "Verdict", "Registry match", "Why"],
                        tablefmt="simple" if fmt == "table" else "github")
    assert expected in out.getvalue() and "DOE" not in out.getvalue()


def test_matching_ahead_in_a_worker_gives_the_same_report(tmp_path):
    rows = ["Vendor Name,Amount,Payment Date"]
    names = ["WEST PUBLISHING CORP", "Acme Paving", "DOE, JANE", "PALANTIR USG INC", "LEXIS NEXIS", "Bob's Tacos"]
    rows += [f'"{names[i % len(names)]} {i % 5000 if i % 7 else ""}",{i}.25,2020-01-{i % 28 + 1:02d}'
             for i in range(20_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    def report(workers: str) -> dict:
        env = {**os.environ, "SANCTUARY_CHECK_WORKERS": workers}
        out = subprocess.run([sys.executable, "-m", "checker", "audit", str(path), "-f", "json", "--as-of",
                              "2024-06-30"], capture_output=True, text=True, env=env, check=True).stdout
        return json.loads(out)

    alone, ahead = report("0"), report("1")
    assert alone["findings"] == ahead["findings"] and alone["summary"] == ahead["summary"]
    assert alone["summary"]["rows"] == 20_000


def _flagged(path, workers: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SANCTUARY_CHECK_WORKERS": workers}
    return subprocess.run([sys.executable, "-m", "checker", "audit", str(path), "--only-flagged", "--as-of",
                           "2024-06-30", *args], capture_output=True, text=True, env=env)


def test_judging_in_two_processes_gives_the_same_report(tmp_path):
    names = ["WEST PUBLISHING CORP", "Acme Paving", "DOE, JANE", "PALANTIR USG INC", "LEXIS NEXIS", ""]
    rows = ["Vendor Name,Amount,Payment Date,Dept"]
    rows += [f'"{names[i % len(names)]} {i % 900 if i % 7 else ""}",{i}.25,2020-01-{i % 28 + 1:02d},'
             f'{"Police" if i % 3 else "Fire"}' + (",extra" if i % 4001 == 0 else "") for i in range(30_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for fmt in ("json", "table"):
        alone, split = _flagged(path, "0", "-f", fmt), _flagged(path, "1", "-f", fmt)
        assert alone.returncode == split.returncode == 0, split.stderr
        assert alone.stdout == split.stdout
    report = json.loads(_flagged(path, "1", "-f", "json").stdout)
    summary = report["summary"]
    assert summary["rows"] == 30_000 and summary["ragged_rows"]["count"] > 1
    skipped = [s["row"] for s in summary["skipped"]]
    assert skipped[0] < 10_000 and skipped[-1] > 20_000  # rows with no vendor name, from both halves


def test_an_error_late_in_a_file_judged_in_two_processes_names_the_same_row(tmp_path):
    rows = ["Vendor Name,Amount,Payment Date"] + [f"Acme {i % 50},{i},2020-01-02" for i in range(20_000)]
    rows[19_000] = "Acme 1,5,2020-13-45"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import glob
    import tempfile

    def spools() -> set[str]:
        return {p for p in glob.glob(os.path.join(tempfile.gettempdir(), "sanctuary-check-*")) if "test-cache" not in p}

    before = spools()
    alone, split = _flagged(path, "0"), _flagged(path, "1")
    assert alone.returncode == split.returncode == 2
    assert alone.stderr == split.stderr and "row 19000:" in split.stderr
    assert spools() == before  # the second process's spool folder is gone too


def _payments(tmp_path, name: str, rows: int, row_text, encoding: str = "utf-8") -> str:
    lines = ["Vendor Name,Amount,Payment Date,Description"] + [row_text(i) for i in range(rows)]
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return str(path)


def _plain_row(i: int) -> str:
    names = ["WEST PUBLISHING CORP", "Acme Paving", "DOE, JANE", "PALANTIR USG INC", "Caf\u00e9 Olé"]
    return f'"{names[i % len(names)]} {i % 700}","{i:,}.25",2024-01-{i % 28 + 1:02d},Supplies'


@pytest.mark.parametrize("variant", ["quoted line breaks before the cut", "inch marks in unquoted cells", "cp1252",
                                     "unclosed quote after the cut", "carriage returns only"])
def test_a_file_cut_in_two_reads_as_in_one_process(tmp_path, variant):
    """Wherever the cut falls, the two-process audit reports what one process does (or reads on itself)."""
    rows, encoding, text = 30_000, "utf-8", _plain_row
    if variant == "quoted line breaks before the cut":
        text = lambda i: _plain_row(i).replace("Supplies", '"Sup\nplies"') if i % 997 == 0 else _plain_row(i)  # noqa: E731
    elif variant == "inch marks in unquoted cells":
        text = lambda i: _plain_row(i).replace("Supplies", '12" pipe') if i % 3 == 0 else _plain_row(i)  # noqa: E731
    elif variant == "cp1252":
        encoding = "cp1252"
    elif variant == "unclosed quote after the cut":
        text = lambda i: _plain_row(i) + (',"oops' if i == 25_000 else "")  # noqa: E731
    path = _payments(tmp_path, "pay.csv", rows, text, encoding)
    if variant == "carriage returns only":
        Path(path).write_bytes(Path(path).read_bytes().replace(b"\n", b"\r"))
    if variant.startswith("unclosed"):  # the same one-line error (a report cut short on stdout is no report)
        alone, split = _flagged(path, "0"), _flagged(path, "1")
        assert (alone.returncode, alone.stderr) == (split.returncode, split.stderr) == (2, alone.stderr)
        assert "line 25003: malformed CSV" in alone.stderr  # the quote runs on into the next line
        return
    for fmt in ("json", "table"):
        alone, split = _flagged(path, "0", "-f", fmt), _flagged(path, "1", "-f", fmt)
        assert (alone.returncode, alone.stdout, alone.stderr) == (split.returncode, split.stdout, split.stderr)
    assert alone.returncode == 0 and len(json.loads(_flagged(path, "1", "-f", "json").stdout)["findings"]) > 1000


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("variant", ["one row per line", "quoted line breaks before the cut", "nothing after the cut"])
def test_a_listing_written_by_two_processes_equals_one(tmp_path, variant, fmt):
    """The second process writes its rows as JSON or CSV text; the report is byte for byte the same, file or
    pipe."""
    text = _plain_row
    if variant == "quoted line breaks before the cut":
        text = lambda i: _plain_row(i).replace("Supplies", '"Sup\nplies"') if i % 997 == 0 else _plain_row(i)  # noqa: E731
    elif variant == "nothing after the cut":
        text = lambda i: _plain_row(i) if i < 15_000 else ",,,"  # noqa: E731 - rows after the cut are all blank
    path = _payments(tmp_path, "pay.csv", 30_000, text)

    def report(workers: str, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "SANCTUARY_CHECK_WORKERS": workers}
        return subprocess.run([sys.executable, "-m", "checker", "audit", path, "-f", fmt, "--as-of", "2024-06-30",
                               "--quiet", *args], capture_output=True, text=True, env=env)

    alone = report("0")
    assert alone.returncode == 0, alone.stderr
    assert report("1").stdout == alone.stdout
    report("1", "--output", str(tmp_path / f"out.{fmt}"))
    assert (tmp_path / f"out.{fmt}").read_text(encoding="utf-8") == alone.stdout
    if fmt == "json":
        data = json.loads(alone.stdout)
        listed, skipped = len(data["findings"]), len(data["summary"]["skipped"])
    else:
        import csv
        import io

        listed = len(list(csv.DictReader(io.StringIO(alone.stdout))))
        skipped = 15_000 if variant == "nothing after the cut" else 0
    assert listed == 30_000 - skipped


@pytest.mark.parametrize("name", ["phoenix_az_checkbook_2018-06.csv", "scottsdale_az_vendor_payments_fy2018.csv"])
def test_real_files_judged_in_two_processes_equal_one(name):
    """Phoenix's export ends lines with a bare carriage return; Scottsdale's quotes its cells: forced into two
    processes, each gives the report one process gives."""
    from conftest import real_file

    path = str(real_file(name))
    for args in (["-f", "json"], ["--only-flagged"]):
        env = {**os.environ, "SANCTUARY_CHECK_WORKERS": "0"}
        cmd = [sys.executable, "-m", "checker", "audit", path, "--as-of", "2024-06-30", "--quiet", *args]
        alone = subprocess.run(cmd, capture_output=True, text=True, env=env)
        split = subprocess.run(cmd, capture_output=True, text=True, env={**env, "SANCTUARY_CHECK_WORKERS": "1"})
        assert (alone.returncode, alone.stdout, alone.stderr) == (split.returncode, split.stdout, split.stderr)
        assert len(alone.stdout) > 1_000


def test_rows_written_by_the_second_process_wait_in_the_given_folder(tmp_path, monkeypatch):
    """A JSON report's second half waits next to the report (the CLI passes its folder), not in /tmp."""
    import io

    from checker.formats.json_format import render_json, write_rows

    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "1")
    path = _payments(tmp_path, "pay.csv", 20_000, _plain_row)
    spool = tmp_path / "reports"
    spool.mkdir()
    run = Checker(as_of=date(2024, 6, 30)).audit(path, write_rows=write_rows, spool_dir=str(spool))
    first = next(run.findings)
    assert [p.name.startswith("sanctuary-check-") for p in spool.iterdir()] == [True]
    out = io.StringIO()
    render_json(replace(run, findings=itertools.chain([first], run.findings)), out)
    assert list(spool.iterdir()) == [] and len(json.loads(out.getvalue())["findings"]) == 20_000


@pytest.mark.parametrize("only_flagged", [True, False])
def test_progress_counts_the_rows_of_both_processes(tmp_path, monkeypatch, only_flagged):
    """The row counter on a terminal counts the second process's rows too, and ends at every row."""
    from checker.formats.json_format import write_rows

    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "1")
    path = _payments(tmp_path, "pay.csv", 30_000, _plain_row)
    told: list[int] = []
    run = Checker(as_of=date(2024, 6, 30)).audit(path, only_flagged=only_flagged, progress=told.append,
                                                 write_rows=None if only_flagged else write_rows)
    for _ in run.findings:
        pass
    assert run.summary.rows == 30_000
    assert told == sorted(told) and told[-1] == 30_000


def test_the_cut_follows_an_even_number_of_quotes(tmp_path):
    from checker import split_audit

    path = tmp_path / "q.csv"
    path.write_bytes(b'h\n' + b'"a\nb"\n' * 50 + b'x\n' * 50)
    offset, lines = split_audit.cut(str(path), "utf-8", '"')
    before = path.read_bytes()[:offset]
    assert before.endswith(b"\n") and before.count(b'"') % 2 == 0 and lines == before.count(b"\n")
    assert split_audit.cut(str(path), "utf-16", '"') is None
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))  # old Mac line ends: cut after a \r
    offset, lines = split_audit.cut(str(path), "utf-8", '"')
    before = path.read_bytes()[:offset]
    assert before.endswith(b"\r") and before.count(b'"') % 2 == 0 and lines == before.count(b"\r")


def test_screen_rule_table_is_laid_out_as_tabulate_does():
    import random

    from tabulate import tabulate

    from checker.formats.human import RULE_WIDTHS, _wrap
    from checker.formats.text_table import simple_table

    rnd = random.Random(3)
    headers = ["Rule set", "Outcome", "Clause", "Reason"]
    words = ["berkeley-ca", "prohibited", "x", "", "  padded  ",
             "Richmond Ord. No. 12-18 (contracting provision; section not found) (text unverified)",
             "West Publishing Corporation: it provides ICE with data broker services; a proposed new contract on "
             "2026-11-23 is covered (amended, extended, new), and no waiver is recorded"]
    for _ in range(300):
        rows = [[rnd.choice(words[:3])] + [rnd.choice(words) for _ in range(3)] for _ in range(rnd.randint(1, 5))]
        wrapped = [[c if w is None else _wrap(c, w) for c, w in zip(row, RULE_WIDTHS, strict=True)] for row in rows]
        assert simple_table(headers, wrapped) == tabulate(rows, headers=headers, tablefmt="simple",
                                                          maxcolwidths=list(RULE_WIDTHS))
