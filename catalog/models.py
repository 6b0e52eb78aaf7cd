"""TIC initiatives, the committee's members, its sessions, agenda and convocations (SPEC §6)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import YearlyCounter, utcnow
from portal.extensions import db
from portal.models import Dependency, StoredFile, TimelineEvent, User, enum_column


class InitiativeState(StrEnum):
    """``registrada → postulada → en_agenda → aprobada | rechazada | aplazada``, then
    ``en_ejecucion → finalizada`` (SPEC §6). An ``aplazada`` initiative may go on a later agenda."""

    REGISTRADA = "registrada"
    POSTULADA = "postulada"
    EN_AGENDA = "en_agenda"
    APROBADA = "aprobada"
    RECHAZADA = "rechazada"
    APLAZADA = "aplazada"
    EN_EJECUCION = "en_ejecucion"
    FINALIZADA = "finalizada"

    @property
    def label(self) -> str:
        return INITIATIVE_STATE_LABELS[self]


INITIATIVE_STATE_LABELS = {
    InitiativeState.REGISTRADA: "Registrada",
    InitiativeState.POSTULADA: "Postulada",
    InitiativeState.EN_AGENDA: "En agenda",
    InitiativeState.APROBADA: "Aprobada",
    InitiativeState.RECHAZADA: "Rechazada",
    InitiativeState.APLAZADA: "Aplazada",
    InitiativeState.EN_EJECUCION: "En ejecución",
    InitiativeState.FINALIZADA: "Finalizada",
}

#: What the committee may put on an agenda: postulated, or deferred by an earlier session.
AGENDA_CANDIDATE_STATES = frozenset({InitiativeState.POSTULADA, InitiativeState.APLAZADA})
#: The committee's decisions on an agenda item (recorded by the voting of the next issue).
OUTCOME_STATES = frozenset({InitiativeState.APROBADA, InitiativeState.RECHAZADA, InitiativeState.APLAZADA})
#: Shown on the public catalogue: what the committee approved, in execution or finished.
PUBLIC_STATES = frozenset({InitiativeState.APROBADA, InitiativeState.EN_EJECUCION, InitiativeState.FINALIZADA})


class Enabler(StrEnum):
    """The cross-cutting enablers of the Política de Gobierno Digital (Decreto 767 de 2022)."""

    ARQUITECTURA = "arquitectura"
    SEGURIDAD = "seguridad_privacidad"
    SERVICIOS_CIUDADANOS = "servicios_ciudadanos_digitales"
    CULTURA = "cultura_apropiacion"

    @property
    def label(self) -> str:
        return {
            "arquitectura": "Arquitectura",
            "seguridad_privacidad": "Seguridad y Privacidad de la Información",
            "servicios_ciudadanos_digitales": "Servicios Ciudadanos Digitales",
            "cultura_apropiacion": "Cultura y Apropiación",
        }[self.value]


class FundingSource(StrEnum):
    RECURSOS_PROPIOS = "recursos_propios"
    SGP = "sgp"
    SGR = "sgr"
    COFINANCIACION = "cofinanciacion"
    COOPERACION = "cooperacion"
    CREDITO = "credito"
    OTRA = "otra"

    @property
    def label(self) -> str:
        return {
            "recursos_propios": "Recursos propios",
            "sgp": "Sistema General de Participaciones (SGP)",
            "sgr": "Sistema General de Regalías (SGR)",
            "cofinanciacion": "Cofinanciación (MinTIC u otras entidades)",
            "cooperacion": "Cooperación internacional",
            "credito": "Crédito",
            "otra": "Otra fuente",
        }[self.value]


class InitiativeCounter(YearlyCounter, db.Model):  # type: ignore[name-defined,misc]
    """Last code number given per year, incremented in the registering transaction (no gaps)."""

    __tablename__ = "initiative_counters"


class Initiative(db.Model):  # type: ignore[name-defined,misc]
    """An iniciativa/proyecto TIC of a dependency: the entity's inventory of TIC projects (SPEC §6)."""

    __tablename__ = "initiatives"
    __table_args__ = (
        CheckConstraint(
            "(postulation_requested_at IS NULL) = (postulation_requested_by_id IS NULL)", name="postulation_request_complete"
        ),
        CheckConstraint(
            "(state = 'registrada') OR (postulated_at IS NOT NULL AND postulation_confirmed_by_id IS NOT NULL)",
            name="postulated_is_confirmed",
        ),
        CheckConstraint(
            "(state NOT IN ('aprobada', 'rechazada', 'aplazada', 'en_ejecucion', 'finalizada')) OR (decided_at IS NOT NULL)",
            name="decided_has_time",
        ),
        CheckConstraint(
            "(state NOT IN ('en_ejecucion', 'finalizada')) OR (execution_started_at IS NOT NULL)", name="execution_has_start"
        ),
        CheckConstraint("(state <> 'finalizada') OR (finished_at IS NOT NULL)", name="finished_has_time"),
        CheckConstraint("progress_percent BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("(estimated_budget IS NULL) OR (estimated_budget >= 0)", name="budget_not_negative"),
        CheckConstraint("(start_date IS NULL) OR (end_date IS NULL) OR (end_date >= start_date)", name="dates_ordered"),
        Index("ix_initiatives_state_dependency", "state", "dependency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: INI-YYYY-NNNN, given at registration
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: the year of the code (registration): the catalogue's "año" filter
    year: Mapped[int] = mapped_column(index=True)
    dependency_id: Mapped[int] = mapped_column(ForeignKey("dependencies.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    objective: Mapped[str] = mapped_column(Text)
    #: included in the Plan Estratégico de Tecnologías de la Información
    is_in_peti: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: whole Colombian pesos
    estimated_budget: Mapped[int | None] = mapped_column(BigInteger)
    funding_source: Mapped[FundingSource | None] = mapped_column(enum_column(FundingSource, "funding_source"))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    #: the sponsoring official (position or name); never shown on the public catalogue
    sponsor: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[InitiativeState] = mapped_column(
        enum_column(InitiativeState, "initiative_state"), default=InitiativeState.REGISTRADA
    )
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the enlace asked for postulation; the head of the dependency has not confirmed yet
    postulation_requested_at: Mapped[datetime | None]
    postulation_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the head of the dependency confirmed: the dependency postulates it to the committee
    postulated_at: Mapped[datetime | None]
    postulation_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    decision_session_id: Mapped[int | None] = mapped_column(ForeignKey("committee_sessions.id"))
    execution_started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: the last progress report's percent (0 until one is reported)
    progress_percent: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    dependency: Mapped[Dependency] = relationship(lazy="joined")
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id], lazy="joined")
    postulation_requested_by: Mapped[User | None] = relationship(foreign_keys=[postulation_requested_by_id], lazy="joined")
    postulation_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[postulation_confirmed_by_id], lazy="joined")
    enabler_rows: Mapped[list[InitiativeEnabler]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="InitiativeEnabler.enabler"
    )
    events: Mapped[list[InitiativeEvent]] = relationship(order_by="InitiativeEvent.id", lazy="raise_on_sql")
    documents: Mapped[list[InitiativeDocument]] = relationship(order_by="InitiativeDocument.id", lazy="raise_on_sql")
    progress_reports: Mapped[list[ProgressReport]] = relationship(
        order_by="(ProgressReport.reported_on, ProgressReport.id)", lazy="raise_on_sql"
    )

    @property
    def enablers(self) -> list[Enabler]:
        order = list(Enabler)
        return sorted((row.enabler for row in self.enabler_rows), key=order.index)

    @property
    def is_postulation_pending(self) -> bool:
        return self.state is InitiativeState.REGISTRADA and self.postulation_requested_at is not None

    def snapshot(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "state": self.state.value,
            "title": self.title,
            "dependency": self.dependency_id,
            "enablers": [e.value for e in self.enablers],
            "is_in_peti": self.is_in_peti,
            "estimated_budget": self.estimated_budget,
            "funding_source": self.funding_source.value if self.funding_source else None,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "postulation_pending": self.is_postulation_pending,
            "progress_percent": self.progress_percent,
        }


class InitiativeEnabler(db.Model):  # type: ignore[name-defined,misc]
    """The Gobierno Digital enablers an initiative is aligned with (one row each, to filter by)."""

    __tablename__ = "initiative_enablers"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    enabler: Mapped[Enabler] = mapped_column(enum_column(Enabler, "enabler"), primary_key=True)


class InitiativeEvent(TimelineEvent, db.Model):  # type: ignore[name-defined,misc]
    """The initiative's timeline: every transition, who made it and why."""

    __tablename__ = "initiative_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())


EVENT_LABELS = {
    "registrada": "Registrada",
    "editada": "Editada",
    "postulacion_solicitada": "Postulación solicitada al jefe de la dependencia",
    "postulacion_devuelta": "Postulación devuelta por el jefe",
    "postulada": "Postulada al comité (confirmó el jefe)",
    "incluida_en_agenda": "Incluida en el orden del día",
    "retirada_de_agenda": "Retirada del orden del día",
    "decision_comite": "Decisión del comité",
    "en_ejecucion": "En ejecución",
    "avance_reportado": "Avance reportado",
    "finalizada": "Finalizada",
    "documento_adjuntado": "Documento adjuntado",
}


class InitiativeDocument(StoredFile, db.Model):  # type: ignore[name-defined,misc]
    """A supporting document (ficha, estudio previo, cotización): a PDF checked by content, at most 10 MB."""

    __tablename__ = "initiative_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)


class ProgressReport(db.Model):  # type: ignore[name-defined,misc]
    """A progress report of an initiative in execution: percent, indicators and risks."""

    __tablename__ = "initiative_progress_reports"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    reported_on: Mapped[date]
    percent: Mapped[int]
    indicators: Mapped[str] = mapped_column(Text)
    risks: Mapped[str | None] = mapped_column(Text)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reported_by: Mapped[User] = relationship(lazy="joined")
