"""Commitments made in a session and their follow-up (SPEC §6)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from committee.models import CommitteeSession
from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, User, enum_column


class CommitmentState(StrEnum):
    PENDIENTE = "pendiente"
    CUMPLIDO = "cumplido"
    #: withdrawn by the committee (with the reason), never deleted
    CANCELADO = "cancelado"

    @property
    def label(self) -> str:
        return {"pendiente": "Pendiente", "cumplido": "Cumplido", "cancelado": "Cancelado"}[self.value]


class Commitment(db.Model):  # type: ignore[name-defined,misc]
    """A compromiso made in a session: what, who, by when. Overdue = pending after its due date."""

    __tablename__ = "committee_commitments"
    __table_args__ = (
        CheckConstraint("(state = 'pendiente') OR (closed_at IS NOT NULL)", name="closed_has_time"),
        Index("ix_committee_commitments_state_due", "state", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    description: Mapped[str] = mapped_column(Text)
    #: the person responsible, when it has an account (it gets the reminders)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the responsible as written in the acta (a person, a position or a dependency)
    responsible_name: Mapped[str] = mapped_column(String(200))
    dependency_id: Mapped[int | None] = mapped_column(ForeignKey("dependencies.id"))
    due_date: Mapped[date]
    state: Mapped[CommitmentState] = mapped_column(
        enum_column(CommitmentState, "commitment_state"), default=CommitmentState.PENDIENTE
    )
    closed_at: Mapped[datetime | None]
    closing_note: Mapped[str | None] = mapped_column(Text)
    #: when the portal found it overdue and told Control Interno
    overdue_notified_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[CommitteeSession] = relationship(lazy="joined")
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_id], lazy="joined")
    dependency: Mapped[Dependency | None] = relationship(lazy="joined")
    follow_ups: Mapped[list[CommitmentFollowUp]] = relationship(order_by="CommitmentFollowUp.id", lazy="raise_on_sql")

    def snapshot(self) -> dict[str, Any]:
        return {
            "descripcion": self.description,
            "responsable": self.responsible_name,
            "vence": self.due_date.isoformat(),
            "estado": self.state.value,
        }


class CommitmentFollowUp(db.Model):  # type: ignore[name-defined,misc]
    """What was reported on a commitment at a later session's follow-up item."""

    __tablename__ = "commitment_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("committee_commitments.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    #: the commitment's state after this follow-up
    state: Mapped[CommitmentState] = mapped_column(enum_column(CommitmentState, "followup_commitment_state"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]

    recorded_by: Mapped[User] = relationship(lazy="joined")
