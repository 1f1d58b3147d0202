"""registry refresh (award files → a review) and registry apply (a reviewed file → the family files).

The award files in tests/data/awards hold a few made-up rows in each layout; tests/data/awards/registry is a
two-family registry for them. The real award data (../shared/data/awards) is only read when it is there.
"""

from __future__ import annotations

import copy
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from checker.errors import InputError
from checker.sources.awards import AwardFile, AwardRow, BadRow
from checker.tools import refresh as refresh_mod
from checker.tools.refresh import (
    bundled_relevance,
    compile_relevance,
    dollar_figures,
    parse_keywords,
    parse_psc,
    refresh,
    review_document,
    write_review,
)

from conftest import DATA, ROOT

AWARDS = DATA / "awards"
REGISTRY = AWARDS / "registry"
D1 = AWARDS / "d1_usaspending_2018.csv"
D2 = AWARDS / "d2_extract.csv"
CURRENT = AWARDS / "usaspending_current.csv"
REAL = ROOT.parent / "shared" / "data" / "awards"
AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def review():
    return refresh([str(D1), str(D2), str(CURRENT)], str(REGISTRY), as_of=AS_OF)


def rows(path: Path) -> list[AwardRow | BadRow]:
    return list(AwardFile(path).rows())


def by_id(items: list[dict]) -> dict[str, dict]:
    return {i["id"]: i for i in items}


# -- the three layouts -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "layout", "kept", "bad"), [
    (D1, "usaspending-2018", {"ICE": 4}, 1),
    (D2, "d2-extract", {"ICE": 3, "CBP": 2}, 1),
    (CURRENT, "usaspending-current", {"ICE": 1, "ORR": 1}, 0),
])
def test_each_layout_is_recognised_by_its_header(path, layout, kept, bad):
    source = AwardFile(path)
    assert source.layout.id == layout
    read = list(source.rows())
    agencies: dict[str, int] = {}
    for r in read:
        if isinstance(r, AwardRow) and r.agency:
            agencies[r.agency] = agencies.get(r.agency, 0) + 1
    assert agencies == kept
    assert sum(isinstance(r, BadRow) for r in read) == bad


def test_d1_dates_are_day_first_and_periods_are_read():
    row = next(r for r in rows(D1) if isinstance(r, AwardRow) and r.piid == "HSCEMD16P00000202")
    assert (row.action_date, row.start, row.current_end) == (date(2016, 6, 15), date(2016, 6, 15), date(2017, 6, 14))
    assert (row.duns, row.cage, row.psc, row.obligation) == ("123456789", "1AB23", "R612", 50000.0)
    assert row.award_key == "CONT_AWD_HSCEMD16P00000202_7012_-NONE-_-NONE-"  # built: D1 has no award key column
    bad = next(r for r in rows(D1) if isinstance(r, BadRow))
    assert bad.row == 5 and "'31/13/2017' is not a date (DD/MM/YYYY)" in bad.reason


def test_the_current_download_gives_uei_award_key_permalink_and_orr_rows():
    acme, shelter, head_start = rows(CURRENT)
    assert acme.uei == "ACMEUEI12345" and acme.award_key.startswith("CONT_AWD_70CMSD25P00000909_7012")
    assert acme.permalink.startswith("https://www.usaspending.gov/award/") and acme.potential == 84000.0
    assert shelter.agency == "ORR"  # HHS/ACF, office of refugee resettlement
    assert head_start.agency is None  # HHS/ACF, but not ORR


def test_the_d2_extract_gives_agency_parent_and_award_key():
    first, _, cloud, *_ = rows(D2)
    assert (first.agency, first.modification, first.parent_piid) == ("ICE", "P00004", "")
    assert cloud.agency == "CBP" and cloud.parent_piid == "47QTCA20D0001"
    assert cloud.award_key == "CONT_AWD_70B03C24F00000606_7014_47QTCA20D0001_4732"


