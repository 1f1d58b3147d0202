"""The register as text for people: an overview, one determination in full, the history, what is due."""

from __future__ import annotations

import json
import sqlite3

from tabulate import tabulate

from checker.register import migrations, texts
from checker.register.appeal_window import stated_differs
from checker.register.deadlines import Due
from checker.register.declarations import weigh, weighed_declarations
from checker.register.determinations import snapshot_of, standing_for
from checker.register.notices import window_of
from checker.register.store import Register
from checker.register.waivers import scope_text

COUNTED = ("determinations", "notices", "appeals", "declarations", "waivers", "solicitations", "complaints")


def _deadline(reg: Register, det: sqlite3.Row) -> str:
    found = window_of(reg, det)
    if found is None:
        return "not notified"
    notice, win = found
    appealed = reg.row("SELECT filed_on FROM appeals WHERE determination_id = ? ORDER BY id DESC", (det["id"],))
    due = win.last_day.isoformat() if win.last_day else "not recorded"
    return f"{due} (appeal filed {appealed['filed_on']})" if appealed else due


def overview(reg: Register) -> str:
    """Every record in brief, conflicts for review included."""
    counts = {t: reg.row(f"SELECT count(*) AS n FROM {t}")["n"] for t in COUNTED}
    changes = reg.row("SELECT count(*) AS n FROM history")["n"]
    out = [f"Register {reg.path} (schema version {migrations.version(reg.conn)}): "
           + ", ".join(f"{n} {t}" for t, n in counts.items()) + f"; {changes} changes in the history."]
    dets = reg.rows("SELECT * FROM determinations ORDER BY id")
    if dets:
        out += ["", "Determinations", tabulate(
            [[d["id"], d["vendor"], d["rule_set"], d["entity_name"], d["determined_on"], d["status"],
              _deadline(reg, d)] for d in dets],
            headers=["No.", "Vendor", "Rule set", "Identified as", "Determined", "Status", "Appeal deadline"])]
    waivers = reg.rows("SELECT * FROM waivers ORDER BY id")
    if waivers:
        out += ["", "Waivers", tabulate(
            [[w["id"], w["rule_set"], scope_text(w), w["status"], w["council_on"] or "—", w["resolution"] or "—"]
             for w in waivers], headers=["No.", "Rule set", "Scope", "Status", "Council", "Resolution"],
            maxcolwidths=[None, None, 60, None, None, None])]
    weighed = weighed_declarations(reg)
    if weighed:
        out += ["", "Declarations"] + [f"  {'CONFLICT ' if w.conflict else ''}{w.text()}" for w in weighed]
    complaints = reg.rows("SELECT * FROM complaints ORDER BY id")
    if complaints:
        out += ["", "Complaints", tabulate(
            [[c["id"], c["received_on"], c["about"], c["status"], c["outcome"] or "—"] for c in complaints],
            headers=["No.", "Received", "About", "Status", "Outcome"])]
    sols = reg.rows("SELECT * FROM solicitations ORDER BY id")
    if sols:
        out += ["", "Solicitations", tabulate(
            [[s["id"], s["reference"], s["rule_set"], s["issued_on"],
              {1: "yes", 0: "NO"}.get(s["notice_found"], "not checked")] for s in sols],
            headers=["No.", "Reference", "Rule set", "Issued", "Notice in document"])]
    return "\n".join(out)


