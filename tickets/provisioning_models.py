"""What provisioning keeps (SPEC §3): the outbox of directory changes with their attempts, and the
checklists of the systems the service desk provisions by hand."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import utcnow
from portal.extensions import db
from portal.models import User, enum_column
from tickets.models import AccessRequest, RequestAction, TargetSystem


class JobState(StrEnum):
    PENDIENTE = "pendiente"
    EN_CURSO = "en_curso"
    EXITOSO = "exitoso"
    #: retries exhausted: an ``agente`` task (retry or resolve by hand)
    FALLIDO = "fallido"
    RESUELTO_MANUAL = "resuelto_manual"

    @property
    def label(self) -> str:
        return {
            "pendiente": "Pendiente",
            "en_curso": "En curso",
            "exitoso": "Exitoso",
            "fallido": "Fallido",
            "resuelto_manual": "Resuelto manualmente",
        }[self.value]


JOB_DONE_STATES = frozenset({JobState.EXITOSO, JobState.RESUELTO_MANUAL})


class ProvisioningJob(db.Model):  # type: ignore[name-defined,misc]
    """One directory change for an approved request, written in the approval's transaction (outbox).

    Never holds a password: a temporary password is sealed in its outbox mail (``password_mail_id``).
    """

    __tablename__ = "provisioning_jobs"
    __table_args__ = (
        UniqueConstraint("request_id", "system_id", name="uq_provisioning_jobs_request_system"),
        Index("ix_provisioning_jobs_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("target_systems.id"))
    action: Mapped[RequestAction] = mapped_column(enum_column(RequestAction, "request_action"))
    #: what to do: username, attributes, groups to add and remove (no secrets)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[JobState] = mapped_column(enum_column(JobState, "job_state"), default=JobState.PENDIENTE)
    attempts: Mapped[int] = mapped_column(default=0)
    #: attempts allowed before the job goes to the service desk; None: the configured policy
    max_attempts: Mapped[int | None]
    next_attempt_at: Mapped[datetime | None]
    #: a running attempt owns the job until then; a worker that died lets it lapse
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the directory has the temporary password and its mail is released (``crear``, ``inicializar``)
    password_sent_at: Mapped[datetime | None]
    #: the held mail carrying the sealed temporary password, written before the directory is touched
    password_mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_mails.id"))
    #: the account's ``pwdChangedTime`` when the password was staged: a different value on a retry
    #: means the password was set since (by the lost attempt, or already by the user)
    password_stamp: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)

    request: Mapped[AccessRequest] = relationship(lazy="joined")
    system: Mapped[TargetSystem] = relationship(lazy="joined")
    attempts_log: Mapped[list[ProvisioningAttempt]] = relationship(order_by="ProvisioningAttempt.id", lazy="raise_on_sql")


class ProvisioningAttempt(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "provisioning_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("provisioning_jobs.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    succeeded: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: what was changed ("sin cambios" when the directory already matched) or the error
    detail: Mapped[str | None] = mapped_column(Text)


class ManualTask(db.Model):  # type: ignore[name-defined,misc]
    """A checklist for the service desk in a system without connector (e.g. SAP)."""

    __tablename__ = "manual_tasks"
    __table_args__ = (
        UniqueConstraint("request_id", "system_id", name="uq_manual_tasks_request_system"),
        CheckConstraint("(NOT is_closed) OR (closed_by_id IS NOT NULL AND note IS NOT NULL)", name="closed_has_note"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("target_systems.id"))
    checklist: Mapped[list[str]] = mapped_column(JSON)
    is_closed: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    request: Mapped[AccessRequest] = relationship(lazy="joined")
    system: Mapped[TargetSystem] = relationship(lazy="joined")
    closed_by: Mapped[User | None] = relationship(lazy="joined")
