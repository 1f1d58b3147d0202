"""What the register writes for people: every text a user typed (or a payment file held) is escaped in DOCX,
HTML and iCalendar; the solicitation notice quotes the prohibition and is found in a solicitation."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date

import docx
import pytest

from checker.api import rule_sets
from checker.register import appeals, determinations, notices, waivers
from checker.register.annual_report import annual_report
from checker.register.deadlines import Due
from checker.register.ics import calendar_bytes, escape_text
from checker.register.publish import write_document
from checker.register.solicitations import log, solicitation_text
from checker.register.store import Change, open_register

from test_register_support import audit_report, use_harness

HOSTILE = '<script>alert("x")</script> & <b>Co</b>\x1b[31m'


def _hostile_report(tmp_path):
    """An audit report whose row 1 vendor is markup (a payment file may hold anything)."""
    report = audit_report(tmp_path)
    doc = json.loads(report.read_text(encoding="utf-8"))
    doc["findings"][0]["vendor"] = HOSTILE
    report.write_text(json.dumps(doc), encoding="utf-8")
    return report


def test_user_text_is_escaped_in_the_notice_and_the_report(tmp_path):
    report = _hostile_report(tmp_path)
    evil = Change('<img src=x onerror="alert(1)">', "<iframe>")
    with open_register(tmp_path / "r.sqlite") as reg:
        d = determinations.determine(reg, evil, vendor=HOSTILE, rules="berkeley-ca", on=date(2026, 11, 23),
                                     audit=str(report), row=1)
        notices.notify(reg, evil, d, on=date(2026, 11, 23), output=str(tmp_path / "notice.html"),
                       city="<h1>Evil City</h1>")
        a, _ = appeals.file_appeal(reg, evil, d, date(2026, 12, 1))
        appeals.decide(reg, evil, a, date(2026, 12, 2), "upheld", note="<a href='javascript:x'>n</a>")
        w = waivers.request(reg, evil, rules=None, determination=d, on=date(2026, 12, 3), intent="<svg onload=1>",
                            alternatives="a & b", extra_cost='"$5"', contracts=["<C-1>"])
        waivers.decide(reg, evil, w, granted=True, on=date(2026, 12, 8), resolution="<R-1>")
        doc = annual_report(reg, rule_sets(["berkeley-ca"])[0], 2027, [str(report)], prepared_by=evil.by)
    write_document(doc, str(tmp_path / "report.docx"))

    for name in ("notice", "report"):
        html = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;\\x1b[31m" in html
        for raw in ("<script", "<img", "<iframe", "<svg", "<b>", "<h1>Evil", "javascript:x'", "\x1b", "<C-1>"):
            assert raw not in html, (name, raw)
        assert re.findall(r"<(\w+)", html) and set(re.findall(r"<(\w+)", html)) <= {
            "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "strong", "em", "blockquote",
            "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "span", "br"}
        assert set(re.findall(r'href="([^"]*)"', html)) <= {"https://berkeley.municipal.codes/BMC/13.105.030"}
        xml = zipfile.ZipFile(tmp_path / f"{name}.docx").read("word/document.xml").decode("utf-8")
        assert "&lt;script&gt;" in xml and "<script" not in xml and "\x1b" not in xml
        text = "\n".join(p.text for p in docx.Document(str(tmp_path / f"{name}.docx")).paragraphs)
        tables = "\n".join(c.text for t in docx.Document(str(tmp_path / f"{name}.docx")).tables
                           for r in t.rows for c in r.cells)
        assert '<script>alert("x")</script> & <b>Co</b>\\x1b[31m' in text + tables  # shown as typed, inert
    props = docx.Document(str(tmp_path / "notice.docx")).core_properties
    assert props.author == '<img src=x onerror="alert(1)">'


def test_the_calendar_escapes_and_folds():
    long = "WEST PUBLISHING; CORP, \\ \"ÉTÉ\" " * 6 + "\nnext line\r\x07"
    ics = calendar_bytes([Due(date(2027, 1, 8), "appeal deadline", long, long, "appeal-notice-1")])
    text = ics.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20270108" in unfolded and "DTEND;VALUE=DATE:20270109" in unfolded
    assert "WEST PUBLISHING\\; CORP\\, \\\\ \"ÉTÉ\"" in unfolded and "\\nnext line" in unfolded
    assert "\x07" not in unfolded
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_the_solicitation_notice_quotes_the_prohibition():
    text = solicitation_text(rule_sets(["berkeley-ca"])[0])
    assert text.startswith("NOTICE OF PROHIBITION: SANCTUARY CITY CONTRACTING")
    assert "as BMC 13.105.030(B) requires" in text
    assert "BMC 13.105.030(A): \u201cNo officer, employee, department, board, commission, City Council" in text
    assert "(3) Quantifiable additional costs resulting from use of available alternatives" in text
    assert "within 30 business days of notification (BMC 13.105.030(D))" in text
    unverified = solicitation_text(rule_sets(["richmond-ca"])[0])
    assert "(paraphrase)" in unverified or "Caution: richmond-ca" in unverified
    assert "Caution: richmond-ca" in unverified


@pytest.mark.parametrize("included", [True, False])
def test_a_logged_solicitation_is_checked_for_the_notice(tmp_path, included):
    rs = rule_sets(["berkeley-ca"])[0]
    rfp = docx.Document()
    rfp.add_paragraph("RFP-2027-003: Legal research services")
    if included:
        for line in solicitation_text(rs).splitlines():
            rfp.add_paragraph(line)
    rfp.save(str(tmp_path / "rfp.docx"))
    with open_register(tmp_path / "r.sqlite") as reg:
        ident, found = log(reg, Change("buyer", "RFP issued"), reference="RFP-2027-003", rs=rs,
                           issued_on=date(2027, 2, 1), document=str(tmp_path / "rfp.docx"))
        row = reg.get("solicitations", ident)
    assert found is included and row["notice_found"] == int(included) and len(row["document_sha256"]) == 64


def test_the_cli_warns_when_a_solicitation_lacks_the_notice(tmp_path, cli, monkeypatch):
    use_harness(monkeypatch)
    (tmp_path / "rfp.txt").write_text("RFP for legal research. No notice here.", encoding="utf-8")
    result = cli("register", "solicitation", "--logged", "RFP-1", "--rules", "berkeley-ca", "--issued", "2027-02-01",
                 "--document", str(tmp_path / "rfp.txt"), "--why", "issued", "--db", str(tmp_path / "r.sqlite"))
    assert result.code == 0 and "WARNING: the prohibition's text was NOT found" in result.out
