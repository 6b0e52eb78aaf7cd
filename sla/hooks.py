"""What the request state machine calls so the ANS timers follow each request (SPEC §5).

Every hook takes the session, the request (already changed by the transition and flushed) and
``now`` (the transition's instant), never commits, and is idempotent: each one reconciles the
request's timers with the state the request and its steps are in now, so calling a hook twice,
or a broader one than needed, changes nothing more. A hook costs a few indexed queries (the
request's timers with the calendar revision, its steps unless the transition holds them loaded,
the targets when a timer starts), and writes the timers it starts with one INSERT.

The rules (SPEC §5):

- ``atencion`` runs from radicada to the first decision on a step (or the Secretario's
  exception) or the first comment the requester can read from the service desk or an approver
  (an internal note, or anything from Control Interno, attends nobody);
- ``solucion`` runs from radicada to resuelta, paused while the request is ``devuelta``, resumed
  when it is filed again (its thresholds pushed by the business time it stood still);
- one ``paso`` timer per approval step, from the moment the step becomes current to its decision.

A rejected or cancelled request, and steps skipped by the Secretario's exception, end their
timers as ``anulado``: they are not counted for compliance.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect, literal, select

from portal.db import DbSession
from sla.calendar import BusinessCalendar
from sla.models import SlaMetric, SlaOutcome, SlaPause, SlaTimer
from sla.services import get_calendar, reschedule_notices, schedule_notices, targets_for, thresholds, unschedule_notices
from sla.services.entity_calendar import DEFAULT_REVISION, revision_column
from tickets.models import APPROVAL_STATES, AccessRequest, ApprovalStep, RequestState, StepState

#: steps that a person decided: their approver's clock stops as "completado"
DECIDED_STEP_STATES = frozenset({StepState.APROBADO, StepState.RECHAZADO, StepState.DEVUELTO})
#: the request was attended: a decision, including the Secretario's exception
ATTENDED_STEP_STATES = DECIDED_STEP_STATES | {StepState.EXCEPCION}
SOLVED_STATES = frozenset({RequestState.RESUELTA, RequestState.CERRADA})
ENDED_STATES = frozenset({RequestState.RECHAZADA, RequestState.CANCELADA})


# ---------------------------------------------------------------- the hooks


def on_filed(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """Radicada for the first time: start ``atencion``, ``solucion`` and the first step's timer."""
    sync_request_timers(session, request, now)