def test_a_file_in_no_known_layout_is_one_line(cli, tmp_path):
    other = tmp_path / "payments.csv"
    other.write_text("Vendor,Amount\nACME,12\n", encoding="utf-8")
    result = cli("registry", "refresh", str(other), "--registry", str(REGISTRY))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "payments.csv: not an award file in a known layout" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(("name", "content", "says"), [
    ("awards.zip", b"PK\x03\x04rest", "is a zip archive: unzip"),
    ("broken.csv", D2.read_bytes() + b'ICE,"70CMSD,unclosed\n', "malformed CSV"),
    ("empty.csv", b"", "file is empty"),
])
def test_unreadable_award_files_are_one_line(cli, tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    result = cli("registry", "refresh", str(path), "--registry", str(REGISTRY))
    assert result.code == 2 and result.err.count("\n") == 1 and says in result.err, result.err
    assert name in result.err


@pytest.mark.parametrize(("path", "column"), [(D2, "Recipient Name"), (D1, "recipient_name"),
                                                (CURRENT, "action_date")])
def test_a_missing_column_is_one_line_naming_it(cli, tmp_path, path, column):
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    drop = table[0].index(column)
    cut = tmp_path / f"cut-{path.name}"
    with cut.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([row[:drop] + row[drop + 1:] for row in table])
    result = cli("registry", "refresh", str(cut), "--registry", str(REGISTRY))
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert cut.name in result.err and f"has no column {column.lower()!r}" in result.err
    assert "Traceback" not in result.err


def test_an_identifier_cites_the_dataset_of_the_row_that_gave_it(tmp_path):
    folder = tmp_path / "vendors"
    shutil.copytree(REGISTRY, folder)
    family = folder / "acme-data.yaml"
    text = family.read_text(encoding="utf-8")
    line = ('      - {type: duns, value: "123456789", source: {title: "D1 ICE award rows (recipient_duns)", '
            'dataset: D1}}\n')
    assert line in text
    family.write_text(text.replace(line, "").replace("    identifiers:\n", "    identifiers: []\n"), encoding="utf-8")
    later = tmp_path / "d2-later.csv"  # a D2 action after the D1 rows, on the award whose D1 row gave the DUNS
    later.write_text(D2.read_text(encoding="utf-8").splitlines()[0] + "\n"
                     "ICE,HSCEMD16P00000202,ACME DATA SOLUTIONS INC,1000.0,2021-02-01,P00009,,,CLOSEOUT,"
                     "CONT_AWD_HSCEMD16P00000202_7012_-NONE-_-NONE-\n", encoding="utf-8")
    result = refresh([str(D1), str(later)], str(folder), as_of=AS_OF)
    idents = {i["identifier"]["type"]: i["identifier"] for i in result.evidence if i["action"] == "add_identifier"}
    assert idents["duns"]["value"] == "123456789" and idents["duns"]["source"]["dataset"] == "D1"
    assert idents["duns"]["source"]["title"].startswith("D1 ICE award rows (recipient_duns")


def test_bad_rows_are_counted_and_named_not_fatal(review):
    d1, d2, current = review.files
    assert (d1.rows, d1.bad, d1.other_agencies) == (6, 1, 1)
    assert d2.bad_examples == ["row 6: federal action obligation 'abc' is not an amount"]
    assert current.bad == 0
    assert any("1 bad row (row 5: action date" in line for line in review.summary())


# -- (a) known registry entities ---------------------------------------------------------------------------------
def test_new_awards_of_known_entities_by_identifier_then_name(review):
    adds = {i["evidence"]["awards"][0]: i for i in review.evidence if i["action"] == "add_evidence"}
    by_duns = adds["HSCEMD17P00000303"]
    assert by_duns["entity"] == "acme-data" and by_duns["matched_by"].startswith("identifier: DUNS 123456789")
    by_name = adds["70CMSD25P00000909"]
    assert by_name["matched_by"].startswith("name: 'ACME DATA SOLUTIONS, INC.'")
    ev = by_name["evidence"]
    assert ev["category"] == "data_broker" and ev["category_why"] == ""  # the reviewer writes why
    assert ev["award_keys"] == {"70CMSD25P00000909": "CONT_AWD_70CMSD25P00000909_7012_-NONE-_-NONE-"}
    assert ev["period"] == {"start": "2025-02-03", "last_action": "2025-02-03"}
    assert "dataset" not in ev["sources"][0] and ev["sources"][0]["url"].startswith("https://www.usaspending.gov/")
    # a generalist (cloud) company: only its award that looks like a covered service
    assert adds["70B03C24F00000707"]["evidence"]["category"] == "extreme_vetting"
    assert "70B03C24F00000606" not in adds and review.counts["not_proposed"] == 1
    idents = [i for i in review.evidence if i["action"] == "add_identifier"]
    assert [(i["entity"], i["identifier"]["type"], i["identifier"]["value"]) for i in idents] == \
        [("acme-data", "uei", "ACMEUEI12345")]


def test_later_actions_and_larger_amounts_of_registry_evidence(review):
    update = next(i for i in review.evidence if i["action"] == "update_evidence" and i["award"] == "70CMSD20P00000101")
    assert update["changes"]["last_action"] == {"from": "2021-03", "to": "2024-09-01"}
    assert update["changes"]["amount"]["from"] == "$100,000"
    assert update["changes"]["amount"]["to"].startswith("obligated $170,000 (2 actions seen, D2 FY24)")
    assert update["source"] == {"title": "D2 ICE transactions (last action 2024-09-01)", "dataset": "D2",
                                "award": "70CMSD20P00000101", "date": "2024-09-01"}


def test_dollar_figures_of_registry_amounts():
    assert dollar_figures("current $9,673,485.72; potential $19,413,258.24") == [9673485.72, 19413258.24]
    assert dollar_figures("Mijente/Axios: FALCON $42M") == [42e6]
    assert dollar_figures("potential ~$6.5-7.0M") == [6.5e6, 7.0e6]


# -- (b) candidates -----------------------------------------------------------------------------------------------
def test_candidates_are_vendors_not_in_the_registry_with_a_sign(review):
    found = {c["vendor"]: c for c in review.candidates}
    # largest first
    assert list(found) == ["SHELTER OPERATIONS LLC", "DETENTION PARTNERS LLC", "SKIPTRACE PARTNERS LLC"]
    assert found["SKIPTRACE PARTNERS LLC"]["signs"] == ["keyword SKIP TRAC* (skip_tracing)"]
    assert found["SKIPTRACE PARTNERS LLC"]["identifiers"] == {"duns": ["987654321"]}
    assert "PSC S206 HOUSEKEEPING- GUARD (detention)" in found["DETENTION PARTNERS LLC"]["signs"]
    assert found["SHELTER OPERATIONS LLC"]["agencies"] == ["ORR"]
    assert found["SHELTER OPERATIONS LLC"]["new_family"]["suggested_category"] == "detention"
    assert not any("OFFICE WORLD" in v or "BROKEN" in v for v in found)  # no sign; a bad row


def test_max_candidates_keeps_the_largest(review):
    small = refresh([str(D1), str(D2), str(CURRENT)], str(REGISTRY), as_of=AS_OF, max_candidates=1)
    assert [c["vendor"] for c in small.candidates] == ["SHELTER OPERATIONS LLC"]
    assert "Candidates: 3 vendors not in the registry (1 largest listed)." in small.summary()[-1]


# -- (c) ended awards ----------------------------------------------------------------------------------------------
def test_evidence_whose_awards_ended(review):
    (ended,) = review.ended
    assert (ended["entity"], ended["award"], ended["changes"]) == \
        ("acme-data", "HSCEMD16P00000202", {"end": {"from": None, "to": "2017-06-14"}})
    assert ended["source"]["dataset"] == "D1" and "period of performance end 2017-06-14" in ended["source"]["title"]
    early = refresh([str(D1)], str(REGISTRY), as_of=date(2017, 1, 1))
    assert early.ended == []  # not yet ended on that day


# -- the keyword and PSC lists ------------------------------------------------------------------------------------
def test_every_bundled_keyword_matches_its_phrase_and_only_as_whole_words():
    text = (Path(refresh_mod.__file__).parent / "data" / "refresh_keywords.txt").read_text(encoding="utf-8")
    keywords = parse_keywords(text)
    assert len(keywords) == len(set(keywords)) > 50
    relevance = compile_relevance(keywords, {})
    for theme, phrase in keywords:
        sample = f"SERVICES: {phrase.replace('*', 'ING')} FOR ERO"
        assert any(r.text == phrase and r.theme == theme for r in relevance.reasons(sample)), phrase
        assert not any(r.text == phrase for r in relevance.reasons(f"XX{phrase.replace('*', '')}XX"))
    for harmless in ("OPEN SOURCE SOFTWARE LICENSES", "MEDICAL SCREENING OF STAFF", "NETWORK MONITORING TOOLS",
                     "OFFICE FURNITURE", "DATA CENTER SUPPORT SERVICES", "BORDER WALL CONSTRUCTION"):
        assert relevance.reasons(harmless) == frozenset(), harmless


def test_every_bundled_psc_code_is_found_by_code_and_by_description():
    text = (Path(refresh_mod.__file__).parent / "data" / "refresh_psc.tsv").read_text(encoding="utf-8")
    codes = parse_psc(text)
    assert {"R611", "R612", "D317", "S206"} <= set(codes)
    relevance = bundled_relevance()
    for code, (theme, description) in codes.items():
        assert [(r.kind, r.theme) for r in relevance.reasons("", code, "")] == [("psc", theme)]
        assert [(r.kind, r.theme) for r in relevance.reasons("", "", description.lower())] == [("psc", theme)]
    assert relevance.reasons("", "7110", "OFFICE FURNITURE") == frozenset()


@pytest.mark.parametrize(("parse", "text", "says"), [
    (parse_keywords, "data DATA BROKER*\ngossip RUMOURS\n", "line 2: unknown theme 'gossip'"),
    (parse_keywords, "data data broker\n", "line 1: phrase 'data broker' must be upper-case words"),
    (parse_psc, "code\ttheme\tdescription\nR61\tdata\tTOO SHORT\n", "line 2: expected CODE<tab>THEME<tab>"),
])
def test_a_bad_line_of_a_list_is_named(parse, text, says):
    with pytest.raises(InputError, match=says):
        parse(text)


# -- the review file -------------------------------------------------------------------------------------------
def test_the_review_reads_back_as_written(review):
    out = io.StringIO()
    write_review(review, out)
    text = out.getvalue()
    assert yaml.safe_load(text) == yaml.safe_load(yaml.safe_dump(review_document(review)))
    assert "  # E1: add evidence, bigco: FACIAL RECOGNITION ANALYTICS" in text
    assert text.count("accept: false") == len(review.evidence) + len(review.candidates) + len(review.ended)


def test_awkward_strings_are_quoted_so_they_read_back():
    tricky = ["yes", "No", "null", "~", "2016", "2016-06", "1e5", "0x1F", ".5", "E1", "a: b", "#x", "- dash",
              'say "hi"', "tab\there", "line\nbreak", "ÉLAN S.A.", "{flow}", "[list]", "x,y", "trailing ", "*star",
              "&anchor", "!tag", "%pct", "@at", "`tick`", "'quote'", "?q", "|pipe", ">fold", ""]
    rv = refresh_mod.Review(AS_OF, "v", [], [{"id": "E1", "accept": False, "action": "add_evidence", "entity": "x",
                                              "evidence": {"what": t}, "notes": tricky} for t in tricky], [], [], {})
    out = io.StringIO()
    write_review(rv, out)
    back = yaml.safe_load(out.getvalue())
    assert [e["evidence"]["what"] for e in back["evidence"]] == tricky
    assert back["evidence"][0]["notes"] == tricky


# -- registry apply ----------------------------------------------------------------------------------------------
@pytest.fixture
def registry_copy(tmp_path):
    folder = tmp_path / "vendors"
    shutil.copytree(REGISTRY, folder)
    return folder


def reviewed(review, tmp_path, *, accept: dict[str, dict | None]) -> Path:
    """The review with the items named in ``accept`` accepted (and their fields updated from the dicts)."""
    rv = copy.deepcopy(review)
    for items in (rv.evidence, rv.candidates, rv.ended):
        for item in items:
            if item["id"] in accept:
                item["accept"] = True
                for key, value in (accept[item["id"]] or {}).items():
                    target = item
                    *path, last = key.split(".")
                    for part in path:
                        target = target[part]
                    target[last] = value
    path = tmp_path / "review.yaml"
    with path.open("w", encoding="utf-8") as fh:
        write_review(rv, fh)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}


