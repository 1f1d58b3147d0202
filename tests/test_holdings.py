"""Richmond's investing ban: holdings screened by identifier first, then issuer name."""

from __future__ import annotations

import pytest

from checker.match.normalize import issuer_name

from conftest import ROOT

EXAMPLE = str(ROOT / "examples" / "holdings.csv")


@pytest.fixture
def report(cli):
    result = cli("holdings", EXAMPLE, "--rules", "richmond-ca", "--format", "json", "--as-of", "2026-11-23")
    assert result.code == 0, result.err
    return {f["row"]: f for f in result.json()["findings"]}


def test_registry_securities_are_flagged_with_what_matched(report):
    tr, pltr, efx, relx = report[2], report[3], report[4], report[5]
    assert tr["match"]["family"]["id"] == "thomson-reuters" and "CUSIP 884903BV6" in tr["identifier"]
    assert pltr["match"]["family"]["id"] == "palantir" and "ISIN US69608A1088" in pltr["identifier"]
    assert efx["match"]["family"]["id"] == "equifax" and "ticker EFX" in efx["identifier"]
    assert relx["match"]["entity"]["id"] == "relx-capital" and relx["match"]["matched_name"] == "RELX Capital Inc."
    for f in (tr, pltr, efx, relx):
        assert f["verdict"] in ("prohibited", "potential_violation")
        assert f["rules"][0]["citation"].startswith("Richmond Ord. No. 12-18 (investment")


def test_richmond_bars_new_purchases_and_sends_holdings_already_owned_to_review(report):
    """The reported text bars putting money in; it does not require selling what is already owned."""
    tr, pltr, efx, relx = report[2], report[3], report[4], report[5]
    assert (pltr["action"], pltr["date"], pltr["verdict"]) == ("purchase", "2026-09-15", "prohibited")
    assert "bars new investment" in pltr["rules"][0]["reason"]
    assert efx["verdict"] == "prohibited"
    for held in (tr, relx):
        assert held["verdict"] == "potential_violation" and "action" not in held
        assert "divestment of holdings already owned is not required" in held["rules"][0]["reason"]


def test_treasury_bill_is_clear_and_bad_check_digit_is_reported(report):
    assert report[1]["verdict"] == "clear" and report[1]["match"] is None
    assert "CUSIP 3130AXXX8 is not valid" in report[6]["identifier"]


def test_unknown_investing_coverage_is_reported_as_unknown_not_as_fact(cli):
    """Berkeley's codified sections say nothing of investments, and the rest was not seen: review, not a fact."""
    f = cli("holdings", EXAMPLE, "--rules", "berkeley-ca", "--format", "json").json()["findings"]
    pltr = next(x for x in f if x["row"] == 3)
    assert pltr["verdict"] == "potential_violation" and "is not known" in pltr["rules"][0]["reason"]


def test_a_rule_set_without_an_investment_provision_does_not_cover_holdings(cli):
    f = cli("holdings", EXAMPLE, "--rules", "ca-ab2597-2020", "--format", "json").json()["findings"]
    pltr = next(x for x in f if x["row"] == 3)
    assert pltr["verdict"] == "not_covered" and pltr["cause"] == "investing_not_covered"
    assert pltr["hypothetical"] is True and pltr["rules"][0]["binding"] is False


def test_holdings_report_totals_by_family_and_share(cli):
    out = cli("holdings", EXAMPLE, "--rules", "richmond-ca", "--as-of", "2026-11-23").out
    assert "$9,941,084.00 in all; $931,705.00 (9.4 %) flagged" in out
    assert "Thomson Reuters Corporation  $512,310.00" in out
    assert "2035-08-15" in out   # maturity shown: a council may let a bond mature


def test_issuer_name_strips_coupons_and_years():
    assert issuer_name("RELX CAPITAL INC 4.75% 2030") == "RELX CAPITAL INC"
    assert issuer_name("PALANTIR TECHNOLOGIES CL A") == "PALANTIR TECHNOLOGIES"


def test_holdings_without_identifier_columns_is_explained(cli, tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("Fund,Amount\nLAIF,10\n")
    result = cli("holdings", str(f))
    assert result.code == 2 and "no issuer, CUSIP, ISIN or ticker column" in result.err


def test_unmatched_holding_is_clear_even_before_a_rule_set_takes_effect(cli, tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("Issuer,CUSIP\nUNITED STATES TREASURY BILL,912797KX4\nRELX CAPITAL INC 4.75% 2030,\n",
                 encoding="utf-8")
    report = cli("holdings", str(f), "--rules", "richmond-ca", "--as-of", "2010-01-01", "-f", "json").json()
    verdicts = [x["verdict"] for x in report["findings"]]
    assert verdicts == ["clear", "not_covered"]  # the treasury bill matched no one; RELX predates the ordinance
