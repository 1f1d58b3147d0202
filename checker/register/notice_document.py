"""The vendor notice of a determination (BMC 13.105.030(D)): the clause, the evidence, the appeal right and its
deadline, and the declaration the vendor may give. Every text from the register goes in as text."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from checker import __version__
from checker.register.appeal_window import AppealWindow
from checker.register.document import Document, Link, Styled
from checker.register.procedures import Procedure


def long_date(day: date) -> str:
    """``Friday, 8 January 2027 (2027-01-08)``."""
    return f"{day:%A}, {day.day} {day:%B %Y} ({day.isoformat()})"


def notice_document(det: sqlite3.Row, snap: dict[str, Any], win: AppealWindow, proc: Procedure, *,
                    city: str | None = None, prepared_by: str = "") -> Document:
    """The notice as a document."""
    rs = snap.get("rule_set", {})
    clause = snap.get("clause", {})
    official = proc.official
    doc = Document(title=f"Notice of determination under {rs.get('code') or rs.get('citation') or rs.get('id')}",
                   author=prepared_by, subject=f"Determination {det['id']}: {det['vendor']}")
    doc.para(Styled(city or proc.city, bold=True), f" · Office of the {official}")
    doc.para(f"Date of notice: {long_date(win.notified_on)}")
    doc.para(f"Determination no. {det['id']} (rule set {rs.get('id', '')}: {rs.get('title', '')}), "
             f"made on {det['determined_on']}")
    doc.para(Styled("To: ", bold=True), det["vendor"])
    entity = det["entity_name"] or det["entity_id"]
    family = f" (part of the {det['family_name']} family)" if det["family_name"] and det["family_name"] != entity \
        else ""
    doc.para(Styled("Identified as: ", bold=True), f"{entity}{family}")

    doc.heading("Determination")
    how = f" under {proc.determination.citation}" if proc.determination else ""
    doc.para(f"The {official} has determined{how} that {det['vendor']} is a Person or Entity that provides U.S. "
             "Immigration and Customs Enforcement (ICE) with \"Data Broker\" or \"Extreme Vetting\" services, and is "
             f"potentially affected by {clause.get('citation', 'the ordinance')}.")
    doc.para(Styled("Finding: ", bold=True), snap.get("reason", ""))
    if not rs.get("text_verified", True):
        doc.para(f"Caution: {rs.get('text_note', 'the ordinance text was not verified')}", kind="note")

    doc.heading("The provision")
    if clause.get("text"):
        doc.quote(clause["text"])
    if clause.get("citation"):
        doc.para(Link(clause["citation"], clause.get("url") or ""), kind="note")

    doc.heading("Evidence")
    doc.para("The City relies on information available on federal contracting websites and other public sources:")
    doc.bullets(list(snap.get("evidence") or ["(no evidence line was recorded)"]))
    if snap.get("sources"):
        doc.para(Styled("Sources", bold=True))
        doc.bullets(list(snap["sources"]))
    doc.para(_provenance(snap), kind="note")

    doc.heading("Your right to appeal")
    doc.para(_appeal_sentence(win, proc), kind="emphasis")
    if win.deadline is not None:
        doc.para(f"How the deadline was counted: {win.deadline.explain()}.", kind="note")
    if win.agenda is not None:
        doc.para(f"Council agenda period: {win.agenda.explain()}.", kind="note")
    if proc.appeal is not None:
        doc.quote(proc.appeal.text)
        doc.para(proc.appeal.citation, kind="note")
    if proc.appeal_note:
        doc.para(proc.appeal_note, kind="note")

    doc.heading("Declaration")
    cite = f" ({proc.declaration.citation})" if proc.declaration else ""
    doc.para("If you do not provide Data Broker or Extreme Vetting services to ICE, you may give the City a "
             f"declaration under penalty of perjury affirming so{cite}. The City weighs a declaration together with "
             "the federal contracting data above; it does not replace a review of that evidence.")
    if proc.declaration is not None:
        doc.quote(proc.declaration.text)
    doc.para(f"Prepared with sanctuary-check {__version__}. Staff: confirm the finding against the ordinance text "
             "and the contract file before sending; this draft is not legal advice.", kind="note")
    return doc


def _appeal_sentence(win: AppealWindow, proc: Procedure) -> str:
    to = proc.appeal_to or proc.official
    if win.deadline is None:
        return (f"You may ask for a review of this determination. No appeal period is recorded for this ordinance: "
                f"ask the {to} for the time allowed.")
    text = (f"You may request a review of this determination by appeal to the {to}. The request must be made within "
            f"{win.deadline.days} business days of notification: by {long_date(win.deadline.due)}.")
    if win.agenda is not None and win.agenda_on is not None:
        text += (f" If this determination is on the agenda of the City Council meeting of "
                 f"{win.agenda_on.isoformat()}, within {win.agenda.days} business days of that date: by "
                 f"{long_date(win.agenda.due)}.")
    return text


def _provenance(snap: dict[str, Any]) -> str:
    reg = snap.get("registry", {})
    src = snap.get("source", {})
    where = (f"row {src.get('row')} of the audit report {Path(str(src.get('report'))).name} (as of {src.get('as_of')})"
             if src.get("kind") == "audit" else f"a screening of the name as of {src.get('as_of')}")
    return f"Evidence as recorded from {where}; registry version {reg.get('version')}."
