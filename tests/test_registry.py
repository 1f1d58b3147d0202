"""The registry as knowledge: every cheat-sheet legal name found, every decoy cleared, ends respected."""

from __future__ import annotations

import shutil

import pytest

from checker.knowledge.registry import load_registry
from checker.match.matcher import Matcher

from conftest import ROOT

# registry-evidence.md §4, "Name-matching cheat sheet": legal names exactly as in federal award data.
CHEAT_SHEET = {
    "THOMSON REUTERS SPECIAL SERVICES LLC": "thomson-reuters", "WEST PUBLISHING CORPORATION": "thomson-reuters",
    "RELX INC.": "relx", "REED ELSEVIER, INC.": "relx", "LEXISNEXIS RISK SOLUTIONS INC": "relx",
    "LEXISNEXIS SPECIAL SERVICES INC": "relx", "LexisNexis Risk Solutions FL Inc.": "relx",
    "LexisNexis Risk Data Management Inc.": "relx",
    "PALANTIR TECHNOLOGIES INC.": "palantir", "PALANTIR TECHNOLOGIES INCORPORATED": "palantir",
    "PALANTIR USG, INC.": "palantir", "PALANTIR USG INC": "palantir",
    "EQUIFAX INC": "equifax", "EQUIFAX WORKFORCE SOLUTIONS LLC": "equifax",
    "TRANS UNION LLC": "transunion", "TRANSUNION RISK AND ALTERNATIVE DATA SOLUTIONS, INC.": "transunion",
    "EXPERIAN INFORMATION SOLUTIONS, INC.": "experian",
    "BABEL STREET, INC.": "babel-street", "VENNTEL INC": "gravy-analytics", "GIANT OAK, INC.": "giant-oak",
    "GIANT OAK LLC": "giant-oak",
    "CLEARVIEW AI, INC.": "clearview-ai", "PEN-LINK, LTD.": "pen-link", "PEN-LINK LTD.": "pen-link",
    "PEN-LINK, LIMITED": "pen-link", "PEN-LINK, LTD": "pen-link", "COBWEBS AMERICA INC": "pen-link",
    "CELLEBRITE USA CORP": "cellebrite", "CELLEBRITE INC.": "cellebrite", "CELLEBRITE INC": "cellebrite",
    "MARINUS ANALYTICS LLC": "marinus-analytics", "PARAGON SOLUTIONS (US) INC": "paragon-solutions",
    "GENERAL DYNAMICS INFORMATION TECHNOLOGY, INC.": "general-dynamics", "CSRA LLC": "general-dynamics",
    "SYSTEMS RESEARCH AND APPLICATIONS CORPORATION": "general-dynamics",
    "SYSTEMS RESEARCH AND APPLICATI": "general-dynamics",
    "BOOZ ALLEN HAMILTON INC": "booz-allen-hamilton", "BOOZ ALLEN HAMILTON INCORPORATED (3626)": "booz-allen-hamilton",
    "DELOITTE CONSULTING LLP": "deloitte",
    "MOTOROLA SOLUTIONS, INC.": "motorola-solutions", "MOTOROLA INCORPORATED": "motorola-solutions",
    "ANDURIL INDUSTRIES, INC.": "anduril",
    "MICROSOFT CORPORATION": "microsoft", "MICROSOFT CORPORATION SITZ IN REDMOND CORPORATION": "microsoft",
    "LINKEDIN CORPORATION": "microsoft", "AMAZON WEB SERVICES, INC.": "amazon", "AMAZON.COM LLC": "amazon",
    "PERATON INC.": "peraton", "PERATON ENTERPRISE SOLUTIONS LLC": "peraton", "PERATON RISK DECISION INC.": "peraton",
    "PERATON TECHNOLOGY SERVICES INC.": "peraton",
    "THUNDERCAT TECHNOLOGY, LLC": "thundercat-technology", "CARAHSOFT TECHNOLOGY CORP": "carahsoft",
    "PANAMERICA COMPUTERS, INC.": "panamerica-computers", "FOUR POINTS TECHNOLOGY, L.L.C.": "four-points-technology",
    "FS PARTNERS, LLP": "fs-partners", "FLYWHEEL DATA LLC": "flywheel-data",
    "C & C INTERNATIONAL COMPUTERS & CONSULTANTS, INC.": "cc-international-computers",
}

