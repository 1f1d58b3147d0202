"""Notices: write the vendor notice of a determination (DOCX and HTML), record when it was given and the appeal
deadline it states. A later notice of the same determination supersedes the earlier one."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from checker.errors import InputError
from checker.register import texts
from checker.register.appeal_window import AppealWindow, notice_window, window
from checker.register.city_days import city_calendar
from checker.register.determinations import ACTIVE, snapshot_of
from checker.register.notice_document import notice_document
from checker.register.procedures import procedure_of_snapshot
from checker.register.publish import write_document
from checker.register.store import Change, Register


@dataclass(frozen=True)
class Notified:
    """What ``notify`` did: the notice's id, its appeal window and the files written."""

    notice_id: int
    window: AppealWindow
    written: list[dict[str, str]]


def notify(reg: Register, change: Change, determination: int, *, on: date, output: str,
           method: str | None = None, agenda_on: date | None = None, holidays: Iterable[date] = (),
           appeal_days: int | None = None, city: str | None = None) -> Notified:
    """Write the notice of a standing determination and record it."""
    det = reg.get("determinations", determination, "determination")
    if det["status"] not in ACTIVE:
        raise InputError(reg.path, f"determination {determination} is {det['status']}: only a standing "
                                   "determination is notified")
    if on.isoformat() < det["determined_on"]:
        raise InputError("--on", f"{on.isoformat()} is before the determination ({det['determined_on']})")
    if appeal_days is not None and not 0 < appeal_days <= 365:
        raise InputError("--appeal-days", "must be between 1 and 365")
    extra = sorted(set(holidays))
    snap = snapshot_of(det)
    proc = procedure_of_snapshot(snap)
    win = window(proc, city_calendar(reg, extra), on, appeal_days=appeal_days, agenda_on=agenda_on)
    doc = notice_document(det, snap, win, proc, city=texts.short(city, "--city", required=False),
                          prepared_by=change.by)
    written = write_document(doc, output)
    values = {"determination_id": determination, "notified_on": on.isoformat(),
              "method": texts.short(method, "--method", required=False),
              "deadline": win.last_day.isoformat() if win.last_day else None,
              "agenda_on": agenda_on.isoformat() if agenda_on else None,
              "agenda_deadline": win.agenda.due.isoformat() if win.agenda else None,
              "extra_holidays": json.dumps([d.isoformat() for d in extra]), "appeal_days": appeal_days,
              "documents": json.dumps(written)}
    with reg.change(change) as w:
        status = w.get("determinations", determination)["status"]
        if status not in ACTIVE:
            raise InputError(reg.path, f"determination {determination} became {status} meanwhile; nothing recorded")
        earlier = w.conn.execute("SELECT id FROM notices WHERE determination_id = ? AND superseded_by IS NULL",
                                 (determination,)).fetchall()
        ident = w.insert("notices", values, "notified")
        for row in earlier:
            w.update("notices", row["id"], {"superseded_by": ident}, "superseded")
    return Notified(ident, win, written)


def current_notice(reg: Register, determination: int) -> sqlite3.Row | None:
    """The notice of a determination that is not superseded, if any."""
    return reg.row("SELECT * FROM notices WHERE determination_id = ? AND superseded_by IS NULL ORDER BY id DESC",
                   (determination,))


def window_of(reg: Register, determination: sqlite3.Row) -> tuple[sqlite3.Row, AppealWindow] | None:
    """A determination's current notice and its appeal window counted now (None before any notice)."""
    notice = current_notice(reg, determination["id"])
    if notice is None:
        return None
    proc = procedure_of_snapshot(snapshot_of(determination))
    return notice, notice_window(proc, city_calendar(reg), notice)