WHY = {"evidence.category_why": "meets 'data broker': sells ICE access to records about people"}


def item_id(review, action: str, award: str) -> str:
    for item in review.evidence:
        awards = item.get("evidence", {}).get("awards") or [item.get("award")]
        if item["action"] == action and award in awards:
            return item["id"]
    raise AssertionError(award)


def test_apply_writes_accepted_items_and_keeps_comments_and_layout(cli, review, registry_copy, tmp_path):
    from checker.knowledge.registry import build_registry, registry_files
    from checker.tools.lint import lint_registry

    before = (registry_copy / "acme-data.yaml").read_text(encoding="utf-8")
    new = item_id(review, "add_evidence", "70CMSD25P00000909")
    update = item_id(review, "update_evidence", "70CMSD20P00000101")
    ident = next(i["id"] for i in review.evidence if i["action"] == "add_identifier")
    path = reviewed(review, tmp_path, accept={new: WHY, update: None, ident: None, "X1": None})
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert result.code == 0, result.err
    assert "4 accepted items: 4 applied, 0 already there; 1 files changed." in result.out
    after = (registry_copy / "acme-data.yaml").read_text(encoding="utf-8")
    old_lines = before.splitlines()
    for line in old_lines:
        if line.strip().startswith("#") or "# " in line:
            assert line in after.splitlines(), line  # every comment survives, in place
    changed = [ln for ln in after.splitlines() if ln not in old_lines]
    assert '        period: {start: "2020", last_action: "2024-09-01"}' in changed
    assert '        amount: "obligated $170,000 (2 actions seen, D2 FY24)"' in changed
    assert '        period: {start: "2016", end: "2017-06-14"}' in changed
    assert any(ln.startswith("      - {type: uei, value: ACMEUEI12345, source: {title:") for ln in changed)
    assert '      - what: "COMMERCIAL DATA SUBSCRIPTION FOR HSI"' in changed
    removed = [ln for ln in old_lines if ln not in after.splitlines()]
    assert len(removed) == 3  # two periods and an amount (the changes cite sources the items already have)
    reg = build_registry(registry_files(registry_copy))
    ev = reg.entities["acme-data"].evidence
    assert ev[0].last_action == "2024-09-01" and ev[1].end == date(2017, 6, 14) and len(ev) == 3
    assert not [p for p in lint_registry(reg, today=AS_OF) if p.level == "error"]
    again = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert again.code == 0 and "0 applied, 4 already there; 0 files changed" in again.out
    assert (registry_copy / "acme-data.yaml").read_text(encoding="utf-8") == after


