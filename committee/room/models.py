"""What happens in the room (SPEC §6, seed Mesa §8): attendance, votes and the decision per agenda item."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from committee.models import AgendaItem, CommitteeDocument, CommitteeMember, SessionGuest
from portal.db import utcnow
from portal.extensions import db
from portal.models import User, enum_column


class AttendanceKind(StrEnum):
    #: a member of the committee in person
    INTEGRANTE = "integrante"
    #: somebody sent by a member, with the official communication attached; counts for the member
    DELEGADO = "delegado"
    #: a guest (seed Mesa §7): present, never counted for quorum, never votes
    INVITADO = "invitado"

    @property
    def label(self) -> str:
        return {"integrante": "Integrante", "delegado": "Delegado", "invitado": "Invitado"}[self.value]


class SessionAttendance(db.Model):  # type: ignore[name-defined,misc]
    """Who is in the room and since when (the listado de asistencia)."""

    __tablename__ = "session_attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "member_id", name="uq_session_attendance_member"),
        UniqueConstraint("session_id", "guest_id", name="uq_session_attendance_guest"),
        CheckConstraint("(kind = 'invitado') = (member_id IS NULL)", name="member_unless_guest"),
        CheckConstraint("(kind <> 'delegado') OR (communication_id IS NOT NULL)", name="delegate_has_communication"),
        CheckConstraint("(left_at IS NULL) OR (left_at >= arrived_at)", name="leaves_after_arrival"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    kind: Mapped[AttendanceKind] = mapped_column(enum_column(AttendanceKind, "attendance_kind"))
    #: the member present or represented (none for a guest)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    #: the invited guest this row is for, when the guest was on the session's list
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("session_guests.id"))
    #: the person in the room: the member, the delegate or the guest
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

    @property
    def is_present(self) -> bool:
        return self.left_at is None

    @property
    def counts_for_quorum(self) -> bool:
        """A voting member in the room, in person or through a delegate."""
        return self.member is not None and self.member.is_voting and self.left_at is None


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
    #: the member itself, or the secretariat recording a vote given aloud (a delegate's, for one)
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

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
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime]

    item: Mapped[AgendaItem] = relationship(lazy="joined")
    casting_by: Mapped[User | None] = relationship(foreign_keys=[casting_by_id], lazy="joined")

    @property
    def final_outcome(self) -> ItemOutcome:
        """The decision that stands: the casting decision after a tie, else the votes' outcome."""
        return self.casting_decision or self.outcome
