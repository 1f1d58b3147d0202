"""Business days: weekdays that are not the city's holidays (U.S. federal and California holidays from the
``holidays`` package, observed dates included, plus the days a city adds).

"Within N business days of notification": the day of notification is not counted; the Nth business day after
it is the last day (so a notice given on a Saturday or a holiday starts counting on the next business day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

MAX_BUSINESS_DAYS = 3_660
"""Most business days a period may count (about 14 years): a bound on the loop, far above any ordinance's."""


@dataclass(frozen=True)
class Deadline:
    """The last day of a period of business days, and the holidays it skipped."""

    start: date
    days: int
    due: date
    skipped: tuple[tuple[date, str], ...] = ()

    def explain(self) -> str:
        """``30 business days after 2026-11-23, skipping weekends and 4 holidays (…)``."""
        if not self.skipped:
            return f"{self.days} business days after {self.start.isoformat()}, skipping weekends"
        named = "; ".join(f"{d.isoformat()} {name}" for d, name in self.skipped)
        count = len(self.skipped)
        return (f"{self.days} business days after {self.start.isoformat()}, skipping weekends and "
                f"{count} holiday{'s' if count != 1 else ''} ({named})")


@dataclass
class CityCalendar:
    """The days a city is closed: weekends, U.S. federal and California holidays (except ``open_days``), and
    ``extra`` days."""

    extra: Mapping[date, str] = field(default_factory=dict)
    open_days: Mapping[date, str] = field(default_factory=dict)
    """Federal or California holidays on which the city is open: business days here."""
    _years: dict[int, dict[date, str]] = field(default_factory=dict, repr=False)

    def holiday(self, day: date) -> str | None:
        """The name of the holiday on ``day`` (None for a day that is not one)."""
        if day in self.extra:
            return self.extra[day]
        if day in self.open_days:
            return None
        return self._of_year(day.year).get(day)

    def is_business_day(self, day: date) -> bool:
        """True for a weekday that is no holiday."""
        return day.weekday() < 5 and self.holiday(day) is None

    def add(self, start: date, days: int) -> Deadline:
        """The ``days``-th business day after ``start``, with the weekday holidays skipped on the way."""
        if not 0 < days <= MAX_BUSINESS_DAYS:
            raise ValueError(f"a period of {days} business days")
        day, counted = start, 0
        skipped: list[tuple[date, str]] = []
        while counted < days:
            day += timedelta(days=1)
            if day.weekday() >= 5:
                continue
            name = self.holiday(day)
            if name is not None:
                skipped.append((day, name))
                continue
            counted += 1
        return Deadline(start, days, day, tuple(skipped))

    def holidays_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """Every holiday from ``first`` to ``last`` (weekends included), in order."""
        found = {d: n for year in range(first.year, last.year + 1) for d, n in self._of_year(year).items()
                 if d not in self.open_days}
        found.update(self.extra)
        return sorted((d, n) for d, n in found.items() if first <= d <= last)

    def _of_year(self, year: int) -> dict[date, str]:
        if year not in self._years:
            self._years[year] = federal_and_california(year)
        return self._years[year]


def federal_and_california(year: int) -> dict[date, str]:
    """The U.S. federal holidays and California's, with their observed dates, by day (names joined by ``; ``)."""
    import holidays  # 0.1 s to import: only when a deadline is computed

    out: dict[date, str] = {}
    for calendar in (holidays.country_holidays("US", years=year), holidays.country_holidays("US", subdiv="CA",
                                                                                          years=year)):
        for day, names in calendar.items():
            for name in str(names).split("; "):
                known = out.get(day)
                if known is None:
                    out[day] = name
                elif name not in known.split("; "):
                    out[day] = f"{known}; {name}"
    return out


def calendar_with(extra: Iterable[tuple[date, str]]) -> CityCalendar:
    """A city calendar with extra closed days (from the register or ``--holiday``)."""
    return CityCalendar(extra=dict(extra))