def test_dry_run_shows_the_diff_and_writes_nothing(cli, review, registry_copy, tmp_path):
    path = reviewed(review, tmp_path, accept={"X1": None})
    before = snapshot(registry_copy)
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy), "--dry-run")
    assert result.code == 0 and '+        period: {start: "2016", end: "2017-06-14"}' in result.out
    assert "(dry run: nothing written)" in result.out and snapshot(registry_copy) == before


@pytest.mark.parametrize(("change", "says"), [
    ({"evidence.category": "gossip", **WHY}, "field evidence.category: 'gossip' is not one of"),
    ({}, "evidence.category_why is empty: fill it in"),
    ({"evidence.awards": ["70CMSD25P00000909", "HSCEMD16P00000202"], **WHY},
     "HSCEMD16P00000202 already listed for acme-data"),
    ({"entity": "no-such-entity", **WHY}, "entity 'no-such-entity' is not in the registry"),
])
def test_apply_refuses_an_item_that_cannot_be_written(cli, review, registry_copy, tmp_path, change, says):
    new = item_id(review, "add_evidence", "70CMSD25P00000909")
    path = reviewed(review, tmp_path, accept={new: change})
    before = snapshot(registry_copy)
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert result.code == 2 and result.err.count("\n") == 1 and says in result.err, result.err
    assert "review.yaml: line " in result.err and snapshot(registry_copy) == before


