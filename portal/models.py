"""People, roles, the organisation, API tokens and the audit trail (SPEC §1, §2, §7)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.db import utcnow
from portal.extensions import db
from portal.roles import SCOPED_ROLES, Role
from portal.uploads import CheckedFile


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A portable enum column storing the value (a VARCHAR with a CHECK constraint)."""
    return Enum(
        enum, name=name, native_enum=False, create_constraint=True, values_callable=lambda e: [m.value for m in e], length=40
    )


class DependencyKind(StrEnum):
    SECRETARIA = "secretaria"
    OFICINA = "oficina"
    DEPARTAMENTO_ADMINISTRATIVO = "departamento_administrativo"
    ENTE_DESCENTRALIZADO = "ente_descentralizado"
    MUNICIPIO = "municipio"

    @property
    def label(self) -> str:
        return {
            "secretaria": "Secretaría",
            "oficina": "Oficina",
            "departamento_administrativo": "Departamento administrativo",
            "ente_descentralizado": "Ente descentralizado",
            "municipio": "Municipio",
        }[self.value]

    @property
    def liaison_title(self) -> str:
        """Decentralised entities and municipalities name their liaison CIO (seed PR-M2-P6-01, Nota)."""
        return "CIO" if self in (DependencyKind.ENTE_DESCENTRALIZADO, DependencyKind.MUNICIPIO) else "Enlace TIC"


