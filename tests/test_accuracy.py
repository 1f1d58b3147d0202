"""Matcher accuracy, measured: the labelled set's targets and the real payment files' registry vendors."""

from __future__ import annotations

import csv

import pytest

from checker.knowledge.registry import load_registry
from checker.match.matcher import Matcher
from checker.tools.evaluate import BUNDLED_SET, evaluate, load_cases

from conftest import REAL

REAL_FILES = {
    "scottsdale_az_vendor_payments_fy2018.csv": "VendorName",
    "phoenix_az_checkbook_2018-06.csv": "Vendor Name",
    "phoenix_az_checkbook_2018-11.csv": "Vendor Name",
    "phoenix_az_checkbook_2018-12.csv": "Vendor Name",
}
# Every registry vendor in the four real files (SOURCES.md, and the registry's other families), by family.
EXPECTED_REAL = {
    "THOMSON REUTERS": "thomson-reuters",
    "THOMSON REUTERS - WEST": "thomson-reuters",
    "THOMSON REUTERS ELITE": "thomson-reuters",
    "LEXISNEXIS RISK SOLUTIONS": "relx",
    "LEXISNEXIS RISK SOLUTIONS FL INC": "relx",
    "LEXISNEXIS RISK DATA MANAGEMENT INC": "relx",
    "LEXISNEXIS MATTHEW BENDER INC": "relx",
    "MATTHEW BENDER & CO INC": "relx",
    "TRANSUNION RISK & ALTERNATIVE DATA SOLUTIONS": "transunion",
    "TRANSUNION RISK AND ALTERNATIVE": "transunion",
    "VIGILANT SOLUTIONS INC": "motorola-solutions",
    "MOTOROLA SOLUTIONS INC": "motorola-solutions",
    "EXPERIAN": "experian",
    "CELLEBRITE INC": "cellebrite",
    "MICROSOFT SERVICES": "microsoft",
    "LINKEDIN CORPORATION": "microsoft",
    "PEN LINK LTD": "pen-link",
    "TALX CORPORATION": "equifax",  # former name of Equifax Workforce Solutions (issue #18)
    "LEADSONLINE LLC": "leadsonline",
    "G4S SECURE SOLUTIONS (USA) INC": "allied-universal",
}


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_registry())


@pytest.fixture(scope="module")
def report(matcher):
    return evaluate(matcher, load_cases(BUNDLED_SET))


def test_eval_set_is_large_and_labelled(report):
    assert len(report.results) >= 400
    assert {r.case.tier for r in report.results} == {"strong", "medium", "decoy"}
    families = set(load_registry().families)
    assert all(r.case.expected in families for r in report.results if r.case.expected)


def test_strong_recall_is_complete(report):
    misses = [r.case.vendor for r in report.tier("strong") if not r.correct]
    assert report.recall("strong") == 1.0, misses


def test_medium_recall_at_least_90_percent(report):
    assert report.recall("medium") >= 0.90


def test_decoys_flagged_at_most_2_percent(report):
    assert report.decoy_flag_rate() <= 0.02, [r.case.vendor for r in report.tier("decoy") if not r.correct]


def test_scores_fall_from_strong_to_decoy(report):
    def mean(tier):
        return sum(r.score for r in report.tier(tier)) / len(report.tier(tier))

    assert mean("strong") > mean("medium") > mean("decoy")


def test_eval_command_prints_the_numbers(cli, tmp_path, monkeypatch):
    """With no file, ``eval`` reads the labelled set shipped in the package, from any directory (issue #19)."""
    monkeypatch.chdir(tmp_path)
    assert BUNDLED_SET.is_file() and BUNDLED_SET.parent.parent.name == "tools"
    out = cli("eval").out
    assert "strong  recall 100.00 %" in out
    assert "decoys  wrongly flagged" in out and "Score distribution" in out


def test_real_files_registry_vendors_found_and_nothing_else(matcher):
    names: set[str] = set()
    for name, column in REAL_FILES.items():
        path = REAL / name
        if not path.exists():
            pytest.skip(f"real data not available: {path}")
        with path.open(newline="", encoding="utf-8", errors="replace") as fh:
            names |= {" ".join(row[column].split()) for row in csv.DictReader(fh) if row[column].strip()}
    assert len(names) > 5000
    for vendor, family in EXPECTED_REAL.items():
        assert vendor in names, vendor
        m = matcher.match(vendor).match
        assert m is not None and m.family_id == family, (vendor, m)
    false_flags = [n for n in names - EXPECTED_REAL.keys() if matcher.match(n).match is not None]
    assert not false_flags, false_flags
