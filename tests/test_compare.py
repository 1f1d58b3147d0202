"""compare OLD.json NEW.json: findings paired by vendor, dollars per family, cautions, bad input, privacy."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import jsonschema
import pytest
import typer

from checker.cli.compare import compare
from checker.cli.project import apply_project
from checker.cli.run import audit
from checker.compare.diff import compare_reports, vendor_key
from checker.compare.report import Report, Row, report_from
from checker.compare.writers import write
from checker.errors import InputError
from checker.knowledge.validation import schema

from conftest import DATA, ROOT, real_file

SMALL = DATA / "compare"
AS_OF = "2026-11-23"


def tiny_app() -> typer.Typer:
    """The command as the tool will wire it: a root callback reading the project file, ``compare`` and ``audit``."""
    app = typer.Typer(add_completion=False)

    @app.callback()
    def root(ctx: typer.Context,
             config: Annotated[Optional[str], typer.Option("--config")] = None) -> None:
        apply_project(ctx, config)

    app.command()(compare)
    app.command()(audit)
    return app


@pytest.fixture
def run(cli, monkeypatch):
    """Run ``sanctuary-check ARGS`` through the real entry point (exit codes, one-line errors) with ``compare``."""
    import checker.cli

    monkeypatch.setattr(checker.cli, "app", tiny_app())
    return cli


@pytest.fixture
def reports(cli, tmp_path):
    """Audit reports (JSON) of the two small files, by the real ``audit``."""
    def audit(name: str, *extra: str) -> Path:
        out = tmp_path / f"{name}{'-'.join(('',) + extra).replace('/', '_')}.json"
        result = cli("audit", str(SMALL / f"{name}.csv"), "--rules", "berkeley-ca", "--as-of", AS_OF,
                     "--format", "json", "--quiet", "--output", str(out), *extra)
        assert result.code == 0, result.err
        return out

    return audit


def kinds(doc: dict) -> dict[str, str]:
    return {v["vendor"]: v["kind"] for v in doc["vendors"]}


def test_findings_are_paired_by_vendor_not_by_row(run, reports):
    old, new = reports("old"), reports("new")
    result = run("compare", str(old), str(new), "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    jsonschema.validate(doc, schema("compare"))
    # Rows moved (Motorola is row 6 before, row 2 now) and its spelling changed: still one vendor, unchanged.
    assert kinds(doc) == {
        "THOMSON REUTERS ELITE": "new", "TRANSUNION RISK AND ALTERNATIVE": "new",
        "VIGILANT SOLUTIONS INC": "resolved", "LEXISNEXIS RISK SOLUTIONS FL INC": "resolved",
        "West Publishing Corp.": "changed", "Motorola Solutions, Inc.": "unchanged"}
    assert doc["counts"] == {"new": 2, "resolved": 2, "changed": 1, "unchanged": 1}
    west = next(v for v in doc["vendors"] if v["kind"] == "changed")
    assert west["changes"] == ["verdict potential_violation → prohibited"]  # a payment before, a new contract now
    assert west["old"]["dollars"] == 1000.0 and west["new"]["dollars"] == 1200.0 and west["dollar_change"] == 200.0
    new_ones = [v for v in doc["vendors"] if v["kind"] == "new"]
    assert {v["in_other_report"] for v in new_ones} == {"not in the file"}
    families = {f["family"]: f for f in doc["families"]}
    assert families["Motorola Solutions, Inc."]["old"] == {"rows": 2, "paid": 77000.0, "flagged": 77000.0}
    assert families["Motorola Solutions, Inc."]["change"] == -74000.0  # Vigilant's $75,000 went, Motorola +$1,000
    assert families["RELX PLC"]["new"]["rows"] == 0 and families["TransUnion"]["old"]["rows"] == 0
    assert doc["totals"]["old"]["paid"] == 78800.0 and doc["totals"]["new"]["paid"] == 6810.0
    assert doc["totals"]["change"]["matched"] == round(sum(f["change"] for f in doc["families"]), 2)
    assert doc["cautions"] == []
    # Individuals are never named, even where the report did: SMITH, JOHN is clear in both anyway.
    assert "SMITH" not in result.out


def test_a_vendor_paid_before_but_judged_clear_is_new_and_says_so(tmp_path):
    old = Report(path="old.json", rows=(Row(1, "ACME DATA LLC", "clear"),))
    new = Report(path="new.json", rows=(Row(7, "Acme Data, L.L.C.", "possible_match", "Acme", "Acme", 5.0),))
    cmp = compare_reports(old, new)
    [change] = cmp.vendors
    assert (change.kind, change.before) == ("new", "listed, clear")
    only = Report(path="old.json", rows=(), listed="matched")
    assert compare_reports(only, new).vendors[0].before == "not listed"


def test_vendor_key_ignores_case_punctuation_and_legal_form():
    assert vendor_key("Motorola Solutions, Inc.") == vendor_key("MOTOROLA SOLUTIONS INC")
    assert vendor_key("THOMSON REUTERS ELITE") != vendor_key("THOMSON REUTERS")


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json"])
def test_every_format_lists_the_changes(run, reports, fmt, tmp_path):
    out = tmp_path / f"cmp.{fmt}"
    result = run("compare", str(reports("old")), str(reports("new")), "--format", fmt, "--output", str(out))
    assert result.code == 0, result.err
    text = out.read_text(encoding="utf-8")
    for vendor in ("THOMSON REUTERS ELITE", "VIGILANT SOLUTIONS INC", "West Publishing Corp."):
        assert vendor in text
    if fmt != "json":
        for title in ("New findings", "Resolved findings", "Changed findings", "Payments to registry families"):
            assert title in text
        assert "-$74,000.00" in text and "Not legal advice" in text


def test_html_and_markdown_escape_what_reports_hold(tmp_path):
    hostile = "<script>alert(1)</script> | *x*"
    old = Report(path="old.json", rows=())
    new = Report(path="new.json", rows=(Row(1, hostile, "possible_match", "E", "F", 1.0),))
    cmp = compare_reports(old, new)
    for fmt in ("html", "markdown"):
        out = tmp_path / fmt
        with out.open("w", encoding="utf-8") as f:
            write(cmp, fmt, f)
        text = out.read_text(encoding="utf-8")
        assert "<script>" not in text
    assert "&lt;script&gt;" in (tmp_path / "html").read_text()
    assert "\\| \\*x\\*" in (tmp_path / "markdown").read_text()


def test_different_rule_sets_and_registry_are_said(run, reports, tmp_path):
    old = reports("old")
    new = reports("new", "--rules", "oakland-ca")  # berkeley-ca and oakland-ca
    result = run("compare", str(old), str(new))
    assert result.code == 0, result.err
    assert "Caution: The reports apply different rule sets (old: berkeley-ca; new: berkeley-ca, oakland-ca)" \
        in result.out
    doc = json.loads(old.read_text())
    doc["provenance"]["registry_sha256"] = "0" * 64
    doc["provenance"]["registry_version"] = "2025-01-01+000000000000"
    other = tmp_path / "other-registry.json"
    other.write_text(json.dumps(doc))
    result = run("compare", str(other), str(old), "--format", "json")
    assert any("different registry versions (old: 2025-01-01+000000000000" in c for c in result.json()["cautions"])
    assert result.json()["counts"]["unchanged"] == 4  # the same findings: only the caution differs


def test_a_report_listing_only_flagged_rows_is_compared_on_flagged_rows():
    motorola = Row(3, "MOTOROLA SOLUTIONS INC", "not_covered", "Motorola", "Motorola", 10.0)
    west = Row(4, "WEST PUBLISHING CORP", "prohibited", "West", "Thomson Reuters", 5.0)
    old = Report(path="old.json", rows=(motorola, west))
    new = Report(path="new.json", rows=(west,), listed="flagged")
    cmp = compare_reports(old, new)
    assert [(v.vendor, v.kind) for v in cmp.vendors] == [("WEST PUBLISHING CORP", "unchanged")]
    assert cmp.flagged_only and any("lists only flagged rows" in c for c in cmp.cautions)


def _bad(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_bad_input_is_one_line_and_exit_2(run, reports, tmp_path):
    good = reports("old")
    text = good.read_text()
    doc = json.loads(text)
    wrong_version = dict(doc, schema_version=2)
    no_vendor = json.loads(text)
    del no_vendor["findings"][1]["vendor"]
    bad_summary = json.loads(text)
    del bad_summary["summary"]["by_verdict"]
    cases = {
        _bad(tmp_path, "cut.json", text[: len(text) // 2]): "before the report is complete (cut short?)",
        _bad(tmp_path, "csv.json", "Vendor,Amount\nACME,1\n"): "is not valid JSON",
        _bad(tmp_path, "list.json", "[1, 2]"): "is not a sanctuary-check JSON report",
        _bad(tmp_path, "v2.json", json.dumps(wrong_version)): "has schema_version 2; this version of sanctuary-check "
                                                              "reads schema_version 1",
        _bad(tmp_path, "vendor.json", json.dumps(no_vendor)): "findings[1] (row 2): has no vendor text",
        _bad(tmp_path, "summary.json", json.dumps(bad_summary)): "summary: 'by_verdict' is a required property",
        _bad(tmp_path, "binary.json", b"\xff\xfe\x00\x81"): "is not a text file",
        tmp_path / "missing.json": "no such file",
        tmp_path: "is a directory",
    }
    for path, message in cases.items():
        result = run("compare", str(good), str(path))
        assert result.code == 2, (path, result.err)
        assert result.out == ""
        assert result.err.count("\n") == 1 and result.err.startswith(f"sanctuary-check: error: {path}"), result.err
        assert message in result.err, result.err


def test_shareable_reports_name_no_one(run, reports, tmp_path):
    """A person a non-shareable report lists is counted, never named, when the other report was shareable."""
    person = Row(5, "WEST, TORI", "possible_match", "West Publishing Corporation", "Thomson Reuters", 90.0)
    marked = Row(6, "SHEPP, CARLYN", "clear", individual=True)
    old = Report(path="old.json", rows=(person, marked, Row(7, "CARLYN SHEPP", "possible_match", "E", "F", 1.0)))
    new = Report(path="new.json", rows=(), shareable=True)
    cmp = compare_reports(old, new, show_individuals=True)  # asked, but refused: the new report is shareable
    assert cmp.withheld == {"resolved": 1}
    for fmt in ("table", "markdown", "html", "json"):
        out = tmp_path / f"out.{fmt}"
        with out.open("w", encoding="utf-8") as f:
            write(cmp, fmt, f)
        text = out.read_text(encoding="utf-8")
        assert "TORI" not in text
        assert "1 individual payee is counted, not named" in text or '"resolved": 1' in text
    # Both reports non-shareable and names asked for: named (the CLI's --show-individuals).
    named = compare_reports(old, Report(path="new.json", rows=()), show_individuals=True)
    assert "WEST, TORI" in [v.vendor for v in named.vendors]
    # A name a report marked as an individual is withheld even where it is spelled otherwise elsewhere.
    other = Report(path="x.json", rows=(Row(1, "SHEPP, CARLYN", "possible_match", "E", "F", 1.0),))
    assert compare_reports(old, other).withheld  # SHEPP, CARLYN: a person in either report

    shared = reports("new", "--shareable")
    result = run("compare", str(reports("old")), str(shared), "--show-individuals")
    assert result.code == 2 and "shareable report: individual payees stay unnamed" in result.err
    result = run("compare", str(reports("old")), str(shared), "--format", "json")
    assert result.json()["shareable"] is True and result.json()["new"]["path"] == shared.name
    assert "SMITH" not in result.out and str(SMALL) not in result.out


def test_project_output_folder_is_used_when_no_output_is_given(run, reports, tmp_path, monkeypatch):
    old, new = reports("old"), reports("new")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "sanctuary-check.toml").write_text('[output]\nfolder = "reports"\nformat = "markdown"\n')
    monkeypatch.chdir(project)
    result = run("compare", str(old), str(new))
    assert result.code == 0, result.err
    written = project / "reports" / f"compare-{old.stem}-{new.stem}.md"
    assert written.read_text().startswith("# sanctuary-check comparison")
    assert f"Project file: {project / 'sanctuary-check.toml'}" in result.err
    chosen = tmp_path / "chosen.json"
    result = run("compare", str(old), str(new), "--format", "json", "--output", str(chosen))
    assert result.code == 0 and json.loads(chosen.read_text())["kind"] == "comparison"  # flags win over the file


def _phoenix_family_dollars(path: Path, vendors: set[str]) -> float:
    """Sum of the file's own amounts for these vendor cells (read here with csv, not by the tool)."""
    total = 0.0
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if (row.get("Vendor Name") or "").strip() in vendors:
                total += float(row["Invoice Net Amt"].replace(",", ""))
    return round(total, 2)


