"""Concrete Colombian cases of the business-time calendar (SPEC §5, §6), each worked out by hand.

Default hours: Monday–Friday 08:00–12:00 and 14:00–18:00 in Bogotá (UTC-5 all year), so a local
time H:MM is (H+5):MM UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest

from sla.calendar import BusinessCalendar

BOGOTA = ZoneInfo("America/Bogota")
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def calendar() -> BusinessCalendar:
    return BusinessCalendar()


def bogota(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BOGOTA)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_results_are_in_utc(calendar):
    result = calendar.add_business_time(bogota(2026, 3, 9, 8), HOUR)
    assert result.tzinfo is UTC
    assert result == utc(2026, 3, 9, 14)


def test_ley_emiliani_moves_san_jose_to_monday(calendar):
    # San José, Thursday 19 March 2026, is moved to Monday 23 March 2026.
    assert calendar.is_business_day(date(2026, 3, 19))
    assert not calendar.is_business_day(date(2026, 3, 23))
    # Friday 20 March 16:00 + 4 h: 2 h on Friday (16–18), Saturday, Sunday and the Monday
    # holiday skipped, 2 h on Tuesday 24 March (08–10).
    assert calendar.add_business_time(bogota(2026, 3, 20, 16), 4 * HOUR) == bogota(2026, 3, 24, 10)


def test_holy_week_thursday_and_friday_are_off(calendar):
    # Jueves Santo 2 April 2026 and Viernes Santo 3 April 2026.
    assert not calendar.is_business_day(date(2026, 4, 2))
    assert not calendar.is_business_day(date(2026, 4, 3))
    # Wednesday 1 April 17:00 + 2 h: 1 h on Wednesday, then Monday 6 April 08:00 + 1 h.
    assert calendar.add_business_time(bogota(2026, 4, 1, 17), 2 * HOUR) == bogota(2026, 4, 6, 9)
    # Wednesday 12:00 → Monday 12:00: Wednesday 14–18 (4 h) and Monday 08–12 (4 h).
    assert calendar.business_time_between(bogota(2026, 4, 1, 12), bogota(2026, 4, 6, 12)) == 8 * HOUR


def test_year_change_2025_to_2026(calendar):
    # Wednesday 31 December 2025 17:00 + 2 h: 1 h on the 31st, 1 January 2026 (Thursday) is a
    # holiday, Friday 2 January 08:00 + 1 h.
    assert calendar.add_business_time(bogota(2025, 12, 31, 17), 2 * HOUR) == bogota(2026, 1, 2, 9)
    assert calendar.add_business_days(date(2025, 12, 31), 1) == date(2026, 1, 2)


def test_reyes_2026_moves_to_monday_12_january(calendar):
    # Reyes, Tuesday 6 January 2026, is moved to Monday 12 January: the 6th is a working day.
    assert calendar.is_business_day(date(2026, 1, 6))
    assert not calendar.is_business_day(date(2026, 1, 12))
    # Friday 9 January + 1 business day: Saturday, Sunday and Monday 12 skipped → Tuesday 13.
    assert calendar.add_business_days(date(2026, 1, 9), 1) == date(2026, 1, 13)


def test_year_change_2026_to_2027(calendar):
    # Thursday 31 December 2026 17:30 + 1 h: 30 min on the 31st; Friday 1 January 2027 is a
    # holiday, then the weekend; Monday 4 January 08:00 + 30 min.
    assert calendar.add_business_time(bogota(2026, 12, 31, 17, 30), HOUR) == bogota(2027, 1, 4, 8, 30)
    assert calendar.add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    # Reyes, Wednesday 6 January 2027, is moved to Monday 11 January 2027.
    assert calendar.is_business_day(date(2027, 1, 6))
    assert not calendar.is_business_day(date(2027, 1, 11))


def test_start_on_a_saturday_counts_from_monday_08_00(calendar):
    # Saturday 7 March 2026 10:00 + 1 h → Monday 9 March 09:00 (14:00 UTC).
    assert calendar.add_business_time(bogota(2026, 3, 7, 10), HOUR) == utc(2026, 3, 9, 14)


def test_start_at_lunch_counts_from_14_00(calendar):
    # Tuesday 10 March 2026 12:30 + 30 min → 14:30.
    assert not calendar.is_business_time(bogota(2026, 3, 10, 12, 30))
    assert calendar.add_business_time(bogota(2026, 3, 10, 12, 30), timedelta(minutes=30)) == bogota(2026, 3, 10, 14, 30)


def test_start_after_hours_counts_from_next_day_08_00(calendar):
    # Tuesday 10 March 2026 19:00 + 1 h → Wednesday 11 March 09:00.
    assert not calendar.is_business_time(bogota(2026, 3, 10, 19))
    assert calendar.add_business_time(bogota(2026, 3, 10, 19), HOUR) == bogota(2026, 3, 11, 9)


def test_input_given_in_utc(calendar):
    # 13:00 UTC on Monday 9 March 2026 is 08:00 in Bogotá: the first second of business time.
    assert calendar.is_business_time(utc(2026, 3, 9, 13))
    assert not calendar.is_business_time(utc(2026, 3, 9, 12, 59, 59))
    assert calendar.add_business_time(utc(2026, 3, 9, 13), 3600) == utc(2026, 3, 9, 14)
    # Any fixed offset works too: 09:00-04:00 is 08:00 in Bogotá.
    minus_four = timezone(timedelta(hours=-4))
    assert calendar.add_business_time(datetime(2026, 3, 9, 9, tzinfo=minus_four), HOUR) == bogota(2026, 3, 9, 9)


def test_block_bounds_start_included_end_excluded(calendar):
    assert calendar.is_business_time(bogota(2026, 3, 9, 8))
    assert calendar.is_business_time(bogota(2026, 3, 9, 11, 59, 59))
    assert not calendar.is_business_time(bogota(2026, 3, 9, 12))
    assert calendar.is_business_time(bogota(2026, 3, 9, 14))
    assert not calendar.is_business_time(bogota(2026, 3, 9, 18))


def test_result_on_a_block_end_is_that_end(calendar):
    monday_8 = bogota(2026, 3, 9, 8)
    # 4 h from 08:00 ends at 12:00, not at 14:00 …
    assert calendar.add_business_time(monday_8, 4 * HOUR) == bogota(2026, 3, 9, 12)
    # … 8 h ends at 18:00 the same day, not at 08:00 the next day …
    assert calendar.add_business_time(monday_8, 8 * HOUR) == bogota(2026, 3, 9, 18)
    # … and one more minute goes on after lunch.
    assert calendar.add_business_time(monday_8, timedelta(hours=4, minutes=1)) == bogota(2026, 3, 9, 14, 1)


def test_zero_business_time_returns_the_start_itself(calendar):
    saturday = bogota(2026, 3, 7, 10)
    assert calendar.add_business_time(saturday, 0) == saturday
    assert calendar.add_business_time(bogota(2026, 3, 9, 12), timedelta(0)) == bogota(2026, 3, 9, 12)


def test_amounts_and_instants_in_whole_seconds(calendar):
    # The sub-second part of an instant is dropped; an amount is rounded to the nearest second.
    start = bogota(2026, 3, 9, 8).replace(microsecond=999_999)
    assert calendar.add_business_time(start, 59.6) == bogota(2026, 3, 9, 8, 1)
    assert calendar.add_business_time(start, timedelta(seconds=59, microseconds=600_000)) == bogota(2026, 3, 9, 8, 1)


def test_business_time_between(calendar):
    # Friday 6 March 2026 17:00 → Monday 9 March 09:00: 1 h Friday + 1 h Monday.
    assert calendar.business_time_between(bogota(2026, 3, 6, 17), bogota(2026, 3, 9, 9)) == 2 * HOUR
    # Lunch and nights count nothing.
    assert calendar.business_time_between(bogota(2026, 3, 9, 12), bogota(2026, 3, 9, 14)) == timedelta(0)
    # Reversed or equal instants give zero.
    assert calendar.business_time_between(bogota(2026, 3, 9, 9), bogota(2026, 3, 6, 17)) == timedelta(0)
    assert calendar.business_time_between(bogota(2026, 3, 9, 9), bogota(2026, 3, 9, 9)) == timedelta(0)


def test_add_business_days_across_weekend_and_holiday(calendar):
    # Friday 20 March 2026: Saturday, Sunday and Monday 23 (San José) are skipped.
    assert calendar.add_business_days(date(2026, 3, 20), 1) == date(2026, 3, 24)
    assert calendar.add_business_days(date(2026, 3, 20), 3) == date(2026, 3, 26)
    # Counting starts the day after, whether or not the start day is a business day.
    assert calendar.add_business_days(date(2026, 3, 21), 1) == date(2026, 3, 24)
    assert calendar.add_business_days(date(2026, 3, 24), 1) == date(2026, 3, 25)
    assert calendar.add_business_days(date(2026, 3, 21), 0) == date(2026, 3, 21)


def test_business_day_deadline_across_a_holiday(calendar):
    # Acta sent Friday 20 March 2026; observations within 3 business days (SPEC §6): Tuesday 24,
    # Wednesday 25, Thursday 26 March. The deadline is Thursday 23:59:59 in Bogotá, that is
    # Friday 27 March 04:59:59 UTC.
    deadline = calendar.business_day_deadline(date(2026, 3, 20), 3)
    assert deadline == utc(2026, 3, 27, 4, 59, 59)
    assert deadline.tzinfo is UTC


def test_two_holidays_on_one_date_are_one_day_off(calendar):
    # 30 June 2025: Sagrado Corazón and San Pedro y San Pablo, both moved to that Monday.
    names = holidays.country_holidays("CO", years=2025, language="es").get(date(2025, 6, 30))
    assert names is not None and "Sagrado Corazón" in names and "San Pedro y San Pablo" in names
    assert not calendar.is_business_day(date(2025, 6, 30))
    # Friday 27 June → Tuesday 1 July: one business day, not two lost.
    assert calendar.add_business_days(date(2025, 6, 27), 1) == date(2025, 7, 1)
    assert calendar.add_business_days(date(2025, 6, 27), 2) == date(2025, 7, 2)


def test_ley_2578_de_2026_chiquinquira_is_a_day_off():
    # Ley 2578 de 2026 adds Nuestra Señora del Rosario de Chiquinquirá (9 July, moved to the
    # next Monday by Ley Emiliani) from 2026 on; the `holidays` package has it since 0.99.
    assert tuple(int(part) for part in holidays.__version__.split(".")[:2]) >= (0, 99)
    calendar = BusinessCalendar(years=range(2025, 2028))
    names = holidays.country_holidays("CO", years=2026, language="es").get(date(2026, 7, 13))
    assert names is not None and "Chiquinquirá" in names
    # Thursday 9 July 2026 is worked; the holiday is Monday 13 July 2026.
    assert calendar.is_business_day(date(2026, 7, 9))
    assert not calendar.is_business_day(date(2026, 7, 13))
    # Friday 10 July + 1 business day → Tuesday 14 July.
    assert calendar.add_business_days(date(2026, 7, 10), 1) == date(2026, 7, 14)
    # In 2027, Friday 9 July moves to Monday 12 July.
    assert not calendar.is_business_day(date(2027, 7, 12))
    # Not before the law: Monday 14 July 2025 is an ordinary working day.
    assert calendar.is_business_day(date(2025, 7, 14))


def test_entity_day_off():
    # The entity closes Tuesday 10 March 2026: Monday 9 March 17:00 + 2 h → Wednesday 11 09:00.
    calendar = BusinessCalendar(extra_days_off=[date(2026, 3, 10)], years=range(2026, 2027))
    assert not calendar.is_business_day(date(2026, 3, 10))
    assert not calendar.is_business_time(bogota(2026, 3, 10, 9))
    assert calendar.add_business_time(bogota(2026, 3, 9, 17), 2 * HOUR) == bogota(2026, 3, 11, 9)
    assert calendar.add_business_days(date(2026, 3, 9), 1) == date(2026, 3, 11)


def test_half_day_on_christmas_eve():
    # Thursday 24 December 2026 works 08:00–12:00 only. 11:00 + 2 h: 1 h on the 24th, Friday 25
    # is Navidad, then the weekend; Monday 28 December 08:00 + 1 h.
    calendar = BusinessCalendar(half_days={date(2026, 12, 24): [(time(8), time(12))]}, years=range(2026, 2028))
    assert calendar.is_business_day(date(2026, 12, 24))
    assert not calendar.is_business_time(bogota(2026, 12, 24, 14, 30))
    assert calendar.add_business_time(bogota(2026, 12, 24, 11), 2 * HOUR) == bogota(2026, 12, 28, 9)
    assert calendar.business_time_between(bogota(2026, 12, 24), bogota(2026, 12, 25)) == 4 * HOUR


def test_half_day_may_open_a_saturday_but_not_a_holiday():
    calendar = BusinessCalendar(
        half_days={date(2026, 3, 7): [(time(8), time(12))], date(2026, 3, 23): [(time(8), time(12))]},
        years=range(2026, 2027),
    )
    # Saturday 7 March 2026 opens 08:00–12:00 …
    assert calendar.is_business_day(date(2026, 3, 7))
    assert calendar.add_business_time(bogota(2026, 3, 6, 17), 2 * HOUR) == bogota(2026, 3, 7, 9)
    # … but Monday 23 March (San José) stays a holiday.
    assert not calendar.is_business_day(date(2026, 3, 23))


def test_custom_hours():
    # A desk open Monday–Saturday 07:00–13:00 without a lunch break; Saturday is a business day.
    morning = [(time(7), time(13))]
    calendar = BusinessCalendar(hours={weekday: morning for weekday in range(6)}, years=range(2026, 2027))
    assert calendar.is_business_day(date(2026, 3, 7))
    assert calendar.add_business_time(bogota(2026, 3, 6, 12), 2 * HOUR) == bogota(2026, 3, 7, 8)


def test_wall_clock_hours_follow_a_dst_zone():
    # Not needed in Colombia, but the local hours go through zoneinfo: New York moves to EDT on
    # Sunday 8 March 2026, so 08:00 is 13:00 UTC on Friday 6 March and 12:00 UTC on Monday 9 March.
    new_york = ZoneInfo("America/New_York")
    calendar = BusinessCalendar(tz="America/New_York", country="US", years=range(2026, 2027))
    friday_17 = datetime(2026, 3, 6, 17, tzinfo=new_york)
    assert calendar.add_business_time(friday_17, 2 * HOUR) == utc(2026, 3, 9, 13)
    assert calendar.business_time_between(friday_17, utc(2026, 3, 9, 13)) == 2 * HOUR


def test_batch_forms_agree_on_the_concrete_cases(calendar):
    cases = [
        (bogota(2026, 3, 20, 16), 4 * HOUR),
        (bogota(2026, 4, 1, 17), 2 * HOUR),
        (bogota(2025, 12, 31, 17), 2 * HOUR),
        (bogota(2026, 3, 7, 10), HOUR),
        (bogota(2026, 3, 10, 12, 30), timedelta(minutes=30)),
        (bogota(2026, 3, 9, 8), 4 * HOUR),
        (bogota(2026, 3, 7, 10), timedelta(0)),
    ]
    starts = [start.timestamp() for start, _ in cases]
    deltas = [delta.total_seconds() for _, delta in cases]
    expected = [calendar.add_business_time(start, delta).timestamp() for start, delta in cases]
    results = calendar.add_business_time_batch(starts, deltas)
    assert results.dtype == np.int64
    assert results.tolist() == expected
    assert calendar.business_seconds_between_batch(starts, results).tolist() == deltas
    # One amount broadcasts over many starts.
    assert calendar.add_business_time_batch(starts, 3600).tolist() == [
        calendar.add_business_time(start, HOUR).timestamp() for start, _ in cases
    ]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_business_time(datetime(2026, 3, 9, 8), HOUR),
        lambda c: c.business_time_between(bogota(2026, 3, 9, 8), datetime(2026, 3, 9, 9)),
        lambda c: c.is_business_time(datetime(2026, 3, 9, 8)),
        lambda c: c.add_business_time(bogota(2026, 3, 9, 8), -HOUR),
        lambda c: c.add_business_time(bogota(2026, 3, 9, 8), float("nan")),
        lambda c: c.add_business_time(bogota(1999, 12, 31, 8), HOUR),
        lambda c: c.add_business_time(bogota(2061, 1, 2, 8), HOUR),
        lambda c: c.add_business_time(bogota(2060, 12, 29, 8), timedelta(days=30)),
        lambda c: c.add_business_days(date(2060, 12, 29), 10),
        lambda c: c.add_business_days(date(2026, 3, 9), -1),
        lambda c: c.is_business_day(datetime(2026, 3, 9, 8, tzinfo=UTC)),
        lambda c: c.add_business_time_batch([bogota(1999, 6, 1).timestamp()], [60]),
        lambda c: c.add_business_time_batch([bogota(2026, 3, 9).timestamp()], [-60]),
    ],
    ids=[
        "naive-start",
        "naive-end",
        "naive-instant",
        "negative-amount",
        "nan-amount",
        "before-range",
        "after-range",
        "result-after-range",
        "days-after-range",
        "negative-days",
        "datetime-as-date",
        "batch-before-range",
        "batch-negative-amount",
    ],
)
def test_refusals(calendar, call):
    with pytest.raises(ValueError):
        call(calendar)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hours": {7: [(time(8), time(12))]}},
        {"hours": {0: [(time(12), time(8))]}},
        {"hours": {0: [(time(8), time(12)), (time(11), time(14))]}},
        {"hours": {0: [(time(8, tzinfo=UTC), time(12))]}},
        {"hours": {}},
        {"years": range(2026, 2026)},
        {"extra_days_off": [datetime(2026, 3, 10, tzinfo=UTC)]},
    ],
    ids=["weekday-7", "end-before-start", "overlap", "aware-time", "no-business-time", "no-years", "datetime-day-off"],
)
def test_invalid_configuration(kwargs):
    with pytest.raises(ValueError):
        BusinessCalendar(**kwargs)


def test_range_bounds(calendar):
    assert calendar.range_start == bogota(2000, 1, 1)
    assert calendar.range_end == bogota(2061, 1, 1)
