"""Commitments (SPEC §6, seed Mesa §4): recorded by the secretariat, reminded to the responsible 2
business days before, reported once to Control Interno when they pass, followed up at later sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from committee.actas import services as actas
from committee.actas.models import CommitteeDeadline, DeadlineKind, DeadlineOutcome
from committee.commitments import services as commitments
from committee.commitments.models import Commitment, CommitmentState
from committee.models import SessionState
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.extensions import db
from portal.models import AuditEvent
from tests.unit.catalog.factories import context, mails, make_session, subject, user
from tests.unit.committee.acta_factories import SECRETARIAT, acta_row, bogota, close, held_session, send, session_row, tick

#: recorded on the session's day, after it closed (Friday 20 March 2026, 11:30 in Bogotá)
RECORDED = bogota(2026, 3, 20, 11, 30)
#: Tuesday after Holy Week: reminded at 00:00 of Wednesday 1 April (Monday 6, then 2–3 April are holidays)
DUE = date(2026, 4, 7)


def add(session_id: int, now: datetime = RECORDED, **overrides) -> int:  # type: ignore[no-untyped-def]
    values: dict[str, Any] = {
        "description": "Presentar el estudio de mercado de la historia clínica electrónica.",
        "responsible_name": "Enlace TIC de Planeación",
        "due_date": DUE,
        "responsible_id": user("integrante4").id,
    }
    values.update(overrides)
    commitment = commitments.add_commitment(
        db.session, session_row(session_id), actor=user(SECRETARIAT), now=now, context=context(), **values
    )
    db.session.commit()
    return commitment.id


def commitment_row(commitment_id: int) -> Commitment:
    return db.session.execute(
        select(Commitment).where(Commitment.id == commitment_id).execution_options(populate_existing=True)
    ).scalar_one()


def deadline_of(commitment_id: int) -> CommitteeDeadline:
    return db.session.execute(
        select(CommitteeDeadline)
        .where(CommitteeDeadline.commitment_id == commitment_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def in_course(day: date) -> int:
    """A later session installed in the room (rows written directly, not through ``committee.room``)."""
    session_id = make_session(day=day, now=datetime.combine(day - timedelta(days=10), time(12), tzinfo=UTC))
    s = session_row(session_id)
    s.state = SessionState.EN_CURSO
    s.opened_at = bogota(day.year, day.month, day.day, 9, 0)
    db.session.commit()
    return session_id


def test_a_commitment_is_due_at_the_end_of_its_day_and_reminded_two_business_days_before(app, tmp_path) -> None:
    with app.app_context():
        held = held_session()
        commitment_id = add(held.session_id)
        commitment = commitment_row(commitment_id)
        assert commitment.state is CommitmentState.PENDIENTE and commitment.session_id == held.session_id
        deadline = deadline_of(commitment_id)
        assert deadline.kind is DeadlineKind.COMPROMISO and deadline.business_days is None
        assert deadline.due_at == bogota(2026, 4, 7, 23, 59, 59)
        assert deadline.warn_at == bogota(2026, 4, 1, 0, 0)
        assigned = [m for m in mails(tmp_path) if subject(m).startswith("Compromiso con el comité")]
        assert len(assigned) == 1 and assigned[0]["to"] == "integrante4@valledelcauca.gov.co"

        assert tick(bogota(2026, 3, 31, 23, 59, 59)).warned == []
        report = tick(bogota(2026, 4, 1, 0, 0))
        assert report.warned == [deadline.id] and report.mails == 1
        assert tick(bogota(2026, 4, 1, 0, 1)).warned == []
        (reminder,) = [m for m in mails(tmp_path) if subject(m).startswith("Recordatorio de compromiso")]
        assert reminder["to"] == "integrante4@valledelcauca.gov.co"
        assert "martes, 7 de abril de 2026 a las 23:59:59" in reminder.get_content()


def test_without_an_account_the_secretariat_gets_the_reminder(app, tmp_path) -> None:
    with app.app_context():
        held = held_session()
        commitment_id = add(held.session_id, responsible_id=None, responsible_name="Oficina de Control Interno Disciplinario")
        tick(deadline_of(commitment_id).warn_at)
        (reminder,) = [m for m in mails(tmp_path) if subject(m).startswith("Recordatorio de compromiso")]
        assert reminder["to"] == f"{SECRETARIAT}@valledelcauca.gov.co"


def test_a_commitment_due_within_the_reminder_days_is_reminded_by_its_assignment(app, tmp_path) -> None:
    with app.app_context():
        held = held_session()
        # due Tuesday 24 March (Monday 23 is San José): reminder on Thursday 19 March 00:00, already past
        commitment_id = add(held.session_id, due_date=date(2026, 3, 24))
        deadline = deadline_of(commitment_id)
        assert deadline.warn_at == bogota(2026, 3, 19, 0, 0) and deadline.warned_at == RECORDED
        assert tick(RECORDED + timedelta(minutes=1)).warned == []


def test_an_overdue_commitment_is_reported_once_to_control_interno(app, tmp_path) -> None:
    with app.app_context():
        held = held_session()
        commitment_id = add(held.session_id)
        due = deadline_of(commitment_id).due_at

        assert tick(due).overdue_commitments == []
        assert commitments.overdue_commitments(db.session, due) == []
        report = tick(due + timedelta(seconds=1))
        assert report.overdue_commitments == [commitment_id] and report.missed == [deadline_of(commitment_id).id]
        commitment = commitment_row(commitment_id)
        assert commitment.overdue_notified_at == due + timedelta(seconds=1)
        assert commitment.state is CommitmentState.PENDIENTE
        again = tick(due + timedelta(hours=1))
        assert again.overdue_commitments == [] and again.mails == 0

        (notice,) = [m for m in mails(tmp_path) if subject(m).startswith("Compromiso vencido")]
        assert {a.username for a in notice["to"].addresses} == {"integrante4", "control.interno", SECRETARIAT, "secretario"}
        assert "el incumplimiento se informa a Control Interno" in notice.get_content()
        assert [c.id for c in commitments.overdue_commitments(db.session, date(2026, 4, 8))] == [commitment_id]
        assert commitments.overdue_commitments(db.session, date(2026, 4, 7)) == []
        actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.object_type == "compromiso_comite")).scalars()
        assert list(actions) == ["compromiso.creado", "compromiso.vencido"]


def test_recording_a_commitment_checks_who_when_and_what(app) -> None:
    with app.app_context():
        held = held_session()
        with pytest.raises(NotAllowed):
            commitments.add_commitment(
                db.session,
                session_row(held.session_id),
                actor=user("secretario"),
                description="Una descripción suficiente.",
                responsible_name="Alguien",
                due_date=DUE,
                now=RECORDED,
            )
        db.session.rollback()
        with pytest.raises(ValidationFailed) as refused:
            add(held.session_id, description="corto", due_date=date(2026, 3, 19), responsible_id=999_999, item_id=999_999)
        assert set(refused.value.fields) == {"description", "due_date", "responsible_id", "item_id"}
        db.session.rollback()
        # a name too short is told so, not "hasta 200 caracteres"
        for name, message in (("TI", "al menos 3 caracteres"), ("x" * 201, "hasta 200 caracteres")):
            with pytest.raises(ValidationFailed) as named:
                add(held.session_id, responsible_name=name)
            assert message in named.value.fields["responsible_name"][0]
            db.session.rollback()
        programmed = make_session(day=date(2026, 5, 4))
        with pytest.raises(WrongState, match="programada"):
            add(programmed)
        db.session.rollback()
        acta_id = close(held)
        add(held.session_id, item_id=held.initiative_item_id)
        send(acta_id, bogota(2026, 3, 23, 9, 0))
        with pytest.raises(WrongState, match="ya se envió"):
            add(held.session_id)


def test_a_commitment_recorded_after_the_closing_reaches_the_next_draft(app) -> None:
    with app.app_context():
        held = held_session()
        acta_id = close(held)
        add(held.session_id)
        acta = acta_row(acta_id)
        body = actas.current_version(db.session, acta).body
        version = actas.edit_acta(
            db.session,
            acta,
            actor=user(SECRETARIAT),
            introduction=body["introduction"],
            item_notes={},
            closing=body["closing"],
            note="Compromisos",
            now=RECORDED,
        )
        db.session.commit()
        assert [c["responsible"] for c in version.body["commitments"]] == ["Enlace TIC de Planeación"]
        assert body["commitments"] == []


def test_follow_up_at_a_later_session(app) -> None:
    with app.app_context():
        held = held_session()
        kept = add(held.session_id)
        done_late = add(held.session_id, description="Actualizar el inventario de servicios TIC.")
        dropped = add(held.session_id, description="Revisar la licencia del antivirus.")
        later = in_course(date(2026, 4, 17))
        assert {c.id for c in commitments.pending_for_follow_up(db.session, session_row(later))} == {kept, done_late, dropped}
        assert commitments.pending_for_follow_up(db.session, session_row(held.session_id)) == []
        now = bogota(2026, 4, 17, 9, 30)

        def follow(commitment_id: int, state: CommitmentState, session_id: int = later) -> None:
            commitments.follow_up(
                db.session,
                commitment_row(commitment_id),
                session_row(session_id),
                actor=user(SECRETARIAT),
                note="Informó el responsable en la sesión.",
                state=state,
                now=now,
            )
            db.session.commit()

        follow(kept, CommitmentState.PENDIENTE)
        assert commitment_row(kept).state is CommitmentState.PENDIENTE and deadline_of(kept).closed_at is None
        follow(done_late, CommitmentState.CUMPLIDO)
        assert commitment_row(done_late).state is CommitmentState.CUMPLIDO and commitment_row(done_late).closed_at == now
        assert deadline_of(done_late).outcome is DeadlineOutcome.CUMPLIDO_TARDE
        follow(dropped, CommitmentState.CANCELADO)
        assert deadline_of(dropped).outcome is DeadlineOutcome.ANULADO
        assert [c.id for c in commitments.pending_for_follow_up(db.session, session_row(later))] == [kept]

        with pytest.raises(WrongState, match="cumplido"):
            follow(done_late, CommitmentState.CUMPLIDO)
        db.session.rollback()
        with pytest.raises(WrongState, match="durante la sesión"):
            follow(kept, CommitmentState.CUMPLIDO, session_id=held.session_id)
        db.session.rollback()
        same = add(later, now=now, due_date=date(2026, 4, 30))
        with pytest.raises(ValidationFailed, match="posterior"):
            follow(same, CommitmentState.CUMPLIDO)
        db.session.rollback()

        s = session_row(later)
        s.state = SessionState.REALIZADA
        s.closed_at = now + timedelta(hours=2)
        db.session.commit()
        body = actas.build_body(db.session, session_row(later), context())
        assert [(f["state"], f["session"]) for f in body["followed_up"]] == [
            ("pendiente", "Sesión ordinaria N.º 1 de 2026"),
            ("cumplido", "Sesión ordinaria N.º 1 de 2026"),
            ("cancelado", "Sesión ordinaria N.º 1 de 2026"),
        ]
        assert body["followed_up"][0]["description"].endswith("Seguimiento: Informó el responsable en la sesión.")
        assert [c["description"] for c in body["commitments"]] == [commitment_row(same).description]


def test_the_secretariat_closes_a_commitment_between_sessions(app) -> None:
    with app.app_context():
        held = held_session()
        commitment_id = add(held.session_id)
        now = bogota(2026, 4, 6, 10, 0)
        with pytest.raises(ValidationFailed):
            commitments.close_commitment(
                db.session,
                commitment_row(commitment_id),
                actor=user(SECRETARIAT),
                state=CommitmentState.PENDIENTE,
                note="Nada.",
                now=now,
            )
        with pytest.raises(NotAllowed):
            commitments.close_commitment(
                db.session,
                commitment_row(commitment_id),
                actor=user("control.interno"),
                state=CommitmentState.CUMPLIDO,
                note="Hecho.",
                now=now,
            )
        with pytest.raises(ValidationFailed):
            commitments.close_commitment(
                db.session,
                commitment_row(commitment_id),
                actor=user(SECRETARIAT),
                state=CommitmentState.CUMPLIDO,
                note=" ",
                now=now,
            )
        commitments.close_commitment(
            db.session,
            commitment_row(commitment_id),
            actor=user(SECRETARIAT),
            state=CommitmentState.CUMPLIDO,
            note="Entregó el estudio por correo.",
            now=now,
        )
        db.session.commit()
        commitment = commitment_row(commitment_id)
        assert commitment.state is CommitmentState.CUMPLIDO and commitment.closing_note == "Entregó el estudio por correo."
        assert deadline_of(commitment_id).outcome is DeadlineOutcome.CUMPLIDO
        report = tick(deadline_of(commitment_id).due_at + timedelta(days=1))
        assert report.missed == [] and report.warned == []
        assert [c.id for c in commitments.all_commitments(db.session)] == [commitment_id]
        assert [c.id for c in commitments.session_commitments(db.session, session_row(held.session_id))] == [commitment_id]
