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
    _record(reg, change, "holidays", day, texts.short(name, "--name") or "", "observed", "a holiday")


def withdraw_holiday(reg: Register, change: Change, day: date) -> None:
    """Mark a recorded holiday as withdrawn (a day recorded in error; it stays in the register)."""
    _withdraw(reg, change, "holidays", day, "observed", "a recorded holiday")


def open_on_holiday(reg: Register, change: Change, day: date, name: str) -> None:
    """Record that the city is open on a federal or California holiday: it counts as a business day."""
    from checker.register.business_days import federal_and_california

    holiday = federal_and_california(day.year).get(day)
    if holiday is None:
        raise InputError(reg.path, f"{day.isoformat()} is not a federal or California holiday: nothing to open")
    name = texts.short(name, "--name", required=False) or holiday
    _record(reg, change, "open_days", day, name, "open", "a day the city is open")


def withdraw_open_day(reg: Register, change: Change, day: date) -> None:
    """Mark a recorded open day as withdrawn: the holiday counts as closed again."""
    _withdraw(reg, change, "open_days", day, "open", "a recorded open day")


def _record(reg: Register, change: Change, table: str, day: date, name: str, active: str, what: str) -> None:
    """Record ``day`` in a table of days (``holidays``, ``open_days``), or make a withdrawn one ``active`` again."""
    with reg.change(change) as w:
        row = w.conn.execute(f"SELECT status FROM {table} WHERE day = ?", (day.isoformat(),)).fetchone()
        if row is None:
            w.insert(table, {"day": day.isoformat(), "name": name}, "created")
        elif row["status"] == active:
            raise InputError(reg.path, f"{day.isoformat()} is already recorded as {what}")
        else:
            w.update(table, day.isoformat(), {"name": name, "status": active}, f"{active} again")


def _withdraw(reg: Register, change: Change, table: str, day: date, active: str, what: str) -> None:
    """Mark a recorded day withdrawn (it stays in the register)."""
    with reg.change(change) as w:
        row = w.conn.execute(f"SELECT status FROM {table} WHERE day = ?", (day.isoformat(),)).fetchone()
        if row is None or row["status"] != active:
            raise InputError(reg.path, f"{day.isoformat()} is not {what}")
        w.update(table, day.isoformat(), {"status": "withdrawn"}, "withdrawn")


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
