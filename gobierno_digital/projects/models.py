"""Projects of the plan and their contracts (activity 5): a project is linked to the catalogue's
initiative when there is one (an initiative ``en_ejecucion`` is a project); each contract reports its
progress with a percent, deliverables and attachments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Initiative
from gobierno_digital.common import Component
from gobierno_digital.documents import GdDocument
from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, User, enum_column


class Project(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_projects"
    __table_args__ = (CheckConstraint("(end_date IS NULL) OR (end_date >= start_date)", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    component: Mapped[Component] = mapped_column(enum_column(Component, "gd_component"))
    dependency_id: Mapped[int] = mapped_column(ForeignKey("dependencies.id"), index=True)
    #: the catalogue's initiative this project executes, when there is one
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), unique=True)
    #: the plan's vigencia it answers to
    vigencia: Mapped[int] = mapped_column(index=True)
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dependency: Mapped[Dependency] = relationship(lazy="joined")
    initiative: Mapped[Initiative | None] = relationship(lazy="joined")
    responsible: Mapped[User] = relationship(foreign_keys=[responsible_id], lazy="joined")
    contracts: Mapped[list[Contract]] = relationship(lazy="raise_on_sql", order_by="Contract.start_date")

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "component": self.component.value,
            "dependency_id": self.dependency_id,
            "initiative_id": self.initiative_id,
            "vigencia": self.vigencia,
            "responsible_id": self.responsible_id,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat() if self.end_date else None,
        }


class Contract(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_contracts"
    __table_args__ = (
        UniqueConstraint("project_id", "number", name="uq_gd_contracts_number"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("gd_projects.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    #: objeto del contrato
    object: Mapped[str] = mapped_column(Text)
    contractor: Mapped[str] = mapped_column(String(200))
    #: whole Colombian pesos
    value: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date]
    end_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reports: Mapped[list[ContractReport]] = relationship(
        lazy="selectin", order_by="(ContractReport.reported_on, ContractReport.id)"
    )

    @property
    def percent(self) -> int:
        return self.reports[-1].percent if self.reports else 0


class ContractReport(db.Model):  # type: ignore[name-defined,misc]
    """An "informe de avance de la ejecución" of a contract (activity 5)."""

    __tablename__ = "gd_contract_reports"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("gd_contracts.id"), index=True)
    reported_on: Mapped[date]
    percent: Mapped[int]
    deliverables: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reported_by: Mapped[User | None] = relationship(lazy="joined")
    documents: Mapped[list[GdDocument]] = relationship(lazy="selectin", order_by="GdDocument.id")
