"""Products named in descriptions, resellers, and recorded human decisions."""

from __future__ import annotations

import pytest

from checker.knowledge.registry import load_registry
from checker.match.matcher import Matcher
from checker.match.products import ProductScanner


@pytest.fixture(scope="module")
def scanner():
    reg = load_registry()
    return ProductScanner(reg, Matcher(reg).family_tokens)


@pytest.mark.parametrize(("text", "family"), [
    ("Accurint for Law Enforcement annual seats", "relx"),
    ("WESTLAW renewal FY26", "thomson-reuters"),
    ("Locate X licences", "babel-street"),
    ("Thomson Reuters CLEAR subscription", "thomson-reuters"),
])
def test_products_found_in_descriptions(scanner, text, family):
    hit = scanner.scan(text)
    assert hit is not None and hit.family_id == family


@pytest.mark.parametrize("text", ["CLEAR TRASH BAGS 55 GAL", ".223 NONMARKING/CLEAR", "clear coat for fleet",
                                  "TLO grant cost centre", "West side park maintenance"])
def test_common_words_are_not_products(scanner, text):
    assert scanner.scan(text) is None


def test_weak_product_with_a_reseller_vendor(scanner):
    assert scanner.scan("CLEAR licences") is None
    hit = scanner.scan("CLEAR licences", vendor_is_reseller=True)
    assert hit is not None and hit.family_id == "thomson-reuters"


def test_reseller_alone_is_never_flagged(cli):
    f = cli("screen", "CARAHSOFT TECHNOLOGY CORP", "--format", "json").json()["findings"][0]
    assert f["match"]["family"]["id"] == "carahsoft"
    assert f["verdict"] == "not_covered"


DECISIONS = """\
decisions:
  - vendor: WESTGROUP RESEARCH
    decision: different
    who: A. Analyst
    when: "2026-11-01"
    why: Phoenix market-research firm, not West Publishing.
  - vendor: THOMSON REUTERS ELITE
    entity: thomson-reuters
    decision: different
    who: B. Buyer
    when: "2026-11-02"
    why: Elite was sold to TPG in 2023; our contract is with Elite, not Thomson Reuters.
  - vendor: WESTLAW NEXT
    entity: west-publishing
    decision: same
    who: C. Counsel
    when: "2026-11-03"
    why: Westlaw Next is sold by West Publishing Corporation.
"""


def test_decisions_are_applied_and_shown(cli, tmp_path):
    path = tmp_path / "decisions.yaml"
    path.write_text(DECISIONS)
    before = cli("screen", "WESTLAW NEXT", "THOMSON REUTERS ELITE", "--format", "json").json()["findings"]
    assert before[0]["match"] is None and before[1]["match"]["family"]["id"] == "thomson-reuters"
    report = cli("screen", "WESTLAW NEXT", "THOMSON REUTERS ELITE", "WESTGROUP RESEARCH", "--format", "json",
                 "--decisions", str(path)).json()
    same, different, anything = report["findings"]
    assert same["match"]["entity"]["id"] == "west-publishing" and same["verdict"] == "prohibited"
    assert "C. Counsel" in same["decision"]
    assert different["match"] is None and "B. Buyer" in different["decision"]
    assert anything["match"] is None and "A. Analyst" in anything["decision"]
    assert report["provenance"]["decisions"]["path"] == str(path)
    assert "Decision applied: decision by C. Counsel" in cli("screen", "WESTLAW NEXT", "--decisions", str(path)).out


def test_bad_decision_file_names_line_and_field(cli, tmp_path):
    path = tmp_path / "decisions.yaml"
    path.write_text(DECISIONS.replace("entity: west-publishing", "entity: west-publishin"))
    result = cli("screen", "X", "--decisions", str(path))
    assert result.code == 2
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "west-publishin" in ln)
    assert f"line {line}:" in result.err and "decisions[2].entity" in result.err and "west-publishin" in result.err
