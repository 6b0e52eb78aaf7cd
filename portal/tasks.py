"""Tasks of the portal package: e-mail delivery and the scheduler heartbeat."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from portal.celery_app import periodic
from portal.db import utcnow
from portal.extensions import db
from portal.models import SchedulerHeartbeat


@shared_task(name="portal.send_mail", bind=True, max_retries=8, acks_late=True)
def send_mail_task(self, message: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Deliver one rendered message; retried with backoff when the mail server fails."""
    from portal.mail import deliver

    try:
        deliver(message)
    except OSError as exc:
        raise self.retry(exc=exc, countdown=min(600, 2**self.request.retries * 15)) from exc


@periodic(timedelta(minutes=1))
@shared_task(name="portal.heartbeat")
def heartbeat() -> None:
    """Record that the scheduler and a worker are alive (shown by /healthz)."""
    row = db.session.get(SchedulerHeartbeat, "portal.heartbeat")
    if row is None:
        db.session.add(SchedulerHeartbeat(task_name="portal.heartbeat", last_run_at=utcnow()))
    else:
        row.last_run_at = utcnow()
    db.session.commit()


@periodic(timedelta(minutes=5))
@shared_task(name="portal.audit_head")
def audit_head() -> None:
    """Record the audit chain's head outside the database (log line and AUDIT_HEAD_FILE), so
    deleting the newest events is detected by ``flask audit verify``. CLI twin: ``flask audit head``."""
    from flask import current_app

    from portal.audit import record_head

    record_head(db.session, current_app.config["AUDIT_HEAD_FILE"])
    db.session.rollback()
