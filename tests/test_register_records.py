"""The register's records and their rules: what may be determined, appeals (late, decided once, reversals with a
ground), reversals as match decisions audits read, declarations weighed against registry evidence, waivers as
audits apply them, with their scope, and what is due."""

from __future__ import annotations

import json
from datetime import date

import pytest

from checker.errors import InputError
from checker.knowledge.waivers import Waiver
from checker.register import appeals, determinations, notices
from checker.register import waivers as waiver_records
from checker.register.deadlines import upcoming
from checker.register.decisions_export import export_decisions
from checker.register.declarations import declare, weigh
from checker.register.store import Change, open_register

from test_register_support import audit_report

C = Change("tester", "testing")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return audit_report(tmp_path_factory.mktemp("audit"))


@pytest.fixture
def reg(tmp_path):
    with open_register(tmp_path / "r.sqlite") as opened:
        yield opened


def _determine(reg, report, vendor="WEST PUBLISHING CORP", row=1, **kw) -> int:
    return determinations.determine(reg, C, vendor=vendor, rules="berkeley-ca", on=date(2026, 11, 23),
                                    audit=str(report), row=row, **kw)


@pytest.mark.parametrize(("vendor", "row", "message"), [
    ("WEST COAST ARBORISTS INC", 2, "is clear under berkeley-ca, which identifies no supplier"),
    ("CDW GOVERNMENT LLC", 17, "is possible match under berkeley-ca"),
    ("MARTINEZ, ANA L", 3, "individual payee"),
    ("PALANTIR USG INC", 1, "is 'WEST PUBLISHING CORP', not 'PALANTIR USG INC'"),
    ("WEST PUBLISHING CORP", 99, "has no row 99"),
])
def test_only_an_identified_supplier_is_determined(reg, report, vendor, row, message):
    with pytest.raises(InputError, match=message):
        _determine(reg, report, vendor, row)
    assert reg.row("SELECT count(*) FROM determinations")[0] == 0


def test_a_standing_determination_is_superseded_not_duplicated(reg, report):
    first = _determine(reg, report)
    with pytest.raises(InputError, match=f"determination {first} already stands.*--supersedes {first}"):
        _determine(reg, report, "west publishing  corp")
    second = _determine(reg, report, supersedes=first)
    old = reg.get("determinations", first)
    assert old["status"] == "superseded" and old["superseded_by"] == second


def test_appeals_are_filed_against_a_notice_and_decided_once(reg, report, tmp_path):
    d = _determine(reg, report)
    with pytest.raises(InputError, match="has no notice"):
        appeals.file_appeal(reg, C, d, date(2026, 12, 1))
    notices.notify(reg, C, d, on=date(2026, 11, 23), output=str(tmp_path / "n.docx"))
    a, late = appeals.file_appeal(reg, C, d, date(2027, 1, 11))  # after the 8 January deadline
    assert late and reg.get("appeals", a)["late"] == 1
    with pytest.raises(InputError, match="not decided yet"):
        appeals.file_appeal(reg, C, d, date(2027, 1, 12))
    with pytest.raises(InputError, match="--ground"):
        appeals.decide(reg, C, a, date(2027, 1, 20), "reversed")
    appeals.decide(reg, C, a, date(2027, 1, 20), "reversed", ground="services", note="contract ended in 2025")
    with pytest.raises(InputError, match="already decided"):
        appeals.decide(reg, C, a, date(2027, 1, 21), "upheld")
    assert reg.get("determinations", d)["status"] == "reversed"
    with pytest.raises(InputError, match="only a standing determination is notified"):
        notices.notify(reg, C, d, on=date(2027, 2, 1), output=str(tmp_path / "n2.docx"))


def test_a_new_notice_supersedes_the_earlier_one(reg, report, tmp_path):
    d = _determine(reg, report)
    first = notices.notify(reg, C, d, on=date(2026, 11, 23), output=str(tmp_path / "a.docx"))
    second = notices.notify(reg, C, d, on=date(2026, 12, 1), output=str(tmp_path / "b.html"),
                            holidays=[date(2026, 12, 24)])
    assert reg.get("notices", first.notice_id)["superseded_by"] == second.notice_id
    assert second.window.last_day == date(2027, 1, 15)  # 30 business days after 1 December, 24 December closed
    assert (tmp_path / "b.docx").exists() and (tmp_path / "b.html").exists()


