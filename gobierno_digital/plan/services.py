"""Activities 2–4: the work plan of a vigencia, its resources and CDPs, assignment mails, the
Secretario's approval and the versions. The only code that changes plan data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gobierno_digital.common import Component, audit, day_text, lock, role_holders
from gobierno_digital.evaluations.models import Gap
from gobierno_digital.notifications import notify
from gobierno_digital.permissions import require_plan_approver, require_reporter, require_runner
from gobierno_digital.plan.models import (
    OPEN_ACTIVITY_STATES,
    ActivityStatus,
    BudgetAvailability,
    PlanActivity,
    PlanResource,
    PlanState,
    PlanVersion,
    ResourceKind,
    WorkPlan,
)
from portal.db import DbSession
from portal.errors import ValidationFailed, WrongState
from portal.models import Dependency, User
from portal.roles import Role


def load_plan(session: DbSession, vigencia: int) -> WorkPlan | None:
    return session.execute(
        select(WorkPlan)
        .where(WorkPlan.vigencia == vigencia)
        .options(
            selectinload(WorkPlan.activities),
            selectinload(WorkPlan.resources),
            selectinload(WorkPlan.budget),
            selectinload(WorkPlan.versions),
        )
        .execution_options(populate_existing=True)
    ).scalar()


def create_plan(session: DbSession, *, vigencia: int, actor: User | None, now: datetime) -> WorkPlan:
    require_runner(actor)
    if not 2000 <= vigencia <= 2100:
        raise ValidationFailed("Revise la vigencia.", fields={"vigencia": ["Indique un año entre 2000 y 2100."]})
    if session.execute(select(WorkPlan.id).where(WorkPlan.vigencia == vigencia)).scalar() is not None:
        raise ValidationFailed(f"Ya existe el plan de trabajo de la vigencia {vigencia}.", fields={"vigencia": ["Ya existe."]})
    plan = WorkPlan(vigencia=vigencia, created_by_id=actor.id if actor else None, created_at=now)
    session.add(plan)
    session.flush()
    audit(session, actor, "plan.crear", "plan", plan.id, after=plan.snapshot())
    return plan


def _require_draft(plan: WorkPlan, what: str) -> None:
    if plan.state is not PlanState.BORRADOR:
        raise WrongState(
            f"El plan de trabajo {plan.vigencia} está {plan.state.label.lower()}: no se puede {what}. "
            "Para cambiar un plan aprobado, abra una nueva versión."
        )


def gap_vigencias(vigencia: int) -> tuple[int, int]:
    """A plan answers the gaps of its own vigencia's evaluation or of the year before: FURAG measures
    a vigencia once it has ended, so the plan of 2026 works on the gaps found in 2025."""
    return vigencia - 1, vigencia


def gaps_for_plan(session: DbSession, vigencia: int) -> list[Gap]:
    return list(
        session.execute(
            select(Gap).where(Gap.vigencia.in_(gap_vigencias(vigencia))).order_by(Gap.vigencia.desc(), Gap.component, Gap.code)
        ).scalars()
    )


@dataclass(frozen=True)
class ActivityData:
    component: Component | None
    description: str
    dependency_id: int
    responsible_id: int
    start_date: date
    end_date: date
    deliverable: str
    gap_id: int | None = None


def _check_activity(session: DbSession, plan: WorkPlan, data: ActivityData) -> tuple[Component, User]:
    errors: dict[str, list[str]] = {}
    gap = session.get(Gap, data.gap_id) if data.gap_id else None
    if data.gap_id and (gap is None or gap.vigencia not in gap_vigencias(plan.vigencia)):
        errors["gap_id"] = ["La brecha debe ser de la evaluación de la vigencia del plan o de la anterior."]
    component = data.component or (gap.component if gap else None)
    if component is None:
        errors["component"] = ["Seleccione el componente (o una brecha)."]
    if not data.description.strip():
        errors["description"] = ["Describa la actividad."]
    if not data.deliverable.strip():
        errors["deliverable"] = ["Indique el entregable."]
    if data.end_date < data.start_date:
        errors["end_date"] = ["La fecha de finalización no puede ser anterior a la de inicio."]
    dependency = session.get(Dependency, data.dependency_id)
    if dependency is None or not dependency.is_active:
        errors["dependency_id"] = ["Seleccione una dependencia activa."]
    person = session.get(User, data.responsible_id)
    if person is None or not person.is_active_account:
        errors["responsible_id"] = ["Seleccione una persona activa."]
    if errors:
        raise ValidationFailed("Revise la actividad.", fields=errors)
    assert component is not None and person is not None
    return component, person


def _assignment_mail(session: DbSession, activity: PlanActivity, person: User, vigencia: int) -> None:
    notify(
        session,
        [person],
        f"Actividad asignada del plan de Gobierno Digital {vigencia}",
        "activity_assigned",
        name=person.full_name,
        vigencia=vigencia,
        description=activity.description,
        component=activity.component.label,
        deliverable=activity.deliverable,
        start=day_text(activity.start_date),
        end=day_text(activity.end_date),
    )


def add_activity(session: DbSession, plan: WorkPlan, *, data: ActivityData, actor: User | None, now: datetime) -> PlanActivity:
    """Add an activity to the draft plan; its responsible person is told by mail (activity 3: "Correos
    asignando actividades")."""
    require_runner(actor)
    plan = lock(session, WorkPlan, plan.id, "El plan de trabajo")
    _require_draft(plan, "agregar actividades")
    component, person = _check_activity(session, plan, data)
    activity = PlanActivity(
        plan_id=plan.id,
        gap_id=data.gap_id,
        component=component,
        description=data.description.strip(),
        dependency_id=data.dependency_id,
        responsible_id=person.id,
        start_date=data.start_date,
        end_date=data.end_date,
        deliverable=data.deliverable.strip(),
        assigned_at=now,
        created_at=now,
    )
    session.add(activity)
    session.flush()
    session.refresh(activity)
    _assignment_mail(session, activity, person, plan.vigencia)
    audit(session, actor, "actividad.agregar", "actividad", activity.id, after=activity.snapshot())
    return activity


def update_activity(
    session: DbSession, activity: PlanActivity, *, data: ActivityData, actor: User | None, now: datetime
) -> PlanActivity:
    """Change an activity of the draft plan; a new responsible person is told by mail."""
    require_runner(actor)
    plan = lock(session, WorkPlan, activity.plan_id, "El plan de trabajo")
    _require_draft(plan, "cambiar actividades")
    activity = lock(session, PlanActivity, activity.id, "La actividad")
    component, person = _check_activity(session, plan, data)
    before = activity.snapshot()
    reassigned = person.id != activity.responsible_id
    activity.gap_id, activity.component = data.gap_id, component
    activity.description, activity.deliverable = data.description.strip(), data.deliverable.strip()
    activity.dependency_id, activity.responsible_id = data.dependency_id, person.id
    activity.start_date, activity.end_date = data.start_date, data.end_date
    if reassigned:
        activity.assigned_at = now
    session.flush()
    session.refresh(activity)
    if reassigned:
        _assignment_mail(session, activity, person, plan.vigencia)
    audit(session, actor, "actividad.editar", "actividad", activity.id, before=before, after=activity.snapshot())
    return activity


def remove_activity(session: DbSession, activity: PlanActivity, *, actor: User | None) -> None:
    require_runner(actor)
    plan = lock(session, WorkPlan, activity.plan_id, "El plan de trabajo")
    _require_draft(plan, "quitar actividades")
    before = activity.snapshot()
    session.delete(activity)
    session.flush()
    audit(session, actor, "actividad.quitar", "actividad", before["id"], before=before)


#: status changes while the approved plan runs
_NEXT_STATUS = {
    ActivityStatus.PENDIENTE: {ActivityStatus.EN_CURSO, ActivityStatus.TERMINADA, ActivityStatus.CANCELADA},
    ActivityStatus.EN_CURSO: {ActivityStatus.TERMINADA, ActivityStatus.CANCELADA},
}


def set_activity_status(
    session: DbSession, activity: PlanActivity, *, status: ActivityStatus, actor: User | None, now: datetime
) -> PlanActivity:
    """Report an activity's progress (its responsible or the profesional) once the plan is approved."""
    activity = lock(session, PlanActivity, activity.id, "La actividad")
    require_reporter(actor, activity.responsible_id, "reporta el estado de la actividad")
    plan = session.get(WorkPlan, activity.plan_id)
    assert plan is not None
    if plan.state is not PlanState.APROBADO:
        raise WrongState(f"El plan de trabajo {plan.vigencia} no está aprobado: sus actividades aún no se ejecutan.")
    if status not in _NEXT_STATUS.get(activity.status, set()):
        raise WrongState(f"La actividad está {activity.status.label.lower()}: no puede pasar a {status.label.lower()}.")
    before = activity.snapshot()
    activity.status = status
    session.flush()
    audit(session, actor, "actividad.estado", "actividad", activity.id, before=before, after=activity.snapshot())
    return activity


def add_resource(
    session: DbSession, plan: WorkPlan, *, kind: ResourceKind, description: str, amount: int | None, actor: User | None
) -> PlanResource:
    """A resource the plan needs (activity 4: human, economic, technological, technical, logistic)."""
    require_runner(actor)
    plan = lock(session, WorkPlan, plan.id, "El plan de trabajo")
    _require_draft(plan, "agregar recursos")
    errors: dict[str, list[str]] = {}
    if not description.strip():
        errors["description"] = ["Describa el recurso."]
    if amount is not None and amount < 0:
        errors["amount"] = ["El valor no puede ser negativo."]
    if errors:
        raise ValidationFailed("Revise el recurso.", fields=errors)
    resource = PlanResource(plan_id=plan.id, kind=kind, description=description.strip(), amount=amount)
    session.add(resource)
    session.flush()
    audit(session, actor, "recurso.agregar", "plan", plan.id, after=resource.snapshot())
    return resource


def add_budget_availability(
    session: DbSession,
    plan: WorkPlan,
    *,
    number: str,
    issued_on: date,
    amount: int,
    description: str | None,
    actor: User | None,
) -> BudgetAvailability:
    """A CDP (certificado de disponibilidad presupuestal) backing the plan (activity 3)."""
    require_runner(actor)
    plan = lock(session, WorkPlan, plan.id, "El plan de trabajo")
    _require_draft(plan, "agregar disponibilidades presupuestales")
    errors: dict[str, list[str]] = {}
    number = number.strip()
    if not number:
        errors["number"] = ["Escriba el número del CDP."]
    elif session.execute(
        select(BudgetAvailability.id).where(BudgetAvailability.plan_id == plan.id, BudgetAvailability.number == number)
    ).scalar():
        errors["number"] = ["Ese CDP ya está en el plan."]
    if amount is None or amount <= 0:
        errors["amount"] = ["El valor debe ser mayor que cero."]
    if errors:
        raise ValidationFailed("Revise la disponibilidad presupuestal.", fields=errors)
    cdp = BudgetAvailability(
        plan_id=plan.id, number=number, issued_on=issued_on, amount=amount, description=(description or "").strip() or None
    )
    session.add(cdp)
    session.flush()
    audit(session, actor, "cdp.agregar", "plan", plan.id, after=cdp.snapshot())
    return cdp


def _activities(session: DbSession, plan: WorkPlan) -> list[PlanActivity]:
    return list(session.execute(select(PlanActivity).where(PlanActivity.plan_id == plan.id).order_by(PlanActivity.id)).scalars())


def submit_plan(session: DbSession, plan: WorkPlan, *, actor: User | None, now: datetime) -> WorkPlan:
    """The profesional sends the draft to the Secretario (``borrador → en_revision``)."""
    require_runner(actor)
    plan = lock(session, WorkPlan, plan.id, "El plan de trabajo")
    _require_draft(plan, "enviar a aprobación")
    if not _activities(session, plan):
        raise ValidationFailed("El plan no tiene actividades: agregue al menos una antes de enviarlo.")
    before = plan.snapshot()
    plan.state, plan.submitted_at, plan.submitted_by_id = PlanState.EN_REVISION, now, actor.id if actor else None
    session.flush()
    notify(
        session,
        role_holders(session, Role.SECRETARIO),
        f"Plan de trabajo de Gobierno Digital {plan.vigencia} para aprobación",
        "plan_submitted",
        vigencia=plan.vigencia,
        version=plan.version,
        by=actor.full_name if actor else "Sistema",
    )
    audit(session, actor, "plan.enviar", "plan", plan.id, before=before, after=plan.snapshot())
    return plan


def approve_plan(session: DbSession, plan: WorkPlan, *, actor: User, now: datetime) -> WorkPlan:
    """The Secretario approves (``en_revision → aprobado``); the approved content is kept as a version."""
    require_plan_approver(actor)
    plan = lock(session, WorkPlan, plan.id, "El plan de trabajo")
    if plan.state is not PlanState.EN_REVISION:
        raise WrongState(f"El plan de trabajo {plan.vigencia} está {plan.state.label.lower()}: no se puede aprobar.")
    before = plan.snapshot()
    plan.state, plan.approved_at, plan.approved_by_id, plan.note = PlanState.APROBADO, now, actor.id, None
    resources = session.execute(select(PlanResource).where(PlanResource.plan_id == plan.id).order_by(PlanResource.id)).scalars()
    budget = session.execute(select(BudgetAvailability).where(BudgetAvailability.plan_id == plan.id)).scalars()
    session.add(
        PlanVersion(
            plan_id=plan.id,
            number=plan.version,
            approved_at=now,
            approved_by_id=actor.id,
            content={
                "activities": [a.snapshot() for a in _activities(session, plan)],
                "resources": [r.snapshot() for r in resources],
                "budget": [b.snapshot() for b in budget],
            },
        )
    )
    session.flush()
    submitter = session.get(User, plan.submitted_by_id) if plan.submitted_by_id else None
    notify(
        session,
        [submitter],
        f"Plan de trabajo de Gobierno Digital {plan.vigencia} aprobado",
        "plan_decided",
        vigencia=plan.vigencia,
        version=plan.version,
        approved=True,
        by=actor.full_name,
        note=None,
    )
    audit(session, actor, "plan.aprobar", "plan", plan.id, before=before, after=plan.snapshot())
    return plan


def return_plan(session: DbSession, plan: WorkPlan, *, actor: User, note: str, now: datetime) -> WorkPlan:
    """The Secretario returns the plan with the reason (``en_revision → borrador``)."""
    require_plan_approver(actor)
    if not (note or "").strip():
        raise ValidationFailed("Escriba el motivo de la devolución.", fields={"note": ["Obligatorio."]})
    plan = lock(session, WorkPlan, plan.id, "El plan de trabajo")
    if plan.state is not PlanState.EN_REVISION:
        raise WrongState(f"El plan de trabajo {plan.vigencia} está {plan.state.label.lower()}: no se puede devolver.")
    before = plan.snapshot()
    plan.state, plan.note = PlanState.BORRADOR, note.strip()
    session.flush()
    submitter = session.get(User, plan.submitted_by_id) if plan.submitted_by_id else None
    notify(
        session,
        [submitter],
        f"Plan de trabajo de Gobierno Digital {plan.vigencia} devuelto",
        "plan_decided",
        vigencia=plan.vigencia,
        version=plan.version,
        approved=False,
        by=actor.full_name,
        note=plan.note,
    )
    audit(session, actor, "plan.devolver", "plan", plan.id, before=before, after={**plan.snapshot(), "note": plan.note})
    return plan


def open_new_version(session: DbSession, plan: WorkPlan, *, actor: User | None, reason: str, now: datetime) -> WorkPlan:
    """Change an approved plan: a new draft version (``aprobado → borrador``); the approved one stays kept."""
    require_runner(actor)
    if not (reason or "").strip():
        raise ValidationFailed("Escriba el motivo de la nueva versión.", fields={"note": ["Obligatorio."]})
    plan = lock(session, WorkPlan, plan.id, "El plan de trabajo")
    if plan.state is not PlanState.APROBADO:
        raise WrongState(f"El plan de trabajo {plan.vigencia} está {plan.state.label.lower()}: ya se puede editar.")
    before = plan.snapshot()
    plan.state, plan.version, plan.note = PlanState.BORRADOR, plan.version + 1, reason.strip()
    plan.submitted_at = plan.submitted_by_id = plan.approved_at = plan.approved_by_id = None
    session.flush()
    audit(session, actor, "plan.nueva_version", "plan", plan.id, before=before, after={**plan.snapshot(), "note": plan.note})
    return plan


def overdue_activities(session: DbSession, today: date) -> list[PlanActivity]:
    """Open activities of approved plans whose end date has passed."""
    return list(
        session.execute(
            select(PlanActivity)
            .join(WorkPlan, WorkPlan.id == PlanActivity.plan_id)
            .where(
                WorkPlan.state == PlanState.APROBADO,
                PlanActivity.status.in_(OPEN_ACTIVITY_STATES),
                PlanActivity.end_date < today,
            )
            .order_by(PlanActivity.end_date)
        ).scalars()
    )
