"""Individual payees in both forms (issue #19, item 8): found, measured, never matched by a surname, never listed."""

from __future__ import annotations

import csv
import json

import pytest

from checker.knowledge.registry import load_registry
from checker.match.matcher import Matcher
from checker.match.people import first_names, person_form, word_surnames
from checker.match.words import DATA as WORDS
from checker.match.words import english_frequencies
from checker.tools.evaluate import BUNDLED_SET, load_cases

from conftest import DATA, REAL

SCOTTSDALE = REAL / "scottsdale_az_vendor_payments_fy2018.csv"
SCOTTSDALE_PEOPLE = ("CARLYN SHEPP", "DAVID STEEL", "TORI WEST")


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_registry())


@pytest.mark.parametrize(("vendor", "written"), [
    ("CARLYN SHEPP", "FIRST LAST"), ("DAVID STEEL", "FIRST LAST"), ("TORI WEST", "FIRST LAST"),
    ("Matthew A Marner", "FIRST LAST"), ("JOHN SMITH JR", "FIRST LAST"), ("MARIA DE LA CRUZ", "FIRST LAST"),
    ("DR TORI WEST", "FIRST LAST"),
    ("COOKE REGINALD L", "LAST FIRST I"),          # LAST, FIRST I with the comma cut
    ("GARCIA, TERESA V", "LAST, FIRST"),
    ("HOME DEPOT", None),                          # the parser alone says Person: HOME is no given name
    ("ROSE GARDEN CAFE", None),                    # a suffix of its own
    ("MARK TWAIN PHARMACY", None),                 # PHARMACY is an English word and no surname
    ("JOHN SMITH LLC", None), ("DAVE SAUNDERS TRANSPORT", None), ("MARY WEST SOLUTIONS", None),
    ("TORI WEST 2", None), ("GIANT OAK TREE SERVICE", None), ("WEST PUBLISHING CORP", None),
])
def test_a_persons_name_is_recognised_in_each_form(vendor, written):
    assert person_form(vendor) == written


def test_a_person_is_never_matched_to_a_company_by_a_surname(matcher):
    for vendor in ("TORI WEST", "ERIC THOMSON", "KATHERINE J THOMSON", "JIM THOMPSON", "PAUL BENDER"):
        outcome = matcher.match(vendor)
        assert outcome.match is None and outcome.person, (vendor, outcome)
        assert "individual payee" in outcome.note


def test_a_registry_name_in_full_wins_over_the_person_reading(matcher):
    assert person_form("MATTHEW BENDER") == "FIRST LAST"
    outcome = matcher.match("MATTHEW BENDER")  # LexisNexis Matthew Bender, by the registry's own name
    assert outcome.match is not None and outcome.match.family_id == "relx" and outcome.match.band == "match"
    assert not outcome.person
    ranked = matcher.ranked("TORI WEST")  # registry search agrees: no candidate is put in a band
    assert all(m.band == "none" for m in ranked)


def _labelled() -> list[tuple[str, bool]]:
    with (DATA / "people_labelled.csv").open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [(r["name"], r["person"] == "yes") for r in rows]


def test_measured_on_real_payee_names():
    """243 payee names of the real files labelled by hand: 62 people. Measured: recall 60/62, precision 60/61."""
    labelled = _labelled()
    assert len(labelled) >= 200 and {n for n, _ in labelled} >= set(SCOTTSDALE_PEOPLE)
    found = [(person_form(name) is not None, truth) for name, truth in labelled]
    hits = sum(f and t for f, t in found)
    recall = hits / sum(t for _, t in found)
    precision = hits / sum(f for f, _ in found)
    assert recall >= 0.96 and precision >= 0.98, (recall, precision)


def test_no_company_of_the_eval_set_is_withheld(matcher):
    """Every registry name and every decoy company stays a company; the decoys labelled as people are withheld."""
    withheld = []
    for case in load_cases(BUNDLED_SET):
        outcome = matcher.match(case.vendor)
        if outcome.person and outcome.match is None:
            withheld.append(case)
    assert withheld and all(c.tier == "decoy" and c.note.startswith("person") for c in withheld), \
        [c.vendor for c in withheld if not c.note.startswith("person")]
    people = [c for c in load_cases(BUNDLED_SET) if c.note.startswith("person")]
    assert len(withheld) / len(people) >= 0.9


@pytest.fixture(scope="module")
def scottsdale():
    if not SCOTTSDALE.exists():
        pytest.skip(f"real data not available: {SCOTTSDALE}")
    return SCOTTSDALE


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_shareable_scottsdale_names_none_of_its_people(cli, scottsdale, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    res = cli("audit", str(scottsdale), "--shareable", "--format", fmt, "--output", str(out), "--quiet")
    assert res.code == 0, res.err
    text = out.read_text("utf-8")
    for name in SCOTTSDALE_PEOPLE:
        assert name not in text.upper()
    if fmt == "json":
        summary = json.loads(text)["summary"]
        assert summary["individual_payees"] >= 1500  # 1,587 rows: counted, not listed


def test_the_name_lists_are_the_census_lists_with_their_source():
    for name in ("first_names.txt", "word_surnames.txt"):
        head = (WORDS / name).read_text("utf-8").splitlines()[:2]
        assert "1990 U.S. Census" in head[0] and "public domain" in head[0] + head[1]
    assert len(first_names()) == 5163 and {"CARLYN", "TORI", "DAVID", "GUADALUPE"} <= first_names()
    assert "HOME" not in first_names()
    assert word_surnames() <= english_frequencies().keys() and {"WEST", "STEEL"} <= word_surnames()
    assert not {"PHARMACY", "DEPOT"} & word_surnames()