def test_reversals_for_identity_become_decisions_audits_read(reg, report, tmp_path):
    from checker.api import Checker

    d = determinations.determine(reg, C, vendor="THOMSON WEST PUBLISHING", rules="berkeley-ca",
                                 on=date(2026, 12, 1))  # screened: matched to West Publishing by its name
    notices.notify(reg, C, d, on=date(2026, 12, 1), output=str(tmp_path / "n.docx"))
    a, _ = appeals.file_appeal(reg, C, d, date(2026, 12, 3))
    appeals.decide(reg, Change("Clerk", "decision"), a, date(2026, 12, 15), "reversed", ground="identity",
                   note="a print shop in Oakland")
    _determine(reg, report, "THOMSON REUTERS - WEST", 15)  # standing: not a decision
    exported = export_decisions(reg)
    assert exported.decisions == 1 and not exported.left_out
    signed = tmp_path / "declaration.pdf"
    signed.write_bytes(b"%PDF-1.4 print shop")
    ident = declare(reg, C, vendor="THOMSON WEST PUBLISHING", on=date(2027, 1, 4), signer="owner",
                    statement_version="v1", document=str(signed), rules="berkeley-ca")
    weighed = weigh(reg, reg.get("declarations", ident))  # West's evidence is not the print shop's
    assert not weighed.conflict and "holds no evidence" in weighed.text()
    path = tmp_path / "decisions.yaml"
    path.write_text(exported.yaml_text, encoding="utf-8")
    checker = Checker(["berkeley-ca"], as_of=date(2027, 1, 5), decisions=str(path))
    found = next(iter(checker.screen(["THOMSON WEST PUBLISHING"]).findings))
    assert found.verdict == "clear" and "is not west-publishing" in found.decision
    assert "appeal 1 reversed determination 1" in found.decision and "Clerk" in found.decision


def test_a_reversal_on_the_services_is_listed_not_exported(reg, report, tmp_path):
    d = _determine(reg, report)
    notices.notify(reg, C, d, on=date(2026, 11, 23), output=str(tmp_path / "n.docx"))
    a, _ = appeals.file_appeal(reg, C, d, date(2026, 12, 1))
    appeals.decide(reg, C, a, date(2026, 12, 15), "reversed", ground="services")
    exported = export_decisions(reg)
    assert exported.decisions == 0 and "registry's maintainers" in exported.left_out[0]


def test_a_declaration_never_outweighs_current_evidence(reg, report, tmp_path):
    signed = tmp_path / "declaration.pdf"
    signed.write_bytes(b"%PDF-1.4 signed")
    d = _determine(reg, report)
    ident = declare(reg, C, vendor="WEST PUBLISHING CORP", on=date(2027, 1, 4), signer="J. Doe",
                    statement_version="v1", document=str(signed), rules="berkeley-ca", determination=d)
    row = reg.get("declarations", ident)
    assert row["document_name"] == "declaration.pdf" and len(row["document_sha256"]) == 64
    weighed = weigh(reg, row)
    assert weighed.conflict
    text = weighed.text()
    assert text.startswith("WEST PUBLISHING CORP declared no services on 2027-01-04")
    assert "the registry holds evidence dated 2017-12-01–open" in text and "a conflict for review" in text


def test_a_declaration_after_the_evidence_ended_is_no_conflict(reg, tmp_path):
    periods = [{"what": "old order", "agency": "ICE", "start": "2010-01-01", "end": "2012-09-30"}]
    with reg.change(C) as w:
        ident = w.insert("declarations", {"vendor": "ACME DATA", "declared_on": "2026-05-01", "signer": "s",
                                          "statement_version": "v1", "document_name": "d.pdf",
                                          "document_sha256": "0" * 64, "evidence": json.dumps(periods)})
    weighed = weigh(reg, reg.get("declarations", ident))
    assert not weighed.conflict and "ended before that date" in weighed.text()


