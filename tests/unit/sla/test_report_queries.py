"""The Secretario's ANS report costs the same number of queries whatever the number of requests
in the month (issue 16): its tables, breaches and exceptions are read as sets, never row by row."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import insert, select, update

from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from sla.models import SlaMetric, SlaOutcome, SlaTimer
from tests.unit.tickets.factories import get_user
from tests.unit.tickets.test_page_queries import ANS_REPORT, assert_within, statements_for
from tests.unit.tickets.test_queue_queries import bulk_requests, client_for
from tickets.models import AccessRequest, ApprovalStep

HOUR = 3600


def _measured_month(count: int, start: int) -> None:
    """``count`` more requests, each with its atención, solución and first step measured this
    month; every third breached solución, every fifth an exception of the Secretario."""
    bulk_requests(count, start)
    now = utcnow()
    rows = db.session.execute(
        select(AccessRequest, ApprovalStep.id, ApprovalStep.decided_by_id)
        .join(ApprovalStep, ApprovalStep.request_id == AccessRequest.id)
        .where(ApprovalStep.position == 1, AccessRequest.id.not_in(select(SlaTimer.request_id)))
    ).all()
    timers: list[dict[str, Any]] = []
    for n, (request, step_id, approver_id) in enumerate(rows):
        started = now - timedelta(minutes=n % 50)
        for metric, target, elapsed, step, approver in (
            (SlaMetric.ATENCION, 4 * HOUR, HOUR, None, None),
            (SlaMetric.SOLUCION, 24 * HOUR, (30 if n % 3 == 0 else 8) * HOUR, None, None),
            (SlaMetric.PASO, 8 * HOUR, 2 * HOUR, step_id, approver_id),
        ):
            timers.append(
                {
                    "request_id": request.id,
                    "step_id": step,
                    "metric": metric,
                    "form": request.form,
                    "action": request.action,
                    "dependency_id": request.dependency_id,
                    "approver_id": approver,
                    "target_seconds": target,
                    "started_at": started,
                    "warn_at": started + timedelta(seconds=target // 2),
                    "due_at": started + timedelta(seconds=target),
                    "escalate_at": started + timedelta(seconds=target * 2),
                    "stopped_at": started,
                    "outcome": SlaOutcome.COMPLETADO,
                    "elapsed_seconds": elapsed,
                }
            )
    db.session.execute(insert(SlaTimer), timers)
    exceptions = [request.id for n, (request, _s, _a) in enumerate(rows) if n % 5 == 0]
    db.session.execute(
        update(AccessRequest)
        .where(AccessRequest.id.in_(exceptions))
        .values(
            is_exception=True,
            exception_justification="Urgencia del servicio a la ciudadanía.",
            exception_by_id=get_user("secretario").id,
            approved_at=now,
        )
    )
    db.session.commit()


def _report(app: Flask, client: Any) -> tuple[list[str], str]:
    today = local_date(utcnow())
    path = f"/ans/informes?desde={today.replace(day=1).isoformat()}&hasta={today.isoformat()}"
    statements, response = statements_for(app, client, path)
    assert_within(statements, ANS_REPORT, path)
    return statements, response.get_data(as_text=True)


def test_the_ans_report_does_not_grow_in_queries_with_the_requests(app) -> None:
    client = client_for(app, "secretario")
    with app.app_context():
        _measured_month(12, 0)
    small, page = _report(app, client)
    listed = set(re.findall(r"SOL-\d{4}-\d{5}", page))
    with app.app_context():
        _measured_month(108, 12)
    big, page = _report(app, client)
    assert len(set(re.findall(r"SOL-\d{4}-\d{5}", page))) > len(listed) > 0  # breaches and exceptions listed
    assert len(big) == len(small), (len(small), len(big))
