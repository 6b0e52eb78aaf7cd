"""Provisioning of approved requests (SPEC §4): the outbox, the job runner, the sweeper.

Approval and provisioning are separate steps joined by outbox rows: ``plan_provisioning`` writes
``ProvisioningJob`` rows (``ldap`` systems) or a ``ManualTask`` (``manual`` systems) in the
approval's transaction; the job ids are sent to Celery only after the commit. ``run_job`` claims
a job with a lease (a conditional UPDATE, so two deliveries of the same message never run it
twice at once), runs the idempotent directory operation, records the attempt, and either
finishes the job, schedules a retry with exponential backoff and jitter, or after the last
attempt leaves it ``fallido`` for the service desk. ``sweep`` re-enqueues what a lost message or
a dead worker left behind. When every job and task of a request is done it becomes ``resuelta``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from portal.audit import record_event
from portal.db import DbSession, utcnow
from portal.directory import Directory, DirectoryUnavailable
from portal.directory.provisioning import (
    AccountSpec,
    Provisioner,
    ProvisioningRefused,
    generate_password,
    provisioner_for,
)
from portal.mail import OutgoingMail, release_mail, unseal, write_mail
from portal.models import OutboxMail, User
from portal.roles import Role
from tickets.models import AccessRequest, Connector, RequestAction, RequestState
from tickets.provisioning_models import JOB_DONE_STATES, JobState, ManualTask, ProvisioningAttempt, ProvisioningJob

log = logging.getLogger(__name__)

#: ``session.info`` key of the job ids planned in the transaction, enqueued after its commit
PENDING_JOBS = "mesatic_pending_jobs"


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    max_seconds: float = 1800.0
    max_attempts: int = 8
    #: a claim is owned this long and renewed by the running attempt (``tickets.lease``), so a
    #: dead worker's job is sent again within about a minute
    lease_seconds: float = 45.0
    #: a pending job not picked up this long after its time is re-enqueued by the sweeper
    grace_seconds: float = 60.0

    def backoff(self, attempts: int) -> float:
        """Exponential backoff with full jitter: 30 s, 60 s, 120 s … capped, each randomised."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return random.uniform(ceiling / 2, ceiling)


def _split_name(full_name: str) -> tuple[str | None, str | None]:
    parts = full_name.split()
    if len(parts) >= 4:
        return " ".join(parts[:2]), " ".join(parts[2:])
    if len(parts) >= 2:
        return parts[0], " ".join(parts[1:])
    return None, full_name


def _payload(request: AccessRequest) -> dict[str, object]:
    role_map = request.system.role_map
    given, surname = _split_name(request.beneficiary_name or "")
    return {
        "username": request.beneficiary_username,
        "account": {
            "full_name": request.beneficiary_name,
            "email": request.beneficiary_email,
            "given_name": given,
            "surname": surname,
            "position": request.beneficiary_position,
            "dependency_code": request.dependency.code,
            "document": request.beneficiary_document,
        },
        "add_groups": [role_map[r] for r in request.roles_to_add if r in role_map],
        "remove_groups": [role_map[r] for r in request.roles_to_remove if r in role_map],
    }


def _checklist(request: AccessRequest) -> list[str]:
    system = request.system
    role_names = {r: system.role_map.get(r, r) for r in (*request.roles_to_add, *request.roles_to_remove)}
    who = f"{request.beneficiary_name} ({request.beneficiary_username or 'usuario nuevo'})"
    steps = {
        RequestAction.CREAR: [f"Crear el usuario de {who} en {system.name}."],
        RequestAction.ACTIVAR: [f"Activar el usuario de {who} en {system.name}."],
        RequestAction.RETIRAR: [f"Bloquear el usuario de {who} en {system.name} y quitarle todos los roles (no borrarlo)."],
        RequestAction.DESBLOQUEAR: [f"Desbloquear el usuario de {who} sin cambiar su clave."],
        RequestAction.INICIALIZAR: [
            f"Asignar una clave temporal a {who}, exigir el cambio al ingresar y enviarla solo a {request.beneficiary_email}."
        ],
        RequestAction.MODIFICAR_ROLES: [],
    }[request.action]
    steps += [f"Asignar el rol {r} ({name})." for r, name in role_names.items() if r in request.roles_to_add]
    steps += [f"Retirar el rol {r} ({name})." for r, name in role_names.items() if r in request.roles_to_remove]
    if system.instructions:
        steps.append(system.instructions)
    steps.append("Registrar en la nota qué se hizo y cuándo.")
    return steps


