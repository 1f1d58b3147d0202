"""Appeal deadlines in business days: weekends, U.S. federal and California holidays (observed dates included),
the city's own days, across Thanksgiving, Christmas, New Year and year ends."""

from __future__ import annotations

from datetime import date

import pytest

from checker.register.appeal_window import window
from checker.register.business_days import CityCalendar
from checker.register.procedures import procedure_for

CAL = CityCalendar()


@pytest.mark.parametrize(("start", "days", "due", "skipped"), [
    # Monday before Thanksgiving: Thanksgiving, the day after, Christmas and New Year's Day are skipped
    (date(2026, 11, 23), 30, date(2027, 1, 8), ["2026-11-26", "2026-11-27", "2026-12-25", "2027-01-01"]),
    # 2027: Christmas falls on a Saturday (observed Friday 24th); New Year's Day 2028 on a Saturday (observed Friday
    # 31 December 2027): the period ends the day before that observed holiday
    (date(2027, 11, 15), 30, date(2027, 12, 30), ["2027-11-25", "2027-11-26", "2027-12-24"]),
    # one day later, the 30th business day would be the observed New Year's Day: it moves into 2028
    (date(2027, 11, 16), 30, date(2028, 1, 3), ["2027-11-25", "2027-11-26", "2027-12-24", "2027-12-31"]),
    # notified on a Saturday: counting starts on Monday
    (date(2026, 12, 19), 1, date(2026, 12, 21), []),
    # notified on Christmas Eve (Thursday): Christmas and the weekend are skipped
    (date(2026, 12, 24), 1, date(2026, 12, 28), ["2026-12-25"]),
    # seven business days across the New Year (the Council agenda period)
    (date(2026, 12, 28), 7, date(2027, 1, 7), ["2027-01-01"]),
    # Independence Day 2026 is a Saturday: observed Friday 3 July
    (date(2026, 7, 2), 1, date(2026, 7, 6), ["2026-07-03"]),
    # California's own holidays: Cesar Chavez Day (31 March) and the day after Thanksgiving
    (date(2027, 3, 30), 1, date(2027, 4, 1), ["2027-03-31"]),
    # the federal Columbus Day (Indigenous Peoples' Day in Berkeley) counts too
    (date(2026, 10, 9), 1, date(2026, 10, 13), ["2026-10-12"]),
])
def test_business_days_skip_weekends_and_holidays(start, days, due, skipped):
    deadline = CAL.add(start, days)
    assert deadline.due == due
    assert [d.isoformat() for d, _ in deadline.skipped] == skipped
    assert CAL.is_business_day(due)


def test_a_city_day_moves_the_deadline():
    closed = CityCalendar(extra={date(2026, 12, 24): "Winter closure"})
    deadline = closed.add(date(2026, 11, 23), 30)
    assert deadline.due == date(2027, 1, 11)
    assert (date(2026, 12, 24), "Winter closure") in deadline.skipped
    assert "Winter closure" in deadline.explain() and "5 holidays" in deadline.explain()


def test_berkeley_appeal_window_has_both_periods():
    proc = procedure_for("berkeley-ca")
    win = window(proc, CAL, date(2026, 11, 23), agenda_on=date(2026, 12, 15))
    assert win.last_day == date(2027, 1, 8)
    assert win.agenda is not None and win.agenda.due == date(2026, 12, 24)
    assert "BMC 13.105.030(D)" in win.text() and "Council agenda date 2026-12-15" in win.text()


def test_a_rule_set_without_a_recorded_procedure_gives_no_deadline_unless_told():
    proc = procedure_for("richmond-ca", "Richmond, California")
    assert not proc.known
    assert window(proc, CAL, date(2026, 11, 23)).deadline is None
    assert "no appeal period is recorded" in window(proc, CAL, date(2026, 11, 23)).text()
    assert window(proc, CAL, date(2026, 11, 23), appeal_days=10).last_day == date(2026, 12, 9)


def test_a_period_must_be_positive():
    with pytest.raises(ValueError):
        CAL.add(date(2026, 1, 1), 0)


def test_a_state_holiday_the_city_works_counts_as_a_business_day(tmp_path):
    from checker.errors import InputError
    from checker.register import city_days
    from checker.register.store import Change, open_register

    start = date(2027, 10, 1)  # 30 business days later crosses Diwali (2027-10-29, a California holiday since 2025)
    closed = CAL.add(start, 30)
    assert date(2027, 10, 29) in [d for d, _ in closed.skipped]
    with open_register(tmp_path / "r.sqlite", create=True) as reg:
        city_days.open_on_holiday(reg, Change("clerk", "offices open"), date(2027, 10, 29), "")
        opened = city_days.city_calendar(reg)
        with pytest.raises(InputError, match="not a federal or California holiday"):
            city_days.open_on_holiday(reg, Change("clerk", "x"), date(2027, 10, 28), "")
    deadline = opened.add(start, 30)
    assert date(2027, 10, 29) not in [d for d, _ in deadline.skipped]
    assert deadline.due < closed.due and opened.is_business_day(date(2027, 10, 29))
    assert date(2027, 10, 29) not in [d for d, _ in opened.holidays_between(date(2027, 10, 1), date(2027, 10, 31))]
    with open_register(tmp_path / "r.sqlite") as reg:
        city_days.withdraw_open_day(reg, Change("clerk", "closed after all"), date(2027, 10, 29))
        assert city_days.city_calendar(reg).add(start, 30).due == closed.due
        history = [tuple(r) for r in reg.rows("SELECT kind, action FROM history WHERE kind = 'open_days'")]
    assert history == [("open_days", "created"), ("open_days", "withdrawn")]
