"""Input options a city export needs: --map, JSON Lines, decimal commas, ragged rows, --shareable, --quiet."""

from __future__ import annotations

import json

import jsonschema
import pytest

from checker.knowledge.validation import schema
from checker.sources.values import parse_amount

AS_OF = ("--as-of", "2024-06-30")


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_map_overrides_header_synonyms(cli, tmp_path):
    # "Vendor" would be found by synonym, but the city's legal-name column is "Remit Party".
    f = _write(tmp_path, "p.csv",
               'Vendor,Remit Party,Net,Paid On\nWestlaw,WEST PUBLISHING CORP,"1,900.12",2024-01-05\n')
    report = cli("audit", f, "--map", "vendor=Remit Party", "--map", "amount=Net", "--map", "date=Paid On",
                 "-f", "json", *AS_OF).json()
    [finding] = report["findings"]
    assert finding["vendor"] == "WEST PUBLISHING CORP"
    assert finding["date"] == "2024-01-05"
    assert report["summary"]["dollars"]["total"] == 1900.12


@pytest.mark.parametrize(("args", "message"), [
    (("--map", "colour=Net"), "'colour' is not a field; fields are: vendor"),
    (("--map", "amount"), "'amount' is not FIELD=COLUMN"),
    (("--map", "amount=Nett"), "--map amount='Nett' is not a header; headers are: 'Payee', 'Net'"),
    (("--map", "vendor=Payee", "--name-column", "Payee"), "give the vendor column once"),
])
def test_bad_map_is_one_line_exit_2(cli, tmp_path, args, message):
    f = _write(tmp_path, "p.csv", "Payee,Net\nAcme,1\n")
    result = cli("audit", f, *args)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_json_lines_input(cli, tmp_path):
    lines = [{"vendor_name": "Palantir USG Inc", "amount": 1200.5, "payment_date": "2024-02-01"},
             {"vendor_name": "West Coast Arborists", "amount": 10, "payment_date": "2024-02-02"},
             {},
             {"vendor_name": "Acme", "amount": 3, "payment_date": "2024-02-03", "po": "X1"}]
    text = "\n".join(json.dumps(x) if x else "" for x in lines) + "\n"
    f = _write(tmp_path, "p.jsonl", text)
    report = cli("audit", f, "-f", "json", *AS_OF).json()
    jsonschema.validate(report, schema("report"))
    s = report["summary"]
    assert s["rows"] == 4 and s["skipped"] == [{"row": 3, "reason": "blank row"}]
    verdicts = {x["vendor"]: x["verdict"] for x in report["findings"]}
    assert verdicts["Palantir USG Inc"] == "potential_violation"  # a payment: the contract action is unknown
    assert verdicts["West Coast Arborists"] == "clear"
    assert s["ragged_rows"] == {"count": 1, "rows": [4]}  # the line with a key the first object lacks
    assert s["dollars"]["total"] == 1213.5


def test_bad_json_line_names_the_line(cli, tmp_path):
    f = _write(tmp_path, "p.jsonl", '{"vendor": "Acme"}\n{"vendor": "Palantir"\n')
    result = cli("audit", f)
    assert result.code == 2
    assert "p.jsonl: line 2: not valid JSON" in result.err


