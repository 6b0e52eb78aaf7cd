"""Tasks of the portal package: e-mail delivery from the outbox, its sweeper, the scheduler heartbeat."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy.orm import Session

from portal.celery_app import periodic
from portal.db import utcnow
from portal.extensions import db
from portal.models import SchedulerHeartbeat


def send_outbox_mail(mail_id: int) -> bool:
    """Claim, deliver and record one outbox mail in a session of its own (it runs right after
    another session's commit when tasks are eager). False when another attempt holds it."""
    from portal.mail import MailPolicy, claim_mail, send_claimed_mail

    policy = MailPolicy.from_config(current_app.config)
    with Session(db.engine) as session:
        if not claim_mail(session, mail_id, utcnow(), policy):
            session.rollback()
            return False
        session.commit()
        send_claimed_mail(session, mail_id, utcnow(), policy)
        session.commit()
    return True


@shared_task(name="portal.send_mail", acks_late=True, ignore_result=True)
def send_mail_task(mail_id: int | dict) -> None:  # type: ignore[type-arg]
    """Send one outbox mail; a failure is retried by the sweeper after its backoff."""
    from portal.mail import deliver

    if isinstance(mail_id, dict):  # a rendered message queued by a version without the outbox
        deliver(mail_id)
        return
    send_outbox_mail(mail_id)


@periodic(timedelta(minutes=1))
@shared_task(name="portal.sweep_mail", ignore_result=True)
def sweep_mail() -> int:
    """Send the mails a lost message, a dead worker or a failed attempt left due. CLI twin:
    ``flask mail sweep``."""
    from portal.mail import due_mails

    with Session(db.engine) as session:
        mail_ids = due_mails(session, utcnow())
    return sum(send_outbox_mail(mail_id) for mail_id in mail_ids)


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