def test_apply_refuses_a_result_that_would_fail_lint(cli, review, registry_copy, tmp_path):
    family = {"new_family.family": "acme-copy", "new_family.summary": "A second family with a clashing name.",
              "new_family.category": "detention", "new_family.category_why": "meets 'detention': runs a facility",
              "new_family.aliases": ["ACME DATA SOLUTIONS INC"]}  # the name of acme-data
    path = reviewed(review, tmp_path, accept={"V2": family})
    before = snapshot(registry_copy)
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert "would fail `registry lint`" in result.err and "is also claimed by" in result.err
    assert str(registry_copy) in result.err and "sanctuary-check-apply-" not in result.err
    assert snapshot(registry_copy) == before and not (registry_copy / "acme-copy.yaml").exists()


def test_apply_refuses_a_stale_review(cli, review, registry_copy, tmp_path):
    update = item_id(review, "update_evidence", "70CMSD20P00000101")
    path = reviewed(review, tmp_path, accept={update: None})
    family = registry_copy / "acme-data.yaml"
    family.write_text(family.read_text().replace('last_action: "2021-03"', 'last_action: "2022-01"'))
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert result.code == 2 and "the registry's last_action is now '2022-01', not '2021-03'" in result.err


def test_a_candidate_becomes_a_family_only_when_filled_in(cli, review, registry_copy, tmp_path):
    from checker.knowledge.registry import build_registry, registry_files

    path = reviewed(review, tmp_path, accept={"V3": {"new_family.family": "skiptrace-partners"}, "V2": None})
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert result.code == 2 and result.err.count("\n") == 1
    assert "item V2 (DETENTION PARTNERS LLC, line " in result.err
    assert "fill in new_family.family, new_family.summary, new_family.category, new_family.category_why" in result.err
    assert "item V3 (SKIPTRACE PARTNERS LLC, line " in result.err
    filled = {"new_family.family": "skiptrace-partners", "new_family.summary": "Skip tracing for ICE ERO (test).",
              "new_family.category": "data_broker",
              "new_family.category_why": "meets 'data broker': locates people for ICE from records"}
    path = reviewed(review, tmp_path, accept={"V3": filled})
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert result.code == 0, result.err
    text = (registry_copy / "skiptrace-partners.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Added by `sanctuary-check registry apply` from the refresh review review.yaml")
    ent = build_registry(registry_files(registry_copy)).entities["skiptrace-partners"]
    assert [i.value for i in ent.identifiers] == ["987654321"] and ent.categories == ("data_broker",)
    (ev,) = ent.evidence
    assert (ev.awards, ev.agency, ev.sources[0].dataset, ev.sources[0].award) == \
        (("HSCEMD17P00000404",), "ICE", "D1", "HSCEMD17P00000404")


