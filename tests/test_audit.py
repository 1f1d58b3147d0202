"""Auditing a file: every row accounted for, the right families found, look-alikes left alone."""

from __future__ import annotations

import csv
import io

import jsonschema
import pytest

from checker.knowledge.validation import schema

from conftest import ROOT, real_file, run_cli

EXAMPLE = str(ROOT / "examples" / "city-payments.csv")


def _by_vendor(report):
    out: dict[str, list[dict]] = {}
    for f in report["findings"]:
        out.setdefault(f["vendor"], []).append(f)
    return out


def test_example_audit_accounts_for_every_row(cli):
    result = cli("audit", EXAMPLE, "--format", "json")
    assert result.code == 0, result.err
    report = result.json()
    jsonschema.validate(report, schema("report"))
    s = report["summary"]
    assert s["rows"] == 19
    assert len(report["findings"]) + len(s["skipped"]) == s["rows"]
    assert [k["row"] for k in s["skipped"]] == [18, 19]
    assert "total row" in s["skipped"][1]["reason"]
    assert [f["row"] for f in report["findings"]] == list(range(1, 18))


def test_example_audit_verdicts(cli):
    found = _by_vendor(cli("audit", EXAMPLE, "--format", "json").json())
    verdict = {v: fs[0]["verdict"] for v, fs in found.items()}
    assert verdict["WEST PUBLISHING CORP"] == "prohibited"            # extended in 2025
    assert verdict["PALANTIR USG INC"] == "prohibited"                # new in 2025
    assert verdict["MATTHEW BENDER & CO INC"] == "grandfathered"      # existing since 2017
    assert verdict["LEXISNEXIS RISK SOLUTIONS FL INC"] == "potential_violation"  # payment row
    assert verdict["AMAZON WEB SERVICES INC"] == "not_covered"
    for decoy in ("CITIES WEST PUBLISHING INC", "GEO S THOMSON CO INC", "CLEAR CHANNEL OUTDOOR INC",
                  "VIGILANT INSURANCE COMPANY", "WEST COAST ARBORISTS INC", "BANK OF THE WEST"):
        assert verdict[decoy] == "clear", decoy
        assert found[decoy][0]["match"] is None
    # A product named in the description: a reseller (not flagged alone) or an unknown vendor.
    thundercat = found["THUNDERCAT TECHNOLOGY LLC"][0]
    assert thundercat["verdict"] == "possible_match" and thundercat["match"]["family"]["id"] == "thundercat-technology"
    assert "CLEAR" in thundercat["product"] and "reselling" in thundercat["rules"][0]["reason"]
    cdw = found["CDW GOVERNMENT LLC"][0]
    assert cdw["verdict"] == "possible_match" and cdw["match"] is None and "RELX" in cdw["product"]
    grandfathered = found["MATTHEW BENDER & CO INC"][0]["rules"][0]["reason"]
    assert "next decision point" in grandfathered and "2026-02-28" in grandfathered


def test_only_flagged_and_fail_on(cli):
    result = cli("audit", EXAMPLE, "--format", "json", "--only-flagged", "--fail-on", "prohibited")
    assert result.code == 1
    report = result.json()
    assert {f["verdict"] for f in report["findings"]} <= {"prohibited", "potential_violation", "possible_match"}
    assert report["summary"]["rows"] == 19


def test_table_hides_individual_payees_unless_asked(cli):
    out = cli("audit", EXAMPLE).out
    assert "MARTINEZ" not in out
    assert "(individual payee)" in out
    assert "1 row is an individual payee" in out
    assert "MARTINEZ, ANA L" in cli("audit", EXAMPLE, "--show-individuals").out


def test_a_person_listed_as_a_registry_decoy_is_still_not_named(cli, tmp_path):
    f = tmp_path / "v.csv"
    f.write_text('Vendor Name,Amount\n"WELSH, ALEXIS M",12\n')
    out = cli("audit", str(f)).out
    assert "WELSH" not in out and "(individual payee)" in out


