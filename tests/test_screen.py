"""Screening one vendor: the procurement officer's question, answered with reason, evidence and clause."""

from __future__ import annotations

import json

import jsonschema

from checker.knowledge.validation import schema


def _only(result):
    report = result.json()
    jsonschema.validate(report, schema("report"))
    (finding,) = report["findings"]
    return report, finding


def test_west_publishing_is_prohibited_under_berkeley_as_thomson_reuters(cli):
    result = cli("screen", "WEST PUBLISHING CORP", "--rules", "berkeley-ca", "--format", "json")
    assert result.code == 0, result.err
    _, f = _only(result)
    assert f["verdict"] == "prohibited"
    assert f["match"]["family"]["id"] == "thomson-reuters"
    assert f["match"]["entity"]["id"] == "west-publishing"
    (rule,) = f["rules"]
    assert rule["rule_set"] == "berkeley-ca"
    assert rule["citation"].startswith("BMC 13.105.030")
    assert rule["evidence"], "a prohibited finding must show the evidence it relied on"


def test_palantir_usg_is_prohibited_under_every_enacted_rule_set(cli):
    enacted = {r["id"] for r in json.loads(cli("rules", "list", "--format", "json").out) if r["status"] == "enacted"}
    assert {"richmond-ca", "berkeley-ca"} <= enacted
    result = cli("screen", "Palantir USG, Inc.", "--format", "json")
    report, f = _only(result)
    assert f["verdict"] == "prohibited"
    assert f["match"]["family"]["id"] == "palantir"
    assert {r["rule_set"] for r in f["rules"]} == enacted
    assert all(r["outcome"] == "prohibited" for r in f["rules"])
    assert report["summary"]["default_rule_sets"] is True


def test_west_coast_arborists_is_clear(cli):
    result = cli("screen", "West Coast Arborists Inc")
    assert result.code == 0
    assert "West Coast Arborists Inc → CLEAR" in result.out


def test_screen_table_names_verdict_reason_clause_and_evidence(cli):
    out = cli("screen", "WEST PUBLISHING CORP", "--rules", "berkeley-ca").out
    assert "WEST PUBLISHING CORP → PROHIBITED" in out
    assert "BMC 13.105.030(A)" in out
    assert "Evidence:" in out and "70CMSD22FR0000187" in out
    assert "Not legal advice" in out
    assert "Provenance: sanctuary-check" in out


def test_default_rule_sets_are_announced(cli):
    out = cli("screen", "Acme Paving").out
    assert "every bundled enacted rule set" in out


def test_screen_before_an_ordinance_took_effect_says_so(cli):
    f = _only(cli("screen", "WEST PUBLISHING CORP", "--rules", "berkeley-ca", "--as-of", "2018-01-02",
                  "--format", "json"))[1]
    assert f["verdict"] == "not_covered"
    assert "not yet in force" in f["rules"][0]["reason"]


def test_parent_of_a_covered_subsidiary_follows_each_rule_sets_affiliate_policy(cli):
    f = _only(cli("screen", "MOTOROLA SOLUTIONS INC", "--format", "json"))[1]
    outcomes = {r["rule_set"]: r for r in f["rules"]}
    assert outcomes["berkeley-ca"]["outcome"] == "prohibited"
    assert outcomes["richmond-ca"]["outcome"] == "potential_violation"
    for r in outcomes.values():
        assert "Vigilant" in r["reason"]


def test_cloud_provider_is_not_covered_by_data_broker_ordinances(cli):
    f = _only(cli("screen", "Amazon Web Services, Inc.", "--rules", "richmond-ca", "--format", "json"))[1]
    assert f["verdict"] == "not_covered"
    assert "cloud" in f["rules"][0]["reason"]


def test_markdown_format(cli):
    out = cli("screen", "Palantir USG, Inc.", "--format", "markdown").out
    assert out.startswith("# sanctuary-check screen")
    assert "| Rule set" in out


def test_fail_on_sets_exit_code(cli):
    assert cli("screen", "WEST PUBLISHING CORP", "--fail-on", "prohibited").code == 1
    assert cli("screen", "West Coast Arborists Inc", "--fail-on", "prohibited").code == 0


def test_unknown_rule_set_is_a_usage_error(cli):
    result = cli("screen", "X", "--rules", "nowhere-ca")
    assert result.code == 2
    assert "unknown rule set 'nowhere-ca'" in result.err
    assert "Traceback" not in result.err
