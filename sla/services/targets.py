"""The Manual ANS targets per form, action, priority and metric, set by ``admin`` (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from config.ans import default_target_minutes
from portal.audit import record_event
from portal.db import DbSession
from portal.errors import ValidationFailed
from portal.models import User
from sla.models import (
    SlaMetric,
    SlaTarget,
)
from sla.services.entity_calendar import require_admin
from tickets.models import FORM_ACTIONS, AccessRequest, Priority, RequestAction, RequestForm

PLACEHOLDER_NOTE = "valor provisional: reemplácelo por el del Manual ANS de la entidad"


@dataclass(frozen=True)
class TargetRow:
    form: RequestForm
    action: RequestAction
    priority: Priority
    metric: SlaMetric
    minutes: int
    is_placeholder: bool

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def key(self) -> str:
        return f"{self.form.slug}:{self.action.value}:{self.priority.value}:{self.metric.value}"


def target_table(session: DbSession) -> list[TargetRow]:
    """Every combination of form, action, priority and metric with its target (the entity's or the placeholder)."""
    stored = {(t.form, t.action, t.priority, t.metric): t.target_minutes for t in session.execute(select(SlaTarget)).scalars()}
    rows = []
    for form, actions in FORM_ACTIONS.items():
        for action in actions:
            for priority in Priority:
                for metric in SlaMetric:
                    minutes = stored.get((form, action, priority, metric))
                    rows.append(
                        TargetRow(
                            form,
                            action,
                            priority,
                            metric,
                            minutes if minutes is not None else default_target_minutes(form, action, priority, metric),
                            minutes is None,
                        )
                    )
    return rows


def targets_for(session: DbSession, request: AccessRequest) -> dict[SlaMetric, tuple[int, bool]]:
    """metric -> (target in business seconds, whether it is a placeholder) for a request."""
    stored = dict(
        session.execute(
            select(SlaTarget.metric, SlaTarget.target_minutes).where(
                SlaTarget.form == request.form, SlaTarget.action == request.action, SlaTarget.priority == request.priority
            )
        )
        .tuples()
        .all()
    )
    result: dict[SlaMetric, tuple[int, bool]] = {}
    for metric in SlaMetric:
        minutes = stored.get(metric)
        if minutes is None:
            result[metric] = (default_target_minutes(request.form, request.action, request.priority, metric) * 60, True)
        else:
            result[metric] = (minutes * 60, False)
    return result


def parse_target_key(key: str) -> tuple[RequestForm, RequestAction, Priority, SlaMetric] | None:
    parts = key.split(":")
    if len(parts) != 4:
        return None
    try:
        form = next(f for f in RequestForm if f.slug == parts[0])
        action, priority, metric = RequestAction(parts[1]), Priority(parts[2]), SlaMetric(parts[3])
    except (StopIteration, ValueError):
        return None
    if action not in FORM_ACTIONS[form]:
        return None
    return form, action, priority, metric


MAX_TARGET_HOURS = 2000


def save_target(
    session: DbSession,
    *,
    actor: User | None,
    form: RequestForm,
    action: RequestAction,
    priority: Priority,
    metric: SlaMetric,
    hours: float | None,
) -> SlaTarget | None:
    """Set the entity's target (business hours) for a combination; ``None`` restores the placeholder.

    Timers already running keep the target they started with; new ones use this value.
    """
    require_admin(actor, "modifica las metas del Manual ANS")
    if action not in FORM_ACTIONS[form]:
        raise ValidationFailed(f"La acción no corresponde al formato {form.value}.", fields={"action": ["No válida."]})
    target = session.execute(
        select(SlaTarget).where(
            SlaTarget.form == form, SlaTarget.action == action, SlaTarget.priority == priority, SlaTarget.metric == metric
        )
    ).scalar()
    before = {"minutes": target.target_minutes} if target is not None else None
    if hours is None:
        if target is not None:
            session.delete(target)
            session.flush()
        result = None
        after: dict[str, Any] = {"placeholder": True}
    else:
        minutes = round(hours * 60)
        if minutes <= 0 or hours > MAX_TARGET_HOURS:
            raise ValidationFailed(
                "La meta debe ser mayor que cero.", fields={"hours": [f"Entre 1 minuto y {MAX_TARGET_HOURS} horas hábiles."]}
            )
        if target is None:
            target = SlaTarget(form=form, action=action, priority=priority, metric=metric, target_minutes=minutes)
            session.add(target)
        target.target_minutes = minutes
        target.updated_by_id = actor.id if actor else None
        session.flush()
        result = target
        after = {"minutes": minutes}
    record_event(
        session,
        actor=actor,
        action="ans.meta",
        object_type="meta_ans",
        object_id=f"{form.value}:{action.value}:{priority.value}:{metric.value}",
        before=before,
        after=after,
    )
    return result
