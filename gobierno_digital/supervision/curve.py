"""Planned % vs executed % over time, and when a milestone is late (pure: no database, no Flask).

- Planned % on a day: the weights of the milestones planned on or before that day, over the
  project's total weight.
- Executed % on a day: each milestone's weight times the percent of its latest report on or before
  that day, over the total weight. Days after today have no executed value.
- A milestone not finished is late by more than N business days once the deadline of N business
  days after its planned date has passed (23:59:59 Bogotá of the N-th business day after it, on the
  entity's ANS calendar: holidays and days off are not counted).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sla.calendar import BusinessCalendar


@dataclass(frozen=True)
class PlannedMilestone:
    id: int
    planned_date: date
    weight: int


@dataclass(frozen=True)
class ProgressEntry:
    milestone_id: int
    reported_on: date
    percent: int


@dataclass(frozen=True)
class CurveValue:
    day: date
    planned: float
    executed: float | None


def _latest_percents(entries: Iterable[ProgressEntry], day: date) -> dict[int, int]:
    """Each milestone's percent on ``day``: its latest report by date (the later entered wins a tie)."""
    found: dict[int, int] = {}
    for entry in sorted((e for e in entries if e.reported_on <= day), key=lambda e: e.reported_on):
        found[entry.milestone_id] = entry.percent
    return found


def planned_percent(milestones: Sequence[PlannedMilestone], day: date) -> float:
    total = sum(m.weight for m in milestones)
    return 0.0 if not total else 100 * sum(m.weight for m in milestones if m.planned_date <= day) / total


def executed_percent(milestones: Sequence[PlannedMilestone], entries: Sequence[ProgressEntry], day: date) -> float:
    total = sum(m.weight for m in milestones)
    if not total:
        return 0.0
    percents = _latest_percents(entries, day)
    return sum(m.weight * percents.get(m.id, 0) / 100 for m in milestones) * 100 / total


def curve_days(milestones: Sequence[PlannedMilestone], entries: Sequence[ProgressEntry], today: date) -> list[date]:
    """The days where either line changes, and today (when it falls inside the project's span)."""
    days = {m.planned_date for m in milestones} | {e.reported_on for e in entries}
    if days and min(days) <= today <= max(days):
        days.add(today)
    return sorted(days)


def curve(
    milestones: Sequence[PlannedMilestone], entries: Sequence[ProgressEntry], today: date, days: Sequence[date] | None = None
) -> list[CurveValue]:
    return [
        CurveValue(day, planned_percent(milestones, day), executed_percent(milestones, entries, day) if day <= today else None)
        for day in (days if days is not None else curve_days(milestones, entries, today))
    ]


def late_deadline(calendar: BusinessCalendar, planned_date: date, late_days: int) -> datetime:
    """The instant after which a milestone is late by more than ``late_days`` business days (UTC)."""
    return calendar.business_day_deadline(planned_date, late_days)


def is_late(calendar: BusinessCalendar, planned_date: date, progress_percent: int, late_days: int, now: datetime) -> bool:
    return progress_percent < 100 and now > late_deadline(calendar, planned_date, late_days)


def business_days_late(calendar: BusinessCalendar, planned_date: date, today: date) -> int:
    """Business days from the day after the planned date to today, both included (0 when not past)."""
    count, day = 0, planned_date + timedelta(days=1)
    while day <= today:
        count += calendar.is_business_day(day)
        day += timedelta(days=1)
    return count
