"""Periodic task of the committee: the check of its deadlines every minute (SPEC §6).

Its CLI twin is ``flask mesa tick --now ISO-8601`` (``catalog/cli.py``).
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from committee import tick as mesa_tick
from portal.celery_app import periodic
from portal.db import utcnow
from portal.extensions import db


@periodic(timedelta(minutes=1))
@shared_task(name="mesa.tick")
def tick() -> dict[str, int]:
    """Warnings before acta deadlines and commitments' due dates, tacit approval of actas, missed
    deadlines and overdue commitments (to Control Interno); each notice once."""
    try:
        report = mesa_tick.tick(db.session, utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {
        "warned": len(report.warned),
        "missed": len(report.missed),
        "tacit": len(report.tacit),
        "overdue_commitments": len(report.overdue_commitments),
        "mails": report.mails,
    }
