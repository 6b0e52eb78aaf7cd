"""What happens in and after a session of the committee (SPEC §6): attendance, votes and decisions
per agenda item, the acta with its versions, responses and signatures, the commitments, and the
business-day deadlines the portal keeps for the secretariat.

Nothing here is ever deleted: actas, versions, votes and attendance are records of the entity
(document retention, SPEC §7).
"""

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

from catalog.models import AgendaItem, CommitteeMember, CommitteeSession, SessionGuest
from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, StoredFile, User, enum_column


class CommitteeDocument(StoredFile, db.Model):  # type: ignore[name-defined,misc]
    """A file attached to a session: the official communication of a delegation (checked by content)."""

    __tablename__ = "committee_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    #: what the file is: ``comunicacion_delegacion``
    purpose: Mapped[str] = mapped_column(String(40))


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


class CommitteeActa(db.Model):  # type: ignore[name-defined,misc]
    """The acta of a session, from its draft to its signatures."""

    __tablename__ = "committee_actas"
    __table_args__ = (
        CheckConstraint("(state = 'borrador') OR (sent_at IS NOT NULL)", name="sent_has_time"),
        CheckConstraint(
            "(state NOT IN ('aprobada', 'suscrita')) OR (approved_at IS NOT NULL AND approval IS NOT NULL)",
            name="approved_has_time",
        ),
        CheckConstraint("(state <> 'suscrita') OR (signed_at IS NOT NULL)", name="signed_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), unique=True)
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

    def snapshot(self) -> dict[str, Any]:
        return {
            "estado": self.state.value,
            "version": self.current_version,
            "enviada": self.sent_at.isoformat() if self.sent_at else None,
            "aprobacion": self.approval.value if self.approval else None,
        }


class ActaVersionKind(StrEnum):
    BORRADOR = "borrador"
    DEFINITIVA = "definitiva"

    @property
    def label(self) -> str:
        return {"borrador": "Borrador", "definitiva": "Versión definitiva"}[self.value]


class ActaVersion(db.Model):  # type: ignore[name-defined,misc]
    """One version of the acta's text, immutable: an edit writes the next version.

    ``body`` follows ``catalog.acta_body.ActaBody``: the session's facts when generated (attendance,
    agenda, votes, decisions, commitments) and the texts the secretariat edits.
    """

    __tablename__ = "acta_versions"
    __table_args__ = (UniqueConstraint("acta_id", "number", name="uq_acta_versions_acta_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acta_id: Mapped[int] = mapped_column(ForeignKey("committee_actas.id"), index=True)
    number: Mapped[int]
    kind: Mapped[ActaVersionKind] = mapped_column(enum_column(ActaVersionKind, "acta_version_kind"))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User] = relationship(lazy="joined")


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
    """A member subscribes (suscribe) the approved acta in the portal."""

    __tablename__ = "acta_signatures"
    __table_args__ = (UniqueConstraint("acta_id", "member_id", name="uq_acta_signatures_acta_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acta_id: Mapped[int] = mapped_column(ForeignKey("committee_actas.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version_number: Mapped[int]
    signed_at: Mapped[datetime]

    member: Mapped[CommitteeMember] = relationship(lazy="joined")


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
