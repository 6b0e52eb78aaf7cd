"""What happens in the room (SPEC §6, seed Mesa §8): attendance, votes and the decision per agenda item."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from committee.models import AgendaItem, CommitteeDocument, CommitteeMember, SessionGuest
from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, User, enum_column


class AttendanceKind(StrEnum):
    #: a member of the committee in person
    INTEGRANTE = "integrante"
    #: somebody sent by a member, with the official communication attached; counts for the member
    DELEGADO = "delegado"
    #: a guest (seed Mesa §7): present, never counted for quorum, never votes
    INVITADO = "invitado"
    #: the head of a dependency whose initiative is on the agenda, who must attend (seed Mesa §3);
    #: never counted for quorum, never votes (unless seated, then recorded as ``integrante``)
    JEFE = "jefe"

    @property
    def label(self) -> str:
        return {
            "integrante": "Integrante",
            "delegado": "Delegado",
            "invitado": "Invitado",
            "jefe": "Jefe de dependencia",
        }[self.value]


class SessionAttendance(db.Model):  # type: ignore[name-defined,misc]
    """Who is in the room and since when (the listado de asistencia)."""

    __tablename__ = "session_attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "member_id", name="uq_session_attendance_member"),
        UniqueConstraint("session_id", "guest_id", name="uq_session_attendance_guest"),
        UniqueConstraint("session_id", "user_id", name="uq_session_attendance_user"),
        CheckConstraint("(kind IN ('invitado', 'jefe')) = (member_id IS NULL)", name="member_unless_guest_or_head"),
        CheckConstraint("(kind <> 'delegado') OR (communication_id IS NOT NULL)", name="delegate_has_communication"),
        CheckConstraint("(kind <> 'jefe') OR (user_id IS NOT NULL AND dependency_id IS NOT NULL)", name="head_has_account"),
        CheckConstraint("(left_at IS NULL) OR (left_at >= arrived_at)", name="leaves_after_arrival"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    kind: Mapped[AttendanceKind] = mapped_column(enum_column(AttendanceKind, "attendance_kind"))
    #: the member present or represented (none for a guest)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    #: the invited guest this row is for, when the guest was on the session's list
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("session_guests.id"))
    #: the person's portal account when it is not the member's own: a delegate's (to vote and sign
    #: for the member from their own device) or a head's
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: a head: the dependency whose initiative is on the agenda
    dependency_id: Mapped[int | None] = mapped_column(ForeignKey("dependencies.id"))
    #: the person in the room: the member, the delegate, the guest or the head
    name: Mapped[str] = mapped_column(String(200))
    #: the position held (delegate) or the organisation (guest); a member's comes from its seat
    position: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    communication_id: Mapped[int | None] = mapped_column(ForeignKey("committee_documents.id"))
    arrived_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[CommitteeMember | None] = relationship(lazy="joined")
    guest: Mapped[SessionGuest | None] = relationship(lazy="joined")
    communication: Mapped[CommitteeDocument | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    dependency: Mapped[Dependency | None] = relationship(lazy="joined")

    @property
    def is_present(self) -> bool:
        return self.left_at is None

    @property
    def counts_for_quorum(self) -> bool:
        """A voting member in the room, in person or through a delegate."""
        return self.member is not None and self.member.is_voting and self.left_at is None


class MovementKind(StrEnum):
    LLEGADA = "llegada"
    SALIDA = "salida"
    REGRESO = "regreso"

    @property
    def label(self) -> str:
        return {"llegada": "Llega", "salida": "Sale", "regreso": "Regresa"}[self.value]


class AttendanceMovement(db.Model):  # type: ignore[name-defined,misc]
    """Each arrival, departure and return in the room, with its time: the acta prints them and the
    quorum of any instant is counted from them (``SessionAttendance`` keeps only the latest state)."""

    __tablename__ = "session_attendance_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("session_attendance.id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(enum_column(MovementKind, "attendance_movement_kind"))
    at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    attendance: Mapped[SessionAttendance] = relationship(lazy="joined")


class VoteChoice(StrEnum):
    A_FAVOR = "a_favor"
    EN_CONTRA = "en_contra"
    ABSTENCION = "abstencion"

    @property
    def label(self) -> str:
        return {"a_favor": "A favor", "en_contra": "En contra", "abstencion": "Abstención"}[self.value]


class AgendaVote(db.Model):  # type: ignore[name-defined,misc]
    """One member's vote on an agenda item; it may change until the voting closes (each change audited)."""

    __tablename__ = "agenda_votes"
    __table_args__ = (UniqueConstraint("item_id", "member_id", name="uq_agenda_votes_item_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    choice: Mapped[VoteChoice] = mapped_column(enum_column(VoteChoice, "vote_choice"))
    #: the member itself (or its delegate), or the secretariat recording a vote given aloud
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: cast by the member (or its delegate) from their own device: only they may change it
    is_own_vote: Mapped[bool] = mapped_column(default=False, server_default=false())

    member: Mapped[CommitteeMember] = relationship(lazy="joined")
    cast_by: Mapped[User] = relationship(lazy="joined")


class ItemOutcome(StrEnum):
    """What the votes of an item decided (SPEC §6)."""

    #: votes in favour exceed half of the voting members present
    APROBADA = "aprobada"
    #: votes against exceed half of the voting members present
    RECHAZADA = "rechazada"
    #: as many in favour as against (at least one each way): the chair's casting decision is due
    EMPATE = "empate"
    #: neither: no decision; an initiative is deferred (``aplazada``) to a later session
    SIN_DECISION = "sin_decision"

    @property
    def label(self) -> str:
        return {
            "aprobada": "Aprobada",
            "rechazada": "Rechazada",
            "empate": "Empate",
            "sin_decision": "Sin decisión",
        }[self.value]


class NoDecisionReason(StrEnum):
    """Why an item was left without a decision (SPEC §6)."""

    #: the quorum was lost when the voting closed (the session closed with the voting open)
    SIN_QUORUM = "sin_quorum"
    #: a tie the chair did not break (the chair had left, or never came)
    EMPATE_NO_DIRIMIDO = "empate_no_dirimido"
    #: neither side had more than half of the voting members present
    SIN_MAYORIA = "sin_mayoria"

    @property
    def label(self) -> str:
        return {
            "sin_quorum": "sin quórum al cerrar la votación",
            "empate_no_dirimido": "empate no dirimido por quien preside",
            "sin_mayoria": "ninguna opción obtuvo la mayoría de los integrantes con voto presentes",
        }[self.value]


class ItemDecision(db.Model):  # type: ignore[name-defined,misc]
    """The closed voting of an agenda item: the counts at the close and the outcome.

    ``outcome`` is what the votes gave; ``final_outcome`` is what the committee decided: the same
    outcome, or after a tie the chair's casting decision (``aprobada`` or ``rechazada``).
    """

    __tablename__ = "agenda_item_decisions"
    __table_args__ = (
        CheckConstraint("votes_for + votes_against + abstentions + not_voted = present_voting", name="counts_add_up"),
        CheckConstraint(
            "(casting_decision IS NULL) = (casting_by_id IS NULL)",
            name="casting_has_author",
        ),
        CheckConstraint("(outcome = 'empate') OR (casting_decision IS NULL)", name="casting_only_on_tie"),
        CheckConstraint(
            "(outcome <> 'sin_decision') OR (no_decision_reason IS NOT NULL AND no_decision_reason <> 'empate_no_dirimido')",
            name="no_decision_has_reason",
        ),
        CheckConstraint(
            "(no_decision_reason IS NULL) OR (outcome = 'sin_decision') "
            "OR (outcome = 'empate' AND no_decision_reason = 'empate_no_dirimido' AND casting_decision IS NULL)",
            name="reason_only_without_decision",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), unique=True)
    voting_members: Mapped[int]
    present_voting: Mapped[int]
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstentions: Mapped[int]
    #: voting members present who cast no vote
    not_voted: Mapped[int]
    outcome: Mapped[ItemOutcome] = mapped_column(enum_column(ItemOutcome, "item_outcome"))
    casting_decision: Mapped[ItemOutcome | None] = mapped_column(enum_column(ItemOutcome, "item_casting_decision"))
    casting_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    casting_at: Mapped[datetime | None]
    casting_note: Mapped[str | None] = mapped_column(Text)
    #: why there is no decision: no quorum, no majority, or a tie left unbroken
    no_decision_reason: Mapped[NoDecisionReason | None] = mapped_column(enum_column(NoDecisionReason, "no_decision_reason"))
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime]
    #: the voting members in the room when the voting closed:
    #: [{"member_id", "name", "position", "delegate": the delegate's name or None}]
    present_at_close: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default=text("'[]'"))

    item: Mapped[AgendaItem] = relationship(lazy="joined")
    casting_by: Mapped[User | None] = relationship(foreign_keys=[casting_by_id], lazy="joined")

    @property
    def final_outcome(self) -> ItemOutcome:
        """The decision that stands: the casting decision after a tie (a tie left unbroken is no
        decision), else the votes' outcome."""
        if self.no_decision_reason is NoDecisionReason.EMPATE_NO_DIRIMIDO:
            return ItemOutcome.SIN_DECISION
        return self.casting_decision or self.outcome

    @property
    def required(self) -> int:
        """The quorum when the voting closed: more than half of the voting members."""
        return self.voting_members // 2 + 1

    @property
    def had_quorum(self) -> bool:
        return self.voting_members > 0 and self.present_voting >= self.required