@pytest.mark.parametrize(("text", "plain", "comma"), [
    ("$1,900.12", 1900.12, None), ("(1,900.12)", -1900.12, None), ("-1900.12", -1900.12, None),
    ("1.900,12", 1900.12, 1900.12), ("(1.900,12)", -1900.12, -1900.12), ("1,900", 1900.0, 1.9),
    ("1.900", 1.9, 1900.0), ("1900,5", 1900.5, 1900.5), ("12 EUR", None, None),
    ("999999999999999", 999999999999999.0, 999999999999999.0), ("1000000000000000", None, None),
    ("9" * 400, None, None), ("(" + "9" * 400 + ")", None, None), ("1," + "999," * 120 + "999", None, None),
])
def test_amounts_with_and_without_a_decimal_comma(text, plain, comma):
    assert parse_amount(text) == plain
    assert parse_amount(text, decimal_comma=True) == comma


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
@pytest.mark.parametrize("only_flagged", [False, True])
def test_an_amount_too_large_to_be_one_is_unreadable(cli, tmp_path, fmt, only_flagged):
    """A cell of hundreds of digits would be an infinite float: JSON would say ``Infinity`` (not JSON) and a
    workbook could not hold it. It is counted as an unreadable amount; every total stays a number."""
    rows = [f"Acme {i % 7},{'9' * 400 if i in (3, 9_000) else i}.5,2024-01-02" for i in range(12_000)]
    f = _write(tmp_path, "big.csv", "Vendor Name,Amount,Payment Date\n" + "\n".join(rows) + "\n")
    out = tmp_path / f"out.{fmt}"
    result = cli("audit", f, "-f", fmt, "-o", str(out), *AS_OF, *(["--only-flagged"] if only_flagged else []))
    assert result.code == 0, result.err
    if fmt == "json":
        def refuse(constant):
            raise ValueError(constant)

        dollars = json.loads(out.read_text(), parse_constant=refuse)["summary"]["dollars"]
        assert dollars["unreadable_amounts"] == 2 and dollars["rows_with_amount"] == 11_998
        assert dollars["total"] == sum(i + 0.5 for i in range(12_000) if i not in (3, 9_000))


def test_decimal_comma_file(cli, tmp_path):
    f = _write(tmp_path, "eu.csv", "Lieferant;Betrag\nWEST PUBLISHING CORP;1.900\nAcme;2,50\n")
    plain = cli("audit", f, "--map", "vendor=Lieferant", "--map", "amount=Betrag", "-f", "json", *AS_OF).json()
    comma = cli("audit", f, "--map", "vendor=Lieferant", "--map", "amount=Betrag", "--decimal-comma",
                "-f", "json", *AS_OF).json()
    assert plain["summary"]["dollars"]["total"] == 1.9 + 2.5  # "1.900" read as one point nine without the flag
    assert comma["summary"]["dollars"]["total"] == 1902.5


def test_ragged_rows_are_judged_and_reported(cli, tmp_path):
    f = _write(tmp_path, "r.csv", "Vendor Name,Amount,Dept\nPalantir USG Inc,5\nAcme,1,Parks,stray\nBeta,2,Parks\n")
    result = cli("audit", f, "-f", "json", *AS_OF)
    report = result.json()
    assert [x["vendor"] for x in report["findings"]] == ["Palantir USG Inc", "Acme", "Beta"]
    assert report["summary"]["ragged_rows"] == {"count": 2, "rows": [1, 2]}
    table = cli("audit", f, *AS_OF).out
    assert "2 rows had a different number of cells from the header (rows 1, 2)" in table


def test_shareable_counts_individuals_without_listing_them(cli, tmp_path):
    f = _write(tmp_path, "s.csv", 'Vendor Name,Amount\n"DOE, JANE",40\nPalantir USG Inc,5\n"ROE, RICHARD",7\n')
    for fmt in ("json", "csv", "table", "markdown"):
        result = cli("audit", f, "--shareable", "-f", fmt, *AS_OF)
        assert result.code == 0, result.err
        assert "DOE" not in result.out and "ROE" not in result.out, fmt
        assert "individual payee" not in result.out.split("\n", 3)[-1] or fmt in ("table", "markdown"), fmt
    report = cli("audit", f, "--shareable", "-f", "json", *AS_OF).json()
    assert [x["vendor"] for x in report["findings"]] == ["Palantir USG Inc"]
    assert report["summary"]["individual_payees"] == 2 and report["summary"]["rows"] == 3
    assert report["summary"]["shareable"] is True
    assert report["provenance"]["input"]["path"] == "s.csv"  # no local folder names
    # without --shareable, JSON (a machine format) keeps the rows, marked as individuals
    full = cli("audit", f, "-f", "json", *AS_OF).json()
    assert [x.get("individual", False) for x in full["findings"]] == [True, False, True]


