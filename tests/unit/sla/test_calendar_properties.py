"""Properties of the business-time calendar against a brute-force minute-stepping oracle (SPEC §5).

The oracle walks local wall-clock minutes one by one and asks the plain rules — weekday hours,
Colombian holidays, the entity's day off and half days — whether each minute is business time.
It shares nothing with the calendar's precomputed arrays. Bogotá has no DST, so naive local
minutes are an exact clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.calendar import BusinessCalendar

BOGOTA = ZoneInfo("America/Bogota")
MINUTE = timedelta(minutes=1)
ENTITY_DAYS_OFF = frozenset({date(2025, 12, 26), date(2026, 3, 10), date(2027, 6, 4)})
HALF_DAYS = {date(year, 12, month_day): [(time(8), time(12))] for year in (2025, 2026, 2027) for month_day in (24, 31)}
CALENDAR = BusinessCalendar(extra_days_off=ENTITY_DAYS_OFF, half_days=HALF_DAYS, years=range(2024, 2030))

HOLIDAYS = frozenset(holidays.country_holidays("CO", years=range(2024, 2030), language="es"))
DEFAULT_MINUTES = ((8 * 60, 12 * 60), (14 * 60, 18 * 60))
HALF_DAY_MINUTES = ((8 * 60, 12 * 60),)

FIRST_DAY = datetime(2025, 1, 1)
DAYS = (datetime(2028, 1, 1) - FIRST_DAY).days
THREE_BUSINESS_DAYS = 3 * 8 * 60

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None)


def oracle_is_business_minute(local: datetime) -> bool:
    """Whether the naive local minute starting at `local` is business time, from the rules alone."""
    day = local.date()
    if day in HOLIDAYS or day in ENTITY_DAYS_OFF:
        return False
    if day in HALF_DAYS:
        blocks = HALF_DAY_MINUTES
    elif day.weekday() < 5:
        blocks = DEFAULT_MINUTES
    else:
        return False
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in blocks)


def oracle_add(start: datetime, minutes: int) -> datetime:
    """The earliest local minute boundary after `start` at which `minutes` business minutes have passed."""
    current, counted = start, 0
    while counted < minutes:
        if oracle_is_business_minute(current):
            counted += 1
        current += MINUTE
    return current


def oracle_between(a: datetime, b: datetime) -> int:
    """Business minutes from `a` to `b`, zero when `b <= a`."""
    current, counted = a, 0
    while current < b:
        counted += oracle_is_business_minute(current)
        current += MINUTE
    return counted


def aware(local: datetime) -> datetime:
    return local.replace(tzinfo=BOGOTA)


def naive_local(t: datetime) -> datetime:
    return t.astimezone(BOGOTA).replace(tzinfo=None)


# Minutes of the day near block bounds, drawn often so edges are exercised on purpose.
EDGE_MINUTES = [7 * 60 + 59, 8 * 60, 8 * 60 + 1, 11 * 60 + 59, 12 * 60, 12 * 60 + 1, 13 * 60 + 59, 14 * 60, 17 * 60 + 59, 18 * 60]
# Days on and just before a holiday, an entity day off or a half day, so that counting crosses them.
SPECIAL_DAYS = sorted(
    {
        (special - FIRST_DAY.date()).days - before
        for special in HOLIDAYS | ENTITY_DAYS_OFF | HALF_DAYS.keys()
        for before in range(4)
        if 0 <= (special - FIRST_DAY.date()).days - before < DAYS
    }
)
local_minutes = st.builds(
    lambda day, minute: FIRST_DAY + timedelta(days=day, minutes=minute),
    st.one_of(st.integers(0, DAYS - 1), st.sampled_from(SPECIAL_DAYS)),
    st.one_of(st.sampled_from(EDGE_MINUTES), st.integers(0, 24 * 60 - 1)),
)
amount_minutes = st.one_of(
    st.sampled_from([0, 1, 239, 240, 241, 480, 960, THREE_BUSINESS_DAYS]), st.integers(0, THREE_BUSINESS_DAYS)
)
aware_seconds = st.builds(lambda local, second: aware(local) + timedelta(seconds=second), local_minutes, st.integers(0, 59))
amount_seconds = st.integers(0, THREE_BUSINESS_DAYS * 60)


@PROPERTY_SETTINGS
@given(start=local_minutes, minutes=amount_minutes)
def test_add_agrees_with_the_oracle(start, minutes):
    result = CALENDAR.add_business_time(aware(start), timedelta(minutes=minutes))
    assert result == aware(oracle_add(start, minutes))


@PROPERTY_SETTINGS
@given(a=local_minutes, offset=st.integers(-24 * 60, 12 * 24 * 60))
def test_between_agrees_with_the_oracle(a, offset):
    b = a + timedelta(minutes=offset)
    assert CALENDAR.business_time_between(aware(a), aware(b)) == timedelta(minutes=oracle_between(a, b))


@PROPERTY_SETTINGS
@given(start=aware_seconds, seconds=amount_seconds)
def test_a_result_is_never_outside_business_time(start, seconds):
    # With a positive amount the result closes business time: the second before it is business
    # time, and the result is either inside the same block or exactly at its end.
    result = CALENDAR.add_business_time(start, seconds)
    if seconds == 0:
        assert result == start
    else:
        assert result > start
        assert CALENDAR.is_business_time(result - timedelta(seconds=1))
        assert oracle_is_business_minute(naive_local(result - timedelta(seconds=1)).replace(second=0))


@PROPERTY_SETTINGS
@given(start=aware_seconds, seconds=amount_seconds)
def test_adding_then_measuring_gives_back_the_amount(start, seconds):
    result = CALENDAR.add_business_time(start, seconds)
    assert CALENDAR.business_time_between(start, result) == timedelta(seconds=seconds)
    # The result is the earliest such instant: one second less of result measures less.
    if seconds:
        assert CALENDAR.business_time_between(start, result - timedelta(seconds=1)) == timedelta(seconds=seconds - 1)


@PROPERTY_SETTINGS
@given(a=aware_seconds, b=aware_seconds)
def test_measuring_then_adding_does_not_pass_the_end(a, b):
    measured = CALENDAR.business_time_between(a, b)
    assert CALENDAR.add_business_time(a, measured) <= max(a, b)


@PROPERTY_SETTINGS
@given(first=aware_seconds, later_by=st.integers(0, 5 * 24 * 3600), seconds=amount_seconds)
def test_monotonic_in_start(first, later_by, seconds):
    second = first + timedelta(seconds=later_by)
    assert CALENDAR.add_business_time(first, seconds) <= CALENDAR.add_business_time(second, seconds)


@PROPERTY_SETTINGS
@given(start=aware_seconds, smaller=amount_seconds, more=st.integers(1, 24 * 3600))
def test_strictly_monotonic_in_amount(start, smaller, more):
    assert CALENDAR.add_business_time(start, smaller) < CALENDAR.add_business_time(start, smaller + more)


@PROPERTY_SETTINGS
@given(pairs=st.lists(st.tuples(aware_seconds, amount_seconds, aware_seconds), min_size=1, max_size=30))
def test_batch_and_single_forms_agree(pairs):
    starts = [start.timestamp() for start, _, _ in pairs]
    amounts = [seconds for _, seconds, _ in pairs]
    others = [other.timestamp() for _, _, other in pairs]
    assert CALENDAR.add_business_time_batch(starts, amounts).tolist() == [
        CALENDAR.add_business_time(start, seconds).timestamp() for start, seconds, _ in pairs
    ]
    assert CALENDAR.business_seconds_between_batch(starts, others).tolist() == [
        CALENDAR.business_time_between(start, other).total_seconds() for start, _, other in pairs
    ]


@PROPERTY_SETTINGS
@given(start=local_minutes, minutes=amount_minutes)
def test_results_are_utc(start, minutes):
    assert CALENDAR.add_business_time(aware(start), minutes * 60).tzinfo is UTC
