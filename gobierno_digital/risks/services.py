"""Activity 8: identify, analyse and value risks (DAFP guide, ``risks/dafp.py``), their controls and
treatment plan, and the heat maps. The only code that changes risk data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from gobierno_digital.common import Component, audit, lock
from gobierno_digital.permissions import require_risk_writer
from gobierno_digital.risks import dafp
from gobierno_digital.risks.models import ActionStatus, Risk, RiskAction, RiskCategory, RiskControl, Treatment
from portal.db import DbSession
from portal.errors import ValidationFailed
from portal.models import User


@dataclass(frozen=True)
class RiskData:
    vigencia: int
    name: str
    cause: str
    consequence: str
    category: RiskCategory
    probability: int
    impact: int
    treatment: Treatment
    responsible_id: int
    component: Component | None = None
    project_id: int | None = None


def add_risk(session: DbSession, *, data: RiskData, actor: User | None, now: datetime) -> Risk:
    require_risk_writer(actor)
    errors: dict[str, list[str]] = {}
    for name in ("name", "cause", "consequence"):
        if not getattr(data, name).strip():
            errors[name] = ["Obligatorio."]
    if data.probability not in dafp.PROBABILITY_LABELS:
        errors["probability"] = ["De 1 (muy baja) a 5 (muy alta)."]
    if data.impact not in dafp.IMPACT_LABELS:
        errors["impact"] = ["De 1 (leve) a 5 (catastrófico)."]
    elif data.category is RiskCategory.CORRUPCION and data.impact < 3:
        errors["impact"] = ["El impacto de un riesgo de corrupción es al menos moderado (guía del DAFP)."]
    person = session.get(User, data.responsible_id)
    if person is None or not person.is_active_account:
        errors["responsible_id"] = ["Seleccione una persona activa."]
    if errors:
        raise ValidationFailed("Revise el riesgo.", fields=errors)
    risk = Risk(
        vigencia=data.vigencia,
        name=data.name.strip(),
        cause=data.cause.strip(),
        consequence=data.consequence.strip(),
        category=data.category,
        component=data.component,
        project_id=data.project_id,
        probability=data.probability,
        impact=data.impact,
        treatment=data.treatment,
        responsible_id=data.responsible_id,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(risk)
    session.flush()
    audit(session, actor, "riesgo.identificar", "riesgo", risk.id, after={**risk.snapshot(), "zone": risk.inherent.zone.value})
    return risk


@dataclass(frozen=True)
class ControlData:
    description: str
    control_type: dafp.ControlType
    implementation: dafp.Implementation
    execution: dafp.Execution
    is_documented: bool = True
    is_continuous: bool = True
    has_evidence: bool = True


def add_control(session: DbSession, risk: Risk, *, data: ControlData, actor: User | None, now: datetime) -> RiskControl:
    """A control of the risk; the residual level is computed from all of them (``dafp.residual``)."""
    require_risk_writer(actor)
    risk = lock(session, Risk, risk.id, "El riesgo")
    if not data.description.strip():
        raise ValidationFailed("Describa el control.", fields={"description": ["Obligatorio."]})
    before = risk.residual
    control = RiskControl(
        risk_id=risk.id,
        description=data.description.strip(),
        control_type=data.control_type,
        implementation=data.implementation,
        execution=data.execution,
        is_documented=data.is_documented,
        is_continuous=data.is_continuous,
        has_evidence=data.has_evidence,
        created_at=now,
    )
    session.add(control)
    session.flush()
    session.refresh(risk)
    after = risk.residual
    audit(
        session,
        actor,
        "riesgo.control",
        "riesgo",
        risk.id,
        before={"residual": [before.probability, before.impact, before.zone.value]},
        after={
            "control": control.id,
            "rating": control.rating.percent,
            "residual": [after.probability, after.impact, after.zone.value],
        },
    )
    return control


def add_action(
    session: DbSession,
    risk: Risk,
    *,
    description: str,
    responsible_id: int,
    start_date: date,
    end_date: date,
    actor: User | None,
    now: datetime,
) -> RiskAction:
    """An action of the risk's treatment plan."""
    require_risk_writer(actor)
    risk = lock(session, Risk, risk.id, "El riesgo")
    errors: dict[str, list[str]] = {}
    if not description.strip():
        errors["description"] = ["Describa la acción."]
    if end_date < start_date:
        errors["end_date"] = ["La fecha de finalización no puede ser anterior a la de inicio."]
    person = session.get(User, responsible_id)
    if person is None or not person.is_active_account:
        errors["responsible_id"] = ["Seleccione una persona activa."]
    if errors:
        raise ValidationFailed("Revise la acción del plan de tratamiento.", fields=errors)
    action = RiskAction(
        risk_id=risk.id,
        description=description.strip(),
        responsible_id=responsible_id,
        start_date=start_date,
        end_date=end_date,
        status=ActionStatus.PENDIENTE,
        created_at=now,
    )
    session.add(action)
    session.flush()
    audit(
        session,
        actor,
        "riesgo.accion",
        "riesgo",
        risk.id,
        after={"action": action.id, "responsible_id": responsible_id, "end_date": end_date.isoformat()},
    )
    return action


def risks_of(session: DbSession, vigencia: int | None = None) -> list[Risk]:
    query = select(Risk).order_by(Risk.vigencia.desc(), Risk.id)
    if vigencia is not None:
        query = query.where(Risk.vigencia == vigencia)
    return list(session.execute(query).scalars())


def risk_vigencias(session: DbSession) -> list[int]:
    return list(session.execute(select(Risk.vigencia).distinct().order_by(Risk.vigencia.desc())).scalars())


@dataclass(frozen=True)
class HeatMap:
    """How many risks fall on each square (probability, impact), inherent and residual."""

    inherent: Counter[tuple[int, int]]
    residual: Counter[tuple[int, int]]

    def by_zone(self, which: str) -> dict[dafp.Zone, int]:
        counts: Counter[tuple[int, int]] = getattr(self, which)
        found = dict.fromkeys(dafp.Zone, 0)
        for (p, i), n in counts.items():
            found[dafp.zone(p, i)] += n
        return found


def heat_map(risks: list[Risk]) -> HeatMap:
    inherent_counts: Counter[tuple[int, int]] = Counter()
    residual_counts: Counter[tuple[int, int]] = Counter()
    for risk in risks:
        inherent_counts[(risk.probability, risk.impact)] += 1
        value = risk.residual
        residual_counts[(value.probability, value.impact)] += 1
    return HeatMap(inherent_counts, residual_counts)