def plan_provisioning(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """In the approving transaction: the outbox rows (a job or a manual checklist)."""
    if request.system.connector is Connector.LDAP:
        job = ProvisioningJob(
            request_id=request.id,
            system_id=request.system_id,
            action=request.action,
            payload=_payload(request),
            next_attempt_at=now,
            created_at=now,
        )
        session.add(job)
        session.flush()
        enqueue_after_commit(session, job.id)
        record_event(
            session,
            actor=None,
            action="aprovisionamiento.planear",
            object_type="trabajo",
            object_id=job.id,
            after={"request": request.number, "action": request.action.value, "system": request.system.code},
        )
    else:
        task = ManualTask(request_id=request.id, system_id=request.system_id, checklist=_checklist(request), created_at=now)
        session.add(task)
        session.flush()
        record_event(
            session,
            actor=None,
            action="tarea_manual.crear",
            object_type="tarea_manual",
            object_id=task.id,
            after={"request": request.number, "system": request.system.code},
        )


def enqueue_after_commit(session: DbSession, job_id: int) -> None:
    """Have the edge send the job to the broker once this transaction commits (outbox)."""
    session.info.setdefault(PENDING_JOBS, []).append(job_id)


def mark_started(session: DbSession, request_id: int, now: datetime) -> None:
    """The first piece of work on an approved request puts it ``en_ejecucion``."""
    from tickets.services.common import lock_request
    from tickets.services.execution import start_execution

    request = lock_request(session, request_id)
    if request.state is RequestState.APROBADA:
        start_execution(session, request, actor=None, now=now)


def pop_planned_jobs(session: DbSession) -> list[int]:
    """Job ids planned in this transaction; the edge enqueues them right after its commit."""
    return list(session.info.pop(PENDING_JOBS, []))


@dataclass(frozen=True)
class JobOutcome:
    job_id: int
    state: JobState | None
    retry_in: float | None = None


@dataclass(frozen=True)
class Claim:
    """A job taken by one attempt: ``attempt`` is the job's attempt counter the claim set (the
    token its lease renewals and its release are fenced with), ``attempt_id`` its attempt row."""

    job_id: int
    attempt: int
    attempt_id: int


#: written on an attempt whose worker stopped before it could record an end
INTERRUPTED = "El intento se interrumpió antes de terminar (el proceso que lo ejecutaba se detuvo)."


def claim_job(session: DbSession, job_id: int, now: datetime, policy: RetryPolicy) -> Claim | None:
    """Take the job for this attempt unless it is done, another worker holds a live lease, or it
    waits out a retry's backoff (a new job runs at once, whatever clock planned it).

    The attempt row is written with the claim, so once the caller commits an attempt that dies
    midway is visible; an earlier attempt left open by a dead worker is marked interrupted."""
    claimed = session.execute(
        update(ProvisioningJob)
        .where(
            ProvisioningJob.id == job_id,
            or_(
                (ProvisioningJob.state == JobState.PENDIENTE)
                & or_(
                    ProvisioningJob.attempts == 0,
                    ProvisioningJob.next_attempt_at.is_(None),
                    ProvisioningJob.next_attempt_at <= now,
                ),
                (ProvisioningJob.state == JobState.EN_CURSO) & (ProvisioningJob.lease_until < now),
            ),
        )
        .values(
            state=JobState.EN_CURSO,
            lease_until=now + timedelta(seconds=policy.lease_seconds),
            attempts=ProvisioningJob.attempts + 1,
        )
        .returning(ProvisioningJob.attempts)
        .execution_options(synchronize_session=False)
    ).scalar()
    if claimed is None:
        return None
    session.execute(
        update(ProvisioningAttempt)
        .where(
            ProvisioningAttempt.job_id == job_id,
            ProvisioningAttempt.finished_at.is_(None),
            ProvisioningAttempt.detail.is_(None),
        )
        .values(detail=INTERRUPTED)
        .execution_options(synchronize_session=False)
    )
    attempt = ProvisioningAttempt(job_id=job_id, started_at=now)
    session.add(attempt)
    session.flush()
    return Claim(job_id, int(claimed), attempt.id)


def release_claim(session: DbSession, claim: Claim, now: datetime, policy: RetryPolicy, error: str) -> None:
    """An attempt that crashed (not a directory answer) gives its job back at once, with a backoff,
    instead of holding it for the whole lease, and its attempt row says why. Only this attempt's
    claim is released. Best effort: if the database is gone too, the lease lapses."""
    try:
        session.execute(
            update(ProvisioningJob)
            .where(
                ProvisioningJob.id == claim.job_id,
                ProvisioningJob.state == JobState.EN_CURSO,
                ProvisioningJob.attempts == claim.attempt,
            )
            .values(
                state=JobState.PENDIENTE,
                lease_until=None,
                next_attempt_at=now + timedelta(seconds=policy.backoff(claim.attempt)),
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(ProvisioningAttempt)
            .where(ProvisioningAttempt.id == claim.attempt_id, ProvisioningAttempt.finished_at.is_(None))
            .values(finished_at=now, detail=f"El intento falló por un error interno ({error}); se reintentará."[:2000])
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except Exception:  # noqa: BLE001 - the database may be what failed
        session.rollback()
        log.warning("job %s: claim not released; its lease will lapse", claim.job_id)


def _spec(job: ProvisioningJob) -> AccountSpec:
    account = job.payload["account"]
    return AccountSpec(
        username=job.payload["username"],
        full_name=account["full_name"],
        email=account["email"],
        given_name=account.get("given_name"),
        surname=account.get("surname"),
        position=account.get("position"),
        dependency_code=account.get("dependency_code"),
        document=account.get("document"),
        origin=job.request.number,
    )


def _password_mail(job: ProvisioningJob, password: str) -> OutgoingMail:
    return OutgoingMail(
        to=(job.payload["account"]["email"],),
        subject="Su clave temporal",
        template="tickets/temporary_password",
        context={"username": job.payload["username"], "number": job.request.number},
        sealed_context={"password": password},
    )


def _place_password(
    session: DbSession, job: ProvisioningJob, provisioner: Provisioner, now: datetime, checkpoint: Callable[[], None]
) -> list[str]:
    """One working temporary password per job, even across crashes (issue: exactly-once passwords).

    The first attempt writes the mail, password sealed with ``OUTBOX_KEY``, held in the outbox and
    commits it with the account's ``pwdChangedTime`` *before* touching the directory. A retry finds
    that mail: if ``pwdChangedTime`` moved since, the password was set (by the lost attempt, or
    already changed by the user) and is never set again; otherwise the same password is set. Then
    the mail is released; the outbox sends it once and erases the ciphertext.
    """
    username = job.payload["username"]
    stamp = provisioner.password_stamp(username) or ""
    mail = session.get(OutboxMail, job.password_mail_id) if job.password_mail_id else None
    password: str | None
    if mail is None:
        password = generate_password()
        mail = write_mail(session, _password_mail(job, password), now=now, held=True)
        job.password_mail_id = mail.id
        job.password_stamp = stamp
        checkpoint()
    elif stamp != (job.password_stamp or "") or not mail.sealed:
        password = None
    else:
        password = unseal(mail.sealed)["password"]
    changes: list[str] = []
    if password is None:
        changes.append("la clave temporal ya estaba asignada: no se cambia")
    else:
        changes += provisioner.set_temporary_password(username, password, new_account=job.action is RequestAction.CREAR)
        del password
    release_mail(session, mail.id, now)
    job.password_sent_at = now
    changes.append(f"clave temporal enviada a {job.payload['account']['email']}")
    return changes


def _operate(
    session: DbSession, job: ProvisioningJob, directory: Directory, now: datetime, checkpoint: Callable[[], None]
) -> list[str]:
    """The directory work of one attempt."""
    payload = job.payload
    username = payload["username"]
    provisioner = provisioner_for(directory)
    changes: list[str] = []
    with provisioner.session():
        if job.action is RequestAction.CREAR:
            changes += provisioner.ensure_account(_spec(job))
            changes += provisioner.add_to_groups(username, payload["add_groups"])
        elif job.action is RequestAction.ACTIVAR:
            changes += provisioner.enable(username)
        elif job.action is RequestAction.RETIRAR:
            changes += provisioner.retire(username)
        elif job.action is RequestAction.DESBLOQUEAR:
            changes += provisioner.unlock(username)
        elif job.action is RequestAction.MODIFICAR_ROLES:
            changes += provisioner.add_to_groups(username, payload["add_groups"])
            changes += provisioner.remove_from_groups(username, payload["remove_groups"])
        if job.action in (RequestAction.CREAR, RequestAction.INICIALIZAR) and job.password_sent_at is None:
            changes += _place_password(session, job, provisioner, now, checkpoint)
    return changes


def run_claimed_job(
    session: DbSession,
    claim: Claim,
    *,
    directory: Directory,
    now: datetime,
    policy: RetryPolicy,
    checkpoint: Callable[[], None] = lambda: None,
) -> JobOutcome:
    """The attempt of a job this worker claimed (``claim_job``, committed): run it, record it.

    ``checkpoint`` is the caller's commit: a temporary password is staged durably before the
    directory is changed.
    """
    job = session.execute(
        select(ProvisioningJob).where(ProvisioningJob.id == claim.job_id).execution_options(populate_existing=True)
    ).scalar_one()
    attempt = session.get(ProvisioningAttempt, claim.attempt_id, populate_existing=True)
    assert attempt is not None
    mark_started(session, job.request_id, now)
    retry_in: float | None = None
    try:
        changes = _operate(session, job, directory, now, checkpoint)
    except (DirectoryUnavailable, OSError) as exc:
        error = f"El directorio no respondió: {exc}"[:2000]
        attempt.detail = error
        job.last_error = error
        if job.attempts >= (job.max_attempts or policy.max_attempts):
            _fail(session, job, now)
        else:
            retry_in = policy.backoff(job.attempts)
            job.state = JobState.PENDIENTE
            job.next_attempt_at = now + timedelta(seconds=retry_in)
            job.lease_until = None
    except ProvisioningRefused as exc:
        error = f"El directorio rechazó el cambio: {exc}"[:2000]
        attempt.detail = error
        job.last_error = error
        _fail(session, job, now)
    else:
        attempt.succeeded = True
        attempt.detail = "; ".join(changes) if changes else "sin cambios: el directorio ya estaba así"
        job.state = JobState.EXITOSO
        job.finished_at = utcnow()
        job.lease_until = None
        job.last_error = None
    attempt.finished_at = utcnow()
    session.flush()
    record_event(
        session,
        actor=None,
        action="aprovisionamiento.intento",
        object_type="trabajo",
        object_id=job.id,
        after={"attempt": job.attempts, "ok": attempt.succeeded, "detail": attempt.detail},
    )
    if job.state is JobState.EXITOSO:
        _end_portal_sessions(session, job)
        resolve_if_complete(session, job.request_id, now)
    return JobOutcome(job.id, job.state, retry_in)


def _end_portal_sessions(session: DbSession, job: ProvisioningJob) -> None:
    """A retired account is disabled in the portal too (its sessions end, its API tokens stop) and
    an activated one enabled again; a re-initialised password ends the person's portal sessions."""
    from portal import services as portal_services

    if job.action not in (RequestAction.RETIRAR, RequestAction.ACTIVAR, RequestAction.INICIALIZAR):
        return
    user = portal_services.find_user(session, job.payload["username"])
    if user is None or user.is_local:
        return
    if job.action in (RequestAction.RETIRAR, RequestAction.ACTIVAR):
        is_active = job.action is RequestAction.ACTIVAR
        if user.is_active_account != is_active:
            portal_services.set_user_active(session, actor=None, user=user, is_active=is_active)
    else:
        portal_services.end_sessions(session, actor=None, user=user, reason="clave_inicializada")


def _fail(session: DbSession, job: ProvisioningJob, now: datetime) -> None:
    """Out of attempts (or refused): the job becomes a task for the service desk, never dropped;
    whoever filed the request is told why."""
    from portal.mail import send_after_commit

    job.state = JobState.FALLIDO
    job.lease_until = None
    job.next_attempt_at = None
    agents = session.execute(
        select(User).where(User.is_active_account.is_(True), User.role_assignments.any(role=Role.AGENTE))
    ).scalars()
    recipients = tuple(sorted({a.email for a in agents if a.email}))
    if recipients:
        send_after_commit(
            session,
            OutgoingMail(
                to=recipients,
                subject=f"Aprovisionamiento fallido: {job.request.number}",
                template="tickets/job_failed",
                context={"number": job.request.number, "request_id": job.request_id, "error": job.last_error},
            ),
        )
    from tickets.services.execution import notify_provisioning_failed

    notify_provisioning_failed(session, job.request, job.last_error)


def resolve_if_complete(session: DbSession, request_id: int, now: datetime) -> bool:
    """When every job and manual task of the request is done, the request is ``resuelta``."""
    from tickets.services.common import lock_request
    from tickets.services.execution import resolve_request

    request = lock_request(session, request_id)
    if request.state is not RequestState.EN_EJECUCION:
        return False
    jobs = session.execute(select(ProvisioningJob.state).where(ProvisioningJob.request_id == request_id)).scalars().all()
    tasks = session.execute(select(ManualTask.is_closed).where(ManualTask.request_id == request_id)).scalars().all()
    if not (jobs or tasks) or any(s not in JOB_DONE_STATES for s in jobs) or not all(tasks):
        return False
    resolve_request(session, request, actor=None, note="Acceso aprovisionado.", now=now)
    return True


def sweep(session: DbSession, now: datetime, policy: RetryPolicy) -> list[int]:
    """Jobs to send again: pending past their time plus a grace, or running with a lapsed lease."""
    late = now - timedelta(seconds=policy.grace_seconds)
    return list(
        session.execute(
            select(ProvisioningJob.id)
            .where(
                or_(
                    (ProvisioningJob.state == JobState.PENDIENTE) & (ProvisioningJob.next_attempt_at <= late),
                    (ProvisioningJob.state == JobState.EN_CURSO) & (ProvisioningJob.lease_until < now),
                )
            )
            .order_by(ProvisioningJob.id)
        ).scalars()
    )


def oldest_pending_job_at() -> datetime | None:
    """For /healthz: when the oldest job still waiting or running was planned."""
    from portal.extensions import db

    return db.session.execute(
        select(func.min(ProvisioningJob.created_at)).where(ProvisioningJob.state.in_([JobState.PENDIENTE, JobState.EN_CURSO]))
    ).scalar()
