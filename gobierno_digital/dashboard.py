"""The dashboard of the Secretario and Control Interno (issue 19): progress per component, per
dependency and per year, indicators against targets, risks by level, and everything overdue; plus
the panels the plan puts on the portal's home page (``portal.shell.add_panels``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from gobierno_digital.common import Component
from gobierno_digital.duties import services as duties
from gobierno_digital.duties.models import DutyChecklist
from gobierno_digital.evaluations.services import Comparison, component_comparison
from gobierno_digital.indicators import services as indicators
from gobierno_digital.indicators.models import Measurement
from gobierno_digital.plan.models import ActivityStatus, PlanActivity, WorkPlan
from gobierno_digital.plan.services import overdue_activities
from gobierno_digital.risks import dafp
from gobierno_digital.risks.services import heat_map, risks_of
from gobierno_digital.settings import get_settings
from gobierno_digital.supervision.services import late_milestones
from portal.clock import local_date
from portal.db import DbSession, utcnow
from portal.extensions import db
from portal.roles import Role
from portal.shell import LiveText, Panel
from sla.services.entity_calendar import get_calendar


@dataclass
class Progress:
    label: str
    total: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def percent(self) -> float | None:
        return None if not self.total else 100 * self.done / self.total


@dataclass
class DashboardData:
    vigencia: int | None
    vigencias: list[int]
    comparison: Comparison
    plan: WorkPlan | None
    by_component: list[Progress] = field(default_factory=list)
    by_dependency: list[Progress] = field(default_factory=list)
    indicators: list[indicators.IndicatorRow] = field(default_factory=list)
    risks_inherent: dict[dafp.Zone, int] = field(default_factory=dict)
    risks_residual: dict[dafp.Zone, int] = field(default_factory=dict)
    overdue_activities: list[PlanActivity] = field(default_factory=list)
    late_milestones: list = field(default_factory=list)
    overdue_measurements: list[Measurement] = field(default_factory=list)
    overdue_checklists: list[DutyChecklist] = field(default_factory=list)
    duty_compliance: list[duties.DependencyCompliance] = field(default_factory=list)


def dashboard_data(session: DbSession, now: datetime, vigencia: int | None = None) -> DashboardData:
    today = local_date(now)
    plan_years = list(session.execute(select(WorkPlan.vigencia).order_by(WorkPlan.vigencia.desc())).scalars())
    vigencia = vigencia or (plan_years[0] if plan_years else None)
    plan = session.execute(select(WorkPlan).where(WorkPlan.vigencia == vigencia)).scalar() if vigencia else None
    data = DashboardData(vigencia=vigencia, vigencias=plan_years, comparison=component_comparison(session), plan=plan)
    if plan is not None:
        activities = session.execute(select(PlanActivity).where(PlanActivity.plan_id == plan.id)).scalars().all()
        components: dict[Component, Progress] = {}
        dependencies: dict[str, Progress] = defaultdict(lambda: Progress(""))
        for activity in activities:
            if activity.status is ActivityStatus.CANCELADA:
                continue
            for row in (
                components.setdefault(activity.component, Progress(activity.component.label)),
                dependencies[activity.dependency.name],
            ):
                row.total += 1
                row.done += activity.status is ActivityStatus.TERMINADA
                row.overdue += activity.status is not ActivityStatus.TERMINADA and activity.end_date < today
        data.by_component = [components[c] for c in Component if c in components]
        data.by_dependency = [Progress(name, p.total, p.done, p.overdue) for name, p in sorted(dependencies.items())]
    data.indicators = indicators.indicator_rows(session, now, vigencia)
    maps = heat_map(risks_of(session, vigencia))
    data.risks_inherent, data.risks_residual = maps.by_zone("inherent"), maps.by_zone("residual")
    settings = get_settings(session)
    data.overdue_activities = overdue_activities(session, today)
    data.late_milestones = late_milestones(
        session, calendar=get_calendar(session), late_days=settings.milestone_late_days, now=now
    )
    data.overdue_measurements = indicators.overdue_measurements(session, now)
    data.overdue_checklists = duties.overdue_checklists(session, now)
    data.duty_compliance = duties.compliance_by_dependency(session, now)
    return data


# ---------------------------------------------------------------- panels of the home page


def overdue_text() -> str:
    """What is late in the plan: for the Secretario and Control Interno."""
    now = utcnow()
    today = local_date(now)
    settings = get_settings(db.session)
    counts = {
        "activities": len(overdue_activities(db.session, today)),
        "milestones": len(
            late_milestones(db.session, calendar=get_calendar(db.session), late_days=settings.milestone_late_days, now=now)
        ),
        "measurements": len(indicators.overdue_measurements(db.session, now)),
        "checklists": len(duties.overdue_checklists(db.session, now)),
    }
    if not any(counts.values()):
        return _("Nada vencido en el plan de Gobierno Digital.")
    parts = [
        ngettext("%(num)d actividad", "%(num)d actividades", counts["activities"]),
        ngettext("%(num)d hito atrasado", "%(num)d hitos atrasados", counts["milestones"]),
        ngettext("%(num)d medición", "%(num)d mediciones", counts["measurements"]),
        ngettext("%(num)d lista de deberes de enlaces", "%(num)d listas de deberes de enlaces", counts["checklists"]),
    ]
    return _("Vencidos: %(parts)s.", parts=" · ".join(parts))


def plan_text() -> str:
    plan = db.session.execute(select(WorkPlan).order_by(WorkPlan.vigencia.desc()).limit(1)).scalar()
    if plan is None:
        return _("Aún no hay plan de trabajo. Importe las calificaciones y registre las brechas.")
    done = db.session.execute(
        select(func.count(PlanActivity.id)).where(
            PlanActivity.plan_id == plan.id, PlanActivity.status == ActivityStatus.TERMINADA
        )
    ).scalar_one()
    total = db.session.execute(select(func.count(PlanActivity.id)).where(PlanActivity.plan_id == plan.id)).scalar_one()
    return ngettext(
        "Plan %(y)s, versión %(v)s: %(state)s · %(done)s de %(num)d actividad terminada.",
        "Plan %(y)s, versión %(v)s: %(state)s · %(done)s de %(num)d actividades terminadas.",
        total,
        y=plan.vigencia,
        v=plan.version,
        state=plan.state.label.lower(),
        done=done,
    )


def enlace_text() -> str:
    """The enlace's current checklist: how much is answered and when it is due."""
    ids = current_user.scoped_dependency_ids(Role.ENLACE)
    rows = duties.checklists_for(db.session, ids, limit=len(ids) or 1)
    if not rows:
        return _("No tiene listas de deberes abiertas.")
    parts = []
    for checklist in rows:
        answered = len(checklist.items) - len(checklist.unanswered)
        parts.append(
            ngettext(
                "%(dep)s %(p)s: %(a)s de %(num)d respondido, vence %(d)s.",
                "%(dep)s %(p)s: %(a)s de %(num)d respondidos, vence %(d)s.",
                len(checklist.items),
                dep=checklist.dependency.code,
                p=checklist.label,
                a=answered,
                d=f"{local_date(checklist.due_at):%d/%m/%Y}",
            )
        )
    return " ".join(parts)


PANELS: dict[Role, list[Panel]] = {
    Role.SECRETARIO: [
        Panel("gd_plan", _l("Plan de Gobierno Digital"), LiveText(plan_text)),
        Panel("gd_vencidos", _l("Gobierno Digital: vencimientos"), LiveText(overdue_text)),
    ],
    Role.CONTROL_INTERNO: [Panel("gd_vencidos", _l("Gobierno Digital: vencimientos"), LiveText(overdue_text))],
    Role.PROFESIONAL_GD: [
        Panel("gd_plan", _l("Plan de Gobierno Digital"), LiveText(plan_text)),
        Panel("gd_vencidos", _l("Vencimientos del plan"), LiveText(overdue_text)),
    ],
    Role.ENLACE: [Panel("gd_deberes", _l("Deberes del enlace TIC"), LiveText(enlace_text))],
}
