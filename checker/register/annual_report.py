"""The annual compliance report (BMC 13.105.040(B): by November 1, the City Manager's written, public report on the
previous year): the steps taken to comply, the compliance issues and violations found, how they were cured, the
waivers granted, and the determinations and appeals, with tables, from the register and the year's audits."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from checker import __version__
from checker.knowledge.rulesets import RuleSet
from checker.model import FLAGGED
from checker.register import texts
from checker.register.appeal_window import notice_window
from checker.register.city_days import city_calendar
from checker.register.declarations import weighed_declarations
from checker.register.determinations import standing_for
from checker.register.document import Document, Styled
from checker.register.notice_document import long_date
from checker.register.procedures import Procedure, procedure_of
from checker.register.snapshot import read_report
from checker.register.store import Register, now_utc
from checker.register.waivers import scope_text

REPORTED = (*sorted(FLAGGED), "waived")
"""Audit outcomes the report lists as compliance issues (flagged rows, and rows a waiver covered)."""


@dataclass(frozen=True)
class Period:
    """The year a report covers: the twelve months before its due date."""

    first: date
    last: date
    due: date

    def holds(self, day: str | None) -> bool:
        """True for a ``YYYY-MM-DD`` day inside the period."""
        return day is not None and self.first.isoformat() <= day <= self.last.isoformat()


def period_for(year: int, proc: Procedure) -> Period:
    """The report due in ``year`` (November 1 unless the procedure says otherwise) and the year before it."""
    month, day = proc.report_due or (11, 1)
    due = date(year, month, day)
    return Period(date(year - 1, month, day), due - timedelta(days=1), due)


def _in_period(reg: Register, table: str, dates: tuple[str, ...], period: Period, rule_set: str | None,
               still_open: str | None = None) -> list[sqlite3.Row]:
    """Records of ``table`` dated in the period (any of ``dates``), or still ``still_open`` at its end."""
    rows = reg.rows(f"SELECT * FROM {table} ORDER BY id")
    out = []
    for r in rows:
        keys = r.keys()
        if rule_set is not None and "rule_set" in keys and r["rule_set"] not in (rule_set, None):
            continue
        if any(period.holds(r[d]) for d in dates) or (still_open and r["status"] == still_open
                                                        and r[dates[0]] <= period.last.isoformat()):
            out.append(r)
    return out


def _register_refs(reg: Register, vendor: str, entity: str | None) -> str:
    """What the register holds for an audit row's vendor: determinations, waivers, complaints."""
    refs = [f"determination {d['id']} ({d['status']})" for d in standing_for(reg, vendor, entity)]
    refs += [f"waiver {w['id']} ({w['status']})" for w in reg.rows("SELECT * FROM waivers ORDER BY id")
             if (entity and w["entity_id"] == entity) or (w["vendor"] and texts.same_vendor(w["vendor"], vendor))]
    refs += [f"complaint {c['id']} ({c['status']})" for c in reg.rows("SELECT * FROM complaints ORDER BY id")
             if texts.same_vendor(c["about"], vendor)]
    return "; ".join(refs) or "—"


def _audits(reg: Register, paths: list[str], rs: RuleSet) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """Each audit's summary row, the rows it flagged under ``rs``, and notes on audits not judged under it."""
    summaries: list[list[str]] = []
    issues: list[list[str]] = []
    notes: list[str] = []
    for path in paths:
        doc = read_report(path)
        prov = doc.get("provenance") or {}
        name = Path(str((prov.get("input") or {}).get("path") or path)).name
        judged = [r.get("id") for r in prov.get("rules", [])]
        if rs.id not in judged:
            notes.append(f"The audit {Path(path).name} was judged under {', '.join(map(str, judged))}, not {rs.id}: "
                         "left out.")
            continue
        counts = (doc.get("summary") or {}).get("by_verdict", {})
        summaries.append([name, str(prov.get("as_of", "")), f"{(doc.get('summary') or {}).get('rows', 0):,}",
                          *(str(counts.get(v, 0)) for v in ("prohibited", "potential_violation", "possible_match",
                                                            "waived")), str(prov.get("registry_version", ""))])
        for f in doc["findings"]:
            outcome = next((r for r in f.get("rules", []) if r.get("rule_set") == rs.id), None)
            if outcome is None or outcome.get("outcome") not in REPORTED:
                continue
            match = f.get("match") or {}
            entity = (match.get("entity") or {}).get("id")
            when = " ".join(x for x in (f.get("action") or "", f.get("date") or "") if x) or "—"
            issues.append([name, str(f.get("row", "")), str(f.get("vendor", "")),
                           outcome["outcome"].replace("_", " "), when, str(f.get("amount") or "—"),
                           _register_refs(reg, str(f.get("vendor", "")), entity)])
    return summaries, issues, notes


