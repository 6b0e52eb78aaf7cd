"""The daily task that puts scheduled designations in force on their date (SPEC §2), and its run
for the CLI twin ``flask enlaces tick --now ISO``."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from celery.schedules import crontab
from flask import current_app

from enlaces.succession import apply_due_designations
from portal.celery_app import periodic
from portal.db import utcnow
from portal.directory import Directory, DirectorySettings
from portal.extensions import db

log = logging.getLogger(__name__)


def run_designations(now: datetime) -> tuple[list[int], list[str]]:
    """Apply what is due at ``now`` and commit: (designations applied, problems left for the next run)."""
    try:
        applied, problems = apply_due_designations(
            db.session,
            directory=Directory(DirectorySettings.from_config(current_app.config)),
            email_domain=current_app.config["PROFILE"].email_domain,
            now=now,
        )
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    for problem in problems:
        log.warning("designación programada sin aplicar: %s", problem)
    return applied, problems


@periodic(crontab(hour=0, minute=5))
@shared_task(name="enlaces.apply_designations", ignore_result=True)
def apply_designations() -> list[int]:
    """Daily at 00:05 Bogotá. CLI twin: ``flask enlaces tick --now ISO``."""
    applied, _problems = run_designations(utcnow())
    return applied
