"""The committee's seats, sessions, agenda, guests, convocations and documents (SPEC §6, seed Mesa §3, §5)."""

from __future__ import annotations

from datetime import datetime
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
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Initiative
from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, StoredFile, User, enum_column


class CommitteeMember(db.Model):  # type: ignore[name-defined,misc]
    """A seat of the committee (seed Mesa §3): who, in which position, with or without vote.

    The head of the IT office chairs with the casting vote (seed Mesa §8); the technical secretariat
    convenes and keeps the actas (seed Mesa §6). At most one active chair; one active seat per person.
    """

    __tablename__ = "committee_members"
    __table_args__ = (
        CheckConstraint("(NOT is_chair) OR is_voting", name="chair_votes"),
        Index(
            "uq_committee_members_active_chair",
            "is_chair",
            unique=True,
            postgresql_where=text("is_chair AND is_active"),
            sqlite_where=text("is_chair AND is_active"),
        ),
        Index(
            "uq_committee_members_active_user",
            "user_id",
            unique=True,
            postgresql_where=text("is_active"),
            sqlite_where=text("is_active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the position held in the committee, as the convocation and the acta name it
    position: Mapped[str] = mapped_column(String(200))
    is_voting: Mapped[bool] = mapped_column(default=True, server_default=true())
    dependency_id: Mapped[int | None] = mapped_column(ForeignKey("dependencies.id"))
    is_chair: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_technical_secretariat: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    dependency: Mapped[Dependency | None] = relationship(lazy="joined")

    def snapshot(self) -> dict[str, Any]:
        return {
            "user": self.user_id,
            "position": self.position,
            "is_voting": self.is_voting,
            "dependency": self.dependency_id,
            "is_chair": self.is_chair,
            "is_technical_secretariat": self.is_technical_secretariat,
            "is_active": self.is_active,
        }


class SessionKind(StrEnum):
    ORDINARIA = "ordinaria"
    EXTRAORDINARIA = "extraordinaria"

    @property
    def label(self) -> str:
        return {"ordinaria": "Ordinaria", "extraordinaria": "Extraordinaria"}[self.value]


class SessionState(StrEnum):
    PROGRAMADA = "programada"
    CONVOCADA = "convocada"
    #: installed by the secretariat: attendance, deliberation and votes in the room
    EN_CURSO = "en_curso"
    #: held and closed: its acta follows
    REALIZADA = "realizada"
    CANCELADA = "cancelada"

    @property
    def label(self) -> str:
        return {
            "programada": "Programada",
            "convocada": "Convocada",
            "en_curso": "En curso",
            "realizada": "Realizada",
            "cancelada": "Cancelada",
        }[self.value]


#: A session whose agenda, data and guests may still change, and that may be convened.
OPEN_SESSION_STATES = frozenset({SessionState.PROGRAMADA, SessionState.CONVOCADA})


class CommitteeSession(db.Model):  # type: ignore[name-defined,misc]
    """A session of the committee: ``ordinaria`` (quarterly) or ``extraordinaria`` (on request of members)."""

    __tablename__ = "committee_sessions"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_committee_sessions_year_number"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("(place IS NOT NULL) OR (virtual_link IS NOT NULL)", name="has_place_or_link"),
        CheckConstraint(
            "(kind <> 'extraordinaria') OR (requested_by_member_id IS NOT NULL AND extraordinary_reason IS NOT NULL)",
            name="extraordinary_requested",
        ),
        CheckConstraint("(state <> 'convocada') OR (convened_at IS NOT NULL)", name="convened_has_time"),
        CheckConstraint("(state NOT IN ('en_curso', 'realizada')) OR (opened_at IS NOT NULL)", name="held_has_opening"),
        CheckConstraint("(state <> 'realizada') OR (closed_at IS NOT NULL)", name="held_has_closing"),
        CheckConstraint(
            "(state <> 'cancelada') OR (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)", name="cancel_reason"
        ),
        Index("ix_committee_sessions_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the session's year (Bogotá) and its number within the year
    year: Mapped[int]
    number: Mapped[int]
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "session_kind"))
    state: Mapped[SessionState] = mapped_column(enum_column(SessionState, "session_state"), default=SessionState.PROGRAMADA)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    virtual_link: Mapped[str | None] = mapped_column(String(500))
    #: the inputs the convocation asks for (seed Mesa §6)
    requested_inputs: Mapped[str | None] = mapped_column(Text)
    #: an extraordinaria is convened on request of members (seed Mesa §6): who asked, and why
    requested_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    extraordinary_reason: Mapped[str | None] = mapped_column(Text)
    #: the iCalendar UID: the same for every invitation of this session
    ics_uid: Mapped[str] = mapped_column(String(200), unique=True)
    #: SEQUENCE of the last invitation sent; None before the first convocation
    ics_sequence: Mapped[int | None]
    convened_at: Mapped[datetime | None]
    last_convened_at: Mapped[datetime | None]
    #: data, agenda or guests changed after the last convocation: an updated one should go out
    has_unsent_changes: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: when the secretariat installed the session in the room, and when it closed it
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    requested_by: Mapped[CommitteeMember | None] = relationship(lazy="joined")
    items: Mapped[list[AgendaItem]] = relationship(order_by="AgendaItem.position", lazy="raise_on_sql")
    guests: Mapped[list[SessionGuest]] = relationship(order_by="SessionGuest.id", lazy="raise_on_sql")
    convocations: Mapped[list[SessionConvocation]] = relationship(order_by="SessionConvocation.sequence", lazy="raise_on_sql")

    @property
    def label(self) -> str:
        return f"Sesión {self.kind.label.lower()} N.º {self.number} de {self.year}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind.value,
            "state": self.state.value,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "place": self.place,
            "virtual_link": self.virtual_link,
            "requested_by_member": self.requested_by_member_id,
            "ics_sequence": self.ics_sequence,
        }


class AgendaItemKind(StrEnum):
    QUORUM = "verificacion_quorum"
    ACTA_ANTERIOR = "acta_anterior"
    COMPROMISOS = "seguimiento_compromisos"
    INICIATIVA = "iniciativa"
    TEMA = "tema"
    VARIOS = "proposiciones_varios"

    @property
    def label(self) -> str:
        return {
            "verificacion_quorum": "Verificación del quórum",
            "acta_anterior": "Lectura y aprobación del acta anterior",
            "seguimiento_compromisos": "Seguimiento de compromisos",
            "iniciativa": "Iniciativa",
            "tema": "Tema",
            "proposiciones_varios": "Proposiciones y varios",
        }[self.value]


class AgendaItem(db.Model):  # type: ignore[name-defined,misc]
    """One point of the orden del día, in order."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("session_id", "position", name="uq_agenda_items_session_position"),
        UniqueConstraint("session_id", "initiative_id", name="uq_agenda_items_session_initiative"),
        CheckConstraint("(kind = 'iniciativa') = (initiative_id IS NOT NULL)", name="initiative_item_has_initiative"),
        CheckConstraint(
            "(head_absence_confirmed_at IS NULL) = (head_absence_confirmed_by_id IS NULL)", name="head_absence_confirmed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    position: Mapped[int]
    kind: Mapped[AgendaItemKind] = mapped_column(enum_column(AgendaItemKind, "agenda_item_kind"))
    title: Mapped[str] = mapped_column(String(300))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"), index=True)
    #: the deliberation (what was said), written by the secretariat during the session
    notes: Mapped[str | None] = mapped_column(Text)
    #: when the secretariat opened the voting of this item (votes are taken until it closes)
    voting_opened_at: Mapped[datetime | None]
    #: the head of the initiative's dependency was not in the room when its voting opened: the
    #: secretariat confirmed voting without the head (seed Mesa §3), and the acta says so
    head_absence_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    head_absence_confirmed_at: Mapped[datetime | None]

    initiative: Mapped[Initiative | None] = relationship(lazy="joined")
    head_absence_confirmed_by: Mapped[User | None] = relationship(lazy="joined")


class SessionGuest(db.Model):  # type: ignore[name-defined,misc]
    """A guest of a session: a person or representative of a public or private entity (seed Mesa §7)."""

    __tablename__ = "session_guests"
    __table_args__ = (UniqueConstraint("session_id", "email", name="uq_session_guests_session_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organization: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionConvocation(db.Model):  # type: ignore[name-defined,misc]
    """Each invitation sent for a session, kept as evidence: when, to whom, how early, the ICS itself."""

    __tablename__ = "session_convocations"
    __table_args__ = (UniqueConstraint("session_id", "sequence", name="uq_session_convocations_session_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    #: the invitation's SEQUENCE (0 for the first one)
    sequence: Mapped[int]
    #: REQUEST (invitation or update) or CANCEL
    method: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[datetime]
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the session's start when this went out (a later change of date needs a new convocation)
    session_starts_at: Mapped[datetime]
    #: calendar days between the day it went out and the session's day (Bogotá)
    days_before: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    #: [{"name", "email", "kind": miembro|jefe|invitado, "required": bool}]
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    ics: Mapped[str] = mapped_column(Text)

    sent_by: Mapped[User] = relationship(lazy="joined")


class CommitteeDocument(StoredFile, db.Model):  # type: ignore[name-defined,misc]
    """A file attached to a session: the official communication of a delegation (checked by content)."""

    __tablename__ = "committee_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    #: what the file is: ``comunicacion_delegacion``
    purpose: Mapped[str] = mapped_column(String(40))
