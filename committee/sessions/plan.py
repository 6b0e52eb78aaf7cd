"""The year's plan of ordinary sessions: one per quarter, with a warning when a quarter has none (SPEC §6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from committee.models import (
    CommitteeSession,
    SessionKind,
    SessionState,
)
from portal.clock import local_date
from portal.db import DbSession

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class QuarterPlan:
    year: int
    quarter: int
    first_day: date
    last_day: date
    sessions: tuple[CommitteeSession, ...]

    @property
    def label(self) -> str:
        return f"{ROMAN[self.quarter]} trimestre de {self.year}"

    @property
    def has_ordinary(self) -> bool:
        return any(s.kind is SessionKind.ORDINARIA and s.state is not SessionState.CANCELADA for s in self.sessions)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def year_plan(session: DbSession, year: int) -> list[QuarterPlan]:
    """The four quarters of ``year`` with their sessions: the plan of four ordinary sessions (seed Mesa §7)."""
    sessions = session.execute(
        select(CommitteeSession).where(CommitteeSession.year == year).order_by(CommitteeSession.starts_at)
    ).scalars()
    by_quarter: dict[int, list[CommitteeSession]] = {q: [] for q in ROMAN}
    for committee_session in sessions:
        by_quarter[quarter_of(local_date(committee_session.starts_at))].append(committee_session)
    plans = []
    for quarter in ROMAN:
        first = date(year, 3 * quarter - 2, 1)
        last = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(days=1)
        plans.append(QuarterPlan(year, quarter, first, last, tuple(by_quarter[quarter])))
    return plans


@dataclass(frozen=True)
class QuarterWarning:
    quarter: QuarterPlan
    is_past: bool

    @property
    def message(self) -> str:
        if self.is_past:
            return f"El {self.quarter.label} terminó sin sesión ordinaria."
        return f"El {self.quarter.label} no tiene sesión ordinaria programada."


def quarter_warnings(session: DbSession, today: date) -> list[QuarterWarning]:
    """Quarters of this year without an ordinary session (past ones and those still to come)."""
    return [QuarterWarning(plan, plan.last_day < today) for plan in year_plan(session, today.year) if not plan.has_ordinary]
