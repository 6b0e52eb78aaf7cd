"""Thresholds of the ANS timers and the queue of their notices (SPEC §5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import delete, select, update

from config.ans import ESCALATE_FRACTION, WARN_FRACTION
from portal.db import DbSession
from sla.calendar import BusinessCalendar
from sla.models import (
    NoticeLevel,
    SlaPendingNotice,
    SlaTimer,
)
from tickets.models import AccessRequest, ApprovalStep


def threshold_amounts(target_seconds: int, paused_seconds: int) -> tuple[int, int, int]:
    """Business seconds from the start to the warning (75 %), the due time and the escalation (150 %)."""
    return (
        round(target_seconds * WARN_FRACTION) + paused_seconds,
        target_seconds + paused_seconds,
        round(target_seconds * ESCALATE_FRACTION) + paused_seconds,
    )


def thresholds(
    calendar: BusinessCalendar, started_at: datetime, target_seconds: int, paused_seconds: int
) -> tuple[datetime, datetime, datetime]:
    """``warn_at``, ``due_at`` and ``escalate_at`` of a timer: the business time of the closed
    pauses is added to each, which pushes them by exactly the business time the clock stood still."""
    return tuple(  # type: ignore[return-value]
        calendar.add_business_time(started_at, amount) for amount in threshold_amounts(target_seconds, paused_seconds)
    )


def schedule_notices(session: DbSession, timer: SlaTimer, request: AccessRequest, step: ApprovalStep | None) -> None:
    """Queue the three notices of a timer that just started (flushed), at its thresholds."""
    for level, at in zip(NoticeLevel, (timer.warn_at, timer.due_at, timer.escalate_at), strict=True):
        session.add(
            SlaPendingNotice(
                timer_id=timer.id,
                level=level,
                notice_at=at,
                request_id=request.id,
                step_id=step.id if step is not None else None,
                step_kind=step.kind if step is not None else None,
                dependency_id=request.dependency_id if step is not None else None,
                requester_id=request.requester_id if step is not None else None,
            )
        )


def reschedule_notices(session: DbSession, timer: SlaTimer) -> None:
    """Hold (paused timer: NULL) or move (running: its thresholds) the notices not sent yet."""
    instants = dict(zip(NoticeLevel, (timer.warn_at, timer.due_at, timer.escalate_at), strict=True))
    for level, at in instants.items():
        session.execute(
            update(SlaPendingNotice)
            .where(SlaPendingNotice.timer_id == timer.id, SlaPendingNotice.level == level)
            .values(notice_at=None if timer.paused_at is not None else at)
            .execution_options(synchronize_session=False)
        )


def unschedule_notices(session: DbSession, timer_ids: Sequence[int]) -> None:
    """Drop the notices of timers that stopped: there is nothing left to warn about."""
    session.execute(
        delete(SlaPendingNotice).where(SlaPendingNotice.timer_id.in_(timer_ids)).execution_options(synchronize_session=False)
    )


def sent_levels(session: DbSession, timers: Sequence[SlaTimer]) -> dict[int, list[NoticeLevel]]:
    """The notices that went out for each running timer: the levels no longer queued."""
    running = [t.id for t in timers if t.stopped_at is None]
    queued: dict[int, set[NoticeLevel]] = {timer_id: set() for timer_id in running}
    if running:
        rows = session.execute(
            select(SlaPendingNotice.timer_id, SlaPendingNotice.level).where(SlaPendingNotice.timer_id.in_(running))
        )
        for timer_id, level in rows:
            queued[timer_id].add(NoticeLevel(level))
    return {timer_id: [level for level in NoticeLevel if level not in levels] for timer_id, levels in queued.items()}


def recompute_running_timers(session: DbSession, calendar: BusinessCalendar, batch_size: int = 20_000) -> int:
    """Recompute the thresholds of every running timer, and its queued notices, with the batch
    calendar (after a change of the entity's calendar)."""
    changed = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(SlaTimer.id, SlaTimer.started_at, SlaTimer.target_seconds, SlaTimer.paused_seconds)
            .where(SlaTimer.stopped_at.is_(None), SlaTimer.paused_at.is_(None), SlaTimer.id > last_id)
            .order_by(SlaTimer.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return changed
        ids = [r.id for r in rows]
        starts = np.array([int(r.started_at.timestamp()) for r in rows], dtype=np.int64)
        targets = np.array([r.target_seconds for r in rows], dtype=np.int64)
        paused = np.array([r.paused_seconds for r in rows], dtype=np.int64)
        columns = {
            NoticeLevel.AVISO: calendar.add_business_time_batch(
                starts, np.rint(targets * WARN_FRACTION).astype(np.int64) + paused
            ),
            NoticeLevel.INCUMPLIMIENTO: calendar.add_business_time_batch(starts, targets + paused),
            NoticeLevel.ESCALAMIENTO: calendar.add_business_time_batch(
                starts, np.rint(targets * ESCALATE_FRACTION).astype(np.int64) + paused
            ),
        }
        new = {
            timer_id: {level: datetime.fromtimestamp(int(values[i]), UTC) for level, values in columns.items()}
            for i, timer_id in enumerate(ids)
        }
        session.execute(
            update(SlaTimer),
            [
                {
                    "id": timer_id,
                    "warn_at": at[NoticeLevel.AVISO],
                    "due_at": at[NoticeLevel.INCUMPLIMIENTO],
                    "escalate_at": at[NoticeLevel.ESCALAMIENTO],
                }
                for timer_id, at in new.items()
            ],
        )
        queued = session.execute(
            select(SlaPendingNotice.timer_id, SlaPendingNotice.level).where(SlaPendingNotice.timer_id.in_(ids))
        ).all()
        if queued:
            session.execute(
                update(SlaPendingNotice),
                [
                    {"timer_id": timer_id, "level": NoticeLevel(level), "notice_at": new[timer_id][NoticeLevel(level)]}
                    for timer_id, level in queued
                ],
            )
        changed += len(rows)
        last_id = ids[-1]
