"""The work plan of a vigencia (activities 2–4): activities per gap and component, resources, budget
availabilities (CDP), the Secretario's approval and the approved versions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gobierno_digital.common import Component
from gobierno_digital.evaluations.models import Gap
from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, User, enum_column


class PlanState(StrEnum):
    """``borrador → en_revision → aprobado``; the Secretario may return it (``en_revision → borrador``);
    an approved plan is changed by opening a new version (``aprobado → borrador``)."""

    BORRADOR = "borrador"
    EN_REVISION = "en_revision"
    APROBADO = "aprobado"

    @property
    def label(self) -> str:
        return {"borrador": "Borrador", "en_revision": "En revisión del Secretario", "aprobado": "Aprobado"}[self.value]


class ActivityStatus(StrEnum):
    PENDIENTE = "pendiente"
    EN_CURSO = "en_curso"
    TERMINADA = "terminada"
    CANCELADA = "cancelada"

    @property
    def label(self) -> str:
        return {"pendiente": "Pendiente", "en_curso": "En curso", "terminada": "Terminada", "cancelada": "Cancelada"}[self.value]


OPEN_ACTIVITY_STATES = frozenset({ActivityStatus.PENDIENTE, ActivityStatus.EN_CURSO})


class ResourceKind(StrEnum):
    """The resources of activity 4: "humanos, económicos, tecnológicos, técnicos, logísticos"."""

    HUMANO = "humano"
    ECONOMICO = "economico"
    TECNOLOGICO = "tecnologico"
    TECNICO = "tecnico"
    LOGISTICO = "logistico"

    @property
    def label(self) -> str:
        return {
            "humano": "Humano",
            "economico": "Económico",
            "tecnologico": "Tecnológico",
            "tecnico": "Técnico",
            "logistico": "Logístico",
        }[self.value]


class WorkPlan(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_work_plans"
    __table_args__ = (
        CheckConstraint("(state <> 'en_revision') OR (submitted_at IS NOT NULL)", name="review_has_submission"),
        CheckConstraint(
            "(state <> 'aprobado') OR (approved_at IS NOT NULL AND approved_by_id IS NOT NULL)", name="approved_has_who"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vigencia: Mapped[int] = mapped_column(unique=True)
    state: Mapped[PlanState] = mapped_column(enum_column(PlanState, "gd_plan_state"), default=PlanState.BORRADOR)
    #: the version being drafted or the last approved one (1, 2, …)
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the Secretario's reason when returning it, or the reason of a new version
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")
    activities: Mapped[list[PlanActivity]] = relationship(
        lazy="raise_on_sql", order_by="(PlanActivity.component, PlanActivity.start_date, PlanActivity.id)"
    )
    resources: Mapped[list[PlanResource]] = relationship(lazy="raise_on_sql", order_by="PlanResource.id")
    budget: Mapped[list[BudgetAvailability]] = relationship(lazy="raise_on_sql", order_by="BudgetAvailability.issued_on")
    versions: Mapped[list[PlanVersion]] = relationship(lazy="raise_on_sql", order_by="PlanVersion.number")

    def snapshot(self) -> dict[str, Any]:
        return {"vigencia": self.vigencia, "state": self.state.value, "version": self.version}


class PlanVersion(db.Model):  # type: ignore[name-defined,misc]
    """What the Secretario approved, as it was: kept for every version (never changed)."""

    __tablename__ = "gd_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_gd_plan_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("gd_work_plans.id"), index=True)
    number: Mapped[int]
    approved_at: Mapped[datetime]
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: {"activities": [...], "resources": [...], "budget": [...]} as approved
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

    approved_by: Mapped[User] = relationship(lazy="joined")


class PlanActivity(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_plan_activities"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        Index("ix_gd_plan_activities_open", "status", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("gd_work_plans.id"), index=True)
    gap_id: Mapped[int | None] = mapped_column(ForeignKey("gd_gaps.id"))
    component: Mapped[Component] = mapped_column(enum_column(Component, "gd_component"))
    description: Mapped[str] = mapped_column(Text)
    dependency_id: Mapped[int] = mapped_column(ForeignKey("dependencies.id"), index=True)
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    deliverable: Mapped[str] = mapped_column(String(300))
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus, "gd_activity_status"), default=ActivityStatus.PENDIENTE
    )
    #: when the responsible person was last told by mail (assignment)
    assigned_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    gap: Mapped[Gap | None] = relationship(lazy="joined")
    dependency: Mapped[Dependency] = relationship(lazy="joined")
    responsible: Mapped[User] = relationship(lazy="joined")

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "gap": f"{self.gap.instrument.value}:{self.gap.code}" if self.gap else None,
            "component": self.component.value,
            "description": self.description,
            "dependency": self.dependency.code if self.dependency else None,
            "responsible": self.responsible.username if self.responsible else None,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "deliverable": self.deliverable,
            "status": self.status.value,
        }


class PlanResource(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_plan_resources"
    __table_args__ = (CheckConstraint("(amount IS NULL) OR (amount >= 0)", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("gd_work_plans.id"), index=True)
    kind: Mapped[ResourceKind] = mapped_column(enum_column(ResourceKind, "gd_resource_kind"))
    description: Mapped[str] = mapped_column(String(500))
    #: whole Colombian pesos, when the resource has a cost
    amount: Mapped[int | None] = mapped_column(BigInteger)

    def snapshot(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "description": self.description, "amount": self.amount}


class BudgetAvailability(db.Model):  # type: ignore[name-defined,misc]
    """A certificado de disponibilidad presupuestal (CDP) backing the plan (activity 3)."""

    __tablename__ = "gd_budget_availabilities"
    __table_args__ = (
        UniqueConstraint("plan_id", "number", name="uq_gd_budget_availabilities_number"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("gd_work_plans.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))
    issued_on: Mapped[date]
    #: whole Colombian pesos
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(String(300))

    def snapshot(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "amount": self.amount,
            "description": self.description,
        }
