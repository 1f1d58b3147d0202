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
    ("ACCURINT INC", "lexisnexis-risk-solutions-fl"),  # bare "ACCURINT": a possible match (one word)
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


# -- issue #18: names the matcher missed, brands followed by other words, bare one-word names ----------------

@pytest.mark.parametrize(("vendor", "family"), [
    ("TALX CORPORATION", "equifax"),      # former name of Equifax Workforce Solutions (3 real Phoenix rows)
    ("PALANTIR FOUNDRY", "palantir"),     # products and editions
    ("WESTLAW EDGE", "thomson-reuters"),
    ("LEXIS ADVANCE", "relx"),
    ("WEST PAYMENT CENTER", "thomson-reuters"),  # remit-to name
])
def test_former_names_products_and_remit_to_names_are_found(matcher, vendor, family):
    m = matcher.match(vendor).match
    assert m is not None and m.family_id == family and m.band == "match", m


@pytest.mark.parametrize(("vendor", "family"), [
    ("EQUIFAX INFORMATION SERVICES LLC", "equifax"),
    ("EXPERIAN MARKETING SOLUTIONS LLC", "experian"),
    ("TRANSUNION RENTAL SCREENING SOLUTIONS INC", "transunion"),
    ("CORECIVIC OF TENNESSEE LLC", "corecivic"),
])
def test_a_rare_registry_brand_followed_by_business_words_is_at_least_possible(matcher, vendor, family):
    m = matcher.match(vendor).match
    assert m is not None and m.family_id == family and m.band in ("possible", "match"), m


@pytest.mark.parametrize("vendor", ["GIANT OAK TREE SERVICE", "GIANT OAK NURSERY", "FOUR POINTS SHERATON",
                                    "PEN LINK NURSERY", "OAK GIANT", "LINK PEN", "THOMSON LANDSCAPING LLC",
                                    "ADVANCE AUTO PARTS", "THE FOUNDRY RESTAURANT"])
def test_ordinary_words_that_spell_a_registry_name_are_not_flagged(matcher, vendor):
    assert matcher.match(vendor).match is None, matcher.match(vendor)


@pytest.mark.parametrize(("vendor", "band"), [
    ("MOTOROLA", "possible"), ("Motorola", "possible"), ("MICROSOFT", "possible"), ("CLEAR", "possible"),
    ("AMAZON", "possible"), ("PALANTIR", "possible"),
    ("EXPERIAN", "possible"), ("LEXISNEXIS", "possible"), ("ACCURINT", "possible"),  # rare, still one word
    ("MOTOROLA INC", "match"), ("EXPERIAN LLC", "match"),  # not bare: a legal form
    ("LEXISNEXIS RISK SOLUTIONS", "match"),
])
def test_a_bare_one_word_name_is_at_most_possible(matcher, vendor, band):
    m = matcher.match(vendor).match
    assert m is not None and m.band == band, m


@pytest.mark.parametrize("vendor", [
    "TALX CORPORATION", "WESTLAW EDGE", "LEXIS ADVANCE", "PALANTIR FOUNDRY", "WEST PAYMENT CENTER",  # issue #18
    "Motorola", "EXPERIAN", "EQUIFAX INFORMATION SERVICES LLC", "THOMSON REUTERS - WEST", "MOTOROLA MOBILITY LLC",
    "CLEAR", "THOMSON REUTERS ELITE", "GIANT OAK NURSERY", "THOMSON PUBLISHING WEST", "TORI WEST"])
def test_screen_audit_and_registry_search_agree(cli, tmp_path, vendor):
    """One code path: the entity, score and band of ``screen``, ``audit`` and ``registry search``'s first line."""
    screened = cli("screen", vendor, "--format", "json", "--as-of", "2026-11-23").json()["findings"][0]["match"]
    path = tmp_path / "payments.csv"
    path.write_text('Vendor Name,Amount\n"' + vendor + '",10.00\n', "utf-8")
    audited = cli("audit", str(path), "--format", "json", "--as-of", "2026-11-23").json()["findings"][0]["match"]
    searched = cli("registry", "search", vendor, "--format", "json").json()["candidates"]
    assert (screened is None) == (audited is None)
    if screened is None:
        assert all(c["band"] == "none" for c in searched)
        return
    top = searched[0]
    assert screened["entity"]["id"] == audited["entity"]["id"] == top["entity"]
    assert screened["score"] == audited["score"] == top["score"]
    assert screened["band"] == audited["band"] == top["band"]
    assert screened["matched_name"] == audited["matched_name"] == top["matched_name"]
