"""The appeal window a notice opens: N business days of notification (BMC 13.105.030(D): 30), or M business days
of a Council agenda date (7) when one is given."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from checker.register.business_days import CityCalendar, Deadline
from checker.register.procedures import Procedure


@dataclass(frozen=True)
class AppealWindow:
    """When an appeal must be filed, and how that was counted."""

    notified_on: date
    deadline: Deadline | None
    agenda_on: date | None = None
    agenda: Deadline | None = None
    citation: str | None = None

    @property
    def last_day(self) -> date | None:
        """The latest day an appeal is on time (the notification period's last day)."""
        return self.deadline.due if self.deadline else None

    def text(self) -> str:
        """One line: ``appeal by 2027-01-08 (30 business days after notification on 2026-11-23, BMC …)``."""
        if self.deadline is None:
            return (f"notified {self.notified_on.isoformat()}; no appeal period is recorded for this rule set "
                    "(give --appeal-days when notifying)")
        cite = f", {self.citation}" if self.citation else ""
        out = (f"appeal by {self.deadline.due.isoformat()} ({self.deadline.days} business days after notification "
               f"on {self.notified_on.isoformat()}{cite})")
        if self.agenda is not None and self.agenda_on is not None:
            out += (f"; or by {self.agenda.due.isoformat()} ({self.agenda.days} business days after the Council "
                    f"agenda date {self.agenda_on.isoformat()})")
        return out


def window(proc: Procedure, calendar: CityCalendar, notified_on: date, *, appeal_days: int | None = None,
           agenda_on: date | None = None) -> AppealWindow:
    """The appeal window of a notice given on ``notified_on``."""
    days = appeal_days or proc.appeal_days
    deadline = calendar.add(notified_on, days) if days else None
    agenda = calendar.add(agenda_on, proc.agenda_days) if agenda_on is not None and proc.agenda_days else None
    citation = proc.appeal.citation if proc.appeal and not appeal_days else None
    return AppealWindow(notified_on, deadline, agenda_on, agenda, citation)


def notice_window(proc: Procedure, calendar: CityCalendar, notice: sqlite3.Row) -> AppealWindow:
    """The appeal window of a recorded notice, counted now (with the holidays recorded since, and the notice's own
    ``--holiday`` days)."""
    extra = {date.fromisoformat(d): "city holiday (--holiday)" for d in json.loads(notice["extra_holidays"] or "[]")}
    calendar = CityCalendar(extra={**extra, **calendar.extra}, open_days=calendar.open_days)
    agenda_on = date.fromisoformat(notice["agenda_on"]) if notice["agenda_on"] else None
    return window(proc, calendar, date.fromisoformat(notice["notified_on"]), appeal_days=notice["appeal_days"],
                  agenda_on=agenda_on)


def stated_differs(notice: sqlite3.Row, current: AppealWindow) -> str | None:
    """A warning when the deadline the notice stated differs from the one counted now (a holiday recorded since)."""
    stated = notice["deadline"]
    now = current.last_day.isoformat() if current.last_day else None
    if stated and now and stated != now:
        return f"the notice stated {stated}; counted with the holidays recorded since, it is {now}"
    return None
