"""The ANS timers follow the request state machine (SPEC §5), through the hooks it calls.

Placeholder targets (config/ans.py) for FO-M11-P2-05 ``crear``, normal priority: atención 4 h,
solución 24 h, each step 8 h. Business hours: Monday–Friday 08–12 and 14–18 in Bogotá.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from portal.extensions import db
from sla import hooks
from sla.models import SlaOutcome, SlaPause
from sla.services import request_sla_summary
from tests.unit.sla.flow import (
    BOGOTA,
    after,
    approve_chain,
    bogota,
    calendar,
    cancel,
    decide,
    exception,
    fetch,
    file,
    resolve,
    submit,
    timers,
    user,
)
from tickets.models import Priority
from tickets.services.decisions import current_step, request_steps
from tickets.services.filing import add_comment

HOUR = 3600


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_filing_starts_atencion_solucion_and_the_first_step_with_precomputed_thresholds(ctx):
    # Monday 9 March 2026, 08:00
    request_id = file(1, bogota(2026, 3, 9, 8))
    t = timers(request_id)
    assert set(t) == {"atencion", "solucion", "paso1"}
    assert t["atencion"].target_seconds == 4 * HOUR and t["atencion"].is_placeholder_target
    assert t["atencion"].warn_at == bogota(2026, 3, 9, 11)  # 75 % of 4 h
    assert t["atencion"].due_at == bogota(2026, 3, 9, 12)
    assert t["atencion"].escalate_at == bogota(2026, 3, 9, 16)  # 6 h: 08–12 and 14–16
    assert t["solucion"].due_at == bogota(2026, 3, 11, 18)  # 24 h: three full days
    assert t["paso1"].due_at == bogota(2026, 3, 9, 18)
    assert t["paso1"].step_id == current_step(db.session, fetch(request_id)).id
    assert all(timer.warn_at.tzinfo is UTC for timer in t.values())


def test_alta_priority_halves_the_placeholder_targets(ctx):
    request_id = file(2, bogota(2026, 3, 9, 8), priority=Priority.ALTA)
    t = timers(request_id)
    assert (t["atencion"].target_seconds, t["solucion"].target_seconds, t["paso1"].target_seconds) == (
        2 * HOUR,
        12 * HOUR,
        4 * HOUR,
    )


def test_first_decision_stops_atencion_and_the_step_and_starts_the_next_step(ctx):
    filed = bogota(2026, 3, 9, 8)
    request_id = file(3, filed)
    decide(request_id, "jefe.salud", "aprobar", bogota(2026, 3, 9, 10, 30))
    t = timers(request_id)
    assert t["atencion"].stopped_at == bogota(2026, 3, 9, 10, 30)
    assert t["atencion"].elapsed_seconds == int(2.5 * HOUR)
    assert t["atencion"].outcome is SlaOutcome.COMPLETADO
    assert t["paso1"].elapsed_seconds == int(2.5 * HOUR)
    assert t["paso2"].started_at == bogota(2026, 3, 9, 10, 30)
    assert t["paso2"].due_at == bogota(2026, 3, 10, 10, 30)  # 8 h: 1.5 + 4 on Monday, 2.5 on Tuesday
    assert t["solucion"].stopped_at is None


def test_returned_for_two_business_days_moves_the_due_date_by_exactly_those_two_days(ctx):
    # Filed Thursday 19 March 2026 08:00; San José is moved to Monday 23 March (Ley Emiliani).
    filed = bogota(2026, 3, 19, 8)
    request_id = file(4, filed)
    due_before = timers(request_id)["solucion"].due_at
    assert due_before == bogota(2026, 3, 24, 18)  # Thu 8 h, Fri 8 h, (weekend, holiday), Tue 8 h

    returned = bogota(2026, 3, 20, 10)  # Friday 10:00
    decide(request_id, "jefe.salud", "devolver", returned)
    solucion = timers(request_id)["solucion"]
    assert solucion.paused_at == returned
    assert fetch(request_id).state.value == "devuelta"

    refiled = bogota(2026, 3, 25, 10)  # Wednesday 10:00: two business days later (Fri 6 h + Tue 8 h + Wed 2 h)
    assert calendar().business_time_between(returned, refiled) == timedelta(hours=16)
    submit(request_id, refiled)

    t = timers(request_id)
    solucion = t["solucion"]
    assert solucion.paused_at is None
    assert solucion.paused_seconds == 16 * HOUR
    assert solucion.due_at == calendar().add_business_time(due_before, timedelta(hours=16))
    assert solucion.due_at == bogota(2026, 3, 26, 18)
    local_before, local_after = due_before.astimezone(BOGOTA), solucion.due_at.astimezone(BOGOTA)
    assert calendar().add_business_days(local_before.date(), 2) == local_after.date()
    assert local_before.time() == local_after.time()
    assert solucion.warn_at == calendar().add_business_time(filed, timedelta(hours=18 + 16))

    # the new round starts its own step timer; the returned step's timer was measured
    assert t["paso1"].outcome is SlaOutcome.COMPLETADO and t["paso1"].elapsed_seconds == 10 * HOUR  # Thu 8 h + Fri 2 h
    assert t["paso2"].started_at == refiled and t["paso2"].stopped_at is None
    assert t["atencion"].elapsed_seconds == 10 * HOUR

    pause = db.session.query(SlaPause).filter_by(timer_id=solucion.id).one()
    assert (pause.paused_at, pause.resumed_at, pause.business_seconds) == (returned, refiled, 16 * HOUR)


def test_resolution_stops_solucion_excluding_the_pause(ctx):
    filed = bogota(2026, 3, 9, 8)
    request_id = file(5, filed)
    decide(request_id, "jefe.salud", "devolver", bogota(2026, 3, 9, 9))  # 1 h, then returned
    submit(request_id, bogota(2026, 3, 10, 9))  # paused 8 business hours
    approve_chain(request_id, bogota(2026, 3, 10, 10), bogota(2026, 3, 10, 11))
    resolve(request_id, bogota(2026, 3, 10, 15))
    solucion = timers(request_id)["solucion"]
    # business time Mon 08:00 → Tue 15:00 is 13 h (Mon 8 h, Tue 08–12 and 14–15), of which 8 h paused
    assert solucion.outcome is SlaOutcome.COMPLETADO
    assert solucion.elapsed_seconds == 5 * HOUR
    assert solucion.stopped_at == bogota(2026, 3, 10, 15)


def test_rejection_ends_every_timer_and_solucion_is_not_measured(ctx):
    request_id = file(6, bogota(2026, 3, 9, 8))
    decide(request_id, "jefe.salud", "rechazar", bogota(2026, 3, 9, 9))
    t = timers(request_id)
    assert t["atencion"].outcome is SlaOutcome.COMPLETADO
    assert t["paso1"].outcome is SlaOutcome.COMPLETADO
    assert t["solucion"].outcome is SlaOutcome.ANULADO
    assert set(t) == {"atencion", "solucion", "paso1"}


def test_cancelling_a_returned_request_closes_its_pause(ctx):
    request_id = file(7, bogota(2026, 3, 9, 8))
    decide(request_id, "jefe.salud", "devolver", bogota(2026, 3, 9, 9))
    cancel(request_id, bogota(2026, 3, 10, 9))
    solucion = timers(request_id)["solucion"]
    assert solucion.outcome is SlaOutcome.ANULADO
    assert solucion.paused_at is None and solucion.paused_seconds == 8 * HOUR
    assert solucion.elapsed_seconds == HOUR


def test_cancelling_while_in_approval_ends_the_running_step(ctx):
    request_id = file(8, bogota(2026, 3, 9, 8))
    cancel(request_id, bogota(2026, 3, 9, 9))
    t = timers(request_id)
    assert all(timer.stopped_at == bogota(2026, 3, 9, 9) for timer in t.values())
    assert {name: timer.outcome for name, timer in t.items()} == {
        "atencion": SlaOutcome.ANULADO,
        "solucion": SlaOutcome.ANULADO,
        "paso1": SlaOutcome.ANULADO,
    }


def test_first_staff_comment_stops_atencion(ctx):
    request_id = file(9, bogota(2026, 3, 9, 8))
    now = bogota(2026, 3, 9, 9, 15)
    request = fetch(request_id)
    add_comment(db.session, request, actor=user("agente"), body="Recibida, en revisión.", internal=False, now=now)
    hooks.on_comment_by_staff(db.session, request, now)
    db.session.commit()
    t = timers(request_id)
    assert t["atencion"].stopped_at == now and t["atencion"].elapsed_seconds == int(1.25 * HOUR)
    assert t["paso1"].stopped_at is None
    # a later decision does not restart or move it
    decide(request_id, "jefe.salud", "aprobar", bogota(2026, 3, 9, 11))
    assert timers(request_id)["atencion"].stopped_at == now


def test_secretario_exception_ends_steps_unmeasured_and_attends_the_request(ctx):
    request_id = file(10, bogota(2026, 3, 9, 8))
    exception(request_id, bogota(2026, 3, 9, 10))
    t = timers(request_id)
    assert t["atencion"].outcome is SlaOutcome.COMPLETADO and t["atencion"].elapsed_seconds == 2 * HOUR
    assert t["paso1"].outcome is SlaOutcome.ANULADO
    assert t["solucion"].stopped_at is None


def test_hooks_are_idempotent(ctx):
    filed = bogota(2026, 3, 9, 8)
    request_id = file(11, filed)
    session = db.session
    request = fetch(request_id)
    for hook in (hooks.on_filed, hooks.on_refiled, hooks.on_returned, hooks.on_closed, hooks.on_exception):
        hook(session, request, bogota(2026, 3, 9, 9))
    session.commit()
    before = {name: (t.id, t.started_at, t.due_at, t.stopped_at, t.paused_at) for name, t in timers(request_id).items()}
    assert set(before) == {"atencion", "solucion", "paso1"}
    assert all(value[3] is None and value[4] is None for value in before.values())

    decide(request_id, "jefe.salud", "aprobar", bogota(2026, 3, 9, 10))
    request = fetch(request_id)
    step = request_steps(session, request)[0]
    hooks.on_step_decided(session, request, step, bogota(2026, 3, 9, 17))
    hooks.on_comment_by_staff(session, request, bogota(2026, 3, 9, 17))
    session.commit()
    t = timers(request_id)
    assert t["paso1"].stopped_at == bogota(2026, 3, 9, 10)
    assert t["atencion"].stopped_at == bogota(2026, 3, 9, 10)
    assert len(t) == 4


def test_request_sla_summary_rows(ctx):
    filed = bogota(2026, 3, 9, 8)
    request_id = file(12, filed)
    decide(request_id, "jefe.salud", "devolver", bogota(2026, 3, 9, 11))
    rows = request_sla_summary(db.session, fetch(request_id), bogota(2026, 3, 10, 8))
    by_label = {row["label"]: row for row in rows}
    assert list(by_label) == ["Atención", "Solución", "Paso 1: Jefe de la dependencia"]
    atencion, solucion, paso = rows
    assert (atencion["state"], atencion["elapsed_hours"], atencion["target_hours"]) == ("cumplido", 3.0, 4.0)
    assert atencion["is_placeholder"] is True
    assert solucion["state"] == "pausado" and solucion["due_at"] is None
    assert solucion["elapsed_hours"] == 3.0 and solucion["remaining_hours"] == 21.0
    assert solucion["paused_intervals"] == [{"paused_at": bogota(2026, 3, 9, 11), "resumed_at": None, "business_hours": 5.0}]
    assert paso["state"] == "cumplido" and paso["percent"] == 37.5

    submit(request_id, bogota(2026, 3, 11, 8))
    rows = request_sla_summary(db.session, fetch(request_id), after(bogota(2026, 3, 11, 8), 20))
    solucion = rows[1]
    assert solucion["state"] == "en_riesgo" and solucion["elapsed_hours"] == 23.0  # 3 h before the pause, 20 h after
    assert solucion["remaining_hours"] == 1.0
    assert solucion["paused_intervals"][0]["business_hours"] == 13.0  # Mon 11–18 (5 h), Tue 8 h
    assert solucion["due_at"] == after(bogota(2026, 3, 11, 8), 21)
    late = request_sla_summary(db.session, fetch(request_id), after(bogota(2026, 3, 11, 8), 22))[1]
    assert (late["state"], late["remaining_hours"], late["percent"]) == ("vencido", -1.0, 104.2)
