"""Complaints of violations (BMC 13.105.040(A)): intake, investigation notes, and the outcome with the cure."""

from __future__ import annotations

from datetime import date

from checker.errors import InputError
from checker.register import texts
from checker.register.store import Change, Register

OUTCOMES = ("substantiated", "unsubstantiated", "withdrawn", "referred")


def receive(reg: Register, change: Change, *, about: str, summary: str, on: date, complainant: str | None = None,
            determination: int | None = None) -> int:
    """Record a complaint; its id."""
    if determination is not None:
        reg.get("determinations", determination, "determination")
    values = {"received_on": on.isoformat(), "complainant": texts.short(complainant, "--from", required=False),
              "about": texts.short(about, "--about"), "summary": texts.text(summary, "--summary"),
              "determination_id": determination}
    with reg.change(change) as w:
        return w.insert("complaints", values, "received")


def add_note(reg: Register, change: Change, complaint: int, *, text: str, on: date) -> int:
    """Add an investigation note to an open complaint; the note's id."""
    body = texts.text(text, "--text")
    with reg.change(change) as w:
        row = w.get("complaints", complaint)
        if row["status"] != "open":
            raise InputError(reg.path, f"complaint {complaint} is closed: record a new complaint to reopen the matter")
        return w.insert("complaint_notes", {"complaint_id": complaint, "noted_on": on.isoformat(), "text": body},
                        "noted")


def close(reg: Register, change: Change, complaint: int, *, outcome: str, on: date, cure: str | None = None) -> None:
    """Close a complaint with its outcome and, for a substantiated one, how the violation was cured."""
    texts.choice(outcome, "--outcome", OUTCOMES)
    cure = texts.text(cure, "--cure", required=outcome == "substantiated")
    with reg.change(change) as w:
        row = w.get("complaints", complaint)
        if row["status"] != "open":
            raise InputError(reg.path, f"complaint {complaint} is already closed")
        if on.isoformat() < row["received_on"]:
            raise InputError("--on", f"{on.isoformat()} is before the complaint was received ({row['received_on']})")
        w.update("complaints", complaint, {"status": "closed", "outcome": outcome, "cure": cure,
                                           "closed_on": on.isoformat()}, "closed")
