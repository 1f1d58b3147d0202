"""How distinctive a registry name's words are, measured from English word frequencies (issue #18).

The registries here are built in the test, so the mechanism is shown on names chosen for it; the bundled
registry's cases are in test_matching.py. A registry is a stand-in with only what the matcher reads.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from checker.match.brands import strength
from checker.match.matcher import Matcher
from checker.match.score import BRAND_SCORE, FUZZY_ONLY_CAP, MATCH_THRESHOLD, REVIEW_THRESHOLD
from checker.match.words import DATA, brand_word, common, english_frequencies, rare, zipf

# ZORVEX and QUENTARO are coined here: no English word list has them.
COINED = ("ZORVEX", "QUENTARO")


def entity(ident, name, family, aliases=(), weak=(), former=(), products=()):
    return SimpleNamespace(id=ident, name=name, family_id=family, aliases=tuple(aliases), weak_aliases=tuple(weak),
                           former_names=tuple(former), products=tuple(products))


def registry(*entities, decoys=()):
    """A registry of these entities; ``decoys`` are (family, name, why)."""
    families = {}
    for ent in entities:
        families.setdefault(ent.family_id, SimpleNamespace(id=ent.family_id, entities={}, decoys=[]))
        families[ent.family_id].entities[ent.id] = ent
    for family, name, why in decoys:
        families[family].decoys.append(SimpleNamespace(name=name, why=why))
    return SimpleNamespace(entities={e.id: e for e in entities}, families=families)


def found(matcher, vendor):
    m = matcher.match(vendor).match
    return None if m is None else (m.entity_id, m.band)


# -- the measure ---------------------------------------------------------------------------------------------

def test_the_frequency_table_is_wordfreqs_english_list_with_its_source_and_licence():
    head = (DATA / "english_word_frequencies.tsv").read_text("utf-8").splitlines()[:3]
    assert "wordfreq" in head[1] and "CC BY-SA 4.0" in head[1]
    table = english_frequencies()
    assert len(table) > 20000 and min(table.values()) >= 3.0
    assert all(word.isalpha() and word.isupper() for word in table)
    assert table["THE"] > table["STREET"] > table["GIANT"] > table["THOMSON"] > table["PARAGON"]


@pytest.mark.parametrize(("word", "is_rare", "is_common", "is_brand"), [
    ("EQUIFAX", True, False, True),      # a coined brand: rarer than once per million words
    ("PALANTIR", True, False, True),
    ("ZORVEX", True, False, True),
    ("BOOZ", True, False, False),        # rare, but four letters: no brand by itself
    ("CSRA", True, False, False),
    ("THOMSON", False, False, False),    # a surname: uncommon, not rare
    ("PARAGON", False, False, False),
    ("GIANT", False, True, False),       # everyday words
    ("OAK", False, True, False),
    ("SOLUTIONS", False, True, False),   # generic: never distinctive
    ("2018", False, False, False),
])
def test_a_words_rarity_is_measured(word, is_rare, is_common, is_brand):
    assert (rare(word), common(word), brand_word(word)) == (is_rare, is_common, is_brand)
    assert (zipf(word) == 0.0) == (word in COINED or word in ("EQUIFAX", "PALANTIR", "BOOZ", "CSRA", "2018"))


@pytest.mark.parametrize(("tokens", "brand", "ordinary", "phrase"), [
    (("EQUIFAX",), "EQUIFAX", False, False),
    (("LEXISNEXIS", "RISK", "SOLUTIONS"), "LEXISNEXIS", False, False),
    (("PALANTIR", "USG"), "PALANTIR", False, True),
    (("THOMSON", "REUTERS"), None, False, True),       # two uncommon words: a phrase
    (("GIANT", "OAK"), None, True, False),             # common words: anyone's name
    (("FOUR", "POINTS", "TECHNOLOGY"), None, True, False),
    (("THOMSON",), None, True, False),                 # one word, not rare
    (("BOOZ", "ALLEN", "HAMILTON"), None, False, False),  # anchored by a rare word, no brand of five letters
    (("WEST", "PUBLISHING"), None, False, False),      # generic words only: capped elsewhere
])
def test_a_registry_names_strength(tokens, brand, ordinary, phrase):
    s = strength(tokens)
    assert (s.brand, s.ordinary, s.phrase) == (brand, ordinary, phrase)


# -- a rare brand followed by other words --------------------------------------------------------------------

@pytest.fixture(scope="module")
def coined():
    return Matcher(registry(
        entity("zorvex", "Zorvex Inc.", "zorvex"),
        entity("zorvex-payroll", "Zorvex Payroll Solutions LLC", "zorvex", former=["QUENTARO CORPORATION"]),
        entity("giant-oak", "Giant Oak, Inc.", "giant-oak"),
        entity("tr", "Thomson Reuters Corporation", "tr", former=["The Thomson Corporation"]),
    ))


@pytest.mark.parametrize("vendor", [
    "ZORVEX INFORMATION SERVICES LLC",        # <brand> Information Services LLC
    "ZORVEX CONSUMER DATA SOLUTIONS INC",     # <brand> <unit> Solutions Inc
    "ZORVEX RENTAL SCREENING SOLUTIONS INC",  # a unit of two words
    "ZORVEX SERVICES",
    "ZORVEX OF ARIZONA LLC",                  # <brand> of <state>: a subsidiary's usual name
])
def test_a_rare_brand_then_business_words_is_a_possible_match(coined, vendor):
    m = coined.match(vendor).match
    assert m is not None and m.family_id == "zorvex" and m.band == "possible", m
    assert REVIEW_THRESHOLD <= m.score < MATCH_THRESHOLD and m.score >= BRAND_SCORE
    assert "begins with ZORVEX" in m.explanation and "rare in English" in m.explanation


def test_the_closest_registry_name_of_the_brand_is_the_one_named(coined):
    assert found(coined, "ZORVEX INFORMATION SERVICES LLC") == ("zorvex", "possible")
    assert found(coined, "ZORVEX PAYROLL SERVICES") == ("zorvex-payroll", "possible")


@pytest.mark.parametrize("vendor", [
    "ZORVEX GAMES LLC",                       # no business word: another company's name
    "ZORVEX LAWN TREE GARDEN SERVICES",       # three words of its own
    "ACME ZORVEX SERVICES",                   # the brand does not begin the name
    "ZORVEKS INFORMATION SERVICES",           # a spelling of the brand is not the brand
])
def test_a_rare_brand_with_other_words_is_not_flagged_by_the_brand_alone(coined, vendor):
    assert coined.match(vendor).match is None, coined.match(vendor)


def test_a_former_name_is_found_whole(coined):
    assert found(coined, "QUENTARO CORPORATION") == ("zorvex-payroll", "match")
    assert found(coined, "QUENTARO CORP") == ("zorvex-payroll", "match")


def test_a_brand_shared_with_a_known_decoy_proves_nothing_by_itself():
    shared = Matcher(registry(entity("zorvex", "Zorvex Inc.", "zorvex"),
                              decoys=[("zorvex", "Zorvex Pet Supplies", "a pet shop")]))
    assert shared.match("ZORVEX PET SUPPLIES").match is None
    assert shared.match("ZORVEX INFORMATION SERVICES LLC").match is None
    assert found(shared, "ZORVEX INC") == ("zorvex", "match")


# -- ordinary words ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("vendor", [
    "GIANT OAK TREE SERVICE", "GIANT OAK NURSERY", "GIANT OAK LANDSCAPING LLC",  # other words
    "OAK GIANT", "OAK GIANT NURSERY",                                            # another order
    "GIANT OAK SPA",
])
def test_ordinary_words_that_spell_a_registry_name_with_other_words_are_not_flagged(coined, vendor):
    assert coined.match(vendor).match is None, coined.match(vendor)


@pytest.mark.parametrize(("vendor", "band"), [
    ("GIANT OAK INC", "match"), ("GIANT OAK", "match"), ("GIANT OAK LLC", "match"),
    ("GIANT OAK #1234", "match"),      # a store number is not a word of its own
    ("GIANT OAK SOLUTIONS", "match"),  # a business word, as any name may have
    ("GIANT OAK COR", "match"),        # a legal form cut short by an ERP system
])
def test_the_ordinary_registry_name_itself_is_still_found(coined, vendor, band):
    assert found(coined, vendor) == ("giant-oak", band)


def test_a_phrase_of_uncommon_words_followed_by_a_unit_is_a_match(coined):
    m = coined.match("THOMSON REUTERS ELITE").match
    assert m is not None and m.entity_id == "tr" and m.band == "match" and "division or unit" in m.explanation


def test_one_uncommon_word_with_words_of_its_own_is_not_flagged(coined):
    assert coined.match("THOMSON LANDSCAPING LLC").match is None


def test_uncommon_words_in_another_order_are_a_possible_match_at_most():
    m = Matcher(registry(entity("mf", "Magnet Forensics Inc.", "mf")))
    assert found(m, "MAGNET FORENSICS") == ("mf", "match")
    assert found(m, "FORENSICS MAGNET") == ("mf", "possible")


def test_a_prefix_the_registry_gives_two_units_is_the_companys_own():
    names = Matcher(registry(entity("gd", "General Dynamics Corporation", "gd"),
                             entity("gdit", "General Dynamics Information Technology, Inc.", "gd")))
    assert found(names, "GENERAL DYNAMICS LAND SYSTEMS") == ("gd", "match")
    alone = Matcher(registry(entity("gd", "General Dynamics Corporation", "gd")))
    assert alone.match("GENERAL DYNAMICS LAND SYSTEMS").match is None


# -- a bare one-word name ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bare():
    return Matcher(registry(
        entity("moto", "Motorola Solutions, Inc.", "moto", weak=["MOTOROLA"], former=["MOTOROLA INCORPORATED"]),
        entity("ms", "Microsoft Corporation", "ms"),
        entity("zorvex", "Zorvex", "zorvex", products=["Quentaro"]),
        entity("tlo", "TLO", "tlo"),
        entity("pal", "Palantir Technologies Inc.", "pal", weak=["PALANTIR"]),
    ))


@pytest.mark.parametrize("vendor", ["MOTOROLA", "Motorola", "MICROSOFT", "TLO", "PALANTIR", "THE MOTOROLA"])
def test_a_bare_one_word_name_is_never_more_than_a_possible_match(bare, vendor):
    m = bare.match(vendor).match
    assert m is not None and m.band == "possible" and m.score <= FUZZY_ONLY_CAP, m


@pytest.mark.parametrize("vendor", ["ZORVEX", "QUENTARO"])
def test_even_when_it_is_itself_a_rare_registry_name_or_product(bare, vendor):
    m = bare.match(vendor).match
    assert m is not None and m.entity_id == "zorvex" and m.band == "possible", m
    assert found(bare, f"{vendor} INC") == ("zorvex", "match")


def test_a_legal_form_makes_a_name_no_longer_bare(bare):
    assert found(bare, "MOTOROLA INC") == ("moto", "match")  # the former legal name, whole
    assert found(bare, "MICROSOFT CORP") == ("ms", "match")


# -- registry search, screen and audit read one outcome ------------------------------------------------------

@pytest.mark.parametrize("vendor", ["MOTOROLA", "ZORVEX INFORMATION SERVICES LLC", "GIANT OAK NURSERY",
                                    "THOMSON REUTERS - GIANT OAK", "QUENTARO CORPORATION", "THOMSON REUTERS ELITE"])
def test_ranked_candidates_lead_with_the_match_itself(coined, bare, vendor):
    for matcher in (coined, bare):
        outcome, ranked = matcher.match(vendor), matcher.ranked(vendor)
        if outcome.match is not None:
            assert ranked[0] == outcome.match
        else:
            assert all(m.band == "none" for m in ranked)


def test_a_decoy_candidate_is_shown_in_no_band_with_the_reason():
    m = Matcher(registry(entity("zorvex", "Zorvex Inc.", "zorvex"),
                         decoys=[("zorvex", "Zorvex Inc Canada", "another company")]))
    assert m.match("ZORVEX INC CANADA").match is None
    ranked = m.ranked("ZORVEX INC CANADA")
    assert ranked and all(c.band == "none" and "known decoy" in c.explanation for c in ranked
                          if c.score >= REVIEW_THRESHOLD)
