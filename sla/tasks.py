"""Periodic task of the ANS engine: the check of the timers every minute (SPEC §5).

Its CLI twin is ``flask sla tick --now ISO-8601`` (``sla/cli.py``).
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from portal.celery_app import periodic
from portal.db import utcnow
from portal.extensions import db
from sla import services


@periodic(timedelta(minutes=1))
@shared_task(name="sla.tick")
def tick() -> dict[str, int]:
    """Warnings at 75 %, breaches at 100 % (to the aprobador), escalations at 150 % (to the secretario)."""
    try:
        report = services.tick(db.session, utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {
        "warned": len(report.warned),
        "breached": len(report.breached),
        "escalated": len(report.escalated),
        "mails": report.mails,
    }
