"""ANS data: the entity's calendar settings, the Manual ANS targets and the timers (SPEC §5).

A timer measures one metric of one request — ``atencion``, ``solucion`` or one approval step
(``paso``) — in business time. Its thresholds (``warn_at`` at 75 %, ``due_at`` at 100 %,
``escalate_at`` at 150 %) are precomputed in UTC whenever the timer starts, resumes or the
calendar changes. Each notice still to send is a row of ``sla_pending_notices`` indexed by its
instant (held while the timer is paused, removed when it stops); the periodic check deletes the
rows whose instant has passed and sends them. So the check is one indexed range over the
pending notices, never a scan of requests or timers, and a row can only be deleted once: each
notice goes out once, however many checks run at the same time.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import utcnow
from portal.extensions import db
from portal.models import enum_column
from tickets.models import AccessRequest, ApprovalStep, Priority, RequestAction, RequestForm, StepKind


class SlaMetric(StrEnum):
    #: radicada → first decision or first staff comment
    ATENCION = "atencion"
    #: radicada → resuelta, paused while devuelta
    SOLUCION = "solucion"
    #: one approval step: started → decided (the approver's OLA)
    PASO = "paso"

    @property
    def label(self) -> str:
        return {"atencion": "Atención", "solucion": "Solución", "paso": "Paso de aprobación"}[self.value]


class SlaOutcome(StrEnum):
    #: the measured event happened (decision, comment, resolution)
    COMPLETADO = "completado"
    #: the request ended without it (rejected or cancelled): not counted for compliance
    ANULADO = "anulado"


class CalendarSettings(db.Model):  # type: ignore[name-defined,misc]
    """One row: a random revision token, renewed by every change of the entity's calendar.

    Each process caches the calendar it built under that token, so a change made by ``admin``
    reaches every web and worker process on its next read; a rolled-back change leaves no trace.
    """

    __tablename__ = "calendar_settings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CalendarDayOff(db.Model):  # type: ignore[name-defined,misc]
    """An entity-specific non-working day (closed all day), added by ``admin`` (SPEC §5)."""

    __tablename__ = "calendar_days_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    description: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CalendarHalfDay(db.Model):  # type: ignore[name-defined,misc]
    """A day with shortened hours (e.g. 24 December 08:00–12:00) whose blocks replace the usual ones."""

    __tablename__ = "calendar_half_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    description: Mapped[str] = mapped_column(String(200))
    #: local wall-clock blocks as ``[["08:00", "12:00"], ...]``
    blocks: Mapped[list[list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SlaTarget(db.Model):  # type: ignore[name-defined,misc]
    """A target of the entity's Manual ANS, set by ``admin``.

    Combinations without a row use the placeholder defaults of ``config/ans.py``, which the UI
    labels as provisional.
    """

    __tablename__ = "sla_targets"
    __table_args__ = (
        UniqueConstraint("form", "action", "priority", "metric", name="uq_sla_targets_form_action_priority_metric"),
        CheckConstraint("target_minutes > 0", name="positive_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[RequestForm] = mapped_column(enum_column(RequestForm, "request_form"))
    action: Mapped[RequestAction] = mapped_column(enum_column(RequestAction, "request_action"))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"))
    metric: Mapped[SlaMetric] = mapped_column(enum_column(SlaMetric, "sla_metric"))
    #: business minutes
    target_minutes: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SlaTimer(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "sla_timers"
    __table_args__ = (
        CheckConstraint("(metric = 'paso') = (step_id IS NOT NULL)", name="step_timer_has_step"),
        CheckConstraint("(stopped_at IS NULL) = (outcome IS NULL)", name="stopped_has_outcome"),
        CheckConstraint("(stopped_at IS NULL) OR (elapsed_seconds IS NOT NULL)", name="stopped_has_elapsed"),
        CheckConstraint("(stopped_at IS NULL) OR (paused_at IS NULL)", name="stopped_not_paused"),
        CheckConstraint("target_seconds > 0", name="positive_target"),
        # one atencion and one solucion timer per request, one timer per step
        Index(
            "uq_sla_timers_request_metric",
            "request_id",
            "metric",
            unique=True,
            postgresql_where=text("step_id IS NULL"),
            sqlite_where=text("step_id IS NULL"),
        ),
        Index(
            "uq_sla_timers_step",
            "step_id",
            unique=True,
            postgresql_where=text("step_id IS NOT NULL"),
            sqlite_where=text("step_id IS NOT NULL"),
        ),
        # reports: the timers that stopped in a period; the running ones past their due time
        Index(
            "ix_sla_timers_stopped_at",
            "stopped_at",
            postgresql_where=text("stopped_at IS NOT NULL"),
            sqlite_where=text("stopped_at IS NOT NULL"),
            # PostgreSQL reads a period's figures from the index alone (an index-only scan)
            postgresql_include=[
                "outcome",
                "metric",
                "form",
                "action",
                "dependency_id",
                "approver_id",
                "elapsed_seconds",
                "target_seconds",
                "is_placeholder_target",
            ],
        ),
        # reports: a period's worst breaches, from an index holding only the breached timers
        Index(
            "ix_sla_timers_breached_stopped_at",
            "stopped_at",
            postgresql_where=text("stopped_at IS NOT NULL AND elapsed_seconds > target_seconds"),
            sqlite_where=text("stopped_at IS NOT NULL AND elapsed_seconds > target_seconds"),
            postgresql_include=["outcome", "metric", "dependency_id", "request_id", "id", "elapsed_seconds", "target_seconds"],
        ),
        Index(
            "ix_sla_timers_running_due",
            "due_at",
            postgresql_where=text("stopped_at IS NULL AND paused_at IS NULL"),
            sqlite_where=text("stopped_at IS NULL AND paused_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    #: the approval step measured (``paso`` timers only)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("approval_steps.id"))
    metric: Mapped[SlaMetric] = mapped_column(enum_column(SlaMetric, "sla_metric"))
    #: what the reports group by, copied from the request (and, for a step, who decided it) so a
    #: report reads this table alone
    form: Mapped[RequestForm] = mapped_column(enum_column(RequestForm, "request_form"))
    action: Mapped[RequestAction] = mapped_column(enum_column(RequestAction, "request_action"))
    dependency_id: Mapped[int] = mapped_column(ForeignKey("dependencies.id"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the Manual ANS target when the timer started, in business seconds
    target_seconds: Mapped[int]
    #: the target was a shipped placeholder, not the entity's own value
    is_placeholder_target: Mapped[bool] = mapped_column(default=False, server_default=false())
    started_at: Mapped[datetime]
    #: set while the clock is paused (request ``devuelta``)
    paused_at: Mapped[datetime | None]
    #: business seconds of the closed pauses, added to the target when thresholds are computed
    paused_seconds: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    warn_at: Mapped[datetime]
    due_at: Mapped[datetime]
    escalate_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    outcome: Mapped[SlaOutcome | None] = mapped_column(enum_column(SlaOutcome, "sla_outcome"))
    #: business seconds measured, pauses excluded (set when the timer stops)
    elapsed_seconds: Mapped[int | None]

    request: Mapped[AccessRequest] = relationship(lazy="raise_on_sql")
    step: Mapped[ApprovalStep | None] = relationship(lazy="raise_on_sql")
    pauses: Mapped[list[SlaPause]] = relationship(order_by="SlaPause.id", lazy="raise_on_sql")

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None

    def snapshot(self) -> dict[str, Any]:
        return {
            "metric": self.metric.value,
            "step": self.step_id,
            "target_seconds": self.target_seconds,
            "due_at": self.due_at.isoformat(),
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
        }


class NoticeLevel(StrEnum):
    #: 75 % of the target: whoever must act
    AVISO = "aviso"
    #: 100 %: the breach, escalated to the aprobador
    INCUMPLIMIENTO = "incumplimiento"
    #: 150 %: escalated to the secretario
    ESCALAMIENTO = "escalamiento"

    @property
    def subject(self) -> str:
        return {
            "aviso": "ANS: solicitudes al 75 % del tiempo",
            "incumplimiento": "ANS incumplido: solicitudes vencidas",
            "escalamiento": "ANS: escalamiento al Secretario (más del 150 % del tiempo)",
        }[self.value]

    @property
    def label(self) -> str:
        return {"aviso": "Aviso al 75 %", "incumplimiento": "Incumplimiento", "escalamiento": "Escalamiento al Secretario"}[
            self.value
        ]


class SlaPendingNotice(db.Model):  # type: ignore[name-defined,misc]
    """A notice still to send: the queue the periodic check drains, one row per timer and level.

    The check deletes the rows whose ``notice_at`` has passed and sends them: a row is deleted
    once, so a notice goes out once. While the timer is paused ``notice_at`` is NULL (the row
    waits); when the timer stops its rows go. So a running timer's sent notices are the levels
    without a row. ``request_id``, ``step_id``, ``step_kind``, ``dependency_id`` and
    ``requester_id`` repeat what decides the recipients, so draining the queue needs no join.
    """

    __tablename__ = "sla_pending_notices"
    __table_args__ = (
        Index(
            "ix_sla_pending_notices_notice_at",
            "notice_at",
            postgresql_where=text("notice_at IS NOT NULL"),
            sqlite_where=text("notice_at IS NOT NULL"),
        ),
    )

    timer_id: Mapped[int] = mapped_column(ForeignKey("sla_timers.id"), primary_key=True, autoincrement=False)
    level: Mapped[NoticeLevel] = mapped_column(enum_column(NoticeLevel, "sla_notice_level"), primary_key=True)
    #: when to send it; NULL while the timer is paused
    notice_at: Mapped[datetime | None]
    request_id: Mapped[int]
    step_id: Mapped[int | None]
    step_kind: Mapped[StepKind | None] = mapped_column(enum_column(StepKind, "step_kind"))
    #: the request's dependency and requester (step notices: they decide who may act)
    dependency_id: Mapped[int | None]
    requester_id: Mapped[int | None]


class SlaPause(db.Model):  # type: ignore[name-defined,misc]
    """One interval during which a timer's clock stood still (the request was ``devuelta``)."""

    __tablename__ = "sla_pauses"
    __table_args__ = (CheckConstraint("(resumed_at IS NULL) = (business_seconds IS NULL)", name="resumed_has_seconds"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    timer_id: Mapped[int] = mapped_column(ForeignKey("sla_timers.id"), index=True)
    paused_at: Mapped[datetime]
    resumed_at: Mapped[datetime | None]
    #: business time of the pause, in seconds (set on resume)
    business_seconds: Mapped[int | None]