def on_refiled(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """Filed again after a return: ``solucion`` resumes (thresholds pushed by the pause) and the
    new round's first step starts its timer."""
    sync_request_timers(session, request, now)


def on_step_decided(session: DbSession, request: AccessRequest, step: ApprovalStep, now: datetime) -> None:
    """A step was approved, rejected or returned: its timer stops, the first decision also stops
    ``atencion``; then the next step starts (approved), ``solucion`` pauses (returned), or every
    timer ends (rejected)."""
    del step  # the request's steps are reloaded: the hook also settles what the decision changed
    sync_request_timers(session, request, now)


def on_exception(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """The Secretario approved the remaining steps: ``atencion`` stops, the skipped steps' timers end
    unmeasured (no approver decided them); ``solucion`` keeps running until resuelta."""
    sync_request_timers(session, request, now)


def on_returned(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """Devuelta: ``solucion`` pauses (SPEC §5: the ANS clock stands still while the request is returned)."""
    sync_request_timers(session, request, now)


def on_comment_by_staff(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """The service desk or an approver answered the requester (``tickets.services.filing.add_comment``
    decides which comments count): the first such comment stops ``atencion``."""
    if request.state is RequestState.BORRADOR:
        return
    timers, calendar = _timers_and_calendar(session, request)
    atencion = timers.get((SlaMetric.ATENCION, None))
    if atencion is not None:
        _stop(session, calendar, atencion, now, SlaOutcome.COMPLETADO)
    sync_request_timers(session, request, now, timers=timers, calendar=calendar)


def on_closed(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """Resuelta (or cerrada): ``solucion`` stops; rechazada or cancelada: every running timer ends."""
    sync_request_timers(session, request, now)


# ---------------------------------------------------------------- reconciliation


def sync_request_timers(
    session: DbSession,
    request: AccessRequest,
    now: datetime,
    *,
    timers: dict[tuple[SlaMetric, int | None], SlaTimer] | None = None,
    calendar: BusinessCalendar | None = None,
) -> None:
    """Bring the request's timers in line with the request and its steps as they are now."""
    if request.state is RequestState.BORRADOR or request.filed_at is None:
        return
    if timers is None:
        timers, calendar = _timers_and_calendar(session, request)
    calendar = calendar or get_calendar(session)
    steps = _steps(session, request)
    for running in timers.values():
        if running.stopped_at is None:  # a returned request may change before it is filed again
            running.form, running.action, running.dependency_id = request.form, request.action, request.dependency_id
    targets = None

    def target(metric: SlaMetric) -> tuple[int, bool]:
        nonlocal targets
        if targets is None:
            targets = targets_for(session, request)
        return targets[metric]

    ended = request.state in ENDED_STATES
    started: list[tuple[SlaTimer, ApprovalStep | None]] = []

    def start(metric: SlaMetric, at: datetime, step: ApprovalStep | None = None) -> SlaTimer:
        timer = _start(session, calendar, request, metric, target(metric), at, step)
        started.append((timer, step))
        return timer

    # atencion: the first decision (or the exception) ends it; it never pauses
    atencion = timers.get((SlaMetric.ATENCION, None))
    if atencion is None and not ended:
        atencion = start(SlaMetric.ATENCION, request.filed_at)
    if atencion is not None and atencion.stopped_at is None:
        decided = [s.decided_at for s in steps if s.state in ATTENDED_STEP_STATES and s.decided_at is not None]
        if decided:
            _stop(session, calendar, atencion, max(min(decided), atencion.started_at), SlaOutcome.COMPLETADO)
        elif ended:
            _stop(session, calendar, atencion, now, SlaOutcome.ANULADO)

    # solucion: paused while devuelta, stopped when resuelta
    solucion = timers.get((SlaMetric.SOLUCION, None))
    if solucion is None and not ended and request.state not in SOLVED_STATES:
        solucion = start(SlaMetric.SOLUCION, request.filed_at)
    if solucion is not None and solucion.stopped_at is None:
        if request.state in SOLVED_STATES:
            _stop(session, calendar, solucion, request.resolved_at or now, SlaOutcome.COMPLETADO)
        elif ended:
            _stop(session, calendar, solucion, now, SlaOutcome.ANULADO)
        elif request.state is RequestState.DEVUELTA:
            _pause(session, solucion, now)
        else:
            _resume(session, calendar, solucion, now)

    # one timer per step: from the moment it is current to its decision
    for step in steps:
        timer = timers.get((SlaMetric.PASO, step.id))
        if step.state is StepState.PENDIENTE:
            is_current = step.round == request.round and step.started_at is not None and request.state in APPROVAL_STATES
            if timer is None and is_current:
                start(SlaMetric.PASO, step.started_at or now, step)
            elif timer is not None and timer.stopped_at is None and (ended or not is_current):
                _stop(session, calendar, timer, now, SlaOutcome.ANULADO)
        elif timer is not None and timer.stopped_at is None:
            if step.state in DECIDED_STEP_STATES:
                timer.approver_id = step.decided_by_id
                _stop(session, calendar, timer, max(step.decided_at or now, timer.started_at), SlaOutcome.COMPLETADO)
            else:
                _stop(session, calendar, timer, now, SlaOutcome.ANULADO)
    # The timers started here are written together, then the notices of those still running
    # (one INSERT per table, whatever the number of timers).
    session.flush()
    for timer, of_step in started:
        if timer.stopped_at is None:
            schedule_notices(session, timer, request, of_step)
            if timer.paused_at is not None:  # started and paused at once (a returned request): held
                reschedule_notices(session, timer)
    session.flush()


def _steps(session: DbSession, request: AccessRequest) -> list[ApprovalStep]:
    """The request's steps in order: those the transition holds loaded with it (filing), or one query."""
    if "steps" not in inspect(request).unloaded:
        return list(request.steps)
    return list(
        session.execute(
            select(ApprovalStep).where(ApprovalStep.request_id == request.id).order_by(ApprovalStep.round, ApprovalStep.position)
        ).scalars()
    )


# ---------------------------------------------------------------- one timer


def _timers_and_calendar(
    session: DbSession, request: AccessRequest
) -> tuple[dict[tuple[SlaMetric, int | None], SlaTimer], BusinessCalendar]:
    """The request's timers and the entity's calendar, in one query: the calendar's revision is
    read with the timers, on one row even when the request has none yet (its first filing)."""
    one = select(literal(1).label("one")).subquery()
    rows = session.execute(
        select(revision_column(), SlaTimer).select_from(one).outerjoin(SlaTimer, SlaTimer.request_id == request.id)
    ).all()
    timers = {(t.metric, t.step_id): t for _revision, t in rows if t is not None}
    return timers, get_calendar(session, rows[0][0] or DEFAULT_REVISION)


def _start(
    session: DbSession,
    calendar: BusinessCalendar,
    request: AccessRequest,
    metric: SlaMetric,
    target: tuple[int, bool],
    started_at: datetime,
    step: ApprovalStep | None = None,
) -> SlaTimer:
    target_seconds, is_placeholder = target
    warn_at, due_at, escalate_at = thresholds(calendar, started_at, target_seconds, 0)
    timer = SlaTimer(
        request_id=request.id,
        step_id=step.id if step is not None else None,
        metric=metric,
        form=request.form,
        action=request.action,
        dependency_id=request.dependency_id,
        target_seconds=target_seconds,
        is_placeholder_target=is_placeholder,
        started_at=started_at,
        paused_seconds=0,
        warn_at=warn_at,
        due_at=due_at,
        escalate_at=escalate_at,
    )
    session.add(timer)  # flushed, and its notices queued, by ``sync_request_timers``
    return timer


def _business_seconds(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    return int(calendar.business_time_between(start, end).total_seconds())


def _close_pause(session: DbSession, calendar: BusinessCalendar, timer: SlaTimer, now: datetime) -> None:
    if timer.paused_at is None:
        return
    seconds = _business_seconds(calendar, timer.paused_at, now)
    session.flush()
    pause = session.execute(
        select(SlaPause).where(SlaPause.timer_id == timer.id, SlaPause.resumed_at.is_(None)).order_by(SlaPause.id.desc())
    ).scalar()
    if pause is not None:
        pause.resumed_at = now
        pause.business_seconds = seconds
    timer.paused_seconds += seconds
    timer.paused_at = None


def _pause(session: DbSession, timer: SlaTimer, now: datetime) -> None:
    if timer.stopped_at is not None or timer.paused_at is not None:
        return
    session.flush()
    timer.paused_at = now
    session.add(SlaPause(timer_id=timer.id, paused_at=now))
    reschedule_notices(session, timer)


def _resume(session: DbSession, calendar: BusinessCalendar, timer: SlaTimer, now: datetime) -> None:
    """Close the pause and push the thresholds by its business time (recomputed from the start)."""
    if timer.stopped_at is not None or timer.paused_at is None:
        return
    _close_pause(session, calendar, timer, now)
    timer.warn_at, timer.due_at, timer.escalate_at = thresholds(
        calendar, timer.started_at, timer.target_seconds, timer.paused_seconds
    )
    reschedule_notices(session, timer)


def _stop(session: DbSession, calendar: BusinessCalendar, timer: SlaTimer, at: datetime, outcome: SlaOutcome) -> None:
    if timer.stopped_at is not None:
        return
    _close_pause(session, calendar, timer, at)
    timer.elapsed_seconds = max(_business_seconds(calendar, timer.started_at, at) - timer.paused_seconds, 0)
    timer.stopped_at = at
    timer.outcome = outcome
    if timer.id is not None:  # a timer started by this transition has no notices yet
        unschedule_notices(session, [timer.id])
