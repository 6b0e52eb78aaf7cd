"""Celery tasks of access requests: running provisioning jobs and the sweeper (with its CLI twin)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from celery import shared_task
from celery.schedules import crontab
from flask import current_app

from portal.celery_app import periodic
from portal.db import DbSession, utcnow
from portal.directory import Directory, DirectorySettings
from portal.extensions import db
from tickets import expiry, provisioning
from tickets.lease import LeaseHeartbeat

log = logging.getLogger(__name__)


def retry_policy() -> provisioning.RetryPolicy:
    cfg = current_app.config
    return provisioning.RetryPolicy(
        base_seconds=float(cfg.get("PROVISIONING_BACKOFF_SECONDS", 30)),
        max_seconds=float(cfg.get("PROVISIONING_BACKOFF_MAX_SECONDS", 1800)),
        lease_seconds=float(cfg.get("PROVISIONING_LEASE_SECONDS", 45)),
        grace_seconds=float(cfg.get("PROVISIONING_GRACE_SECONDS", 60)),
        max_attempts=int(cfg.get("PROVISIONING_MAX_ATTEMPTS", 8)),
    )


def enqueue_jobs(job_ids: Sequence[int], countdown: float | None = None) -> None:
    """Send job ids to the broker. A broker outage loses nothing: the rows wait for the sweeper."""
    for job_id in job_ids:
        try:
            run_provisioning_job.apply_async((job_id,), countdown=countdown, retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: the outbox row stays pending
            log.warning("provisioning job %s not enqueued (broker unavailable); the sweeper will send it", job_id)


def commit_and_dispatch(session: DbSession) -> None:
    """Commit the transaction, then enqueue the provisioning jobs it planned (outbox pattern)."""
    planned = provisioning.pop_planned_jobs(session)
    session.commit()
    if planned:
        enqueue_jobs(planned)


@shared_task(name="tickets.run_provisioning_job", acks_late=True, ignore_result=True)
def run_provisioning_job(job_id: int) -> None:
    """Claim the job (its attempt row committed with the claim), run it while a heartbeat renews
    the short lease, commit. A crash gives the claim back at once; a killed worker stops renewing,
    so its lease lapses and the sweeper sends the job again."""
    policy = retry_policy()
    now = utcnow()
    claim = provisioning.claim_job(db.session, job_id, now, policy)
    if claim is None:
        db.session.rollback()
        return
    db.session.commit()
    directory = Directory(DirectorySettings.from_config(current_app.config))
    try:
        with LeaseHeartbeat(db.engine.url, job_id, claim.attempt, policy.lease_seconds):
            try:
                outcome = provisioning.run_claimed_job(
                    db.session, claim, directory=directory, now=now, policy=policy, checkpoint=db.session.commit
                )
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
    except Exception as exc:
        provisioning.release_claim(db.session, claim, utcnow(), policy, type(exc).__name__)
        raise
    if outcome.retry_in is not None and not current_app.config.get("CELERY_TASK_ALWAYS_EAGER"):
        enqueue_jobs([job_id], countdown=outcome.retry_in)


#: how often beat runs the sweeper: with the 45 s lease a dead worker's job runs again within a minute
SWEEP_INTERVAL = timedelta(seconds=15)


@periodic(SWEEP_INTERVAL)
@shared_task(name="tickets.sweep_provisioning", ignore_result=True)
def sweep_provisioning() -> list[int]:
    """Re-send jobs a lost message or a dead worker (lapsed lease) left behind. CLI twin:
    ``flask provisioning sweep``."""
    job_ids = provisioning.sweep(db.session, utcnow(), retry_policy())
    db.session.commit()
    enqueue_jobs(job_ids)
    return job_ids


def run_expiry(now: datetime) -> expiry.ExpiryReport:
    """Warnings and automatic removals for ``now``; commits, then sends the planned jobs."""
    from sla.services import get_calendar

    calendar = get_calendar(db.session)
    report = expiry.expire_access(db.session, now=now, add_business_days=calendar.add_business_days)
    commit_and_dispatch(db.session)
    return report


@periodic(crontab(hour=6, minute=0))
@shared_task(name="tickets.expire_access", ignore_result=True)
def expire_access() -> None:
    """Daily at 06:00 Bogotá. CLI twin: ``flask provisioning expire --now ISO``."""
    run_expiry(utcnow())
