"""Ordinances as tested data: inheritance, differences, waivers, and each rule set's own cases."""

from __future__ import annotations

import pytest

from checker.knowledge.resources import bundled_dir
from checker.knowledge.rulesets import available_rulesets, load_ruleset

IDS = ["richmond-ca", "berkeley-ca", "oakland-ca", "deportice-model", "ca-ab1332-2019", "ca-ab2597-2020"]


def test_all_six_rule_sets_ship_with_statuses():
    sets = available_rulesets()
    assert set(IDS) <= set(sets)
    assert {sets[i].status for i in ("richmond-ca", "berkeley-ca", "oakland-ca")} == {"enacted"}
    assert sets["deportice-model"].status == "model"
    assert sets["ca-ab1332-2019"].status == sets["ca-ab2597-2020"].status == "failed"


def test_extends_inherits_and_overrides_with_origins():
    oak = available_rulesets()["oakland-ca"]
    assert oak.raw["extends"] == "deportice-model"
    assert oak.agencies == {"ICE", "CBP", "ORR"}            # overridden
    assert "detention" in oak.services                       # inherited
    assert oak.origin["coverage.agencies"] == "oakland-ca"
    assert oak.origin["coverage.services"] == "deportice-model"
    ab2597 = available_rulesets()["ca-ab2597-2020"]
    assert ab2597.origin["actions.renewed"] == "ca-ab1332-2019"   # inherited from its parent
    assert ab2597.origin["status"] == "ca-ab1332-2019"
    assert set(ab2597.affiliates.values()) == {"prohibited"}


def test_rules_show_says_where_fields_came_from(cli):
    out = cli("rules", "show", "oakland-ca").out
    assert "Extends: deportice-model" in out
    assert "services: data_broker, extreme_vetting, detention (from deportice-model)" in out
    assert "NOT verified" in out


def test_rules_diff_berkeley_oakland_shows_agency_and_service_differences(cli):
    out = cli("rules", "diff", "berkeley-ca", "oakland-ca").out
    agencies = next(ln for ln in out.splitlines() if ln.startswith("coverage.agencies"))
    services = next(ln for ln in out.splitlines() if ln.startswith("coverage.services"))
    assert "CBP" in agencies and "ORR" in agencies
    assert "detention" in services


def test_extends_cycle_and_missing_parent_are_refused(tmp_path):
    from checker.errors import InputError

    (tmp_path / "a-ca.yaml").write_text("schema_version: 1\nid: a-ca\nextends: b-ca\n")
    (tmp_path / "b-ca.yaml").write_text("schema_version: 1\nid: b-ca\nextends: a-ca\n")
    with pytest.raises(InputError, match="cycle"):
        load_ruleset(tmp_path / "a-ca.yaml")
    (tmp_path / "c-ca.yaml").write_text("schema_version: 1\nid: c-ca\nextends: nowhere-ca\n")
    with pytest.raises(InputError, match="line 3: field extends: no rule set 'nowhere-ca'"):
        load_ruleset(tmp_path / "c-ca.yaml")


def test_a_city_can_adopt_the_model_with_a_few_lines(tmp_path, cli):
    f = tmp_path / "sample-ca.yaml"
    f.write_text("schema_version: 1\nid: sample-ca\nextends: deportice-model\nstatus: enacted\n"
                 "jurisdiction: Sample, California\n"
                 "effective: {date: '2024-01-01', confidence: verified, note: Clerk}\n")
    report = cli("screen", "WEST PUBLISHING CORP", "--rules", str(f), "--format", "json",
                 "--as-of", "2025-02-01").json()
    assert report["findings"][0]["verdict"] == "prohibited"


@pytest.mark.parametrize("rule_set", IDS)
def test_rule_set_cases_pass(cli, rule_set):
    assert (bundled_dir("rules") / "tests" / f"{rule_set}.yaml").exists()
    result = cli("rules", "test", rule_set)
    assert result.code == 0, result.out + result.err
    passed = int(result.out.strip().splitlines()[-1].split()[0])
    assert passed >= 8


def test_motorola_outcome_differs_between_berkeley_and_richmond_with_reasons(cli):
    f = cli("screen", "MOTOROLA SOLUTIONS INC", "--rules", "berkeley-ca,richmond-ca", "--format", "json").json()
    rules = {r["rule_set"]: r for r in f["findings"][0]["rules"]}
    assert rules["berkeley-ca"]["outcome"] == "prohibited"
    assert rules["richmond-ca"]["outcome"] == "potential_violation" and "review" in rules["richmond-ca"]["reason"]


WAIVERS_CSV = """vendor,entity,rule_set,resolution,decided,expires,contract_id,actions,max_amount,intent,alternatives,\
extra_cost
,motorola-solutions,berkeley-ca,Res. 1 (illustrative),2021-10-05,2028-09-30,,new; amended,,radio interoperability,none,\
unknown
WEST PUBLISHING CORP,,berkeley-ca,Res. 2 (illustrative),2020-01-07,,C-77,extended,"$5,000",legal research,Lexis only,\
$1200/yr
"""


def test_waiver_register_from_csv_applies_and_is_counted(cli, tmp_path):
    w = tmp_path / "waivers.csv"
    w.write_text(WAIVERS_CSV)
    data = tmp_path / "contracts.csv"
    data.write_text("Vendor,Contract Action,Action Date,Contract Number,Amount\n"
                    "MOTOROLA SOLUTIONS INC,amended,2025-03-01,C-12,\"$9,000\"\n"
                    "WEST PUBLISHING CORP,extended,2025-03-01,C-77,\"$4,800\"\n"
                    "WEST PUBLISHING CORP,extended,2025-03-01,C-78,\"$4,800\"\n"
                    "MOTOROLA SOLUTIONS INC,extended,2025-03-01,C-12,\"$9,000\"\n")
    report = cli("audit", str(data), "--rules", "berkeley-ca", "--waivers", str(w), "--format", "json").json()
    verdicts = [f["verdict"] for f in report["findings"]]
    assert verdicts == ["waived", "waived", "prohibited", "prohibited"]
    assert "Res. 2" in report["findings"][1]["rules"][0]["waiver"]
    assert "covers contract C-77 only" in report["findings"][2]["rules"][0]["reason"]
    assert "this extended contract needs its own waiver" in report["findings"][3]["rules"][0]["reason"]
    assert report["summary"]["by_verdict"]["waived"] == 2
    assert report["provenance"]["waivers"]["path"] == str(w)


def test_bad_waiver_file_is_one_line(cli, tmp_path):
    w = tmp_path / "waivers.yaml"
    w.write_text("waivers:\n  - entity: motorola-solutions\n    rule_set: berkeley-ca\n    resolution: R\n"
                 "    decided: 5 Oct 2021\n")
    result = cli("screen", "X", "--waivers", str(w))
    assert result.code == 2 and "line 5" in result.err and "decided" in result.err
