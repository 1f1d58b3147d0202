"""Judging facts that differ only in their day once for every stretch of days that gets one answer.

The rows of a matched vendor on different days have different facts (``judge.facts`` declares the day), but most
of them get the same judgement: an ordinance in force, evidence current. The judge compares the day with the dates
of the knowledge (effective dates, evidence periods, waivers, a contract's end) and writes it into some reasons.
So the engine judges a day once as a ``WatchedDay``: a date that notes what every comparison made with it showed,
and which stretch of days around it would have shown the same. A day the judge writes out, or reads in any other
way, holds only for itself. Any other day in the stretch takes the judgement unchanged: the judge, a pure function
of the facts, would have taken every branch the same way and written the same text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from checker.judge.facts import Facts
from checker.model import Judgement

_DAY = timedelta(days=1)


class WatchedDay:
    """A day that notes the stretch of days (``first`` to ``last``) on which each comparison made with it would
    have given the same result. Anything else done with it (``isoformat()``, arithmetic, hashing) narrows the
    stretch to the day itself and is done with the plain date."""

    __slots__ = ("day", "first", "last")

    def __init__(self, day: date) -> None:
        self.day = day
        self.first = date.min
        self.last = date.max

    def plain(self) -> date:
        """The day as a plain date, now holding for itself only."""
        self.first = self.last = self.day
        return self.day

    # Each comparison keeps the days that compare alike; > and >= are the other side of <= and <.
    def __lt__(self, other: object) -> bool:
        if type(other) is not date:
            return self.plain() < other  # type: ignore[operator]
        if self.day < other:
            if other <= self.last:
                self.last = other - _DAY  # other > day: a day before it exists
            return True
        if other > self.first:
            self.first = other
        return False

    def __le__(self, other: object) -> bool:
        if type(other) is not date:
            return self.plain() <= other  # type: ignore[operator]
        if self.day <= other:
            if other < self.last:
                self.last = other
            return True
        if other >= self.first:
            self.first = other + _DAY  # other < day: a day after it exists
        return False

    def __gt__(self, other: object) -> bool:
        return not self.__le__(other) if type(other) is date else self.plain() > other  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        return not self.__lt__(other) if type(other) is date else self.plain() >= other  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        return self.plain() == other

    def __ne__(self, other: object) -> bool:
        return self.plain() != other

    def __hash__(self) -> int:
        return hash(self.plain())

    def __bool__(self) -> bool:
        return True  # as every date

    def __getattr__(self, name: str) -> Any:
        return getattr(self.plain(), name)  # isoformat, year, toordinal…

    def __str__(self) -> str:
        return str(self.plain())

    def __repr__(self) -> str:
        return repr(self.plain())

    def __format__(self, spec: str) -> str:
        return format(self.plain(), spec)

    def __add__(self, other: Any) -> Any:
        return self.plain() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        return self.plain() - other

    def __rsub__(self, other: Any) -> Any:
        return other - self.plain()

    def __reduce__(self) -> Any:
        return date, (self.plain().year, self.day.month, self.day.day)


class ByStretch:
    """``judge(facts)``, made once for each stretch of days over which facts equal but for their day get one
    judgement (facts without a day are judged as they are). Remembers ``limit`` stretches at most (all are
    forgotten when full)."""

    def __init__(self, judge: Callable[[Facts], Judgement], limit: int) -> None:
        self.judge = judge
        self.limit = limit
        self.size = 0
        self.known: dict[Facts, tuple[list[date], list[tuple[date, Judgement]]]] = {}
        """Facts without their day -> the first days of the stretches judged, in order, and each one's last day
        and judgement."""

    def __call__(self, facts: Facts) -> Judgement:
        day = facts.day
        if day is None:
            return self.judge(facts)
        key = facts._replace(day=None)
        stretches = self.known.get(key)
        if stretches is not None:
            firsts, rest = stretches
            i = bisect_right(firsts, day) - 1
            if i >= 0 and day <= rest[i][0]:
                return rest[i][1]
        watched = WatchedDay(day)
        judgement = self.judge(facts._replace(day=watched))  # type: ignore[arg-type]
        if self.size >= self.limit:
            self.known.clear()
            self.size = 0
        firsts, rest = self.known.setdefault(key, ([], []))
        at = bisect_right(firsts, watched.first)
        firsts.insert(at, watched.first)
        rest.insert(at, (watched.last, judgement))
        self.size += 1
        return judgement
