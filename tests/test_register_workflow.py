"""The register end to end, through the library: an audit written as JSON → a determination → the notice (DOCX
read back with python-docx: the clause, the vendor, the deadline) → an appeal heard and decided → a waiver →
the next audit shows the row ``waived`` (waivers from ``waivers_for_audit``) → the annual report. The history
holds every change, with who and why."""

from __future__ import annotations

import json
from datetime import date

import docx

from checker.api import rule_sets
from checker.register import appeals, determinations, migrations, notices, waivers, waivers_for_audit
from checker.register.annual_report import annual_report
from checker.register.publish import write_document
from checker.register.store import Change, open_register

from test_register_support import WHO, audit_report, findings

CLAUSE = "shall enter into a new, amended, or extended contract or agreement with any Person or Entity"
NEXT_PAYMENTS = """Payment Date,Vendor Name,Department,Description,Amount,Contract Action,Contract Number
2027-03-01,WEST PUBLISHING CORP,City Attorney,Westlaw extension,"5,010.00",extended,C-2019-0117
2027-03-02,WEST PUBLISHING CORP,Library,Westlaw for the library,"900.00",extended,C-2027-0044
"""


def docx_text(path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_from_audit_to_annual_report(tmp_path):
    q4 = audit_report(tmp_path)
    assert findings(q4)[1]["verdict"] == "prohibited"
    db = str(tmp_path / "register.sqlite")
    with open_register(db, by=WHO) as reg:
        d1 = determinations.determine(reg, Change(WHO, "Q4 audit, row 1"), vendor="WEST PUBLISHING CORP",
                                      rules="berkeley-ca", on=date(2026, 11, 23), audit=str(q4), row=1,
                                      contract_id="C-2019-0117", contract_end=date(2027, 6, 30))
        done = notices.notify(reg, Change(WHO, "notice mailed"), d1, on=date(2026, 11, 23),
                              output=str(tmp_path / "notice.docx"), method="certified mail")
        assert done.window.last_day == date(2027, 1, 8)  # Thanksgiving, the day after, Christmas, New Year skipped

        text = docx_text(tmp_path / "notice.docx")
        for expected in ("WEST PUBLISHING CORP", "BMC 13.105.030(A)", CLAUSE, "Friday, 8 January 2027 (2027-01-08)",
                         "30 business days", "70CMSD22FR0000187", "BMC 13.105.030(D)"):
            assert expected in text, expected
        html = (tmp_path / "notice.html").read_text(encoding="utf-8")
        assert "Friday, 8 January 2027 (2027-01-08)" in html and CLAUSE in html

        a1, late = appeals.file_appeal(reg, Change("Clerk", "appeal letter received"), d1, date(2026, 12, 10))
        assert not late
        appeals.hear(reg, Change("Clerk", "hearing held"), a1, date(2027, 1, 5))
        appeals.decide(reg, Change("Clerk", "decision letter"), a1, date(2027, 1, 12), "upheld",
                       note="the ICE awards are current")
        assert reg.get("determinations", d1)["status"] == "upheld"

        w1 = waivers.request(reg, Change(WHO, "City Manager's waiver request"), rules=None, determination=d1,
                             contracts=["C-2019-0117"], actions=["extended"], through=date(2027, 6, 30),
                             on=date(2027, 1, 20),
                             intent="Westlaw holds the annotated codes the City Attorney cites",
                             alternatives="Lexis+ is also covered; no other service has the annotations",
                             extra_cost="$38,000 a year to migrate and retrain")
        waivers.decide(reg, Change("Clerk", "Council minutes"), w1, granted=True, on=date(2027, 2, 9),
                       resolution="71,234-N.S.")

    granted = waivers_for_audit(db)
    assert len(granted) == 1 and granted[0].entity == "west-publishing" and granted[0].resolution == "71,234-N.S."
    assert granted[0].expires == date(2027, 6, 30) and granted[0].contracts == ("C-2019-0117",)

    payments = tmp_path / "next-payments.csv"
    payments.write_text(NEXT_PAYMENTS, encoding="utf-8")
    waiver_file = tmp_path / "waivers.yaml"
    waiver_file.write_text(waivers.waivers_file_text(db), encoding="utf-8")
    q1 = audit_report(tmp_path, payments, date(2027, 3, 31), "q1.json", waivers=str(waiver_file))
    rows = findings(q1)
    assert rows[1]["verdict"] == "waived" and "71,234-N.S." in rows[1]["rules"][0]["waiver"]
    assert rows[2]["verdict"] == "prohibited"  # another contract: the waiver does not reach it
    assert "covers contract C-2019-0117 only" in rows[2]["rules"][0]["reason"]
    # the command line reads the register itself as --waivers: the same waiver, with its scope
    from typer.testing import CliRunner

    from checker.cli import app

    direct = CliRunner().invoke(app, ["audit", str(payments), "--rules", "berkeley-ca", "--as-of", "2027-03-31",
                                      "--waivers", str(db), "--format", "json", "--quiet"])
    assert direct.exit_code == 0, direct.output
    report = json.loads(direct.stdout)
    assert [f["verdict"] for f in report["findings"]] == [r["verdict"] for r in rows.values()]
    assert report["provenance"]["waivers"]["path"] == str(db)

    with open_register(db) as reg:
        report = annual_report(reg, rule_sets(["berkeley-ca"])[0], 2027, [str(q4), str(q1)], prepared_by=WHO)
    written = write_document(report, str(tmp_path / "annual-report.docx"))
    assert [w["format"] for w in written] == ["docx", "html"]
    text = docx_text(tmp_path / "annual-report.docx")
    for expected in ("Report of the City Manager to the City Council under BMC 13.105.040(B)",
                     "Monday, 1 November 2027", "covering 2026-11-01 to 2027-10-31", "71,234-N.S.", "upheld",
                     "C-2019-0117", "city-payments.csv", "next-payments.csv",
                     "determination 1 (upheld); waiver 1 (granted)",
                     "Added cost: $38,000 a year"):
        assert expected in text, expected

    with open_register(db) as reg:
        history = [(h["by"], h["kind"], h["action"], h["why"]) for h in reg.rows("SELECT * FROM history ORDER BY id")]
    assert history == [
        *[(WHO, "schema", "migrated", "register created")] * migrations.LATEST,
        (WHO, "determinations", "created", "Q4 audit, row 1"), (WHO, "notices", "notified", "notice mailed"),
        ("Clerk", "appeals", "filed", "appeal letter received"), ("Clerk", "appeals", "heard", "hearing held"),
        ("Clerk", "appeals", "decided", "decision letter"),
        ("Clerk", "determinations", "appeal 1 upheld", "decision letter"),
        (WHO, "waivers", "requested", "City Manager's waiver request"), ("Clerk", "waivers", "granted",
                                                                         "Council minutes"),
    ]


def test_the_snapshot_is_what_a_later_view_shows(tmp_path):
    """A determination keeps the evidence of its day: its snapshot is never rewritten (a trigger refuses it)."""
    import pytest

    from checker.errors import InputError

    q4 = audit_report(tmp_path)
    with open_register(tmp_path / "r.sqlite") as reg:
        d = determinations.determine(reg, Change(WHO, "w"), vendor="PALANTIR USG INC", rules="berkeley-ca",
                                     on=date(2026, 11, 23), audit=str(q4), row=8)
        snap = determinations.snapshot_of(reg.get("determinations", d))
        assert snap["registry"]["version"] and snap["clause"]["citation"] == "BMC 13.105.030(A)"
        assert snap["match"]["entity"]["id"] == "palantir-usg" and snap["evidence_periods"]
        assert snap["source"]["row"] == 8 and len(snap["source"]["report_sha256"]) == 64
        with pytest.raises(InputError, match="never rewritten"), reg.change(Change(WHO, "w")) as w:
            w.conn.execute("UPDATE determinations SET snapshot = '{}' WHERE id = ?", (d,))
        assert determinations.snapshot_of(reg.get("determinations", d)) == snap