def test_csv_output_is_a_clean_table_with_summary_on_stderr(cli, tmp_path):
    target = tmp_path / "out.csv"
    result = cli("audit", EXAMPLE, "--format", "csv", "--output", str(target))
    assert result.code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 17
    assert rows[0]["verdict"] == "prohibited" and rows[0]["family"] == "Thomson Reuters Corporation"
    assert "berkeley-ca outcome" in rows[0]
    assert "Provenance:" in result.err
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file may be left behind"


def test_markdown_report_has_summary_table_and_provenance(cli):
    out = cli("audit", EXAMPLE, "--format", "markdown").out
    assert out.startswith("# sanctuary-check audit")
    assert "| Vendor" in out and "Provenance:" in out and "Not legal advice" in out


def test_vendor_column_found_by_synonym(cli, tmp_path):
    f = tmp_path / "v.csv"
    f.write_text("Supplier;Total\nPalantir Technologies Inc.;10\n", encoding="utf-8")
    report = cli("audit", str(f), "--format", "json").json()
    assert report["findings"][0]["match"]["family"]["id"] == "palantir"


def test_ambiguous_or_missing_vendor_column_is_explained(cli, tmp_path):
    f = tmp_path / "v.csv"
    f.write_text("Name,City\nAcme,Berkeley\n", encoding="utf-8")
    result = cli("audit", str(f))
    assert result.code == 2
    assert "no vendor-name column" in result.err and "'Name'" in result.err and "--name-column" in result.err
    assert len(result.err.strip().splitlines()) == 1
    ok = cli("audit", str(f), "--name-column", "Name", "--format", "json")
    assert ok.code == 0 and ok.json()["summary"]["rows"] == 1
    g = tmp_path / "w.csv"
    g.write_text("Vendor,Payee\nA,B\n", encoding="utf-8")
    result = cli("audit", str(g))
    assert result.code == 2 and "more than one vendor-name column" in result.err


def test_missing_file_is_one_line_exit_2(cli):
    result = cli("audit", "no-such-file.csv")
    assert result.code == 2
    assert result.err.strip() == "sanctuary-check: error: no-such-file.csv: no such file"


def test_unwritable_output_leaves_nothing(cli, tmp_path):
    result = cli("audit", EXAMPLE, "--output", str(tmp_path / "missing-dir" / "out.json"), "--format", "json")
    assert result.code == 2
    assert "output folder does not exist" in result.err


SCOTTSDALE = "scottsdale_az_vendor_payments_fy2018.csv"


@pytest.fixture(scope="module")
def scottsdale_report():
    result = run_cli("audit", str(real_file(SCOTTSDALE)), "--format", "json")
    assert result.code == 0, result.err
    return result.json()


def test_scottsdale_every_row_accounted_for(scottsdale_report):
    s = scottsdale_report["summary"]
    assert s["rows"] == 23_612
    assert len(scottsdale_report["findings"]) == 23_612
    assert s["skipped"] == []
    # the schema checks every kind of finding: all that are not clear, and the first thousand clear ones
    findings = scottsdale_report["findings"]
    sample = [f for f in findings if f["verdict"] != "clear"] + [f for f in findings if f["verdict"] == "clear"][:1000]
    jsonschema.validate({**scottsdale_report, "findings": sample}, schema("report"))


@pytest.mark.parametrize(("vendor", "family"), [
    ("THOMSON REUTERS", "thomson-reuters"),
    ("THOMSON REUTERS - WEST", "thomson-reuters"),
    ("LEXISNEXIS RISK SOLUTIONS", "relx"),
    ("LEXISNEXIS RISK DATA MANAGEMENT INC", "relx"),
    ("MATTHEW BENDER & CO INC", "relx"),
    ("VIGILANT SOLUTIONS INC", "motorola-solutions"),
    ("MOTOROLA SOLUTIONS INC", "motorola-solutions"),
    ("TRANSUNION RISK & ALTERNATIVE DATA SOLUTIONS", "transunion"),
])
def test_scottsdale_registry_vendors_found_with_right_family(scottsdale_report, vendor, family):
    rows = _by_vendor(scottsdale_report)[vendor]
    assert rows, vendor
    for f in rows:
        assert f["match"] is not None and f["match"]["family"]["id"] == family
        assert f["match"]["band"] == "match"