def determination(reg: Register, ident: int) -> str:
    """One determination in full: the evidence snapshot, notices and deadlines, appeals, waivers, declarations."""
    det = reg.get("determinations", ident, "determination")
    snap = snapshot_of(det)
    clause = snap.get("clause", {})
    src = snap.get("source", {})
    out = [f"Determination {det['id']}: {det['vendor']} → {det['status'].upper()} ({det['rule_set']}, "
           f"determined {det['determined_on']})",
           f"Identified as: {det['entity_name']} ({det['entity_id']}; family {det['family_name']})",
           f"Outcome when determined: {det['outcome']}",
           f"Clause: {clause.get('citation')} ({clause.get('kind')}): {clause.get('text')}",
           f"Reason: {snap.get('reason')}"]
    if det["contract_id"] or det["contract_end"]:
        out.append(f"Contract: {det['contract_id'] or '—'}, ends {det['contract_end'] or '—'}")
    if det["superseded_by"]:
        out.append(f"Superseded by determination {det['superseded_by']}")
    where = (f"audit report {src.get('report')} row {src.get('row')} (sha256 {str(src.get('report_sha256'))[:16]}…, "
             f"as of {src.get('as_of')})" if src.get("kind") == "audit" else f"screening as of {src.get('as_of')}")
    out += [f"Evidence snapshot: from {where}; registry {snap.get('registry', {}).get('version')}; rule set "
            f"{snap.get('rule_set', {}).get('id')}@{str(snap.get('rule_set', {}).get('sha256'))[:12]}",
            "Evidence:"] + [f" - {e}" for e in snap.get("evidence", [])]
    if snap.get("sources"):
        out += ["Sources:"] + [f" - {s}" for s in snap["sources"]]
    notices = reg.rows("SELECT * FROM notices WHERE determination_id = ? ORDER BY id", (ident,))
    for n in notices:
        docs = ", ".join(d["path"] for d in json.loads(n["documents"] or "[]"))
        state = f" (superseded by notice {n['superseded_by']})" if n["superseded_by"] else ""
        out.append(f"Notice {n['id']}: notified {n['notified_on']}{state}; documents {docs or '—'}")
    found = window_of(reg, det)
    if found is not None:
        notice, win = found
        out.append(f"Appeal window: {win.text()}")
        if win.deadline is not None:
            out.append(f"  counted: {win.deadline.explain()}")
        differs = stated_differs(notice, win)
        if differs:
            out.append(f"  note: {differs}")
    for a in reg.rows("SELECT * FROM appeals WHERE determination_id = ? ORDER BY id", (ident,)):
        decided = (f"decided {a['decided_on']} by {a['decided_by']}: {a['outcome']}"
                   + (f" ({a['ground']})" if a["ground"] else "") + (f" — {a['note']}" if a["note"] else "")
                   if a["decided_on"] else "not decided")
        out.append(f"Appeal {a['id']}: filed {a['filed_on']}{' (LATE)' if a['late'] else ''}; heard "
                   f"{a['heard_on'] or '—'}; {decided}")
    for w in reg.rows("SELECT * FROM waivers WHERE determination_id = ? OR (entity_id = ? AND rule_set = ?) "
                      "ORDER BY id", (ident, det["entity_id"], det["rule_set"])):
        out.append(f"Waiver {w['id']}: {w['status']}" + (f" {w['council_on']}, resolution {w['resolution']}"
                                                          if w["council_on"] else "") + f"; scope: {scope_text(w)}")
    for d in reg.rows("SELECT * FROM declarations WHERE superseded_by IS NULL ORDER BY id"):
        if d["determination_id"] == ident or d["entity_id"] == det["entity_id"] or \
                texts.same_vendor(d["vendor"], det["vendor"]):
            w = weigh(reg, d)
            out.append(f"{'CONFLICT: ' if w.conflict else 'Declaration: '}{w.text()}")
    others = [d["id"] for d in standing_for(reg, det["vendor"], det["entity_id"]) if d["id"] != ident]
    if others:
        out.append(f"Other determinations for this vendor or entity: {', '.join(map(str, others))}")
    return "\n".join(out)


def history(reg: Register, kind: str | None = None, record: str | None = None) -> str:
    """Every change (or those of one kind of record, or one record), oldest first."""
    sql, params = "SELECT * FROM history", []
    if kind is not None:
        sql += " WHERE kind = ?"
        params.append(kind)
        if record is not None:
            sql += " AND record = ?"
            params.append(record)
    rows = reg.rows(sql + " ORDER BY id", tuple(params))
    return tabulate([[r["id"], r["at"], r["by"], r["kind"], r["record"] or "", r["action"], r["why"]] for r in rows],
                    headers=["#", "When (UTC)", "Who", "Record", "Id", "Change", "Why"],
                    maxcolwidths=[None, None, 24, None, None, None, 50])


def due_table(items: list[Due]) -> str:
    """What is due, soonest first."""
    if not items:
        return "Nothing is due."
    return tabulate([[d.day.isoformat(), f"{d.day:%a}", d.kind, d.subject, d.detail] for d in items],
                    headers=["Due", "", "What", "For", "Detail"], maxcolwidths=[None, None, 18, 40, 60])