class Dependency(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "dependencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DependencyKind] = mapped_column(enum_column(DependencyKind, "dependency_kind"))
    #: The Secretario/Director/Jefe who signs the dependency's requests.
    head_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    head: Mapped[User | None] = relationship(foreign_keys=[head_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<Dependency {self.code}>"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    position: Mapped[str | None] = mapped_column(String(200))
    #: The dependency the person works in (their own, not the ones they are scoped to).
    dependency_id: Mapped[int | None] = mapped_column(ForeignKey("dependencies.id"))
    #: Distinguished name in the directory; None for local accounts.
    directory_dn: Mapped[str | None] = mapped_column(String(500))
    #: Only local accounts (the first administrator) have a password here: scrypt, never clear.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Part of every session cookie; raising it ends all the user's sessions (logout, password
    #: change, disabling, "cerrar todas las sesiones").
    session_generation: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    dependency: Mapped[Dependency | None] = relationship(foreign_keys=[dependency_id], lazy="joined")
    #: Loaded when read, not with every user: a page joins many people (requesters, deciders,
    #: authors) to show their names. Who logs in gets them in the same query (``portal.login``).
    role_assignments: Mapped[list[RoleAssignment]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def get_id(self) -> str:
        """What the session cookie holds: the id and the session generation it was issued for."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_local(self) -> bool:
        return self.password_hash is not None

    @property
    def roles(self) -> set[Role]:
        return {Role(a.role) for a in self.role_assignments}

    def has_role(self, *roles: Role | str) -> bool:
        wanted = {Role(r) for r in roles}
        return bool(self.roles & wanted)

    def scoped_dependency_ids(self, role: Role | str) -> set[int]:
        """Dependencies for which the user holds a scoped role (``enlace`` or ``jefe``)."""
        return {a.dependency_id for a in self.role_assignments if a.role == Role(role) and a.dependency_id}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleAssignment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "role_assignments"
    __table_args__ = (
        CheckConstraint(
            "(role IN ({})) = (dependency_id IS NOT NULL)".format(", ".join(f"'{r.value}'" for r in sorted(SCOPED_ROLES))),
            name="scope_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    dependency_id: Mapped[int | None] = mapped_column(ForeignKey("dependencies.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_assignments")
    dependency: Mapped[Dependency | None] = relationship(lazy="joined")


Index(
    "uq_role_assignments_user_role_dependency",
    RoleAssignment.user_id,
    RoleAssignment.role,
    func.coalesce(RoleAssignment.dependency_id, 0),
    unique=True,
)


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: First characters of the token, to tell tokens apart in lists.
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: Written at most once a minute per token (``portal.services.TOKEN_USE_RESOLUTION``).
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """One link of the hash-chained audit trail (SPEC §7). Never updated, never deleted."""

    __tablename__ = "audit_events"
    # the audit page lists the newest first (``occurred_at``, then ``id``), whole or by action or
    # object: each index ends in that order, so a page reads its rows in order and stops
    __table_args__ = (
        Index("ix_audit_events_recent", "occurred_at", "id"),
        Index("ix_audit_events_action", "action", "occurred_at", "id"),
        Index("ix_audit_events_object", "object_type", "object_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The actor's username at the time (kept even if the user record changes).
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(60))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source_address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: 1: plain SHA-256 (events written before the keyed chain); 2: HMAC-SHA256 with AUDIT_HMAC_KEY.
    chain_version: Mapped[int] = mapped_column(default=2, server_default=text("1"))


class SchedulerHeartbeat(db.Model):  # type: ignore[name-defined,misc]
    """Last time each periodic task ran, so operators can see the scheduler is alive."""

    __tablename__ = "scheduler_heartbeats"

    task_name: Mapped[str] = mapped_column(String(120), primary_key=True)
    last_run_at: Mapped[datetime]


class StoredFile:
    """A file kept in the database, checked by content first (``portal.uploads.check_upload``): the
    columns shared by request attachments, initiative documents and committee documents."""

    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def uploaded_by(cls) -> Mapped[User]:
        return relationship("User", lazy="joined")

    @staticmethod
    def fields_of(file: CheckedFile, *, uploaded_by: User, uploaded_at: datetime) -> dict[str, Any]:
        """The column values for a checked file uploaded by a user."""
        return {
            "filename": file.filename,
            "content_type": file.content_type,
            "size": file.size,
            "sha256": file.sha256,
            "content": file.content,
            "uploaded_by_id": uploaded_by.id,
            "uploaded_at": uploaded_at,
        }


class TimelineEvent:
    """A line of an object's timeline (a request's, an initiative's): what happened, who did it, the
    state before and after. The owning table adds its own key (``request_id``, ``initiative_id``)."""

    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def actor(cls) -> Mapped[User | None]:
        # the join is spelled out: the owning table may have other keys to users (``on_behalf_of_id``)
        return relationship(User, primaryjoin=lambda: User.id == cls.actor_id, lazy="joined")

    @staticmethod
    def fields_of(
        actor: User | None,
        kind: str,
        *,
        at: datetime,
        from_state: StrEnum | None,
        to_state: StrEnum | None,
        note: str | None,
    ) -> dict[str, Any]:
        """The column values of an event (``None`` actor: the portal itself)."""
        return {
            "at": at,
            "actor_id": actor.id if actor else None,
            "kind": kind,
            "from_state": from_state.value if from_state else None,
            "to_state": to_state.value if to_state else None,
            "note": note,
        }


class MailState(StrEnum):
    #: a temporary password's mail waits until the directory has the password
    RETENIDO = "retenido"
    PENDIENTE = "pendiente"
    ENVIANDO = "enviando"
    ENVIADO = "enviado"
    #: attempts exhausted: shown to the service desk
    FALLIDO = "fallido"

    @property
    def label(self) -> str:
        return {
            "retenido": "Retenido",
            "pendiente": "Pendiente",
            "enviando": "Enviando",
            "enviado": "Enviado",
            "fallido": "Fallido",
        }[self.value]


class OutboxMail(db.Model):  # type: ignore[name-defined,misc]
    """One e-mail, written in the transaction that decided it and sent by a worker (outbox).

    A mail with secrets (a temporary password) keeps its template and a ``sealed`` context
    encrypted with ``OUTBOX_KEY``; the ciphertext is erased once the mail is sent.
    """

    __tablename__ = "outbox_mails"
    __table_args__ = (
        Index("ix_outbox_mails_state_next", "state", "next_attempt_at"),
        CheckConstraint("body IS NOT NULL OR template IS NOT NULL", name="has_content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(300))
    #: kept across retries so a receiving server can recognise a second delivery
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    body: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(200))
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Fernet token of the secret part of the context; None once sent
    sealed: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    state: Mapped[MailState] = mapped_column(
        enum_column(MailState, "mail_state"), default=MailState.PENDIENTE, server_default=MailState.PENDIENTE.value
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
