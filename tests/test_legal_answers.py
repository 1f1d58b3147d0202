"""Answers a city attorney would check (issue #17): what a text that binds no one would do, actions the tool does not
know, why a registry vendor is not covered, each rule set's own reason, and the real Phoenix files."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from checker.knowledge.validation import schema

from conftest import ROOT, real_file

EXAMPLE = ROOT / "examples" / "city-payments.csv"

PAYMENTS = """Vendor Name,Contract Action,Action Date,Amount,Contract Number
PALANTIR TECHNOLOGIES INC,PO,2024-03-01,"1,000.00",C-1
PALANTIR TECHNOLOGIES INC,Change Order,2024-03-02,"2,000.00",C-1
PALANTIR TECHNOLOGIES INC,PO,2024-03-03,"4,000.00",C-2
AMAZON WEB SERVICES INC,new,2024-03-04,"8,000.00",C-3
WEST PUBLISHING CORP,payment,2018-09-14,"16,000.00",C-4
Acme Paving,PO,2024-03-05,"32,000.00",C-5
"""


@pytest.fixture
def payments(tmp_path):
    path = tmp_path / "payments.csv"
    path.write_text(PAYMENTS, encoding="utf-8")
    return str(path)


# -- texts that bind no one ---------------------------------------------------------------------------------------
def test_a_failed_bill_says_what_it_would_do_in_screen_and_json(cli):
    out = cli("screen", "PALANTIR TECHNOLOGIES INC", "--rules", "ca-ab1332-2019", "--as-of", "2025-01-10").out
    assert out.startswith("PALANTIR TECHNOLOGIES INC → WOULD BE PROHIBITED UNDER CA-AB1332-2019")
    assert "ca-ab1332-2019 is a bill that failed" in out and "would be prohibited" in out
    finding = cli("screen", "PALANTIR TECHNOLOGIES INC", "--rules", "ca-ab1332-2019", "--as-of", "2025-01-10",
                  "-f", "json").json()["findings"][0]
    assert finding["verdict"] == "prohibited" and finding["hypothetical"] is True
    assert finding["verdict_words"] == "would be prohibited under ca-ab1332-2019"
    assert finding["rules"][0]["binding"] is False
    report = cli("audit", str(EXAMPLE), "--rules", "ca-ab1332-2019", "-f", "json", "--map-action", "PO=new").json()
    jsonschema.validate(report, schema("report"))


def test_a_failed_bill_never_decides_a_verdict_beside_an_enacted_rule_set(cli):
    """On 2019-04-10 Berkeley's effective date is uncertain (review); AB 1332 would prohibit: Berkeley decides."""
    finding = cli("screen", "PALANTIR TECHNOLOGIES INC", "--rules", "berkeley-ca,ca-ab1332-2019",
                  "--as-of", "2019-04-10", "-f", "json").json()["findings"][0]
    outcomes = {r["rule_set"]: (r["outcome"], r.get("binding", True)) for r in finding["rules"]}
    assert outcomes == {"berkeley-ca": ("potential_violation", True), "ca-ab1332-2019": ("prohibited", False)}
    assert finding["verdict"] == "potential_violation" and "hypothetical" not in finding


def test_models_and_failed_bills_are_never_applied_by_default(cli):
    rule_sets = cli("screen", "ACME", "-f", "json").json()["summary"]["rule_sets"]
    assert set(rule_sets) == {"berkeley-ca", "oakland-ca", "richmond-ca"}


