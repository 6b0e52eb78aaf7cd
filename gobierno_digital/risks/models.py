"""The risk map of the plan (activity 8, "Documento mapa de riesgo"): risks with cause and consequence,
probability and impact on the DAFP scales, controls rated for design and execution, treatment actions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gobierno_digital.common import Component
from gobierno_digital.projects.models import Project
from gobierno_digital.risks import dafp
from portal.db import utcnow
from portal.extensions import db
from portal.models import User, enum_column


class RiskCategory(StrEnum):
    """The risk typologies the DAFP guide asks to tell apart."""

    GESTION = "gestion"
    CORRUPCION = "corrupcion"
    SEGURIDAD = "seguridad_informacion"

    @property
    def label(self) -> str:
        return {"gestion": "Gestión", "corrupcion": "Corrupción", "seguridad_informacion": "Seguridad de la información"}[
            self.value
        ]


class Treatment(StrEnum):
    """Opciones de tratamiento (DAFP): reducir (mitigar), compartir (transferir), evitar, aceptar."""

    REDUCIR = "reducir"
    COMPARTIR = "compartir"
    EVITAR = "evitar"
    ACEPTAR = "aceptar"

    @property
    def label(self) -> str:
        return {"reducir": "Reducir (mitigar)", "compartir": "Compartir (transferir)", "evitar": "Evitar", "aceptar": "Aceptar"}[
            self.value
        ]


class ActionStatus(StrEnum):
    PENDIENTE = "pendiente"
    EN_CURSO = "en_curso"
    TERMINADA = "terminada"

    @property
    def label(self) -> str:
        return {"pendiente": "Pendiente", "en_curso": "En curso", "terminada": "Terminada"}[self.value]


class Risk(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_risks"
    __table_args__ = (
        CheckConstraint("probability BETWEEN 1 AND 5", name="probability_scale"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact_scale"),
        CheckConstraint("(category <> 'corrupcion') OR (impact >= 3)", name="corruption_impact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vigencia: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(300))
    cause: Mapped[str] = mapped_column(Text)
    consequence: Mapped[str] = mapped_column(Text)
    category: Mapped[RiskCategory] = mapped_column(enum_column(RiskCategory, "gd_risk_category"))
    component: Mapped[Component | None] = mapped_column(enum_column(Component, "gd_component"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("gd_projects.id"))
    #: 1 Muy baja … 5 Muy alta (DAFP table 1)
    probability: Mapped[int]
    #: 1 Leve … 5 Catastrófico (DAFP table 2)
    impact: Mapped[int]
    treatment: Mapped[Treatment] = mapped_column(enum_column(Treatment, "gd_risk_treatment"))
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project | None] = relationship(lazy="joined")
    responsible: Mapped[User] = relationship(foreign_keys=[responsible_id], lazy="joined")
    controls: Mapped[list[RiskControl]] = relationship(lazy="selectin", order_by="RiskControl.id")
    actions: Mapped[list[RiskAction]] = relationship(lazy="selectin", order_by="RiskAction.id")

    @property
    def inherent(self) -> dafp.Valuation:
        return dafp.inherent(self.probability, self.impact)

    @property
    def residual(self) -> dafp.Valuation:
        return dafp.residual(self.probability, self.impact, [c.rating for c in self.controls])

    def snapshot(self) -> dict[str, Any]:
        return {
            "vigencia": self.vigencia,
            "name": self.name,
            "category": self.category.value,
            "probability": self.probability,
            "impact": self.impact,
            "treatment": self.treatment.value,
            "responsible_id": self.responsible_id,
        }


class RiskControl(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_risk_controls"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("gd_risks.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    control_type: Mapped[dafp.ControlType] = mapped_column(enum_column(dafp.ControlType, "gd_control_type"))
    implementation: Mapped[dafp.Implementation] = mapped_column(enum_column(dafp.Implementation, "gd_control_implementation"))
    execution: Mapped[dafp.Execution] = mapped_column(enum_column(dafp.Execution, "gd_control_execution"))
    #: informative attributes (no weight): documented, continuous (else random), with a record
    is_documented: Mapped[bool]
    is_continuous: Mapped[bool]
    has_evidence: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def rating(self) -> dafp.ControlRating:
        return dafp.ControlRating(self.control_type, self.implementation, self.execution)


class RiskAction(db.Model):  # type: ignore[name-defined,misc]
    """An action of the treatment plan, with its responsible and dates."""

    __tablename__ = "gd_risk_actions"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("gd_risks.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "gd_risk_action_status"), default=ActionStatus.PENDIENTE
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    responsible: Mapped[User] = relationship(lazy="joined")
