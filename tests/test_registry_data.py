"""The registry's data work of issues #17 and #18: citable sources, honest confidence, categories decided per item,
detention operators, the missing data and vetting vendors, family-link dates, names for the matcher, award links
and the dataset definitions every report prints."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from checker.knowledge.registry import AWARD_PAGE, award_key, award_url, load_datasets, load_registry
from checker.tools.lint import bare_home_page, lint_registry

from conftest import ROOT


@pytest.fixture(scope="module")
def reg():
    return load_registry()


@pytest.fixture
def copy(tmp_path):
    folder = tmp_path / "vendors"
    shutil.copytree(ROOT / "vendors", folder)
    return folder


def _errors(result):
    return [ln for ln in result.err.splitlines() if ln.startswith("error:")]


def test_bundled_registry_lints_clean(cli):
    result = cli("registry", "lint")
    assert result.code == 0, result.err
    assert " 0 errors" in result.out


@pytest.mark.parametrize("url", ["https://www.wired.com/", "https://www.wired.com", "http://docslib.org"])
def test_lint_refuses_a_bare_home_page(cli, copy, url):
    f = copy / "thomson-reuters.yaml"
    text = f.read_text(encoding="utf-8")
    article = "https://www.wired.com/story/ice-license-plate-surveillance-vigilant-solutions/"
    assert article in text
    f.write_text(text.replace(article, url, 1), encoding="utf-8")
    result = cli("registry", "lint", str(copy))
    assert result.code == 1
    assert any("bare home page" in ln and url in ln for ln in _errors(result)), result.err


def test_bare_home_page_rule():
    assert bare_home_page("https://www.wired.com/") and bare_home_page("https://apnews.com")
    assert not bare_home_page("https://www.wired.com/story/x/")
    assert not bare_home_page("https://complianceconcourse.willkie.com/?p=15176")


def test_no_bare_home_page_left_in_the_registry(reg):
    urls = [s.url for e in reg.entities.values() for s in (*e.sources, *(x for ev in e.evidence for x in ev.sources))
            if s.url]
    assert len(urls) > 100
    assert not [u for u in urls if bare_home_page(u)]


def test_lint_refuses_high_confidence_without_an_award(cli, copy):
    f = copy / "pen-link.yaml"
    text = f.read_text(encoding="utf-8")
    webloc = text.index("Webloc: searches of commercial phone location data")
    head, tail = text[:webloc], text[webloc:]
    assert "confidence: moderate" in tail.split("- what:")[0]
    f.write_text(head + tail.replace("confidence: moderate", "confidence: high", 1), encoding="utf-8")
    result = cli("registry", "lint", str(copy))
    assert result.code == 1
    assert any("confidence high without an award id" in ln for ln in _errors(result)), result.err


def test_lint_refuses_high_confidence_when_every_source_is_unverified(reg, copy):
    f = copy / "clearview-ai.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(re.sub(r"(\{title: \"D2[^}]*dataset: D2[^}]*)\}", r"\1, verified: false}", text), encoding="utf-8")
    from checker.knowledge.registry import build_registry, registry_files

    problems = lint_registry(build_registry(registry_files(copy)))
    assert any("every source is unverified" in p.message for p in problems)


def test_no_evidence_is_overclaimed(reg):
    for ent in reg.entities.values():
        for ev in ent.evidence:
            if ev.confidence == "high":
                assert ev.awards or any(s.award for s in ev.sources), (ent.id, ev.what)
                assert any(s.verified for s in ev.sources), (ent.id, ev.what)


def test_every_evidence_item_says_why_it_is_in_its_category(reg):
    for ent in reg.entities.values():
        for ev in ent.evidence:
            assert len(ev.category_why) >= 10, (ent.id, ev.what)
            if ev.category in ("surveillance_tech", "cloud_it", "contractor"):
                assert "meets no definition" in ev.category_why, (ent.id, ev.what, ev.category_why)
            if ev.category in ("data_broker", "extreme_vetting", "detention"):
                assert "meets" in ev.category_why or "counted as" in ev.category_why, (ent.id, ev.category_why)


def _screen(cli, name, rules, as_of="2026-12-02"):
    return cli("screen", name, "--rules", rules, "--as-of", as_of, "--format", "json").json()["findings"][0]


@pytest.mark.parametrize("name", ["GEO Group", "THE GEO GROUP, INC.", "CORECIVIC, INC.",
                                  "CORRECTIONS CORPORATION OF AMERICA", "MANAGEMENT & TRAINING CORPORATION",
                                  "AKIMA GLOBAL SERVICES, LLC", "G4S SECURE SOLUTIONS (USA) INC"])
def test_detention_operators_are_prohibited_under_oakland_with_cited_evidence(cli, name):
    f = _screen(cli, name, "oakland-ca")
    assert f["verdict"] == "prohibited", f
    rule = f["rules"][0]
    assert "detention" in rule["reason"]
    text = str(f)
    assert re.search(r"70CDCR\d\d[A-Z]{2}\d{7}|HSCEDM\d\d[A-Z]\d{5}", text), "an ICE award id is cited"


def test_detention_alone_is_not_covered_by_berkeley(cli):
    f = _screen(cli, "CORECIVIC, INC.", "berkeley-ca")
    assert f["verdict"] == "not_covered"
    assert "detention" in f["rules"][0]["reason"]


def test_geo_group_is_covered_under_berkeley_only_through_skip_tracing(cli):
    before = _screen(cli, "B.I. INCORPORATED", "berkeley-ca", as_of="2025-06-01")
    after = _screen(cli, "B.I. INCORPORATED", "berkeley-ca", as_of="2026-03-01")
    assert before["verdict"] == "not_covered" and after["verdict"] == "prohibited"
    assert "data broker" in after["rules"][0]["reason"]


@pytest.mark.parametrize(("name", "service"), [("PEN-LINK, LTD.", "extreme vetting"),
                                               ("COBWEBS AMERICA INC", "extreme vetting"),
                                               ("SHADOWDRAGON, LLC", "extreme vetting"),
                                               ("CLEARVIEW AI, INC.", "data broker")])
def test_services_once_hidden_as_surveillance_tech_are_covered_under_berkeley(cli, name, service):
    f = _screen(cli, name, "berkeley-ca")
    assert f["verdict"] == "prohibited", f
    rule = f["rules"][0]
    assert service in rule["reason"]
    # each evidence line says which definition the item meets (its category_why) ...
    assert rule["evidence"] and all(" — meets '" in line for line in rule["evidence"]), rule["evidence"]
    assert any(f"meets '{service}'" in line for line in rule["evidence"])
    # ... and an award cited by a source links to its USAspending page
    assert any(AWARD_PAGE + "CONT_AWD_" in s for s in rule["sources"]), rule["sources"]


def test_webloc_location_data_is_a_data_broker_item(reg):
    items = [ev for ev in reg.entities["cobwebs-technologies"].evidence if "Webloc" in ev.what]
    assert items and items[0].category == "data_broker" and items[0].confidence == "moderate"


def test_cellebrite_stays_outside_the_definitions(cli):
    assert _screen(cli, "CELLEBRITE INC", "berkeley-ca")["verdict"] == "not_covered"


@pytest.mark.parametrize(("family", "award"), [
    ("airlines-reporting-corporation", "70CMSD25P00000033"), ("zignal-labs", "70CMSD25FR0000089"),
    ("fivecast", "70CMSD23FR0000145"), ("dataminr", "70B03C26F00000293"), ("whooster", "70CMSD23C00000003"),
    ("leadsonline", "70CMSD24P00000076"), ("sos-international", "70CDCR26C00000001"),
    ("bluehawk", "70CDCR26FR0000019"),
    ("capgemini", "70CDCR26FR0000024"), ("global-recovery-group", "70CDCR26FR0000003"),
    ("geo-group", "70CDCR26FR0000021"), ("magnet-forensics", "70CMSD21P00000165"),
    ("trust-stamp", "70CDCR21P00000056"),
    ("elbit-systems", "70B02C26C00000008"),
])
def test_missing_vendors_are_added_with_their_awards(reg, family, award):
    fam = reg.families[family]
    assert any(award in ev.awards for e in fam.entities.values() for ev in e.evidence)


@pytest.mark.parametrize(("name", "family"), [
    ("ARC DOCUMENT SOLUTIONS, INC.", "airlines-reporting-corporation"),
    ("INTERNATIONAL SOS ASSISTANCE, INC.", "sos-international"),
    ("STAMPS.COM INC.", "trust-stamp"), ("WACKENHUT SERVICES, INCORPORATED", "allied-universal"),
])
def test_new_decoys_are_recorded(reg, name, family):
    assert name in {d.name for d in reg.families[family].decoys}


@pytest.mark.parametrize(("text", "entity", "kind"), [
    ("TALX CORPORATION", "equifax-workforce-solutions", "former_names"),
    ("WESTLAW EDGE", "west-publishing", "products"),
    ("LEXIS ADVANCE", "relx-inc", "products"), ("PALANTIR FOUNDRY", "palantir", "products"),
    ("WEST PAYMENT CENTER", "west-publishing", "aliases"),
])
def test_names_for_the_matcher_are_in_the_registry(reg, text, entity, kind):
    assert text in getattr(reg.entities[entity], kind)


def test_talx_is_matched_to_equifax():
    from checker.match.matcher import Matcher

    m = Matcher(load_registry()).match("TALX CORPORATION").match
    assert m is not None and m.family_id == "equifax" and m.entity_id == "equifax-workforce-solutions"


def test_family_link_dates_are_sourced_and_precise(reg):
    from checker.judge.coverage import Coverage

    for ent in reg.entities.values():
        if ent.acquired:
            assert ent.acquired_source is not None, ent.id
    assert reg.entities["vaas-international-holdings"].acquired == "2019-01-07"
    assert reg.entities["vigilant-solutions"].acquired is None  # joined Motorola with VaaS
    assert reg.entities["kount"].acquired == "2021-02-10" and reg.entities["appriss-insights"].acquired == "2021-10-01"
    assert reg.entities["choicepoint"].acquired == "2008-09-19" and reg.entities["g4s-plc"].acquired == "2021-04-06"
    first, last = Coverage(reg).joined("motorola-solutions", "vigilant-solutions")
    assert first == date(2019, 1, 7) and last == date.max


def test_acquired_source_is_loaded_and_a_bad_one_is_one_line(cli, copy, reg):
    assert "thehustle.co" in (reg.entities["vaas-international-holdings"].acquired_source.url or "")
    f = copy / "motorola-solutions.yaml"
    text = f.read_text(encoding="utf-8")
    bad = text.replace('acquired_source: {title: "The Hustle', 'acquired_source: {titel: "The Hustle', 1)
    f.write_text(bad, encoding="utf-8")
    result = cli("registry", "lint", str(copy))
    assert result.code == 2
    line = result.err.strip().splitlines()
    assert len(line) == 1 and "motorola-solutions.yaml" in line[0]
    assert "line " in line[0] and "acquired_source" in line[0]


def test_missing_category_why_fails_lint_and_a_bad_one_is_one_line(cli, copy):
    f = copy / "anduril.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(re.sub(r"\n        category_why: [^\n]*", "", text, count=1), encoding="utf-8")
    result = cli("registry", "lint", str(copy))
    assert result.code == 1
    assert any("anduril" in ln and "no category_why" in ln for ln in _errors(result)), result.err
    f.write_text(re.sub(r"(\n        category_why: )[^\n]*", r"\g<1>7", text, count=1), encoding="utf-8")
    result = cli("registry", "lint", str(copy))
    assert result.code == 2
    line = result.err.strip().splitlines()
    assert len(line) == 1 and "anduril.yaml" in line[0]
    assert re.search(r"line \d+", line[0]) and "category_why" in line[0]


def test_award_urls():
    assert award_url("70CMSD21C00000002") == AWARD_PAGE + "CONT_AWD_70CMSD21C00000002_7012_-NONE-_-NONE-"
    assert award_key("70B02C20D00000019") == "CONT_IDV_70B02C20D00000019_7014"
    assert award_url("70CDCR22FR0000034") is None  # an order: its vehicle is not in the PIID
    key = "CONT_AWD_70CDCR22FR0000034_7012_70CDCR20D00000011_7012"
    assert award_url("70CDCR22FR0000034", key) == AWARD_PAGE + key


def test_every_registry_award_has_a_usaspending_page(reg):
    for ent in reg.entities.values():
        for ev in ent.evidence:
            for piid, url in ev.award_urls():
                assert url and url.startswith(AWARD_PAGE), (ent.id, piid)
    assert reg.award_url("70CDCR22FR0000034").endswith("_70CDCR20D00000011_7012")


def test_datasets_are_defined_once_and_printed_in_the_method(reg):
    sets = load_datasets()
    assert set(sets) == {"D1", "D2"} and sets["D2"].current_to == "2026-08-20"
    assert "datasets" not in reg.families  # the definitions file is not a family
    from checker.formats.method import METHOD

    text = dict(METHOD)
    assert "cbp-ice-dashboard" in text["Dataset D2"] and "torn-apart" in text["Dataset D1"]
    cited = {s.dataset for e in reg.entities.values() for ev in e.evidence for s in ev.sources if s.verified}
    assert cited - {None} <= set(sets)


def test_last_verified_is_a_review_date(reg):
    for fam in reg.families.values():
        assert fam.last_verified >= date(2026, 12, 2), fam.id


def test_vendors_readme_table_lists_every_evidence_item_with_its_category(reg):
    text = (ROOT / "vendors" / "README.md").read_text(encoding="utf-8")
    rows = [ln.split(" | ") for ln in text.splitlines() if ln.startswith("| ") and not ln.startswith("| Family")]
    listed = sorted((r[1], r[3]) for r in rows if len(r) >= 5)
    actual = sorted((e.id, ev.category) for e in reg.entities.values() for ev in e.evidence)
    assert listed == actual


def test_every_cited_award_links_to_its_usaspending_page(reg):
    for ent in reg.entities.values():
        for ev in ent.evidence:
            for src in ev.sources:
                if src.award:
                    assert src.award_page and src.award_page.startswith(AWARD_PAGE), (ent.id, src.award)
                    assert src.cite().endswith(": " + src.award_page) or src.url, (ent.id, src.cite())
            if ev.awards:  # a report's sources give at least one of the item's award pages
                assert any(s.award_page or (s.url or "").startswith(AWARD_PAGE) for s in ev.sources), (ent.id, ev.what)


def test_lint_warns_of_a_cited_award_without_a_page(cli, copy):
    f = copy / "geo-group.yaml"
    text = f.read_text(encoding="utf-8")
    cited = "dataset: D2, award: 70CDCR22FR0000010}"
    assert cited in text
    f.write_text(text.replace(cited, "dataset: D2, award: 70CDCR22FR0009999}", 1), encoding="utf-8")
    result = cli("registry", "lint", str(copy))
    assert any(ln.startswith("warning:") and "award 70CDCR22FR0009999 has no USAspending page" in ln
               for ln in (result.out + result.err).splitlines()), (result.out, result.err)


def test_the_datasets_a_report_names_are_found_for_its_method_notes():
    from checker.knowledge.registry import datasets_named

    found = datasets_named(["D2 ICE transactions FY22-25 (award 70CMSD22FR0000187): https://…",
                            "D1 FY18; D2 FY21 modifications", "TD1 is no label", "Wired (https://www.wired.com/x)"])
    assert [d.id for d in found] == ["D1", "D2"]
    assert found[0].definition().startswith("D1: ICE contract transactions FY2013-FY2018")
    assert datasets_named(["BMC 13.105.030(A)"]) == []
