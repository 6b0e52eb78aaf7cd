"""The committee's periodic check (``committee.tick.tick``) and acta numbering on a real PostgreSQL server.

Two sessions closing at once get consecutive acta numbers; two checks at the same moment send each notice once; a check racing the secretariat's final version
(``actas.finalize``) or its closing of a commitment (``commitments.close_commitment``) neither
deadlocks nor applies anything twice; the audit chain stays intact. Each race runs its contenders in
threads with their own application context, session and connection, released by a barrier; the
first to lock the acta or the commitment keeps the lock until PostgreSQL shows the other waiting
for it (``HoldLock``), so the overlap is certain, not a matter of timing.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, select, text

from committee import tick as mesa_tick
from committee.actas import services as actas
from committee.actas.models import (
    ActaApproval,
    ActaResponseKind,
    ActaState,
    ActaVersion,
    ActaVersionKind,
    CommitteeDeadline,
    DeadlineKind,
    DeadlineOutcome,
)
from committee.commitments import services as commitments
from committee.commitments.models import Commitment, CommitmentState
from committee.demo import load_committee_demo
from portal.audit import verify_chain
from portal.errors import WrongState
from portal.extensions import db
from portal.models import AuditEvent
from tests.unit.catalog.factories import context, mails, subject, user
from tests.unit.committee.acta_factories import SECRETARIAT, acta_row, bogota, close, deadline_of, held_session, send, session_row

#: the draft goes out on Monday 30 March 2026: observations due Monday 6 April at 23:59:59 (Holy Week)
SENT = bogota(2026, 3, 30, 16, 0)
OBSERVATIONS_DUE = bogota(2026, 4, 6, 23, 59, 59)
#: observed on Tuesday 31 March: the final version is due Tuesday 7 April at 23:59:59
OBSERVED = bogota(2026, 3, 31, 10, 0)
FINAL_DUE = bogota(2026, 4, 7, 23, 59, 59)
COMMITMENT_DUE = date(2026, 4, 7)


def test_two_checks_approve_an_acta_tacitly_once(pg_app, tmp_path):
    with pg_app.app_context():
        load_committee_demo(db.session, pg_app.config["PROFILE"])
        db.session.commit()
        acta_id = close(held_session(date(2026, 3, 20)))
        send(acta_id, SENT)
        observations = deadline_of(acta_id, DeadlineKind.OBSERVACIONES)
        deadline_id = observations.id
        assert observations.due_at == OBSERVATIONS_DUE
        engine = db.engine
        db.session.remove()
    already = message_ids(tmp_path)
    now = OBSERVATIONS_DUE + timedelta(seconds=1)

    with HoldLock(engine, "committee_actas") as hold:
        results = race(
            pg_app, {"tick-1": lambda: mesa_tick.tick(db.session, now), "tick-2": lambda: mesa_tick.tick(db.session, now)}
        )
    reports = reports_of(results)
    assert hold.blocked, "the second check never waited for the acta: the checks did not overlap"

    assert [a for r in reports for a in r.tacit] == [acta_id]
    assert sorted(r.total for r in reports) == [0, 1]
    sent = new_mails(tmp_path, already)
    assert [subject(m) for m in sent] == ["Acta N.º 1 de 2026 aprobada: firma pendiente"]
    assert sum(r.mails for r in reports) == 1
    with pg_app.app_context():
        acta = acta_row(acta_id)
        assert acta.state is ActaState.APROBADA and acta.approval is ActaApproval.TACITA
        assert acta.approved_at == OBSERVATIONS_DUE
        closed = db.session.get(CommitteeDeadline, deadline_id)
        assert closed is not None and closed.closed_at == now and closed.outcome is DeadlineOutcome.CERRADO
        assert closed.missed_at is None
        assert audits(acta_id=acta_id, deadline_id=deadline_id) == {
            "acta.borrador": 1,
            "acta.envio": 1,
            "plazo.abierto": 1,
            "acta.aprobacion_tacita": 1,
            "plazo.cerrado": 1,
        }
        assert verify_chain(db.session) is None
        db.session.remove()


def test_two_checks_report_an_overdue_commitment_to_control_interno_once(pg_app, tmp_path):
    with pg_app.app_context():
        load_committee_demo(db.session, pg_app.config["PROFILE"])
        db.session.commit()
        commitment_id = add_commitment(held_session(date(2026, 3, 20)).session_id)
        deadline = commitment_deadline(commitment_id)
        deadline_id, due = deadline.id, deadline.due_at
        assert due == bogota(2026, 4, 7, 23, 59, 59)
        engine = db.engine
        db.session.remove()
    already = message_ids(tmp_path)
    now = due + timedelta(seconds=1)

    with HoldLock(engine, "committee_commitments") as hold:
        results = race(
            pg_app, {"tick-1": lambda: mesa_tick.tick(db.session, now), "tick-2": lambda: mesa_tick.tick(db.session, now)}
        )
    reports = reports_of(results)
    assert hold.blocked, "the second check never waited for the commitment: the checks did not overlap"

    assert [c for r in reports for c in r.overdue_commitments] == [commitment_id]
    assert [d for r in reports for d in r.missed] == [deadline_id]
    sent = new_mails(tmp_path, already)
    assert [subject(m) for m in sent] == ["Compromiso vencido sin cumplir — Sesión ordinaria N.º 1 de 2026"]
    assert "control.interno" in recipients(sent[0])
    assert sum(r.mails for r in reports) == 1
    with pg_app.app_context():
        commitment = commitment_row(commitment_id)
        assert commitment.state is CommitmentState.PENDIENTE and commitment.overdue_notified_at == now
        recorded = db.session.get(CommitteeDeadline, deadline_id)
        assert recorded is not None and recorded.missed_at == now and recorded.closed_at is None
        assert audits(commitment_id=commitment_id, deadline_id=deadline_id) == {
            "compromiso.creado": 1,
            "plazo.abierto": 1,
            "compromiso.vencido": 1,
            "plazo.vencido": 1,
        }
        assert verify_chain(db.session) is None
        db.session.remove()


@pytest.mark.parametrize("first", ["tick", "finalize"])
def test_a_check_racing_the_final_version(pg_app, tmp_path, first):
    with pg_app.app_context():
        load_committee_demo(db.session, pg_app.config["PROFILE"])
        db.session.commit()
        acta_id = close(held_session(date(2026, 3, 20)))
        send(acta_id, SENT)
        actas.respond(
            db.session,
            acta_row(acta_id),
            actor=user("integrante1"),
            kind=ActaResponseKind.OBSERVACIONES,
            text="Precisar la votación del punto 4.",
            now=OBSERVED,
        )
        db.session.commit()
        final = deadline_of(acta_id, DeadlineKind.VERSION_DEFINITIVA)
        final_id, observations_id = final.id, deadline_of(acta_id, DeadlineKind.OBSERVACIONES).id
        assert final.due_at == FINAL_DUE
        body = current_body(acta_id)
        engine = db.engine
        db.session.remove()
    already = message_ids(tmp_path)
    now = FINAL_DUE + timedelta(seconds=1)  # both the final version's deadline and the observations' have passed

    def finalize() -> ActaVersion:
        return actas.finalize(
            db.session,
            acta_row(acta_id),
            actor=user(SECRETARIAT),
            introduction=body["introduction"],
            item_notes={},
            closing=body["closing"],
            note="Versión definitiva",
            now=now,
        )

    with HoldLock(engine, "committee_actas", thread=first) as hold:
        results = race(pg_app, {"tick": lambda: mesa_tick.tick(db.session, now), "finalize": finalize}, hold=hold)
    assert hold.blocked, f"the other contender never waited for the acta held by {first}"
    assert not [r for r in results.values() if isinstance(r, Exception) and not isinstance(r, WrongState)], results
    assert not isinstance(results["finalize"], Exception), results  # the acta was con_observaciones either way
    report = results["tick"]
    assert isinstance(report, mesa_tick.MesaTickReport), results
    assert report.tacit == []

    sent = [subject(m) for m in new_mails(tmp_path, already)]
    assert sent.count("Acta N.º 1 de 2026 aprobada: firma pendiente") == 1
    with pg_app.app_context():
        acta = acta_row(acta_id)
        assert acta.state is ActaState.APROBADA and acta.approval is ActaApproval.VERSION_DEFINITIVA
        assert acta.approved_at == now and acta.current_version == 2
        assert current_version(acta_id).kind is ActaVersionKind.APROBADA
        final_deadline = db.session.get(CommitteeDeadline, final_id)
        observations = db.session.get(CommitteeDeadline, observations_id)
        assert final_deadline is not None and observations is not None
        assert final_deadline.closed_at == now and final_deadline.outcome is DeadlineOutcome.CUMPLIDO_TARDE
        assert observations.closed_at == now and observations.outcome is DeadlineOutcome.CERRADO
        missed = audits(deadline_id=final_id).get("plazo.vencido", 0)
        notices = [s for s in sent if s.startswith("Plazo vencido: Versión definitiva del acta")]
        if first == "tick":
            # the check took the acta first: it records the missed deadline (once), then the secretariat finalises
            assert report.missed == [final_id] and final_deadline.missed_at == now
            assert missed == 1 and len(notices) == 1 and report.mails == 1
        else:
            # the final version came first: the check, once it gets the acta, finds nothing left to do
            assert report.total == 0 and report.mails == 0 and final_deadline.missed_at is None
            assert missed == 0 and notices == []
        assert audits(deadline_id=observations_id).get("plazo.cerrado", 0) == 1
        assert audits(acta_id=acta_id).get("acta.version_definitiva", 0) == 1
        assert verify_chain(db.session) is None
        db.session.remove()


@pytest.mark.parametrize("first", ["tick", "close"])
def test_a_check_racing_the_closing_of_a_commitment(pg_app, tmp_path, first):
    with pg_app.app_context():
        load_committee_demo(db.session, pg_app.config["PROFILE"])
        db.session.commit()
        commitment_id = add_commitment(held_session(date(2026, 3, 20)).session_id)
        deadline = commitment_deadline(commitment_id)
        deadline_id, due = deadline.id, deadline.due_at
        engine = db.engine
        db.session.remove()
    already = message_ids(tmp_path)
    now = due + timedelta(seconds=1)

    def close_it() -> Commitment:
        return commitments.close_commitment(
            db.session,
            commitment_row(commitment_id),
            actor=user(SECRETARIAT),
            state=CommitmentState.CUMPLIDO,
            note="Se presentó el estudio de mercado.",
            now=now,
        )

    with HoldLock(engine, "committee_commitments", thread=first) as hold:
        results = race(pg_app, {"tick": lambda: mesa_tick.tick(db.session, now), "close": close_it}, hold=hold)
    assert hold.blocked, f"the other contender never waited for the commitment held by {first}"
    assert not [r for r in results.values() if isinstance(r, Exception)], results
    report = results["tick"]
    assert isinstance(report, mesa_tick.MesaTickReport)

    notices = [m for m in new_mails(tmp_path, already) if subject(m).startswith("Compromiso vencido")]
    with pg_app.app_context():
        commitment = commitment_row(commitment_id)
        assert commitment.state is CommitmentState.CUMPLIDO and commitment.closed_at == now
        closed = db.session.get(CommitteeDeadline, deadline_id)
        assert closed is not None and closed.closed_at == now and closed.outcome is DeadlineOutcome.CUMPLIDO_TARDE
        found = audits(commitment_id=commitment_id, deadline_id=deadline_id)
        if first == "tick":
            assert report.overdue_commitments == [commitment_id] and commitment.overdue_notified_at == now
            assert found["compromiso.vencido"] == 1 and found["plazo.vencido"] == 1 and len(notices) == 1
        else:
            assert report.total == 0 and report.mails == 0 and commitment.overdue_notified_at is None
            assert "compromiso.vencido" not in found and "plazo.vencido" not in found and notices == []
        assert found["compromiso.cumplido"] == 1 and found["plazo.cerrado"] == 1
        assert verify_chain(db.session) is None
        db.session.remove()


def test_four_checks_over_several_actas_and_commitments_leave_the_audit_chain_intact(pg_app, tmp_path):
    with pg_app.app_context():
        load_committee_demo(db.session, pg_app.config["PROFILE"])
        db.session.commit()
        acta_ids, commitment_ids = [], []
        for day in (date(2026, 3, 20), date(2026, 3, 24), date(2026, 3, 25)):
            held = held_session(day)
            # due the same instant as the observations: one check finds both kinds of parent
            commitment_ids.append(add_commitment(held.session_id, due_date=date(2026, 4, 6), now=held.closed_at))
            acta_ids.append(close(held))
            send(acta_ids[-1], SENT)
        assert {deadline_of(a, DeadlineKind.OBSERVACIONES).due_at for a in acta_ids} == {OBSERVATIONS_DUE}
        assert {commitment_deadline(c).due_at for c in commitment_ids} == {OBSERVATIONS_DUE}
        db.session.remove()
    already = message_ids(tmp_path)
    now = OBSERVATIONS_DUE + timedelta(seconds=1)

    results = race(pg_app, {f"tick-{n}": lambda: mesa_tick.tick(db.session, now) for n in range(4)})
    reports = reports_of(results)

    assert Counter(a for r in reports for a in r.tacit) == Counter(acta_ids)
    assert Counter(c for r in reports for c in r.overdue_commitments) == Counter(commitment_ids)
    sent = Counter(subject(m).split(":")[0].split(" — ")[0] for m in new_mails(tmp_path, already))
    assert sent == {
        "Acta N.º 1 de 2026 aprobada": 1,
        "Acta N.º 2 de 2026 aprobada": 1,
        "Acta N.º 3 de 2026 aprobada": 1,
        "Compromiso vencido sin cumplir": 3,
    }
    assert sum(r.mails for r in reports) == 6
    with pg_app.app_context():
        assert mesa_tick.tick(db.session, now + timedelta(minutes=1)).total == 0
        db.session.rollback()
        for acta_id in acta_ids:
            assert audits(acta_id=acta_id)["acta.aprobacion_tacita"] == 1
        for commitment_id in commitment_ids:
            assert audits(commitment_id=commitment_id)["compromiso.vencido"] == 1
        db.session.remove()
    result = pg_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Cadena de auditoría íntegra." in result.output


def test_two_sessions_closing_at_once_get_consecutive_acta_numbers(pg_app):
    with pg_app.app_context():
        load_committee_demo(db.session, pg_app.config["PROFILE"])
        db.session.commit()
        first, second = held_session(date(2026, 3, 20)), held_session(date(2026, 3, 24))
        db.session.remove()

    def closing(held: Any) -> Callable[[], int]:
        return lambda: (
            actas.on_session_closed(
                db.session, session_row(held.session_id), actor=user(SECRETARIAT), now=held.closed_at, context=context()
            ).id
        )

    # the yearly counter's row lock (taken by its UPDATE) makes the second wait for the first's commit
    results = race(pg_app, {"close-1": closing(first), "close-2": closing(second)})
    assert all(isinstance(r, int) for r in results.values()), results
    with pg_app.app_context():
        titles = sorted(acta_row(acta_id).title for acta_id in results.values())
        assert titles == ["Acta N.º 1 de 2026", "Acta N.º 2 de 2026"]
        db.session.remove()


# ---------------------------------------------------------------- helpers

#: how long a contender waits for the other before the test gives up on the overlap
WAIT_SECONDS = 15.0
RACE_SECONDS = 60.0


def race(app: Flask, targets: dict[str, Callable[[], Any]], *, hold: HoldLock | None = None) -> dict[str, Any]:
    """Run each target in its own thread (named after it), application context and session, released
    together by a barrier; commit after it, or roll back and keep the exception. With a ``hold`` on
    one thread, the others start once that thread holds its lock."""
    barrier = threading.Barrier(len(targets))
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        with app.app_context():
            try:
                barrier.wait()
                if hold is not None and hold.thread not in (None, name):
                    hold.held.wait(WAIT_SECONDS)
                results[name] = targets[name]()
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                results[name] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RACE_SECONDS)
    assert not [t.name for t in threads if t.is_alive()], "a contender is still running: deadlock?"
    return results


class HoldLock:
    """The first racing thread (or ``thread``) whose statement locks rows of ``table`` (``SELECT … FROM
    table … FOR UPDATE``) keeps the lock after the statement until another connection is blocked by
    its backend (``pg_blocking_pids``), or ``WAIT_SECONDS`` pass; ``blocked`` says which."""

    def __init__(self, engine: Engine, table: str, *, thread: str | None = None) -> None:
        self.engine = engine
        self.pattern = re.compile(rf"\bFROM {table}\b.*\bFOR UPDATE\b", re.DOTALL)
        self.thread = thread
        self.held = threading.Event()
        self.holder: str | None = None
        self.blocked = False
        self._guard = threading.Lock()

    def __enter__(self) -> HoldLock:
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        name = threading.current_thread().name
        if self.thread is not None and name != self.thread:
            return
        if threading.current_thread() is threading.main_thread() or not self.pattern.search(statement):
            return
        with self._guard:
            if self.holder is not None:
                return
            self.holder = name
        pid = cursor.connection.info.backend_pid
        self.held.set()
        waiting = text("SELECT count(*) FROM pg_stat_activity WHERE CAST(:pid AS integer) = ANY(pg_blocking_pids(pid))")
        give_up = time.monotonic() + WAIT_SECONDS
        with self.engine.connect() as probe:
            while time.monotonic() < give_up:
                self.blocked = bool(probe.execute(waiting, {"pid": pid}).scalar())
                probe.rollback()  # pg_stat_activity is read once per transaction
                if self.blocked:
                    return
                time.sleep(0.02)


def reports_of(results: dict[str, Any]) -> list[mesa_tick.MesaTickReport]:
    assert all(isinstance(r, mesa_tick.MesaTickReport) for r in results.values()), results
    return list(results.values())


def add_commitment(session_id: int, due_date: date = COMMITMENT_DUE, now: datetime | None = None) -> int:
    """A commitment of integrante4 recorded in a held session (committed)."""
    commitment = commitments.add_commitment(
        db.session,
        session_row(session_id),
        actor=user(SECRETARIAT),
        description="Presentar el estudio de mercado de la historia clínica electrónica.",
        responsible_name="Enlace TIC de Planeación",
        responsible_id=user("integrante4").id,
        due_date=due_date,
        now=now or bogota(2026, 3, 20, 11, 30),
        context=context(),
    )
    db.session.commit()
    return commitment.id


def commitment_row(commitment_id: int) -> Commitment:
    return db.session.execute(
        select(Commitment).where(Commitment.id == commitment_id).execution_options(populate_existing=True)
    ).scalar_one()


def commitment_deadline(commitment_id: int) -> CommitteeDeadline:
    return db.session.execute(select(CommitteeDeadline).where(CommitteeDeadline.commitment_id == commitment_id)).scalar_one()


def current_version(acta_id: int) -> ActaVersion:
    return db.session.execute(
        select(ActaVersion).where(ActaVersion.acta_id == acta_id).order_by(ActaVersion.number.desc()).limit(1)
    ).scalar_one()


def current_body(acta_id: int) -> dict[str, Any]:
    return dict(current_version(acta_id).body)


def message_ids(tmp_path: Path) -> set[str]:
    return {str(m["Message-ID"]) for m in mails(tmp_path)}


def new_mails(tmp_path: Path, already: set[str]) -> list[EmailMessage]:
    """The messages written since ``message_ids`` returned ``already`` (the files are not in order)."""
    return [m for m in mails(tmp_path) if str(m["Message-ID"]) not in already]


def recipients(message: EmailMessage) -> set[str]:
    return {a.username for a in message["to"].addresses}


def audits(*, acta_id: int | None = None, commitment_id: int | None = None, deadline_id: int | None = None) -> Counter[str]:
    """How many times each action was audited on that acta, commitment and deadline."""
    wanted = [
        (object_type, str(object_id))
        for object_type, object_id in (
            ("acta_comite", acta_id),
            ("compromiso_comite", commitment_id),
            ("plazo_comite", deadline_id),
        )
        if object_id is not None
    ]
    rows = db.session.execute(select(AuditEvent.object_type, AuditEvent.object_id, AuditEvent.action)).all()
    return Counter(row.action for row in rows if (row.object_type, row.object_id) in wanted)
