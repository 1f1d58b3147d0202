"""The city's own closed days, kept in the register (beyond federal and California holidays), and the calendar
deadlines are counted with."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from checker.errors import InputError
from checker.register import texts
from checker.register.business_days import CityCalendar
from checker.register.store import Change, Register


def add_holiday(reg: Register, change: Change, day: date, name: str) -> None:
    """Record a day the city is closed (again, if it was withdrawn)."""
    name = texts.short(name, "--name") or ""
    with reg.change(change) as w:
        row = w.conn.execute("SELECT status FROM holidays WHERE day = ?", (day.isoformat(),)).fetchone()
        if row is None:
            w.insert("holidays", {"day": day.isoformat(), "name": name}, "created")
        elif row["status"] == "observed":
            raise InputError(reg.path, f"{day.isoformat()} is already recorded as a holiday")
        else:
            w.update("holidays", day.isoformat(), {"name": name, "status": "observed"}, "observed again")


def withdraw_holiday(reg: Register, change: Change, day: date) -> None:
    """Mark a recorded holiday as withdrawn (a day recorded in error; it stays in the register)."""
    with reg.change(change) as w:
        row = w.conn.execute("SELECT status FROM holidays WHERE day = ?", (day.isoformat(),)).fetchone()
        if row is None or row["status"] != "observed":
            raise InputError(reg.path, f"{day.isoformat()} is not a recorded holiday")
        w.update("holidays", day.isoformat(), {"status": "withdrawn"}, "withdrawn")


def open_on_holiday(reg: Register, change: Change, day: date, name: str) -> None:
    """Record that the city is open on a federal or California holiday: it counts as a business day."""
    from checker.register.business_days import federal_and_california

    holiday = federal_and_california(day.year).get(day)
    if holiday is None:
        raise InputError(reg.path, f"{day.isoformat()} is not a federal or California holiday: nothing to open")
    name = texts.short(name, "--name", required=False) or holiday
    with reg.change(change) as w:
        row = w.conn.execute("SELECT status FROM open_days WHERE day = ?", (day.isoformat(),)).fetchone()
        if row is None:
            w.insert("open_days", {"day": day.isoformat(), "name": name}, "created")
        elif row["status"] == "open":
            raise InputError(reg.path, f"{day.isoformat()} is already recorded as a day the city is open")
        else:
            w.update("open_days", day.isoformat(), {"name": name, "status": "open"}, "open again")


def withdraw_open_day(reg: Register, change: Change, day: date) -> None:
    """Mark a recorded open day as withdrawn: the holiday counts as closed again."""
    with reg.change(change) as w:
        row = w.conn.execute("SELECT status FROM open_days WHERE day = ?", (day.isoformat(),)).fetchone()
        if row is None or row["status"] != "open":
            raise InputError(reg.path, f"{day.isoformat()} is not a recorded open day")
        w.update("open_days", day.isoformat(), {"status": "withdrawn"}, "withdrawn")


def recorded_open_days(reg: Register) -> dict[date, str]:
    """The holidays on which the city records it is open."""
    return {date.fromisoformat(r["day"]): r["name"]
            for r in reg.rows("SELECT day, name FROM open_days WHERE status = 'open' ORDER BY day")}


def recorded_holidays(reg: Register) -> list[tuple[date, str]]:
    """The city's recorded closed days, in order."""
    return [(date.fromisoformat(r["day"]), r["name"])
            for r in reg.rows("SELECT day, name FROM holidays WHERE status = 'observed' ORDER BY day")]


def city_calendar(reg: Register, extra: Iterable[date] = ()) -> CityCalendar:
    """Weekends, federal and California holidays but those the city records it is open on, the register's closed
    days and ``extra`` days (``--holiday``)."""
    days = dict(recorded_holidays(reg))
    for day in extra:
        days.setdefault(day, "city holiday (--holiday)")
    return CityCalendar(extra=days, open_days=recorded_open_days(reg))
