"""Activity 9: milestones and their progress, the planned-vs-executed curve of a project, and the
late milestones. The only code that changes milestone data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from gobierno_digital.common import audit, day_text, lock, role_holders
from gobierno_digital.notifications import notify
from gobierno_digital.permissions import require_reporter, require_runner
from gobierno_digital.projects.models import Project
from gobierno_digital.supervision import curve as curves
from gobierno_digital.supervision.models import Milestone, MilestoneProgress
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import ValidationFailed, WrongState
from portal.models import User
from portal.roles import Role
from sla.calendar import BusinessCalendar


def milestones_of(session: DbSession, project_id: int) -> list[Milestone]:
    return list(
        session.execute(
            select(Milestone).where(Milestone.project_id == project_id).order_by(Milestone.planned_date, Milestone.id)
        ).scalars()
    )


def add_milestone(
    session: DbSession,
    project: Project,
    *,
    name: str,
    planned_date: date,
    weight: int,
    responsible_id: int,
    actor: User | None,
    now: datetime,
) -> Milestone:
    """A milestone of the project's schedule; the weights of a project add up to at most 100."""
    require_runner(actor)
    project = lock(session, Project, project.id, "El proyecto")
    used = session.execute(
        select(func.coalesce(func.sum(Milestone.weight), 0)).where(Milestone.project_id == project.id)
    ).scalar_one()
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Escriba el nombre del hito."]
    if not 1 <= weight <= 100:
        errors["weight"] = ["Entre 1 y 100."]
    elif used + weight > 100:
        errors["weight"] = [f"Los hitos del proyecto ya suman {used} %: queda {100 - used} %."]
    person = session.get(User, responsible_id)
    if person is None or not person.is_active_account:
        errors["responsible_id"] = ["Seleccione una persona activa."]
    if errors:
        raise ValidationFailed("Revise el hito.", fields=errors)
    milestone = Milestone(
        project_id=project.id,
        name=name.strip(),
        planned_date=planned_date,
        weight=weight,
        responsible_id=responsible_id,
        created_at=now,
    )
    session.add(milestone)
    session.flush()
    audit(
        session,
        actor,
        "hito.agregar",
        "proyecto",
        project.id,
        after={"milestone": milestone.id, "name": milestone.name, "planned_date": planned_date.isoformat(), "weight": weight},
    )
    return milestone


def report_milestone_progress(
    session: DbSession,
    milestone: Milestone,
    *,
    reported_on: date,
    percent: int,
    note: str | None,
    actor: User | None,
    now: datetime,
) -> MilestoneProgress:
    """Progress of a milestone on a date (its responsible or the profesional); 100 % completes it."""
    milestone = lock(session, Milestone, milestone.id, "El hito")
    require_reporter(actor, milestone.responsible_id, "reporta el avance del hito")
    if milestone.completed_on is not None and percent < 100 and reported_on >= milestone.completed_on:
        raise WrongState(f"El hito «{milestone.name}» se completó el {day_text(milestone.completed_on)}.")
    errors: dict[str, list[str]] = {}
    if not 0 <= percent <= 100:
        errors["percent"] = ["Entre 0 y 100."]
    if reported_on > local_date(now):
        errors["reported_on"] = ["No puede reportar avances de fechas futuras."]
    if errors:
        raise ValidationFailed("Revise el avance.", fields=errors)
    entry = MilestoneProgress(
        milestone_id=milestone.id,
        reported_on=reported_on,
        percent=percent,
        note=(note or "").strip() or None,
        reported_by_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    latest = session.execute(
        select(MilestoneProgress)
        .where(MilestoneProgress.milestone_id == milestone.id)
        .order_by(MilestoneProgress.reported_on.desc(), MilestoneProgress.id.desc())
        .limit(1)
    ).scalar_one()
    before = {"progress_percent": milestone.progress_percent}
    milestone.progress_percent = latest.percent
    milestone.completed_on = latest.reported_on if latest.percent == 100 else None
    session.flush()
    audit(
        session,
        actor,
        "hito.avance",
        "hito",
        milestone.id,
        before=before,
        after={"progress_percent": milestone.progress_percent, "reported_on": reported_on.isoformat()},
    )
    return entry


def _plans_and_entries(milestones: list[Milestone]) -> tuple[list[curves.PlannedMilestone], list[curves.ProgressEntry]]:
    plans = [curves.PlannedMilestone(m.id, m.planned_date, m.weight) for m in milestones]
    entries = [curves.ProgressEntry(m.id, p.reported_on, p.percent) for m in milestones for p in m.progress]
    return plans, entries


def project_curve(session: DbSession, project_id: int, today: date) -> list[curves.CurveValue]:
    plans, entries = _plans_and_entries(milestones_of(session, project_id))
    return curves.curve(plans, entries, today)


@dataclass(frozen=True)
class ProjectStatus:
    project: Project
    planned: float
    executed: float
    milestones: int
    late: list[Milestone]

    @property
    def gap(self) -> float:
        return self.executed - self.planned


def project_status(
    session: DbSession, project: Project, *, day: date, calendar: BusinessCalendar, late_days: int, now: datetime
) -> ProjectStatus:
    milestones = milestones_of(session, project.id)
    plans, entries = _plans_and_entries(milestones)
    return ProjectStatus(
        project=project,
        planned=curves.planned_percent(plans, day),
        executed=curves.executed_percent(plans, entries, day),
        milestones=len(milestones),
        late=[m for m in milestones if curves.is_late(calendar, m.planned_date, m.progress_percent, late_days, now)],
    )


def late_milestones(session: DbSession, *, calendar: BusinessCalendar, late_days: int, now: datetime) -> list[Milestone]:
    """Open milestones late by more than ``late_days`` business days (an indexed range on the planned
    date, then the exact business-day rule on the few found)."""
    candidates = session.execute(
        select(Milestone)
        .where(Milestone.progress_percent < 100, Milestone.planned_date < local_date(now))
        .order_by(Milestone.planned_date)
    ).scalars()
    return [m for m in candidates if curves.is_late(calendar, m.planned_date, m.progress_percent, late_days, now)]


def alert_late_milestones(session: DbSession, *, calendar: BusinessCalendar, late_days: int, now: datetime) -> list[Milestone]:
    """Tell the responsible and the Secretario of each milestone that became late (once per milestone)."""
    alerted = []
    secretaries = role_holders(session, Role.SECRETARIO)
    for milestone in late_milestones(session, calendar=calendar, late_days=late_days, now=now):
        if milestone.late_alerted_at is not None:
            continue
        milestone = lock(session, Milestone, milestone.id, "El hito")
        if milestone.late_alerted_at is not None:
            continue
        milestone.late_alerted_at = now
        notify(
            session,
            [milestone.responsible, *secretaries],
            f"Hito atrasado: {milestone.name} ({milestone.project.name})",
            "milestone_late",
            milestone=milestone.name,
            project=milestone.project.name,
            responsible=milestone.responsible.full_name,
            planned=day_text(milestone.planned_date),
            percent=milestone.progress_percent,
            late_days=late_days,
            days_late=curves.business_days_late(calendar, milestone.planned_date, local_date(now)),
            project_id=milestone.project_id,
        )
        audit(session, None, "hito.alerta_atraso", "hito", milestone.id, after={"late_days": late_days, "at": now.isoformat()})
        alerted.append(milestone)
    session.flush()
    return alerted
