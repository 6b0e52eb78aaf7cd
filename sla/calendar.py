"""Business-time calendar of the ANS engine (SPEC §5, §6).

Pure computation: no Flask, no database. A `BusinessCalendar` is built once from the business
hours per weekday, the Colombian holidays of the `holidays` package (country ``CO``, Ley Emiliani
moves included, always ``language="es"``), the entity's own days off and its half days. It then
answers "when does this much business time run out?" and "how much business time lies between
these two instants?" by binary search on arrays precomputed for a range of years.

Conventions (they hold for the single and the batch forms alike):

- Instants are timezone-aware; a naive datetime is refused with `ValueError`. Results are
  timezone-aware datetimes in UTC (batch forms: POSIX seconds).
- Everything is computed in whole seconds: the sub-second part of an instant is dropped (floor),
  an amount of business time is rounded to the nearest second (half to even). SLA targets are
  in minutes, so this is far below what matters.
- A business block is half-open: its start is business time, its end is not
  (08:00 is business time, 12:00 is not).
- Instants outside the precomputed range (local midnight of 1 January of the first year to
  local midnight of 1 January after the last year) are refused with `ValueError`.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt

Block = tuple[time, time]

#: Monday–Friday 08:00–12:00 and 14:00–18:00, nothing on Saturday and Sunday (SPEC §5).
DEFAULT_HOURS: Mapping[int, tuple[Block, ...]] = MappingProxyType(
    {weekday: ((time(8), time(12)), (time(14), time(18))) for weekday in range(5)}
)
DEFAULT_YEARS = range(2000, 2061)
DEFAULT_TZ = "America/Bogota"
#: "A business-day deadline ends at 23:59:59 local time of its last day" (SPEC §6).
DEADLINE_TIME = time(23, 59, 59)

_SECONDS_PER_DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_from_timestamp = datetime.fromtimestamp


@lru_cache(maxsize=8)
def public_holidays(country: str, first_year: int, last_year: int) -> frozenset[date]:
    """The public holidays of `country` from `first_year` to `last_year` as a set of dates.

    Always with ``language="es"`` (SPEC §5); two holidays on one date are one day off, which a
    set of dates gives for free (e.g. Sagrado Corazón and San Pedro y San Pablo on 30 June 2025).
    """
    found = holidays.country_holidays(country, years=range(first_year, last_year + 1), language="es")
    return frozenset(found.keys())


def _check_date(d: date, what: str) -> None:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise ValueError(f"{what} must be a date (not a datetime): {d!r}")


def _day_blocks(blocks: Sequence[Block], what: str) -> tuple[tuple[int, int], ...]:
    """Validate one day's blocks and return them as sorted (start, end) seconds after local midnight.

    An end of ``time(0)`` means midnight at the end of the day (24:00). Blocks may touch but not
    overlap; they must be whole seconds and carry no tzinfo (they are local wall-clock times).
    """
    result: list[tuple[int, int]] = []
    for block in blocks:
        start, end = block
        for moment in (start, end):
            if not isinstance(moment, time) or moment.tzinfo is not None or moment.microsecond:
                raise ValueError(f"{what}: block bounds must be naive times in whole seconds, got {block!r}")
        start_s = start.hour * 3600 + start.minute * 60 + start.second
        end_s = end.hour * 3600 + end.minute * 60 + end.second or _SECONDS_PER_DAY
        if end_s <= start_s:
            raise ValueError(f"{what}: a block must end after it starts, got {block!r}")
        result.append((start_s, end_s))
    result.sort()
    for (_, previous_end), (next_start, _) in pairwise(result):
        if next_start < previous_end:
            raise ValueError(f"{what}: blocks overlap")
    return tuple(result)


class BusinessCalendar:
    """Business time of one entity: hours per weekday, holidays, days off and half days (SPEC §5).

    - `hours`: weekday (0 = Monday … 6 = Sunday) → blocks of local wall-clock time; a missing
      weekday has no business hours.
    - `extra_days_off`: the entity's own non-working days, closed all day.
    - `half_days`: dates whose blocks replace that weekday's usual ones (e.g. 24 December
      08:00–12:00). They may open a day that is normally closed (a Saturday), but a public
      holiday or an entity day off stays closed.
    - `tz`: the local time zone of the hours (Colombia: UTC-5 all year, converted through
      zoneinfo anyway).
    - `years`: the years precomputed (default 2000–2060); instants outside them are refused.

    The blocks of every day of those years are precomputed once as sorted POSIX seconds (UTC)
    with the business seconds elapsed before each block, so each question is a binary search.
    Building takes a few tenths of a second for the default 61 years: build a calendar once per
    configuration and reuse it.
    """

    def __init__(
        self,
        hours: Mapping[int, Sequence[Block]] = DEFAULT_HOURS,
        extra_days_off: Iterable[date] = (),
        half_days: Mapping[date, Sequence[Block]] | None = None,
        tz: str | tzinfo = DEFAULT_TZ,
        years: range | None = None,
        country: str = "CO",
    ) -> None:
        self.zone: tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz
        years = DEFAULT_YEARS if years is None else years
        if len(years) == 0:
            raise ValueError("years must not be empty")
        self.first_year, self.last_year = min(years), max(years)

        unknown = set(hours) - set(range(7))
        if unknown:
            raise ValueError(f"hours: weekdays are 0 (Monday) to 6 (Sunday), got {sorted(unknown)}")
        weekly = [_day_blocks(hours.get(weekday, ()), f"hours[{weekday}]") for weekday in range(7)]
        special: dict[date, tuple[tuple[int, int], ...]] = {}
        for day, blocks in (half_days or {}).items():
            _check_date(day, "half_days key")
            special[day] = _day_blocks(blocks, f"half_days[{day}]")
        entity_days_off = frozenset(extra_days_off)
        for day in entity_days_off:
            _check_date(day, "extra_days_off item")
        self.days_off: frozenset[date] = public_holidays(country, self.first_year, self.last_year) | entity_days_off

        first_day, last_day = date(self.first_year, 1, 1), date(self.last_year, 12, 31)
        self._first_ordinal, self._last_ordinal = first_day.toordinal(), last_day.toordinal()
        self._lower = self._local_seconds(first_day, 0)
        self._upper = self._local_seconds(last_day, _SECONDS_PER_DAY)

        raw: list[tuple[int, int]] = []
        business_days: list[int] = []
        for ordinal in range(self._first_ordinal, self._last_ordinal + 1):
            day = date.fromordinal(ordinal)
            if day in self.days_off:
                continue
            day_blocks = special[day] if day in special else weekly[day.weekday()]
            if day_blocks:
                business_days.append(ordinal)
            raw.extend((self._local_seconds(day, start), self._local_seconds(day, end)) for start, end in day_blocks)

        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(block for block in raw if block[1] > block[0]):
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        if not starts:
            raise ValueError("the calendar has no business time at all")

        cumulative: list[int] = []
        elapsed = 0
        for start, end in zip(starts, ends, strict=True):
            cumulative.append(elapsed)
            elapsed += end - start
        self._starts, self._ends, self._cumulative = starts, ends, cumulative
        self._cumulative_end = [before + end - start for before, start, end in zip(cumulative, starts, ends, strict=True)]
        self._business_days = business_days
        self._np_starts = np.array(starts, dtype=np.int64)
        self._np_ends = np.array(ends, dtype=np.int64)
        self._np_cumulative = np.array(cumulative, dtype=np.int64)
        self._np_cumulative_end = np.array(self._cumulative_end, dtype=np.int64)

    @property
    def range_start(self) -> datetime:
        """The first instant the calendar answers for (local midnight of 1 January of the first year), in UTC."""
        return datetime.fromtimestamp(self._lower, UTC)

    @property
    def range_end(self) -> datetime:
        """The last instant the calendar answers for (local midnight after 31 December of the last year), in UTC."""
        return datetime.fromtimestamp(self._upper, UTC)

    def _local_seconds(self, day: date, seconds: int) -> int:
        """POSIX seconds of the local wall-clock time `seconds` after midnight of `day`."""
        wall = datetime.combine(day, time(0), tzinfo=self.zone) + timedelta(seconds=seconds)
        return math.floor(wall.timestamp())

    def _instant(self, t: datetime) -> int:
        if not isinstance(t, datetime) or t.tzinfo is None:
            raise ValueError(f"expected a timezone-aware datetime, got {t!r}")
        try:
            seconds = math.floor(t.timestamp())
        except TypeError:
            raise ValueError(f"expected a timezone-aware datetime, got {t!r}") from None
        if seconds < self._lower or seconds > self._upper:
            raise ValueError(f"{t.isoformat()} is outside the calendar's years {self.first_year}–{self.last_year}")
        return seconds

    @staticmethod
    def _amount(delta: timedelta | float) -> int:
        if isinstance(delta, timedelta):
            seconds = delta.days * _SECONDS_PER_DAY + delta.seconds if not delta.microseconds else round(delta.total_seconds())
        elif isinstance(delta, int):
            seconds = delta
        elif math.isfinite(delta):
            seconds = round(delta)
        else:
            raise ValueError(f"business time must be finite, got {delta!r}")
        if seconds < 0:
            raise ValueError(f"business time must not be negative, got {delta!r}")
        return seconds

    def _elapsed(self, seconds: int) -> int:
        """Business seconds from the start of the range to the instant `seconds`."""
        i = bisect_right(self._starts, seconds) - 1
        if i < 0:
            return 0
        end = self._ends[i]
        return self._cumulative[i] + (seconds if seconds < end else end) - self._starts[i]

    def add_business_time(self, start: datetime, delta: timedelta | float) -> datetime:
        """The instant at which `delta` of business time (a timedelta or seconds) has elapsed after `start`.

        The result is the earliest instant ``t >= start`` with
        ``business_time_between(start, t) == delta``. Hence:

        - if `start` is outside business time (a Saturday, 12:30 at lunch, 19:00), counting
          starts at the next block start;
        - a result that falls exactly on the end of a block is that end: 4 hours from Monday
          08:00 is Monday 12:00, not 14:00;
        - a zero `delta` returns `start` itself (in UTC, whole seconds), even outside business time.

        Used for ANS `due_at` and `warn_at` (SPEC §5). Returned in UTC, in whole seconds.
        """
        # this runs per timer: the common case inline, everything else through `_instant` and `_amount`.
        # An aware datetime minus the aware epoch is exact (what `timestamp()` computes before it turns
        # it into a float); a naive one, or a tzinfo without an offset, raises TypeError there.
        try:
            since = start - _EPOCH if isinstance(start, datetime) else None
        except TypeError:
            since = None
        if since is None:
            seconds = self._instant(start)
        else:
            seconds = since.days * _SECONDS_PER_DAY + since.seconds
            if seconds < self._lower or seconds > self._upper:
                seconds = self._instant(start)  # raises the out-of-range ValueError
        if type(delta) is timedelta and not delta.microseconds and delta.days >= 0:
            amount = delta.days * _SECONDS_PER_DAY + delta.seconds
        else:
            amount = self._amount(delta)
        if amount:
            starts = self._starts
            i = bisect_right(starts, seconds) - 1  # _elapsed(seconds), inline
            if i < 0:
                target = amount
            else:
                end = self._ends[i]
                target = self._cumulative[i] + (seconds if seconds < end else end) - starts[i] + amount
            cumulative_end = self._cumulative_end
            j = bisect_left(cumulative_end, target)
            if j == len(cumulative_end):
                raise ValueError(f"the result lies after the calendar's last year {self.last_year}")
            seconds = self._ends[j] - (cumulative_end[j] - target)
        return _from_timestamp(seconds, UTC)

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The business time from `a` to `b` (zero when ``b <= a``), in whole seconds (SPEC §5 metrics)."""
        elapsed = self._elapsed(self._instant(b)) - self._elapsed(self._instant(a))
        return timedelta(seconds=max(elapsed, 0))

    def is_business_time(self, t: datetime) -> bool:
        """Whether `t` is inside a business block (block start included, block end excluded)."""
        seconds = self._instant(t)
        i = bisect_right(self._starts, seconds) - 1
        return i >= 0 and seconds < self._ends[i]

    def _ordinal(self, d: date) -> int:
        _check_date(d, "day")
        ordinal = d.toordinal()
        if not self._first_ordinal <= ordinal <= self._last_ordinal:
            raise ValueError(f"{d.isoformat()} is outside the calendar's years {self.first_year}–{self.last_year}")
        return ordinal

    def is_business_day(self, d: date) -> bool:
        """Whether `d` has at least one business block: not a Saturday or Sunday (with the default
        hours), not a holiday, not an entity day off (the `días hábiles` of SPEC §5)."""
        ordinal = self._ordinal(d)
        i = bisect_left(self._business_days, ordinal)
        return i < len(self._business_days) and self._business_days[i] == ordinal

    def add_business_days(self, d: date, n: int) -> date:
        """The `n`-th business day after `d`; counting starts the day after `d` (SPEC §5, §6).

        ``n = 1`` is the first business day after `d`, whether or not `d` itself is one;
        ``n = 0`` returns `d` unchanged. `n` must not be negative.
        """
        if n < 0:
            raise ValueError(f"the number of business days must not be negative, got {n}")
        ordinal = self._ordinal(d)
        if n == 0:
            return d
        i = bisect_right(self._business_days, ordinal) + n - 1
        if i >= len(self._business_days):
            raise ValueError(f"the result lies after the calendar's last year {self.last_year}")
        return date.fromordinal(self._business_days[i])

    def business_day_deadline(self, d: date, n: int) -> datetime:
        """The deadline of `n` business days after `d`: 23:59:59 local time of the `n`-th business
        day after `d` (SPEC §6: "a business-day deadline ends at 23:59:59 local time of its last
        day"), returned in UTC — in Bogotá that is 04:59:59 UTC of the following date.

        Used for the acta deadlines: sent within 5 business days, observations within 3.
        """
        last_day = self.add_business_days(d, n)
        return datetime.combine(last_day, DEADLINE_TIME, tzinfo=self.zone).astimezone(UTC)

    def _instants_array(self, values: npt.ArrayLike) -> npt.NDArray[np.int64]:
        array = np.asarray(values)
        if np.issubdtype(array.dtype, np.integer):
            seconds = array.astype(np.int64)
        else:
            floats = array.astype(np.float64)
            if not np.isfinite(floats).all():
                raise ValueError("instants must be finite POSIX seconds")
            seconds = np.floor(floats).astype(np.int64)
        if seconds.size and (seconds.min() < self._lower or seconds.max() > self._upper):
            raise ValueError(f"an instant is outside the calendar's years {self.first_year}–{self.last_year}")
        return seconds

    @staticmethod
    def _amounts_array(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
        array = np.asarray(values)
        if np.issubdtype(array.dtype, np.integer):
            seconds = array.astype(np.int64)
        else:
            floats = array.astype(np.float64)
            if not np.isfinite(floats).all():
                raise ValueError("business time must be finite")
            seconds = np.rint(floats).astype(np.int64)
        if seconds.size and seconds.min() < 0:
            raise ValueError("business time must not be negative")
        return seconds

    def _elapsed_array(self, seconds: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        i = np.maximum(np.searchsorted(self._np_starts, seconds, side="right") - 1, 0)
        starts = self._np_starts[i]
        return self._np_cumulative[i] + np.clip(seconds, starts, self._np_ends[i]) - starts

    def add_business_time_batch(self, starts: npt.ArrayLike, deltas_seconds: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Vectorised `add_business_time` for reports and recomputation.

        `starts` are POSIX seconds (UTC), `deltas_seconds` amounts of business time in seconds;
        they broadcast against each other (one delta for many starts is fine). Returns POSIX
        seconds as int64, equal to the single form's results for the same inputs.
        """
        seconds = self._instants_array(starts)
        amounts = self._amounts_array(deltas_seconds)
        seconds, amounts = np.broadcast_arrays(seconds, amounts)
        target = self._elapsed_array(seconds) + amounts
        j = np.searchsorted(self._np_cumulative_end, target, side="left")
        if j.size and j.max() >= len(self._np_cumulative_end):
            raise ValueError(f"a result lies after the calendar's last year {self.last_year}")
        result = self._np_ends[j] - (self._np_cumulative_end[j] - target)
        return np.where(amounts == 0, seconds, result)

    def business_seconds_between_batch(self, a_seconds: npt.ArrayLike, b_seconds: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Vectorised `business_time_between` on POSIX seconds; int64 business seconds, zero when ``b <= a``."""
        a, b = np.broadcast_arrays(self._instants_array(a_seconds), self._instants_array(b_seconds))
        return np.maximum(self._elapsed_array(b) - self._elapsed_array(a), 0)
