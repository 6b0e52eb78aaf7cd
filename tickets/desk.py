"""What the service desk does with provisioning (SPEC §4): send a failed job again, resolve it by hand with a note, close a manual task. Each is audited; the caller commits."""

from __future__ import annotations

from datetime import datetime

from portal.audit import record_event
from portal.db import DbSession
from portal.errors import NotAllowed, WrongState
from portal.models import User
from portal.roles import Role
from tickets.provisioning import RetryPolicy, enqueue_after_commit, mark_started, resolve_if_complete
from tickets.provisioning_models import JobState, ManualTask, ProvisioningJob


def retry_job(session: DbSession, job: ProvisioningJob, *, actor: User, now: datetime, policy: RetryPolicy) -> ProvisioningJob:
    """The service desk sends a failed job back to the queue with a fresh set of attempts."""
    if not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo la mesa de servicio reintenta trabajos.")
    if job.state is not JobState.FALLIDO:
        raise WrongState("Solo se reintenta un trabajo fallido.")
    job.state = JobState.PENDIENTE
    job.max_attempts = job.attempts + policy.max_attempts
    job.next_attempt_at = now
    job.lease_until = None
    session.flush()
    enqueue_after_commit(session, job.id)
    record_event(session, actor=actor, action="aprovisionamiento.reintentar", object_type="trabajo", object_id=job.id)
    return job


def resolve_job_manually(session: DbSession, job: ProvisioningJob, *, actor: User, note: str, now: datetime) -> ProvisioningJob:
    """The service desk did the change by hand and says what it did."""
    from portal.errors import ValidationFailed

    if not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo la mesa de servicio resuelve trabajos.")
    if job.state is not JobState.FALLIDO:
        raise WrongState("Solo se resuelve a mano un trabajo fallido.")
    if len((note or "").strip()) < 10:
        raise ValidationFailed("Describa qué se hizo (al menos 10 caracteres).", fields={"note": ["Nota obligatoria."]})
    mark_started(session, job.request_id, now)
    job.state = JobState.RESUELTO_MANUAL
    job.resolved_by_id = actor.id
    job.resolution_note = note.strip()
    job.finished_at = now
    session.flush()
    record_event(
        session,
        actor=actor,
        action="aprovisionamiento.resolver_manual",
        object_type="trabajo",
        object_id=job.id,
        after={"note": job.resolution_note},
    )
    resolve_if_complete(session, job.request_id, now)
    return job


def close_manual_task(session: DbSession, task: ManualTask, *, actor: User, note: str, now: datetime) -> ManualTask:
    """The service desk completed the checklist in a system without connector."""
    from portal.errors import ValidationFailed

    if not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo la mesa de servicio cierra tareas manuales.")
    if task.is_closed:
        raise WrongState("La tarea ya está cerrada.")
    if len((note or "").strip()) < 10:
        raise ValidationFailed("Describa qué se hizo (al menos 10 caracteres).", fields={"note": ["Nota obligatoria."]})
    mark_started(session, task.request_id, now)
    task.is_closed = True
    task.closed_by_id = actor.id
    task.closed_at = now
    task.note = note.strip()
    session.flush()
    record_event(
        session,
        actor=actor,
        action="tarea_manual.cerrar",
        object_type="tarea_manual",
        object_id=task.id,
        after={"note": task.note},
    )
    resolve_if_complete(session, task.request_id, now)
    return task