# registry-evidence.md §8, "Decoys — names a fuzzy matcher must NOT flag". CORECIVIC, INC. was listed there as a decoy
# for CoreLogic only; it is now a registry family of its own (ICE detention, issue #18), so it is not here.
DECOYS = [
    "CLEAR Secure, Inc.", "Alclear, LLC", "Clear Channel Outdoor Holdings, Inc.", "CLEARAVENUE, LLC",
    "CLEARAVENUE LIMITED LIABILITY COMPANY", "ALLCLEAR ID, INC.", "CLEAR CLOUD SOLUTIONS INC.",
    "CLEAR CONNECT MANAGEMENT LLC", "CLEAR GLOBAL SOLUTIONS LLC", "AUTOCLEAR LLC", "AQUA CLEAR ENGINEERING, INC.",
    "CLEARWATER PACKAGING INC", "ClearOne, Inc.", "EVIGILANT.COM, LLC", "EVIGILANT.COM INCORPORATED",
    "Vigilant Insurance Company", "Vigilant Security", "Motorola Mobility LLC", "Palantir.net, Inc.",
    "Refinitiv US LLC", "Thomson Reuters (Markets) LLC", "Thomson Reuters (GRC) Inc.", "Thomson SA", "Technicolor",
    "KATHERINE J THOMSON", "Reed Smith LLP", "THOMAS & REED LLC", "MARK L REED ATTORNEY AT LAW", "Rolex SA",
    "Toyota Motor Sales, U.S.A., Inc.", "Lexus", "West Corporation", "Intrado Inc.", "WEST AUTO BODY SHOP, LLC",
    "WEST POINT CONTRACTORS, INC.", "WEST TECH COMMUNICATIONS LLC", "WEST MICHIGAN INTERNATIONAL LLC",
    "SPERRY WEST INC", "FAR WEST SERVICES, INC.", "TETRA WEST TECHNOLOGY, INC.", "West Marine", "WestRock",
    "EQUINIX, INC.", "HEALTHEQUITY, INC.", "Experis", "TRANSWEST MOBILE TRUCK REPAIR LLC", "Babbel",
    "Lesson Nine GmbH", "ALLEGIANT FACILITY SERVICES JOINT VENTURE LLC", "Giant Eagle", "Giant Food",
    "PARAGON SYSTEMS INC", "PARAGON PROFESSIONAL SERVICES LLC", "PARAGON MICRO INC",
    "PARAGON ENVIRONMENTAL SERVICES, LLC", "Marinus Pharmaceuticals, Inc.", "MARINELAND OF WACO INC",
    "SAS R & D SERVICES, INC.", "Scandinavian Airlines", "Axiom Space", "Axiom Law",
    "Booz & Company", "Strategy&", "Celebrity Cruises", "ABM FEDERAL SALES", "PELICAN SALES INC",
    "THE KINETIC GROUP SALES LLC",
]


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_registry())


@pytest.mark.parametrize(("name", "family"), sorted(CHEAT_SHEET.items()))
def test_cheat_sheet_legal_names_found_with_right_family(matcher, name, family):
    m = matcher.match(name).match
    assert m is not None and m.band == "match" and m.family_id == family, (name, m)


@pytest.mark.parametrize("name", DECOYS)
def test_decoys_are_cleared(matcher, name):
    assert matcher.match(name).match is None, (name, matcher.match(name).match)


def test_registry_size_and_sources():
    reg = load_registry()
    confirmed = [f for f in reg.families.values() if f.status == "confirmed"]
    assert len(confirmed) >= 23
    for ent in reg.entities.values():
        assert any(s.link or s.award for s in ent.sources), ent.id
        for ev in ent.evidence:
            assert ev.awards or any(s.link or s.award for s in ev.sources), (ent.id, ev.what)


def test_documented_end_means_formerly_provided(cli):
    f = cli("screen", "GIANT OAK, INC.", "--rules", "berkeley-ca", "--format", "json").json()["findings"][0]
    assert f["verdict"] == "not_covered"
    assert "formerly provided ICE" in f["rules"][0]["reason"] and "2022-08" in f["rules"][0]["reason"]
    during = cli("screen", "GIANT OAK, INC.", "--rules", "berkeley-ca", "--as-of", "2020-06-01",
                 "--format", "json").json()["findings"][0]
    assert during["verdict"] == "prohibited"


def test_unconfirmed_family_is_never_more_than_possible_match(cli, tmp_path):
    # A rule set already in force during SAS's only evidence item (the 2017 industry day) would reach it.
    early = tmp_path / "early-ca.yaml"
    early.write_text("schema_version: 1\nid: early-ca\nextends: deportice-model\n"
                     "effective: {date: '2017-01-01', confidence: inferred, note: test}\n")
    f = cli("screen", "SAS INSTITUTE INC", "--rules", str(early), "--as-of", "2017-07-18",
            "--format", "json").json()["findings"][0]
    assert f["match"]["family"]["id"] == "sas-institute"
    assert f["verdict"] == "possible_match" and "unconfirmed" in f["rules"][0]["reason"]
    later = cli("screen", "SAS INSTITUTE INC", "--format", "json").json()["findings"][0]
    assert later["verdict"] == "not_covered"


def test_lint_catches_bad_check_digits_and_clashing_names(cli, tmp_path):
    reg = tmp_path / "vendors"
    shutil.copytree(ROOT / "vendors", reg)
    f = reg / "palantir.yaml"
    text = f.read_text()
    assert "69608A108" in text
    f.write_text(text.replace("69608A108", "69608A109", 1))
    e = reg / "experian.yaml"
    e.write_text(e.read_text().replace("aliases:\n", "aliases:\n      - PALANTIR USG INC\n", 1))
    result = cli("registry", "lint", str(reg))
    assert result.code == 1
    assert "69608A109" in result.err and "invalid cusip" in result.err
    assert "also claimed by" in result.err
