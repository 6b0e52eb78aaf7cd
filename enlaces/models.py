"""Designations of enlaces TIC and their handovers (SPEC §2)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, User, enum_column


class DesignationStatus(StrEnum):
    #: registered with a future "rige a partir de": the daily task applies it on that date
    PROGRAMADA = "programada"
    VIGENTE = "vigente"
    REEMPLAZADA = "reemplazada"
    REVOCADA = "revocada"

    @property
    def label(self) -> str:
        return {"programada": "Programada", "vigente": "Vigente", "reemplazada": "Reemplazada", "revocada": "Revocada"}[
            self.value
        ]


class ActType(StrEnum):
    RESOLUCION = "resolucion"
    ACTO_ADMINISTRATIVO = "acto_administrativo"
    COMUNICACION_OFICIAL = "comunicacion_oficial"

    @property
    def label(self) -> str:
        return {
            "resolucion": "Resolución",
            "acto_administrativo": "Acto administrativo",
            "comunicacion_oficial": "Comunicación oficial",
        }[self.value]


class Designation(db.Model):  # type: ignore[name-defined,misc]
    """An enlace TIC (or CIO) designated by administrative act (SPEC §2, seed PR-M2-P6-01 §5.1).

    At most one ``vigente`` and one ``programada`` per dependency, guaranteed by partial unique
    indexes. Never deleted.
    """

    __tablename__ = "designations"
    __table_args__ = (
        Index(
            "uq_designations_one_vigente",
            "dependency_id",
            unique=True,
            postgresql_where=text("status = 'vigente'"),
            sqlite_where=text("status = 'vigente'"),
        ),
        Index(
            "uq_designations_one_programada",
            "dependency_id",
            unique=True,
            postgresql_where=text("status = 'programada'"),
            sqlite_where=text("status = 'programada'"),
        ),
        CheckConstraint("(status IN ('vigente', 'programada')) OR (end_date IS NOT NULL)", name="ended_has_end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dependency_id: Mapped[int] = mapped_column(ForeignKey("dependencies.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    designated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    act_type: Mapped[ActType] = mapped_column(enum_column(ActType, "act_type"))
    act_number: Mapped[str] = mapped_column(String(60))
    act_date: Mapped[date]
    effective_date: Mapped[date]
    status: Mapped[DesignationStatus] = mapped_column(enum_column(DesignationStatus, "designation_status"))
    end_date: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(Text)
    act_filename: Mapped[str] = mapped_column(String(255))
    act_size: Mapped[int]
    #: SHA-256 of the act's PDF, to prove it was not changed
    act_sha256: Mapped[str] = mapped_column(String(64))
    act_content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dependency: Mapped[Dependency] = relationship(lazy="joined")
    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined")
    designated_by: Mapped[User] = relationship(foreign_keys=[designated_by_id], lazy="joined")


class Handover(db.Model):  # type: ignore[name-defined,misc]
    """The knowledge transfer when the enlace changes; the head confirms it (seed PR-M2-P6-01 §5.4)."""

    __tablename__ = "handovers"
    __table_args__ = (
        CheckConstraint(
            "(NOT is_completed) OR (completed_by_id IS NOT NULL AND completed_at IS NOT NULL)", name="completed_has_who"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dependency_id: Mapped[int] = mapped_column(ForeignKey("dependencies.id"), index=True)
    designation_id: Mapped[int] = mapped_column(ForeignKey("designations.id"), unique=True)
    previous_designation_id: Mapped[int | None] = mapped_column(ForeignKey("designations.id"))
    #: the FO-M11-P2-13 that removes the outgoing enlace's groups: the handover closes once it is resolved
    removal_request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id"))
    #: [{"key", "label", "done", "note"}]
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    is_completed: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dependency: Mapped[Dependency] = relationship(lazy="joined")
    designation: Mapped[Designation] = relationship(foreign_keys=[designation_id], lazy="joined")
    previous_designation: Mapped[Designation | None] = relationship(foreign_keys=[previous_designation_id], lazy="joined")
    completed_by: Mapped[User | None] = relationship(lazy="joined")
