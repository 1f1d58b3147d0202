"""Name normalisation and matching: the cases a screening tool is judged on."""

from __future__ import annotations

import pytest

from checker.knowledge.registry import load_registry
from checker.match.matcher import Matcher
from checker.match.normalize import is_person, normalize, split_parts


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_registry())


@pytest.mark.parametrize(("raw", "core", "form"), [
    ("Palantir USG, Inc.", "PALANTIR USG", "INC"),
    ("MATTHEW BENDER & CO INC", "MATTHEW BENDER", "INC"),
    ("Thomson Company Inc, The", "THOMSON", "INC"),
    ("Acme L.L.C.", "ACME", "LLC"),
    ("Café Noël Corporation", "CAFE NOEL", "CORP"),
    ("INC", "INC", None),
    ("LexisNexis® Risk Solutions™", "LEXISNEXIS RISK SOLUTIONS", None),
    ("THOMSON REUTERS INCORPORA", "THOMSON REUTERS", "INC"),  # ERP-truncated legal forms
    ("WEST PUBLISHING CORPORATIO", "WEST PUBLISHING", "CORP"),
    ("ACME COMP", "ACME", "CO"),
    ("ACME LIMI", "ACME", "LTD"),
    ("ACME INC LIMITED PARTNERSHIP", "ACME", "LP"),
    ("ACME PARTNERSHIP", "ACME PARTNERSHIP", None),
    ("o'brien+sons_of-3m", "OBRIEN AND SONS OF 3M", None),
    ("A T&T", "AT AND T", None),
])
def test_normalize(raw, core, form):
    n = normalize(raw)
    assert n.core == core and n.legal_form == form


def test_normalize_never_empties_a_name():
    for raw in ["INC", "THE", "CO", "LLC LLC", "& CO"]:
        assert normalize(raw).tokens


def test_split_parts():
    assert split_parts("RELX Inc dba LexisNexis")[1:] == ["RELX Inc", "LexisNexis"]
    assert split_parts("THOMSON REUTERS - WEST")[1:] == ["THOMSON REUTERS", "WEST"]
    assert split_parts("Acme Corp c/o Jane Roe")[1:] == ["Acme Corp", "Jane Roe"]
    assert split_parts("PEN-LINK LTD") == ["PEN-LINK LTD"]


@pytest.mark.parametrize(("name", "person"), [
    ("WELSH, ALEXIS M", True), ("YOUNG, ALEXIS NICOLE", True), ("GEO S THOMSON, INC", False),
    ("CLEAR CREEK ASSOCIATES, LLC", False), ("TORI WEST", False), ("O'BRIEN, MARY-KATE", True),
])
def test_person_detection(name, person):
    assert is_person(name) is person


@pytest.mark.parametrize(("vendor", "entity"), [
    ("WEST PUBLISHING CORP", "west-publishing"),
    ("West Publishing Corporation", "west-publishing"),
    ("THOMSON REUTERS SPECIAL SERVICES", "thomson-reuters-special-services"),
    ("LEXISNEXIS RISK SOLUTIONS FL INC", "lexisnexis-risk-solutions-fl"),
    ("Lexis Nexis Risk Solutions Inc", "lexisnexis-risk-solutions"),
    ("MATTHEW BENDER & CO INC", "matthew-bender"),
    ("PALANTIR TECHNOLOGIES INCORPORATED", "palantir"),
    ("VIGILANT SOLUTIONS INC", "vigilant-solutions"),
    ("TRANSUNION RISK AND ALTERNATIVE", "transunion-risk-and-alternative-data-solutions"),
    ("THOMSON REUTERS ELITE", "thomson-reuters"),
    ("ACCURINT", "lexisnexis-risk-solutions-fl"),
    ("RELX Inc dba LexisNexis", "relx-inc"),
    ("EQUIFAX INC                                  ", "equifax"),
])
def test_registry_names_match(matcher, vendor, entity):
    m = matcher.match(vendor).match
    assert m is not None, vendor
    assert m.entity_id == entity and m.band == "match"
    assert m.explanation


@pytest.mark.parametrize("vendor", [
    "CITIES WEST PUBLISHING INC", "GEO S THOMSON CO INC", "TR WEST LIMITED PARTNERSHIP", "CLEAR CHANNEL OUTDOOR INC",
    "WEST COAST TURF", "BANK OF THE WEST", "WESTERN PUBLISHING CO", "THOMPSON/QUILL ASSOC INC", "BENDER ASSOCIATES INC",
    "WELSH, ALEXIS M", "PALANTIR.NET, INC.", "MOTOROLA MOBILITY LLC", "VIGILANT INSURANCE COMPANY",
    "EVIGILANT.COM, LLC", "CLEAR VIEW LANDSCAPING", "WESTGROUP RESEARCH", "REFINITIV US LLC", "West Corporation",
    "T R BOYLE FRAUD CONSULTANTS",
])
def test_lookalikes_are_not_matched(matcher, vendor):
    assert matcher.match(vendor).match is None, matcher.match(vendor)


def test_weak_alias_counts_only_as_the_whole_name(matcher):
    assert matcher.match("CLEAR").match.family_id == "thomson-reuters"
    assert matcher.match("CLEAR").match.kind == "weak"
    assert matcher.match("CLEAR CREEK ASSOCIATES, LLC").match is None
    assert matcher.match("TLO").match.family_id == "transunion"


def test_possible_band_for_a_bare_brand(matcher):
    m = matcher.match("MOTOROLA SOLUTIONS").match
    assert m.band == "match"
    typo = matcher.match("PALANTIER TECHNOLOGIES").match
    assert typo is not None and typo.family_id == "palantir" and typo.band == "possible"