@pytest.mark.parametrize(("text", "says"), [
    ("review: [unclosed\n", "not valid YAML: "),  # then the parser's words: libyaml's, or PyYAML's own
    ("just: a mapping\n", "not a review written by `sanctuary-check registry refresh`"),
    ("review: 1\nevidence: []\ncandidates: []\nended:\n  - {id: X1, accept: maybe, action: update_evidence, "
     "entity: a}\n", "line 5: field ended[0].accept: 'maybe' is not of type 'boolean'"),
])
def test_a_bad_review_file_is_one_line(cli, registry_copy, tmp_path, text, says):
    path = tmp_path / "review.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert result.code == 2 and result.err.count("\n") == 1 and says in result.err, result.err


def test_nothing_accepted_changes_nothing(cli, review, registry_copy, tmp_path):
    path = reviewed(review, tmp_path, accept={})
    before = snapshot(registry_copy)
    result = cli("registry", "apply", str(path), "--registry", str(registry_copy))
    assert result.code == 0 and "0 accepted items" in result.out and snapshot(registry_copy) == before


def test_every_bundled_family_file_round_trips_unchanged():
    """Why ruamel.yaml: loading and dumping a family file with the settings `registry apply` uses gives back the
    same bytes, comments, quotes and inline sources included (``FamilyFiles.layout_notes`` says so at apply time
    for a file where it would not)."""
    from checker.knowledge.registry import registry_files
    from checker.tools.apply import _yaml

    bundled = {p.name: p for p in registry_files()}
    files = [bundled[n] for n in ("palantir.yaml", "thomson-reuters.yaml", "giant-oak.yaml") if n in bundled]
    files += sorted(REGISTRY.glob("*.yaml"))  # a sample: every file is checked when `registry apply` edits it
    yaml_rt = _yaml()
    for path in files:
        text = path.read_text(encoding="utf-8")
        out = io.StringIO()
        yaml_rt.dump(yaml_rt.load(text), out)
        assert out.getvalue() == text.rstrip("\n") + "\n", path.name  # a missing last line break is added