@pytest.mark.parametrize("fmt", ["csv", "table", "html"])
def test_every_format_words_a_hypothetical_verdict(cli, payments, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    cli("audit", payments, "--rules", "deportice-model", "-f", fmt, "-o", str(out), "-q", "--as-of", "2025-01-10")
    text = out.read_text(encoding="utf-8")
    assert "would need review under deportice-model" in text
    assert "deportice-model is a model ordinance" in text or fmt == "csv"


def test_the_workbook_words_a_hypothetical_verdict(cli, payments, tmp_path):
    import openpyxl

    out = tmp_path / "report.xlsx"
    cli("audit", payments, "--rules", "deportice-model", "-f", "xlsx", "-o", str(out), "-q")
    book = openpyxl.load_workbook(out)
    verdicts = [row[2] for row in book["Findings"].iter_rows(min_row=2, values_only=True)]
    assert "would need review under deportice-model" in verdicts
    assert any("model ordinance" in str(row[1]) for row in book["Summary"].iter_rows(values_only=True))


# -- contract actions a city writes its own way ---------------------------------------------------------------------
def test_an_unknown_action_is_reviewed_and_counted_not_an_abort(cli, payments):
    report = cli("audit", payments, "--rules", "berkeley-ca", "-f", "json", "--as-of", "2025-01-10")
    assert report.code == 0
    data = report.json()
    first = data["findings"][0]
    assert first["verdict"] == "potential_violation" and "action not recognised: 'po'" in first["rules"][0]["reason"]
    assert data["summary"]["unrecognised_actions"] == {"po": 3, "change order": 1}  # Acme's row is counted too


def test_map_action_maps_a_citys_words(cli, payments, tmp_path):
    mapping = tmp_path / "actions.yaml"
    mapping.write_text('"Change Order": amended\n', encoding="utf-8")
    data = cli("audit", payments, "--rules", "berkeley-ca", "-f", "json", "--as-of", "2025-01-10",
               "--map-action", "PO=purchase order", "--action-map", str(mapping)).json()
    verdicts = [(f["action"], f["verdict"]) for f in data["findings"][:3]]
    assert verdicts == [("purchase_order", "potential_violation"), ("amended", "prohibited"),
                        ("purchase_order", "potential_violation")]
    assert "unrecognised_actions" not in data["summary"]
    assert data["provenance"]["action_map"] == {"Change Order": "amended", "PO": "purchase_order"}


@pytest.mark.parametrize("args", [["--map-action", "PO"], ["--map-action", "PO=cancelled"]])
def test_a_bad_action_mapping_is_one_line(cli, payments, args):
    result = cli("audit", payments, *args)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


# -- why not covered ------------------------------------------------------------------------------------------------
def test_not_covered_rows_carry_their_cause_and_only_matched_lists_them(cli, payments):
    data = cli("audit", payments, "--rules", "berkeley-ca", "-f", "json", "--only-matched",
               "--as-of", "2025-01-10").json()
    listed = {f["vendor"]: f for f in data["findings"]}
    assert listed["AMAZON WEB SERVICES INC"]["cause"] == "service_not_covered"
    assert listed["WEST PUBLISHING CORP"]["cause"] == "before_effective"
    assert "Acme Paving" not in listed  # clear: neither flagged nor a registry match
    assert data["summary"]["not_covered_by_cause"] == {"service_not_covered": 1, "before_effective": 1}
    jsonschema.validate(data, schema("report"))
    assert data["summary"]["dollars"]["not_covered_by_cause"] == {"before_effective": 16000.0,
                                                                   "service_not_covered": 8000.0}
    flagged = cli("audit", payments, "--rules", "berkeley-ca", "-f", "json", "--only-flagged").json()["findings"]
    assert {f["vendor"] for f in flagged} == {"PALANTIR TECHNOLOGIES INC"}


def test_the_summary_paragraph_names_the_causes(cli, payments):
    out = cli("audit", payments, "--rules", "berkeley-ca", "--as-of", "2025-01-10").out
    assert "Not covered, by cause: 1 service not covered, 1 before the effective date" in out or \
        "Not covered, by cause: 1 before the effective date, 1 service not covered" in out
    assert "Contract actions not recognised: 'po' (3 rows), 'change order' (1 rows)" in out


# -- each rule set's reason -----------------------------------------------------------------------------------------
def test_the_reason_shown_is_the_deciding_rule_sets_and_csv_has_each(cli, tmp_path):
    """A 2018 payment to West Publishing: Berkeley was not yet in force, Richmond was: Richmond decides."""
    path = tmp_path / "p.csv"
    path.write_text("Vendor Name,Amount,Payment Date\nWEST PUBLISHING CORP,10,2018-09-14\n", encoding="utf-8")
    out = cli("audit", str(path), "--rules", "berkeley-ca,richmond-ca", "-f", "csv", "-q").out
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["verdict"] == "potential_violation" and row["reason"].startswith("[richmond-ca]")
    assert "not yet in force" in row["berkeley-ca reason"] and row["berkeley-ca outcome"] == "not_covered"
    assert "check the contract" in row["richmond-ca reason"]


# -- engine: two processes count unknown actions and causes as one does ---------------------------------------------
def test_two_processes_count_actions_and_causes_as_one(cli, tmp_path, monkeypatch):
    names = ["PALANTIR TECHNOLOGIES INC", "AMAZON WEB SERVICES INC", "Acme Paving", "WEST PUBLISHING CORP"]
    actions = ["PO", "new", "task order", "payment"]
    rows = [f'"{names[i % 4]}",{actions[i % 3]},2024-0{i % 9 + 1}-01,{i}' for i in range(3_000)]
    path = tmp_path / "big.csv"
    path.write_text("Vendor Name,Contract Action,Action Date,Amount\n" + "\n".join(rows) + "\n", encoding="utf-8")
    outs = []
    for workers in ("0", "1"):
        monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", workers)
        outs.append(json.loads(cli("audit", str(path), "-f", "json", "-q", "--as-of", "2025-01-10").out)["summary"])
    assert outs[0] == outs[1] and outs[0]["unrecognised_actions"] == {"po": 1_000, "task order": 1_000}
    assert outs[0]["not_covered_by_cause"]


# -- the real Phoenix files -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["phoenix_az_checkbook_2018-11.csv", "phoenix_az_checkbook_2018-12.csv"])
def test_phoenix_2018_never_flags_motorola_through_vigilant(cli, name):
    """Motorola Solutions bought Vigilant's parent in 2019: 2018 payments are not reached through it. Richmond was
    in force in late 2018 (Berkeley and Oakland were not), so its outcome says why."""
    data = cli("audit", str(real_file(name)), "-f", "json", "--only-matched", "-q").json()
    motorola = [f for f in data["findings"] if f["match"] and f["match"]["entity"]["id"] == "motorola-solutions"]
    assert motorola, "the file pays Motorola Solutions"
    assert all(f["verdict"] == "not_covered" for f in motorola)
    richmond = [next(r for r in f["rules"] if r["rule_set"] == "richmond-ca") for f in motorola]
    assert all(r["cause"] == "relationship_not_started" and "Vigilant" in r["reason"] for r in richmond)
