"""A request's ANS, for its page and the API (SPEC §5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from config.ans import WARN_FRACTION
from portal.db import DbSession
from sla.calendar import BusinessCalendar
from sla.models import (
    NoticeLevel,
    SlaOutcome,
    SlaPause,
    SlaPendingNotice,
    SlaTimer,
)
from sla.services.entity_calendar import DEFAULT_REVISION, get_calendar, revision_column
from tickets.models import AccessRequest, ApprovalStep
from tickets.services.decisions import request_steps

HOUR = 3600

STATE_LABELS = {
    "en_curso": "En curso",
    "en_riesgo": "En riesgo (más del 75 %)",
    "vencido": "Vencido",
    "pausado": "En pausa (solicitud devuelta)",
    "cumplido": "Cumplido",
    "incumplido": "Incumplido",
    "anulado": "Sin medición (la solicitud terminó antes)",
}


def _timer_label(timer: SlaTimer, steps: dict[int, ApprovalStep]) -> str:
    if timer.step_id is None:
        return timer.metric.label
    step = steps.get(timer.step_id)
    if step is None:
        return timer.metric.label
    return f"Paso {step.position}: {step.kind.label}" + (f" (ronda {step.round})" if step.round > 1 else "")


def elapsed_seconds(calendar: BusinessCalendar, timer: SlaTimer, now: datetime) -> int:
    """Business seconds measured by a timer at ``now``, pauses excluded."""
    if timer.elapsed_seconds is not None:
        return timer.elapsed_seconds
    end = timer.paused_at or now
    return max(int(calendar.business_time_between(timer.started_at, end).total_seconds()) - timer.paused_seconds, 0)


def timer_state(timer: SlaTimer, elapsed: int) -> str:
    if timer.stopped_at is not None:
        if timer.outcome is SlaOutcome.ANULADO:
            return "anulado"
        return "cumplido" if elapsed <= timer.target_seconds else "incumplido"
    if timer.paused_at is not None:
        return "pausado"
    if elapsed > timer.target_seconds:
        return "vencido"
    return "en_riesgo" if elapsed >= timer.target_seconds * WARN_FRACTION else "en_curso"


def request_sla_summary(session: DbSession, request: AccessRequest, now: datetime) -> list[dict[str, Any]]:
    """The request's timers as rows for its page and the API: target, elapsed and remaining business
    hours, state, due time and paused intervals (SPEC §5). Datetimes are timezone-aware UTC."""
    queued = [
        exists().where(SlaPendingNotice.timer_id == SlaTimer.id, SlaPendingNotice.level == level).label(level.value)
        for level in NoticeLevel
    ]
    rows_ = session.execute(
        select(SlaTimer, revision_column(), *queued)
        .where(SlaTimer.request_id == request.id)
        .options(joinedload(SlaTimer.pauses))
        .order_by(SlaTimer.step_id.is_not(None), SlaTimer.id)
    ).unique()
    timers: list[SlaTimer] = []
    sent: dict[int, list[NoticeLevel]] = {}
    revision = None
    for timer, row_revision, *is_queued in rows_:
        revision = row_revision  # the same on every row
        timers.append(timer)
        if timer.stopped_at is None:  # a running timer's sent notices are the levels no longer queued
            sent[timer.id] = [level for level, waiting in zip(NoticeLevel, is_queued, strict=True) if not waiting]
    if not timers:
        return []
    steps = {s.id: s for s in request_steps(session, request, current_round_only=False)}
    pauses: dict[int, list[SlaPause]] = {t.id: list(t.pauses) for t in timers}
    calendar = get_calendar(session, revision or DEFAULT_REVISION)
    rows = []
    for timer in timers:
        elapsed = elapsed_seconds(calendar, timer, now)
        state = timer_state(timer, elapsed)
        rows.append(
            {
                "metric": timer.metric.value,
                "label": _timer_label(timer, steps),
                "step_id": timer.step_id,
                "target_hours": round(timer.target_seconds / HOUR, 2),
                "is_placeholder": timer.is_placeholder_target,
                "elapsed_hours": round(elapsed / HOUR, 2),
                "remaining_hours": round((timer.target_seconds - elapsed) / HOUR, 2),
                "percent": round(100 * elapsed / timer.target_seconds, 1),
                "state": state,
                "state_label": STATE_LABELS[state],
                "started_at": timer.started_at,
                "due_at": None if timer.paused_at is not None else timer.due_at,
                "stopped_at": timer.stopped_at,
                "notices_sent": [level.value for level in sent.get(timer.id, [])],
                "paused_intervals": [
                    {
                        "paused_at": p.paused_at,
                        "resumed_at": p.resumed_at,
                        "business_hours": round(
                            (
                                p.business_seconds
                                if p.business_seconds is not None
                                else calendar.business_time_between(p.paused_at, now).total_seconds()
                            )
                            / HOUR,
                            2,
                        ),
                    }
                    for p in pauses.get(timer.id, [])
                ],
            }
        )
    return rows