@pytest.mark.parametrize("vendor", ["CITIES WEST PUBLISHING INC", "GEO S THOMSON CO INC", "CLEAR CHANNEL OUTDOOR INC",
                                    "TR WEST LIMITED PARTNERSHIP", "WEST COAST TURF", "TORI WEST", "BANK OF THE WEST"])
def test_scottsdale_lookalikes_not_flagged(scottsdale_report, vendor):
    rows = _by_vendor(scottsdale_report)[vendor]
    assert rows
    for f in rows:
        assert f["match"] is None
        assert f["verdict"] == "clear"


@pytest.mark.parametrize(("name", "findings", "skipped"), [
    ("phoenix_az_checkbook_2018-06.csv", 54_991, 1),
    ("phoenix_az_checkbook_2018-11.csv", 40_950, 0),
    ("phoenix_az_checkbook_2018-12.csv", 40_668, 1),
])
def test_phoenix_files_account_for_every_row(cli, name, findings, skipped):
    path = real_file(name)
    report = cli("audit", str(path), "--format", "json").json()
    assert len(report["findings"]) == findings
    assert len(report["summary"]["skipped"]) == skipped
    assert report["summary"]["rows"] == findings + skipped


def test_scottsdale_dollar_totals_by_family_match_a_hand_computation(scottsdale_report):
    from decimal import Decimal

    from test_accuracy import EXPECTED_REAL

    from checker.knowledge.registry import load_registry

    families = {f.id: f.root.name for f in load_registry().families.values()}
    expected: dict[str, Decimal] = {}
    with real_file(SCOTTSDALE).open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            family = EXPECTED_REAL.get(" ".join(row["VendorName"].split()))
            if family:
                name = families[family]
                expected[name] = expected.get(name, Decimal(0)) + Decimal(row["PaymentAmount"].replace(",", ""))
    got = scottsdale_report["summary"]["dollars"]["by_family"]
    assert set(got) == set(expected)
    for name, amount in expected.items():
        assert abs(Decimal(str(got[name])) - amount) < Decimal("0.01"), name


def test_example_dollar_totals(cli):
    d = cli("audit", EXAMPLE, "--format", "json", "--as-of", "2026-11-23").json()["summary"]["dollars"]
    assert d["total"] == 182_792.26 and d["rows_with_amount"] == 17
    assert d["by_family"]["Palantir Technologies Inc."] == 75_000.0
    assert d["flagged_by_department"]["Police"] == 86_950.0
    assert "MARTINEZ, ANA L" not in d["top_flagged_vendors"]


def test_table_report_ends_with_the_evidence_packet(cli):
    out = cli("audit", EXAMPLE, "--only-flagged", "--as-of", "2026-11-23").out
    packet = out[out.index("Evidence for the flagged rows"):]
    assert "Palantir Technologies Inc.\n - Palantir Technologies Inc.: FALCON" in packet
    assert " - Palantir Technologies Inc.: PALANTIR GOTHAM SOFTWARE (ICE, 2018-01-01–open)" in packet
    assert "[70CMSD18FR0000094]" in packet and "source: D1 ICE award rows (award 70CMSD18FR0000094)" in packet
    assert " - BMC 13.105.030(A): https://berkeley.municipal.codes/BMC/13.105.030" in packet
    md = cli("audit", EXAMPLE, "--only-flagged", "-f", "markdown", "--as-of", "2026-11-23").out
    assert "## Evidence for the flagged rows" in md and "### Clauses cited" in md