# -- waivers keep the scope the Council granted -------------------------------------------------------------------
def _granted(reg, **scope) -> int:
    ident = waiver_records.request(reg, C, rules="berkeley-ca", entity="west-publishing", on=date(2027, 1, 20),
                                   intent="i", alternatives="a", extra_cost="c", **scope)
    waiver_records.decide(reg, C, ident, granted=True, on=date(2027, 2, 9), resolution=f"R-{ident}")
    return ident


def test_waivers_keep_their_scope(reg, tmp_path):
    """The register's waivers become the audit's with their whole scope, directly or through a waivers file."""
    _granted(reg)
    _granted(reg, family=True, contracts=["C-1", "C-2"], through=date(2027, 6, 30))
    _granted(reg, actions=["extended"])
    rows = waiver_records.granted(reg)
    plain, family, extended = (waiver_records.as_waiver(r) for r in rows)
    assert plain == Waiver(rule_set="berkeley-ca", resolution="R-1", decided=date(2027, 2, 9),
                           entity="west-publishing", intent="i", alternatives="a", extra_cost="c")
    assert plain.actions == ("new",) and not plain.family
    assert (family.family, family.contracts, family.expires) == (True, ("C-1", "C-2"), date(2027, 6, 30))
    assert extended.actions == ("extended",)
    from checker.api import registry
    from checker.knowledge.waivers import load_waivers

    path = tmp_path / "waivers.yaml"
    path.write_text(waiver_records.waivers_yaml([plain, family, extended]), encoding="utf-8")
    assert load_waivers(path, registry())["berkeley-ca"] == [plain, family, extended]


def test_a_waiver_needs_the_councils_resolution_and_is_decided_once(reg):
    ident = waiver_records.request(reg, C, rules="berkeley-ca", entity="west-publishing", on=date(2027, 1, 20),
                                   intent="i", alternatives="a", extra_cost="c")
    with pytest.raises(InputError, match="--resolution"):
        waiver_records.decide(reg, C, ident, granted=True, on=date(2027, 2, 9), resolution=None)
    waiver_records.decide(reg, C, ident, granted=False, on=date(2027, 2, 9), resolution=None)
    with pytest.raises(InputError, match="already denied"):
        waiver_records.decide(reg, C, ident, granted=True, on=date(2027, 2, 10), resolution="R")
    assert waiver_records.granted(reg) == []
    with pytest.raises(InputError, match="no registry entity 'nobody-inc'"):
        waiver_records.request(reg, C, rules="berkeley-ca", entity="nobody-inc", on=date(2027, 1, 20),
                               intent="i", alternatives="a", extra_cost="c")
    with pytest.raises(InputError, match="--action.*'terminated' is not one of"):
        waiver_records.request(reg, C, rules="berkeley-ca", entity="west-publishing", on=date(2027, 1, 20),
                               intent="i", alternatives="a", extra_cost="c", actions=["terminated"])


def test_what_is_due(reg, report, tmp_path):
    d = _determine(reg, report, contract_id="C-2019-0117", contract_end=date(2027, 6, 30))
    notices.notify(reg, C, d, on=date(2026, 11, 23), output=str(tmp_path / "n.docx"), agenda_on=date(2026, 12, 15))
    _granted(reg, through=date(2027, 3, 31))
    items = upcoming(reg, date(2026, 12, 1))
    assert [(i.day.isoformat(), i.kind) for i in items] == [
        ("2026-12-24", "appeal deadline (Council agenda)"), ("2027-01-08", "appeal deadline"),
        ("2027-03-31", "waiver ends"), ("2027-06-30", "contract ends"), ("2027-11-01", "annual report")]
    assert [i.kind for i in upcoming(reg, date(2026, 12, 1), within=40)] == [
        "appeal deadline (Council agenda)", "appeal deadline"]
    appeals.file_appeal(reg, C, d, date(2026, 12, 10))
    assert "appeal deadline" not in [i.kind for i in upcoming(reg, date(2026, 12, 11))]
