"""Appeals of determinations: filed (on time or late, by the notice's window), heard, decided upheld or reversed.

A reversal says why: ``identity`` (the vendor is not the registry entity: exported as a match decision later
audits apply) or ``services`` (the entity does not provide the services: a matter for the registry's evidence).
"""

from __future__ import annotations

import sqlite3
from datetime import date

from checker.errors import InputError
from checker.register import texts
from checker.register.notices import window_of
from checker.register.store import Change, Register

OUTCOMES = ("upheld", "reversed")
GROUNDS = ("identity", "services")


def file_appeal(reg: Register, change: Change, determination: int, on: date) -> tuple[int, bool]:
    """Record an appeal filed on ``on``; its id, and whether it was filed after the notice's deadline."""
    det = reg.get("determinations", determination, "determination")
    found = window_of(reg, det)
    if found is None:
        raise InputError(reg.path, f"determination {determination} has no notice: the appeal window opens with "
                                   "`register notify`")
    notice, win = found
    if on < win.notified_on:
        raise InputError("--on", f"{on.isoformat()} is before the notice of {win.notified_on.isoformat()}")
    late = win.last_day is not None and on > win.last_day and not (win.agenda and on <= win.agenda.due)
    with reg.change(change) as w:
        status = w.get("determinations", determination)["status"]
        if status != "open":
            raise InputError(reg.path, f"determination {determination} is {status}: only an open determination is "
                                       "appealed")
        pending = w.conn.execute("SELECT id FROM appeals WHERE determination_id = ? AND decided_on IS NULL",
                                 (determination,)).fetchone()
        if pending is not None:
            raise InputError(reg.path, f"appeal {pending['id']} of determination {determination} is not decided yet")
        ident = w.insert("appeals", {"determination_id": determination, "filed_on": on.isoformat(),
                                     "late": int(late)}, "filed")
    return ident, late


def hear(reg: Register, change: Change, appeal: int, on: date) -> None:
    """Record the day an appeal was heard."""
    with reg.change(change) as w:
        row = _pending(w.conn, reg.path, appeal)
        if on.isoformat() < row["filed_on"]:
            raise InputError("--on", f"{on.isoformat()} is before the appeal was filed ({row['filed_on']})")
        w.update("appeals", appeal, {"heard_on": on.isoformat()}, "heard")


def decide(reg: Register, change: Change, appeal: int, on: date, outcome: str, *, ground: str | None = None,
           note: str | None = None, decided_by: str | None = None) -> None:
    """Record the decision on an appeal; the determination becomes ``upheld`` or ``reversed``."""
    texts.choice(outcome, "--outcome", OUTCOMES)
    if outcome == "reversed":
        texts.choice(ground, "--ground", GROUNDS)
    elif ground is not None:
        raise InputError("--ground", "is given only with --outcome reversed")
    note = texts.text(note, "--note", required=False)
    decided_by = texts.short(decided_by, "--decided-by", required=False) or "City Manager"
    with reg.change(change) as w:
        row = _pending(w.conn, reg.path, appeal)
        if on.isoformat() < row["filed_on"]:
            raise InputError("--on", f"{on.isoformat()} is before the appeal was filed ({row['filed_on']})")
        w.update("appeals", appeal, {"decided_on": on.isoformat(), "decided_by": decided_by, "outcome": outcome,
                                     "ground": ground, "note": note}, "decided")
        w.update("determinations", row["determination_id"], {"status": outcome}, f"appeal {appeal} {outcome}")


def _pending(conn: sqlite3.Connection, path: str, appeal: int) -> sqlite3.Row:
    """An appeal not decided yet (one decided, or none, is refused)."""
    row = conn.execute("SELECT * FROM appeals WHERE id = ?", (appeal,)).fetchone()
    if row is None:
        raise InputError(path, f"no appeal {appeal} in this register")
    if row["decided_on"] is not None:
        raise InputError(path, f"appeal {appeal} was already decided ({row['outcome']}, {row['decided_on']})")
    return row
