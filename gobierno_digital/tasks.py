"""Periodic task of the plan: ``gd.tick`` every 15 minutes. Its CLI twin is ``flask gd tick --now ISO``."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from gobierno_digital import tick as checks
from portal.celery_app import periodic
from portal.db import utcnow
from portal.extensions import db


@periodic(timedelta(minutes=15))
@shared_task(name="gd.tick")
def tick() -> dict[str, int]:
    """Checklists of the period, measurement reminders and overdue notices, late milestones."""
    try:
        report = checks.tick(db.session, utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report.as_dict()