def test_shareable_withholds_decision_wording(cli, tmp_path):
    f = _write(tmp_path, "d.csv", "Vendor Name\nTHOMSON PLUMBING SUPPLY\n")
    d = _write(tmp_path, "d.yaml", "decisions:\n  - vendor: THOMSON PLUMBING SUPPLY\n    decision: different\n"
                                   "    entity: thomson-reuters\n    who: J. Smith, Purchasing\n"
                                   "    when: 2024-03-01\n    why: local plumbing firm\n")
    internal = cli("audit", f, "--decisions", d, "-f", "json", *AS_OF)
    assert internal.code == 0, internal.err
    assert "J. Smith" in internal.out
    shared = cli("audit", f, "--decisions", d, "--shareable", "-f", "json", *AS_OF)
    assert "J. Smith" not in shared.out and "plumbing firm" not in shared.out
    assert "withheld" in shared.out


def test_shareable_refuses_show_individuals(cli, tmp_path):
    f = _write(tmp_path, "s.csv", "Vendor Name\nAcme\n")
    result = cli("audit", f, "--shareable", "--show-individuals")
    assert result.code == 2 and "--shareable" in result.err


def test_quiet_and_no_progress_when_stderr_is_not_a_terminal(cli, tmp_path):
    f = _write(tmp_path, "q.csv", "Vendor Name\nAcme\n")
    out = tmp_path / "q.json"
    loud = cli("audit", f, "-f", "json", "-o", str(out), *AS_OF)
    assert "rows…" not in loud.err and "Audit of" in loud.err  # the summary, but no progress counter
    quiet = cli("audit", f, "-f", "json", "-o", str(out), "--quiet", *AS_OF)
    assert quiet.code == 0 and quiet.err == ""


def test_progress_counter_on_a_terminal(tmp_path):
    import io
    from datetime import date

    from checker.api import Checker
    from checker.cli.progress import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    progress = Progress("Auditing x.csv", tty)
    rows = 2 * 8192
    f = _write(tmp_path, "x.csv", "Vendor Name\n" + "".join(f"Acme {i % 7}\n" for i in range(rows)))
    seen: list[int] = []
    run = Checker(as_of=date(2024, 6, 30)).audit(f, only_flagged=True, progress=seen.append)
    assert list(run.findings) == []  # nothing flagged, yet every row read is reported
    assert seen[-1] == run.summary.rows == rows
    progress.update(seen[-1])
    progress.finish(run.summary.rows)
    assert tty.getvalue().endswith(f"Auditing x.csv: {rows:,} rows.   \n")


def test_output_files_get_the_usual_permissions(cli, tmp_path):
    import os

    f = _write(tmp_path, "p.csv", "Vendor Name\nAcme\n")
    out = tmp_path / "report.html"
    assert cli("audit", f, "-f", "html", "-o", str(out), "-q", *AS_OF).code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # not the owner-only mode of a temporary file


def test_dotted_dates_are_day_first():
    from datetime import date

    from checker.sources.values import parse_date

    assert parse_date("03.07.2025") == date(2025, 7, 3)
    with pytest.raises(ValueError):
        parse_date("31.02.2025")


def test_bundled_semicolon_example_with_map_and_decimal_comma(cli):
    from conftest import ROOT

    report = cli("audit", str(ROOT / "examples" / "payments-semicolon.csv"), "--map", "vendor=Remit To",
                 "--map", "amount=Net Amount", "--decimal-comma", "-f", "json", *AS_OF).json()
    assert report["summary"]["dollars"]["total"] == 1900.12 + 212.40 + 75.00 + 12500.00
    assert [f["date"] for f in report["findings"]][:1] == ["2025-07-03"]


def test_a_payee_identifier_the_registry_lists_decides_the_match(cli, tmp_path):
    # Equifax's EIN (58-0401110, from its 10-K) under a name that matches nothing; a bad EIN is reported.
    f = _write(tmp_path, "ids.csv", "Vendor Name,Vendor TIN,Amount\nTR LEGAL INFO SVCS,58-0401110,100\n"
                                    "ACME PAVING,12-3456789,5\nACME PAVING,12-3456789,7\nBOB'S TACOS,xx,1\n")
    report = cli("audit", f, "-f", "json", *AS_OF).json()
    jsonschema.validate(report, schema("report"))
    first, acme, acme2, bad = report["findings"]
    assert first["match"]["family"]["id"] == "equifax" and first["match"]["name_kind"] == "identifier"
    assert first["identifier"] == "EIN 58-0401110 is listed for this registry entity"
    assert first["verdict"] == "potential_violation"
    assert acme["verdict"] == acme2["verdict"] == "clear" and "identifier" not in acme
    assert bad["identifier"] == "EIN 'xx' is not a valid EIN; not used"


