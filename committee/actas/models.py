"""The acta with its versions, responses and signatures, and the business-day deadlines the portal keeps (seed Mesa §6)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from committee.commitments.models import Commitment
from committee.models import CommitteeMember, CommitteeSession
from portal.db import utcnow
from portal.extensions import db
from portal.models import User, enum_column


class ActaState(StrEnum):
    #: generated from the session; the secretariat edits it
    BORRADOR = "borrador"
    #: sent to the members: approve or observe within the deadline
    ENVIADA = "enviada"
    #: observations received: the final version is due
    CON_OBSERVACIONES = "con_observaciones"
    #: approved (expressly, tacitly or by its final version): the members sign it
    APROBADA = "aprobada"
    #: signed by every member who attended
    SUSCRITA = "suscrita"

    @property
    def label(self) -> str:
        return {
            "borrador": "Borrador",
            "enviada": "Enviada para observaciones",
            "con_observaciones": "Con observaciones",
            "aprobada": "Aprobada",
            "suscrita": "Suscrita",
        }[self.value]


class ActaApproval(StrEnum):
    #: every member who attended approved it expressly
    EXPRESA = "expresa"
    #: no observations arrived by the deadline (seed Mesa §6)
    TACITA = "tacita"
    #: the final version after the observations
    VERSION_DEFINITIVA = "version_definitiva"

    @property
    def label(self) -> str:
        return {
            "expresa": "Aprobación expresa",
            "tacita": "Aprobación tácita",
            "version_definitiva": "Versión definitiva",
        }[self.value]


class ActaCounter(db.Model):  # type: ignore[name-defined,misc]
    """Last acta number given per year, incremented in the transaction that creates the acta (no gaps)."""

    __tablename__ = "acta_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)


class CommitteeActa(db.Model):  # type: ignore[name-defined,misc]
    """The acta of a session, from its draft to its signatures."""

    __tablename__ = "committee_actas"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_committee_actas_year_number"),
        CheckConstraint("(state = 'borrador') OR (sent_at IS NOT NULL)", name="sent_has_time"),
        CheckConstraint(
            "(state NOT IN ('aprobada', 'suscrita')) OR (approved_at IS NOT NULL AND approval IS NOT NULL)",
            name="approved_has_time",
        ),
        CheckConstraint("(state <> 'suscrita') OR (signed_at IS NOT NULL)", name="signed_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), unique=True)
    #: "Acta N.º 3 de 2026": consecutive per year (Bogotá) in the order actas are created
    year: Mapped[int] = mapped_column(server_default=text("0"))
    number: Mapped[int] = mapped_column(server_default=text("0"))
    state: Mapped[ActaState] = mapped_column(enum_column(ActaState, "acta_state"), default=ActaState.BORRADOR)
    #: the version the members read and sign (the latest)
    current_version: Mapped[int] = mapped_column(default=1)
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_observation_at: Mapped[datetime | None]
    approval: Mapped[ActaApproval | None] = mapped_column(enum_column(ActaApproval, "acta_approval"))
    approved_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    session: Mapped[CommitteeSession] = relationship(lazy="joined")
    versions: Mapped[list[ActaVersion]] = relationship(order_by="ActaVersion.number", lazy="raise_on_sql")
    responses: Mapped[list[ActaResponse]] = relationship(order_by="ActaResponse.id", lazy="raise_on_sql")
    signatures: Mapped[list[ActaSignature]] = relationship(order_by="ActaSignature.id", lazy="raise_on_sql")

    @property
    def title(self) -> str:
        return f"Acta N.º {self.number} de {self.year}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "acta": self.title,
            "estado": self.state.value,
            "version": self.current_version,
            "enviada": self.sent_at.isoformat() if self.sent_at else None,
            "aprobacion": self.approval.value if self.approval else None,
        }


class ActaVersionKind(StrEnum):
    BORRADOR = "borrador"
    #: the final version of an acta approved before approval produced its own version
    DEFINITIVA = "definitiva"
    #: the approved acta (expressly, tacitly or after observations): no draft mark, says how and
    #: when it was approved, and is the version the members sign
    APROBADA = "aprobada"

    @property
    def label(self) -> str:
        return {"borrador": "Borrador", "definitiva": "Versión definitiva", "aprobada": "Versión aprobada"}[self.value]


class ActaVersion(db.Model):  # type: ignore[name-defined,misc]
    """One version of the acta's text, immutable: an edit writes the next version.

    ``body`` follows ``committee.actas.content.ActaBody``: the session's facts when generated (attendance,
    agenda, votes, decisions, commitments) and the texts the secretariat edits.
    """

    __tablename__ = "acta_versions"
    __table_args__ = (UniqueConstraint("acta_id", "number", name="uq_acta_versions_acta_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acta_id: Mapped[int] = mapped_column(ForeignKey("committee_actas.id"), index=True)
    number: Mapped[int]
    kind: Mapped[ActaVersionKind] = mapped_column(enum_column(ActaVersionKind, "acta_version_kind"))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the body in canonical JSON (``committee.actas.content.body_digest``): the
    #: verification code printed with the signatures of this version
    sha256: Mapped[str] = mapped_column(String(64), server_default="")
    note: Mapped[str | None] = mapped_column(Text)
    #: who wrote it; None when the portal wrote it (an express or tacit approval)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship(lazy="joined")


class ActaResponseKind(StrEnum):
    APROBACION = "aprobacion"
    OBSERVACIONES = "observaciones"

    @property
    def label(self) -> str:
        return {"aprobacion": "Aprobación", "observaciones": "Observaciones"}[self.value]


class ActaResponse(db.Model):  # type: ignore[name-defined,misc]
    """A member's answer to the sent draft: approval, or observations (text)."""

    __tablename__ = "acta_responses"
    __table_args__ = (CheckConstraint("(kind <> 'observaciones') OR (text IS NOT NULL)", name="observations_have_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acta_id: Mapped[int] = mapped_column(ForeignKey("committee_actas.id"), index=True)
    version_number: Mapped[int]
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[ActaResponseKind] = mapped_column(enum_column(ActaResponseKind, "acta_response_kind"))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]

    member: Mapped[CommitteeMember] = relationship(lazy="joined")


class ActaSignature(db.Model):  # type: ignore[name-defined,misc]
    """A member subscribes (suscribe) the approved acta in the portal: in its seat, the member who
    attended in person, or the delegate who attended for it (``user_id`` is who signed)."""

    __tablename__ = "acta_signatures"
    __table_args__ = (UniqueConstraint("acta_id", "member_id", name="uq_acta_signatures_acta_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acta_id: Mapped[int] = mapped_column(ForeignKey("committee_actas.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version_number: Mapped[int]
    #: the verification code: the SHA-256 of the version signed (``ActaVersion.sha256``)
    version_sha256: Mapped[str] = mapped_column(String(64), server_default="")
    signed_at: Mapped[datetime]

    member: Mapped[CommitteeMember] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class DeadlineKind(StrEnum):
    #: the draft acta must be sent within 5 business days after the session
    ENVIO_ACTA = "envio_acta"
    #: members approve or observe within 3 business days after sending; then tacit approval
    OBSERVACIONES = "observaciones"
    #: the final version is due 3 business days after the observations are received
    VERSION_DEFINITIVA = "version_definitiva"
    #: a commitment's due date
    COMPROMISO = "compromiso"

    @property
    def label(self) -> str:
        return {
            "envio_acta": "Envío del proyecto de acta",
            "observaciones": "Observaciones de los integrantes",
            "version_definitiva": "Versión definitiva del acta",
            "compromiso": "Compromiso",
        }[self.value]


class DeadlineOutcome(StrEnum):
    #: done in time
    CUMPLIDO = "cumplido"
    #: done after the deadline had passed
    CUMPLIDO_TARDE = "cumplido_tarde"
    #: the observation period ended (tacitly approved, or closed by the final version)
    CERRADO = "cerrado"
    #: replaced by a later deadline of the same kind (a new observation moves the final version's)
    REEMPLAZADO = "reemplazado"
    #: no longer applies (a cancelled commitment)
    ANULADO = "anulado"

    @property
    def label(self) -> str:
        return {
            "cumplido": "Cumplido",
            "cumplido_tarde": "Cumplido fuera de plazo",
            "cerrado": "Cerrado",
            "reemplazado": "Reemplazado",
            "anulado": "Anulado",
        }[self.value]


class CommitteeDeadline(db.Model):  # type: ignore[name-defined,misc]
    """A deadline the portal keeps (SPEC §6): shown, warned before it passes, recorded when missed.

    ``warn_at`` and ``due_at`` are UTC instants computed once with the entity's business calendar
    (``BusinessCalendar.business_day_deadline``: 23:59:59 Bogotá of the last business day). The
    periodic check marks ``warned_at`` and ``missed_at`` once each with a conditional UPDATE, so two
    checks running together send each notice once.
    """

    __tablename__ = "committee_deadlines"
    __table_args__ = (
        CheckConstraint("(acta_id IS NULL) <> (commitment_id IS NULL)", name="acta_or_commitment"),
        CheckConstraint("(closed_at IS NULL) = (outcome IS NULL)", name="closed_has_outcome"),
        CheckConstraint("warn_at <= due_at", name="warns_before_due"),
        Index(
            "ix_committee_deadlines_open_warn",
            "warn_at",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        Index(
            "ix_committee_deadlines_open_due",
            "due_at",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeadlineKind] = mapped_column(enum_column(DeadlineKind, "deadline_kind"))
    acta_id: Mapped[int | None] = mapped_column(ForeignKey("committee_actas.id"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("committee_commitments.id"), index=True)
    #: the local date the count starts from (the session, the sending, the observation)
    counted_from: Mapped[date]
    #: the business days counted (none for a commitment, due on the date the committee set)
    business_days: Mapped[int | None]
    due_at: Mapped[datetime]
    warn_at: Mapped[datetime]
    warned_at: Mapped[datetime | None]
    missed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[DeadlineOutcome | None] = mapped_column(enum_column(DeadlineOutcome, "deadline_outcome"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    acta: Mapped[CommitteeActa | None] = relationship(lazy="joined")
    commitment: Mapped[Commitment | None] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