def annual_report(reg: Register, rs: RuleSet, year: int, audits: list[str], *, city: str | None = None,
                  prepared_by: str = "") -> Document:
    """The report due in ``year`` under rule set ``rs``."""
    proc = procedure_of(rs)
    period = period_for(year, proc)
    city = city or proc.city
    doc = Document(title=f"{city}: sanctuary contracting compliance report, {year}", author=prepared_by,
                   subject=f"{rs.citation}: annual compliance report")
    cite = proc.annual_report.citation if proc.annual_report else rs.citation
    doc.para(Styled(f"Report of the {proc.official} to the City Council under {cite}", bold=True))
    doc.para(f"Due {long_date(period.due)}; covering {period.first.isoformat()} to {period.last.isoformat()}.")
    if proc.annual_report is not None:
        doc.quote(proc.annual_report.text)
    if not rs.text_verified:
        doc.para(f"Caution: {rs.text_note}", kind="note")

    summaries, issues, audit_notes = _audits(reg, audits, rs)
    dets = _in_period(reg, "determinations", ("determined_on",), period, rs.id, still_open="open")
    sols = _in_period(reg, "solicitations", ("issued_on",), period, rs.id)
    waivers = _in_period(reg, "waivers", ("requested_on", "council_on"), period, rs.id, still_open="requested")
    complaints = _in_period(reg, "complaints", ("received_on", "closed_on"), period, None, still_open="open")
    det_ids = {d["id"] for d in reg.rows("SELECT id FROM determinations WHERE rule_set = ?", (rs.id,))}
    appeals = [a for a in _in_period(reg, "appeals", ("filed_on", "heard_on", "decided_on"), period, None)
               if a["determination_id"] in det_ids]
    declarations = [w for w in weighed_declarations(reg) if period.holds(w.declaration["declared_on"])]

    doc.heading("Summary")
    doc.bullets([f"{len(sols)} solicitation(s) logged with the notice of the prohibition.",
                 f"{len(summaries)} audit(s) of payments or contracts; {len(issues)} row(s) listed as compliance "
                 "issues (prohibited, potential violation, possible match or waived).",
                 f"{len(dets)} determination(s); {len(appeals)} appeal(s); "
                 f"{sum(1 for w in waivers if w['status'] == 'granted')} waiver(s) granted.",
                 f"{len(complaints)} complaint(s); {len(declarations)} vendor declaration(s), "
                 f"{sum(1 for w in declarations if w.conflict)} in conflict with registry evidence."])

    doc.heading("1. Steps taken to ensure compliance")
    doc.heading("Solicitations that included the notice", 2)
    doc.table(["Reference", "Title", "Issued", "Notice found in the document"],
              [[s["reference"], s["title"] or "—", s["issued_on"],
                {1: "yes", 0: "NO"}.get(s["notice_found"], "not checked")] for s in sols])
    doc.heading("Audits of payments and contracts", 2)
    doc.table(["Input", "As of", "Rows", "Prohibited", "Potential violations", "Possible matches", "Waived",
               "Registry"], summaries, empty="No audit was given (--audit).")
    for note in audit_notes:
        doc.para(note, kind="note")
    doc.heading("Determinations and notices", 2)
    calendar = city_calendar(reg)
    rows = []
    for d in dets:
        notice = reg.row("SELECT * FROM notices WHERE determination_id = ? AND superseded_by IS NULL", (d["id"],))
        deadline = "—"
        if notice is not None:
            win = notice_window(proc, calendar, notice)
            deadline = win.last_day.isoformat() if win.last_day else "not recorded"
        snap = json.loads(d["snapshot"])
        rows.append([str(d["id"]), d["vendor"], d["entity_name"] or "—", d["determined_on"],
                     snap.get("clause", {}).get("citation", "—"), notice["notified_on"] if notice else "not notified",
                     deadline, d["status"]])
    doc.table(["No.", "Vendor", "Identified as", "Determined", "Clause", "Notified", "Appeal deadline", "Status"],
              rows)
    doc.heading("Vendor declarations", 2)
    doc.table(["No.", "Vendor", "Declared", "Signer", "Statement", "Registry evidence"],
              [[str(w.declaration["id"]), w.declaration["vendor"], w.declaration["declared_on"],
                w.declaration["signer"], w.declaration["statement_version"],
                "conflict for review" if w.conflict else "consistent"] for w in declarations])
    for w in declarations:
        if w.conflict:
            doc.para(w.text() + ".", kind="note")

    doc.heading("2. Compliance issues, violations and potential violations")
    doc.heading("Rows of the audits", 2)
    doc.table(["Audit", "Row", "Vendor", "Outcome", "Action and date", "Amount", "In the register"], issues,
              empty="No audit row was flagged.")
    doc.heading("Complaints", 2)
    doc.table(["No.", "Received", "About", "Complaint", "Status"],
              [[str(c["id"]), c["received_on"], c["about"], c["summary"],
                c["status"] if c["status"] == "open" else f"closed {c['closed_on']}: {c['outcome']}"]
               for c in complaints])

    doc.heading("3. Actions taken to cure deficiencies")
    doc.heading("Appeals", 2)
    doc.table(["Appeal", "Determination", "Filed", "Heard", "Decided", "Outcome"],
              [[str(a["id"]), str(a["determination_id"]), a["filed_on"] + (" (late)" if a["late"] else ""),
                a["heard_on"] or "—", a["decided_on"] or "pending",
                (a["outcome"] or "—") + (f" ({a['ground']})" if a["ground"] else "")] for a in appeals])
    doc.heading("Waivers", 2)
    doc.table(["Waiver", "Scope", "Requested", "Council decision", "Resolution", "Findings"],
              [[str(w["id"]), scope_text(w), f"{w['requested_on']} by {w['requested_by']}",
                f"{w['status']} {w['council_on'] or ''}".strip(), w["resolution"] or "—",
                f"Intent and purpose: {w['intent']}\nAlternatives: {w['alternatives']}\nAdded cost: {w['extra_cost']}"]
               for w in waivers])
    doc.heading("Complaints resolved", 2)
    doc.table(["No.", "Closed", "Outcome", "Cure"],
              [[str(c["id"]), c["closed_on"], c["outcome"], c["cure"] or "—"] for c in complaints
               if c["status"] == "closed"])

    doc.heading("Method")
    doc.para(f"Prepared with sanctuary-check {__version__} from the compliance register {Path(reg.path).name} "
             f"on {now_utc()} by {prepared_by or '—'}, under rule set {rs.id}@{rs.sha256[:12]}. Determinations keep "
             "the evidence as it stood when they were made. Findings rest on a research registry of public federal "
             "award data and news reports: confirm each against the ordinance text, the contract file and counsel.",
             kind="note")
    return doc