def test_a_json_lines_copy_gives_the_same_findings_as_the_csv(cli, tmp_path):
    import csv

    from conftest import ROOT

    example = ROOT / "examples" / "city-payments.csv"
    with example.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    copy = tmp_path / "city-payments.jsonl"
    copy.write_text("".join(json.dumps(r) + "\n" if any(r.values()) else "\n" for r in rows), encoding="utf-8")
    from_csv = cli("audit", str(example), "-f", "json", *AS_OF).json()
    from_jsonl = cli("audit", str(copy), "-f", "json", *AS_OF).json()
    assert [(f["row"], f["verdict"], f["match"]) for f in from_csv["findings"]] == \
        [(f["row"], f["verdict"], f["match"]) for f in from_jsonl["findings"]]
    assert from_csv["summary"]["dollars"] == from_jsonl["summary"]["dollars"]


def test_shareable_wording_is_not_mixed_up_with_an_earlier_report_of_the_same_checker(tmp_path):
    import io
    from datetime import date

    from checker.api import Checker
    from checker.formats import View, get

    f = _write(tmp_path, "d.csv", "Vendor Name\nTHOMSON PLUMBING SUPPLY\nTHOMSON PLUMBING SUPPLY\n")
    d = _write(tmp_path, "d.yaml", "decisions:\n  - vendor: THOMSON PLUMBING SUPPLY\n    decision: different\n"
                                   "    entity: thomson-reuters\n    who: J. Smith, Purchasing\n"
                                   "    when: 2024-03-01\n    why: local plumbing firm\n")
    checker = Checker(as_of=date(2024, 6, 30), decisions=d)

    def report(shareable: bool) -> str:
        run = checker.audit(f)
        out = io.StringIO()
        get("json").write(run.for_publication() if shareable else run, out, View())
        return out.getvalue()

    assert "J. Smith" in report(False)
    assert "J. Smith" not in report(True)  # a judgement's cached rendering is not reused for its scrubbed copy
    assert "J. Smith" in report(False)


def test_columns_chosen_for_the_listing(cli, tmp_path):
    """``--columns`` picks the input's own columns a listing repeats; one it lacks is one line, exit 2."""
    from datetime import date

    from checker.api import Checker

    f = _write(tmp_path, "p.csv", "Vendor Name,Amount,Department,Notes\nWEST PUBLISHING CORP,5,Law,x\n")
    run = Checker(["berkeley-ca"], as_of=date(2024, 6, 30)).audit(f)
    assert run.chosen_columns("Vendor Name, amount,DEPARTMENT") == ("Vendor Name", "Amount", "Department")
    assert run.chosen_columns(["Notes"]) == ("Notes",)
    result = cli("audit", f, "--columns", "Vendor Name,Amount,Dept Name", *AS_OF)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "p.csv" in result.err and "'Dept Name' is not a column" in result.err
    assert cli("audit", f, "--columns", " , ", *AS_OF).code == 2
    assert cli("audit", f, "--columns", "Vendor Name,Department", "-f", "json", *AS_OF).code == 0


def test_typed_cells_are_listed_as_text(tmp_path):
    """A JSON Lines file's numbers come back as text, as the reader gives the amount it judges."""
    from datetime import date

    from checker.api import Checker

    f = _write(tmp_path, "p.jsonl", json.dumps({"vendor_name": "WEST PUBLISHING CORP", "amount": 1200.0,
                                                "payment_date": "2024-02-01", "count": 3}) + "\n")
    [finding] = Checker(["berkeley-ca"], as_of=date(2024, 6, 30)).audit(f).findings
    assert finding.record.cells == {"vendor_name": "WEST PUBLISHING CORP", "amount": finding.record.amount,
                                    "payment_date": "2024-02-01", "count": "3"}
