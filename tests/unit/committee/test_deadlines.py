"""The committee's deadlines and their periodic check (SPEC §6): computed once with the entity's
business calendar, warned and recorded once each, ``flask mesa tick --now`` and the beat entry.

Concurrent ticks on PostgreSQL (two transactions claiming the same rows) belong to the integration
suite; here the claims are shown to be idempotent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from committee import deadlines
from committee import tick as mesa_tick
from committee.actas.models import DeadlineKind, DeadlineOutcome
from portal.errors import WrongState
from portal.extensions import db
from tests.unit.catalog.factories import mails, subject
from tests.unit.committee.acta_factories import acta_row, bogota, close, deadline_of, deadlines_of, held_session, send, tick


def test_open_deadline_ends_at_23_59_59_of_the_last_business_day(app) -> None:
    with app.app_context():
        acta = acta_row(close(held_session()))
        now = bogota(2026, 3, 31, 8, 0)
        # Tuesday 31 March 2026 + 3 business days: 1 April, (Holy Thursday and Good Friday), 6, 7 April
        deadline = deadlines.open_deadline(
            db.session, kind=DeadlineKind.OBSERVACIONES, counted_from=date(2026, 3, 31), business_days=3, now=now, acta=acta
        )
        assert deadline.due_at == bogota(2026, 4, 7, 23, 59, 59) == datetime(2026, 4, 8, 4, 59, 59, tzinfo=UTC)
        assert deadline.warn_at == bogota(2026, 4, 6, 23, 59, 59)
        # one business day, warned one before: at the end of the day it counts from
        short = deadlines.open_deadline(
            db.session, kind=DeadlineKind.VERSION_DEFINITIVA, counted_from=date(2026, 4, 1), business_days=1, now=now, acta=acta
        )
        assert short.due_at == bogota(2026, 4, 6, 23, 59, 59) and short.warn_at == bogota(2026, 4, 1, 23, 59, 59)
        with pytest.raises(ValueError):
            deadlines.open_deadline(
                db.session, kind=DeadlineKind.OBSERVACIONES, counted_from=date(2026, 4, 1), business_days=0, now=now, acta=acta
            )
        db.session.flush()
        found = deadlines.open_deadlines_for(db.session, acta=acta)
        assert [d.kind for d in found] == [DeadlineKind.ENVIO_ACTA, DeadlineKind.VERSION_DEFINITIVA, DeadlineKind.OBSERVACIONES]
        assert deadlines.open_deadlines_for(db.session, acta=acta, kinds=[DeadlineKind.OBSERVACIONES]) == [deadline]


def test_close_deadline_says_whether_it_was_in_time(app) -> None:
    with app.app_context():
        acta_id = close(held_session())
        sending = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA)
        deadlines.close_deadline(db.session, sending, now=sending.due_at)
        assert sending.outcome is DeadlineOutcome.CUMPLIDO
        with pytest.raises(WrongState, match="ya está cerrado"):
            deadlines.close_deadline(db.session, sending, now=sending.due_at)
        db.session.rollback()
        sending = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA)
        deadlines.close_deadline(db.session, sending, now=sending.due_at + timedelta(seconds=1))
        assert sending.outcome is DeadlineOutcome.CUMPLIDO_TARDE
        db.session.rollback()
        sending = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA)
        deadlines.close_deadline(db.session, sending, now=sending.due_at, outcome=DeadlineOutcome.ANULADO)
        assert sending.outcome is DeadlineOutcome.ANULADO and sending.closed_at == sending.due_at


def test_each_notice_goes_out_once_in_order(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session())
        sending = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA)
        # a check long after both the warning and the deadline: only the deadline is reported
        report = tick(sending.due_at + timedelta(days=3))
        assert report.warned == [] and report.missed == [sending.id] and report.mails == 1
        assert deadline_of(acta_id, DeadlineKind.ENVIO_ACTA).warned_at is None
        assert tick(sending.due_at + timedelta(days=4)).total == 0
        notices = [subject(m) for m in mails(tmp_path) if "Plazo" in subject(m)]
        assert notices == ["Plazo vencido: Envío del proyecto de acta — Sesión ordinaria N.º 1 de 2026"]


def test_the_summary_is_one_spanish_line() -> None:
    report = mesa_tick.MesaTickReport(
        now=datetime(2026, 4, 7, 5, 0, 1, tzinfo=UTC), warned=[1], missed=[2, 3], tacit=[4], overdue_commitments=[9], mails=4
    )
    assert report.summary() == (
        "Comité 2026-04-07T05:00:01+00:00: 1 avisos de vencimiento, 2 plazos vencidos (1 compromisos), "
        "1 actas aprobadas tácitamente; 4 correos."
    )
    assert report.total == 4


def test_cli_twin_takes_now(app) -> None:
    with app.app_context():
        acta_id = close(held_session())
        send(acta_id, bogota(2026, 3, 30, 16, 0))
    runner = app.test_cli_runner()
    # observations due Monday 6 April 2026 at 23:59:59 (Holy Week in between)
    result = runner.invoke(args=["mesa", "tick", "--now", "2026-04-06T23:59:59-05:00"])
    assert result.exit_code == 0, result.output
    assert "0 actas aprobadas tácitamente" in result.output
    result = runner.invoke(args=["mesa", "tick", "--now", "2026-04-07T00:00:00"])  # no offset: Bogotá time
    assert result.exit_code == 0, result.output
    assert "1 actas aprobadas tácitamente; 1 correos." in result.output
    result = runner.invoke(args=["mesa", "tick", "--now", "2026-04-07T00:01:00"])
    assert "0 actas aprobadas tácitamente; 0 correos." in result.output
    result = runner.invoke(args=["mesa", "tick", "--now", "mañana"])
    assert result.exit_code != 0 and "ISO-8601" in result.output
    with app.app_context():
        assert deadlines_of(acta_id)[-1].outcome is DeadlineOutcome.CERRADO


def test_the_check_runs_every_minute(app) -> None:
    from committee import tasks

    beat = app.extensions["celery"].conf.beat_schedule
    assert beat["mesa.tick"] == {"task": "mesa.tick", "schedule": timedelta(minutes=1)}
    assert tasks.tick.name == "mesa.tick"