# -- the real award data (when it is there) --------------------------------------------------------------------
def test_the_real_award_files_are_recognised():
    if not REAL.is_dir():
        pytest.skip(f"real award data not available: {REAL}")
    layouts = {p.name: AwardFile(p).layout.id for p in sorted(REAL.glob("*.csv"))}
    assert layouts and set(layouts.values()) == {"usaspending-2018", "d2-extract"}
    assert all(v == "usaspending-2018" for k, v in layouts.items() if k.startswith("ice_contract_transactions"))
    first = REAL / "ice_contract_transactions_fy2013.csv"
    if first.exists():
        read = rows(first)
        assert isinstance(read[0], BadRow) and read[0].reason == "a repeated header row"
        assert all(isinstance(r, AwardRow) and r.agency == "ICE" for r in read[1:])


def test_refresh_of_the_real_award_data_takes_seconds_and_leaves_the_registry_alone():
    import time

    if not REAL.is_dir():
        pytest.skip(f"real award data not available: {REAL}")
    paths = sorted(str(p) for p in REAL.glob("*.csv"))
    before = snapshot(ROOT / "vendors")
    started = time.perf_counter()
    result = refresh(paths, as_of=date(2026, 12, 2), max_candidates=0)
    took = time.perf_counter() - started
    assert took < 60, f"refresh took {took:.1f} s"  # about 6 s on one core of the development machine
    assert snapshot(ROOT / "vendors") == before
    assert {f.layout for f in result.files} == {"usaspending-2018", "d2-extract"}
    assert sum(f.kept["ICE"] for f in result.files) > 25_000 and sum(f.kept["CBP"] for f in result.files) > 30_000
    assert result.counts["entities"] >= 30 and result.counts["candidates_found"] >= 100
    # the award keys built for D1 rows are the keys D2 gives for the same awards
    d1 = {r.piid: r.award_key for r in rows(REAL / "ice_contract_transactions_fy2018.csv") if isinstance(r, AwardRow)}
    d2 = {r.piid: r.award_key for r in rows(REAL / "cbp_ice_obligations_fy2021.csv") if isinstance(r, AwardRow)}
    both = d1.keys() & d2.keys()
    assert len(both) > 100 and all(d1[p] == d2[p] for p in both)


def test_the_review_is_the_same_whatever_the_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"review-{seed}.yaml"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SANCTUARY_CHECK_CACHE": "off"}
        done = subprocess.run([sys.executable, "-m", "checker", "registry", "refresh", str(D1), str(D2), str(CURRENT),
                               "--registry", str(REGISTRY), "--as-of", AS_OF.isoformat(), "-q", "-o", str(out)],
                              env=env, capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
