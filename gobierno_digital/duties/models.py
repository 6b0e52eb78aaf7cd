"""The enlace TIC's standing duties (seed PR-M2-P6-01 §5, responsabilidad 1 a–d), checked each period
per dependency: a checklist the enlace answers with evidence."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gobierno_digital.documents import GdDocument
from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, User, enum_column


class Duty(StrEnum):
    """Seed §5.1: a) the Comité TIC; b) the web portal; c) trámites and OPAs in SUIT; d) open data."""

    COMITE = "comite"
    PORTAL_WEB = "portal_web"
    SUIT = "suit"
    DATOS_ABIERTOS = "datos_abiertos"

    @property
    def letter(self) -> str:
        return "abcd"[list(Duty).index(self)]

    @property
    def label(self) -> str:
        return {
            "comite": "Asistir al comité TIC cuando sea el caso y cumplir las actividades que allí se le designen",
            "portal_web": "Gestionar la información de la dependencia publicada en el portal web institucional (veraz, oportuna y conforme a la norma)",
            "suit": "Co-administrar en el SUIT los trámites y OPA de la dependencia (si los ofrece)",
            "datos_abiertos": "Consolidar y publicar en el portal de datos abiertos la información que produce la dependencia",
        }[self.value]

    @property
    def short(self) -> str:
        return {"comite": "Comité TIC", "portal_web": "Portal web", "suit": "SUIT", "datos_abiertos": "Datos abiertos"}[
            self.value
        ]


class DutyAnswer(StrEnum):
    CUMPLE = "cumple"
    NO_CUMPLE = "no_cumple"
    NO_APLICA = "no_aplica"

    @property
    def label(self) -> str:
        return {"cumple": "Cumple", "no_cumple": "No cumple", "no_aplica": "No aplica"}[self.value]


class DutyChecklist(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_duty_checklists"
    __table_args__ = (
        UniqueConstraint("dependency_id", "period_start", name="uq_gd_duty_checklists_period"),
        Index("ix_gd_duty_checklists_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dependency_id: Mapped[int] = mapped_column(ForeignKey("dependencies.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    label: Mapped[str] = mapped_column(String(20))
    #: 23:59:59 Bogotá of the N-th business day after the period ends
    due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the enlace and the Secretario were told it is overdue (once)
    overdue_notified_at: Mapped[datetime | None]

    dependency: Mapped[Dependency] = relationship(lazy="joined")
    items: Mapped[list[DutyItem]] = relationship(lazy="selectin", order_by="DutyItem.id", back_populates="checklist")

    @property
    def unanswered(self) -> list[DutyItem]:
        return [i for i in self.items if i.answer is None]


class DutyItem(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "gd_duty_items"
    __table_args__ = (
        UniqueConstraint("checklist_id", "duty", name="uq_gd_duty_items_duty"),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answered_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("gd_duty_checklists.id"), index=True)
    duty: Mapped[Duty] = mapped_column(enum_column(Duty, "gd_duty"))
    answer: Mapped[DutyAnswer | None] = mapped_column(enum_column(DutyAnswer, "gd_duty_answer"))
    note: Mapped[str | None] = mapped_column(Text)
    #: a link to the evidence (the published page, the SUIT record, the dataset)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    checklist: Mapped[DutyChecklist] = relationship(back_populates="items")
    answered_by: Mapped[User | None] = relationship(lazy="joined")
    documents: Mapped[list[GdDocument]] = relationship(lazy="selectin", order_by="GdDocument.id")