SOURCES_FAMILIES = {"Thomson Reuters Corporation", "RELX PLC", "TransUnion", "Motorola Solutions, Inc.",
                    "Equifax Inc.", "Palantir Technologies Inc.", "Amazon.com, Inc."}
"""The registry targets SOURCES.md counts in the Phoenix files (the registry may grow; these stay)."""


def test_phoenix_june_against_november(cli, run, tmp_path):
    june = real_file("phoenix_az_checkbook_2018-06.csv")
    november = real_file("phoenix_az_checkbook_2018-11.csv")
    paths = []
    for name, source in (("june", june), ("november", november)):
        out = tmp_path / f"{name}.json"
        result = cli("audit", str(source), "--format", "json", "--as-of", AS_OF, "--quiet", "--output", str(out),
                     "--only-matched")  # every row paid to a registry family, so every finding (a smaller file)
        assert result.code == 0, result.err
        paths.append(out)
    result = run("compare", *map(str, paths), "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    jsonschema.validate(doc, schema("compare"))

    def named(kind: str) -> set[str]:
        return {v["vendor"] for v in doc["vendors"] if v["kind"] == kind
                and set((v["new"] or v["old"])["families"]) & SOURCES_FAMILIES}

    # SOURCES.md counts (June / November): THOMSON REUTERS ELITE 0/1, LEXISNEXIS MATTHEW BENDER INC 0/1,
    # TRANSUNION RISK AND ALTERNATIVE 0/4, VIGILANT SOLUTIONS INC 1/0.
    assert named("new") == {"THOMSON REUTERS ELITE", "LEXISNEXIS MATTHEW BENDER INC", "TRANSUNION RISK AND ALTERNATIVE"}
    assert named("resolved") == {"VIGILANT SOLUTIONS INC"}
    assert {"MOTOROLA SOLUTIONS INC", "THOMSON REUTERS", "LEXISNEXIS RISK SOLUTIONS FL INC"} <= named("unchanged")
    transunion = next(v for v in doc["vendors"] if v["vendor"] == "TRANSUNION RISK AND ALTERNATIVE")
    assert transunion["new"]["rows"] == 4 and transunion["in_other_report"] == "not listed"
    families = {f["family"]: f for f in doc["families"]}
    motorola = families["Motorola Solutions, Inc."]
    cells = {"MOTOROLA SOLUTIONS INC", "VIGILANT SOLUTIONS INC"}
    assert motorola["old"]["paid"] == _phoenix_family_dollars(june, cells)
    assert motorola["new"]["paid"] == _phoenix_family_dollars(november, cells)
    assert motorola["old"]["rows"] == 56 and motorola["new"]["rows"] == 62  # 55 + 1 Vigilant; 62
    assert doc["cautions"] == [] and doc["individual_payees_withheld"] == {}
    for report in paths:  # the family totals agree with what each audit's own summary counted
        summary = json.loads(report.read_text())["summary"]["dollars"]["by_family"]
        side = "old" if report.stem == "june" else "new"
        assert {f: d[side]["paid"] for f, d in families.items() if d[side]["rows"]} == pytest.approx(summary)



def test_python_m_checker_compare_end_to_end(tmp_path):
    reports = []
    for name in ("old", "new"):
        out = tmp_path / f"{name}.json"
        subprocess.run([sys.executable, "-m", "checker", "audit", str(SMALL / f"{name}.csv"), "--rules",
                        "berkeley-ca", "--as-of", AS_OF, "--format", "json", "-q", "-o", str(out)],
                       check=True, cwd=ROOT)
        reports.append(str(out))
    done = subprocess.run([sys.executable, "-m", "checker", "compare", *reports, "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"] == {"new": 2, "resolved": 2, "changed": 1, "unchanged": 1}
    cut = tmp_path / "cut.json"
    cut.write_text(Path(reports[0]).read_text()[:500])
    done = subprocess.run([sys.executable, "-m", "checker", "compare", reports[0], str(cut)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "cut short" in done.stderr


def test_report_from_rejects_a_screen_of_another_tool():
    with pytest.raises(InputError, match="tool.name is not sanctuary-check"):
        report_from({"schema_version": 1, "findings": [], "tool": {"name": "other"}}, "x.json")
