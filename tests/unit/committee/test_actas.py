"""The acta (SPEC §6, seed Mesa §4 and §6): the draft from the session's facts, its deadlines in
business days (weekends and Colombian holidays: San José 23 March, Holy Week 2–3 April 2026, New
Year and Reyes 11 January 2027), tacit approval strictly after 23:59:59, observations and the
final version, express approval and signatures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from committee.actas import services as actas
from committee.actas.models import (
    ActaApproval,
    ActaResponseKind,
    ActaState,
    ActaVersion,
    ActaVersionKind,
    DeadlineKind,
    DeadlineOutcome,
)
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.extensions import db
from portal.models import AuditEvent
from tests.unit.catalog.factories import context, mails, subject, user
from tests.unit.committee.acta_factories import (
    APPROVERS,
    SECRETARIAT,
    acta_row,
    bogota,
    close,
    deadline_of,
    deadlines_of,
    held_session,
    send,
    session_row,
    tick,
)

DOMAIN = "@valledelcauca.gov.co"


def respond(acta_id: int, username: str, kind: ActaResponseKind, now, text: str | None = None):  # type: ignore[no-untyped-def]
    response = actas.respond(db.session, acta_row(acta_id), actor=user(username), kind=kind, text=text, now=now)
    db.session.commit()
    return response


def observe(acta_id: int, username: str, now, text: str = "Precisar la votación del punto 4.") -> None:  # type: ignore[no-untyped-def]
    respond(acta_id, username, ActaResponseKind.OBSERVACIONES, now, text)


def approve(acta_id: int, username: str, now) -> None:  # type: ignore[no-untyped-def]
    respond(acta_id, username, ActaResponseKind.APROBACION, now)


def versions(acta_id: int) -> list[ActaVersion]:
    return list(
        db.session.execute(
            select(ActaVersion)
            .where(ActaVersion.acta_id == acta_id)
            .order_by(ActaVersion.number)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def texts(acta_id: int, **changes):  # type: ignore[no-untyped-def]
    body = versions(acta_id)[-1].body
    values = {"introduction": body["introduction"], "item_notes": {}, "closing": body["closing"], "note": None}
    values.update(changes)
    return values


def audit_actions(prefix: str) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.id)
        ).scalars()
    )


# ---------------------------------------------------------------- the draft


def test_the_draft_holds_the_facts_of_the_session(app) -> None:
    with app.app_context():
        held = held_session()
        acta_id = close(held)
        acta = acta_row(acta_id)
        assert acta.state is ActaState.BORRADOR and acta.current_version == 1
        (version,) = versions(acta_id)
        assert version.kind is ActaVersionKind.BORRADOR
        body = version.body
        assert body["title"] == "Acta N.º 1 de 2026" == acta.title
        assert body["committee"] == "Comité TIC Departamental"
        assert body["session_label"] == "Sesión ordinaria N.º 1 de 2026"
        assert body["date"] == "2026-03-20"
        assert body["opened_at"] == held.opened_at.isoformat() and body["closed_at"] == held.closed_at.isoformat()
        # 4 voting members in person and one through a delegate: 5 of 7 at the close; the quorum (4)
        # was reached when the fourth voting member arrived, 3 minutes after the installation
        assert body["quorum"] == {
            "voting_members": 7,
            "present_voting": 5,
            "has_quorum": True,
            "required": 4,
            "reached_at": (held.opened_at + timedelta(minutes=3)).isoformat(),
            "present_when_reached": 4,
        }
        kinds = [(a["kind"], a["name"]) for a in body["attendees"]]
        assert [k for k, _ in kinds] == ["integrante"] * 6 + ["delegado", "invitado"]
        delegate = body["attendees"][6]
        assert delegate["name"] == "Pedro Delegado" and delegate["position"] == "Profesional universitario"
        assert delegate["represents"] is not None and "Enlace TIC de la Secretaría de Educación" in delegate["represents"]
        assert delegate["is_voting"] is True
        guest = body["attendees"][7]
        assert guest["position"] == "MinTIC" and guest["is_voting"] is False and guest["left_at"] is not None
        assert {a["position"] for a in body["absent"]} == {
            "Enlace TIC del Departamento Administrativo de Planeación",
            "Enlace TIC de la Secretaría de Gobierno",
        }
        items = {i["position"]: i for i in body["items"]}
        assert [i["position"] for i in body["items"]] == sorted(items)
        initiative = next(i for i in body["items"] if i["initiative_code"])
        assert initiative["notes"] == "La Secretaría de Salud presentó la iniciativa."
        assert initiative["outcome"] == "aprobada" and initiative["votes"]["a_favor"] == 5
        assert len(initiative["vote_detail"]) == 5 and initiative["vote_detail"][0]["choice"] == "a_favor"
        tie = items[100]
        assert tie["outcome"] == "empate" and tie["final_outcome"] == "aprobada"
        assert tie["votes"] == {
            "voting_members": 7,
            "present_voting": 5,
            "a_favor": 2,
            "en_contra": 2,
            "abstencion": 0,
            "sin_voto": 1,
        }
        assert tie["casting"] is not None and tie["casting"].startswith("Empate dirimido por")
        assert "Se prioriza la seguridad" in tie["casting"]
        quorum_item = items[1]
        assert quorum_item["votes"] is None and quorum_item["vote_detail"] == [] and quorum_item["notes"] == ""
        # who signs: the members in person (the chair first), the delegate in the seat of the member it
        # represented, and the secretariat
        positions = [s["position"] for s in body["signatories"]]
        assert positions[0].startswith("Secretario de las TIC")
        assert positions[-1] == "Secretaría técnica del comité" and len(positions) == 7
        delegate_seat = next(s for s in body["signatories"] if s["name"] == "Pedro Delegado")
        assert delegate_seat["position"].startswith("Profesional universitario, en representación de")
        assert "Enlace TIC de la Secretaría de Educación" in (delegate_seat["represents"] or "")
        assert "se reunió el Comité TIC Departamental" in body["introduction"]
        assert "con quórum para deliberar y decidir" in body["introduction"]
        assert audit_actions("acta.") == ["acta.borrador"]


def count_statements(action) -> int:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_draft_is_built_in_the_same_number_of_queries_whatever_the_size_of_the_session(app) -> None:
    with app.app_context():
        small = held_session(date(2026, 3, 20), present=("secretario", "st.mesa"))
        large = held_session(date(2026, 3, 27))
        counts = [
            count_statements(lambda held=held: actas.build_body(db.session, session_row(held.session_id), context()))
            for held in (small, large)
        ]
        assert counts[0] == counts[1], counts


def test_a_session_has_one_acta(app) -> None:
    with app.app_context():
        held = held_session()
        close(held)
        with pytest.raises(WrongState, match="ya tiene acta"):
            close(held)


# ---------------------------------------------------------------- deadlines in business days


@pytest.mark.parametrize(
    ("day", "sent", "observed", "send_due", "observe_due", "final_due"),
    [
        # Friday 20 March 2026; Monday 23 is San José (moved): 24, 25, 26, 27, 30
        (
            date(2026, 3, 20),
            bogota(2026, 3, 30, 16, 0),
            bogota(2026, 4, 1, 10, 0),
            bogota(2026, 3, 30, 23, 59, 59),
            # sent Monday 30 March: 31, 1 April, (Jueves y Viernes Santo 2–3 April), 6 April
            bogota(2026, 4, 6, 23, 59, 59),
            # observed Wednesday 1 April: 6, 7, 8 April
            bogota(2026, 4, 8, 23, 59, 59),
        ),
        # Friday 27 March 2026, before Holy Week: 30, 31, 1, (2, 3 holidays), 6, 7 April
        (
            date(2026, 3, 27),
            bogota(2026, 3, 31, 9, 0),
            bogota(2026, 4, 3, 12, 0),
            bogota(2026, 4, 7, 23, 59, 59),
            # sent Tuesday 31 March: 1, 6, 7 April
            bogota(2026, 4, 7, 23, 59, 59),
            # observed on Viernes Santo (a holiday): 6, 7, 8 April
            bogota(2026, 4, 8, 23, 59, 59),
        ),
        # Monday 28 December 2026 across New Year: 29, 30, 31, (1 January), 4, 5 January 2027
        (
            date(2026, 12, 28),
            bogota(2027, 1, 7, 18, 30),
            bogota(2027, 1, 8, 22, 0),
            bogota(2027, 1, 5, 23, 59, 59),
            # sent Thursday 7 January: 8, (Reyes moved to Monday 11), 12, 13
            bogota(2027, 1, 13, 23, 59, 59),
            # observed Friday 8 January at night: 12, 13, 14
            bogota(2027, 1, 14, 23, 59, 59),
        ),
    ],
)
def test_acta_deadlines_count_business_days_and_end_at_23_59_59_in_bogota(
    app, day, sent, observed, send_due, observe_due, final_due
) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        acta_id = close(held_session(day))
        sending = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA)
        assert sending.counted_from == day and sending.business_days == 5
        assert sending.due_at == send_due
        send(acta_id, sent)
        sending = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA)
        expected = DeadlineOutcome.CUMPLIDO if sent <= send_due else DeadlineOutcome.CUMPLIDO_TARDE
        assert sending.outcome is expected and sending.closed_at == sent
        observations = deadline_of(acta_id, DeadlineKind.OBSERVACIONES)
        assert observations.business_days == 3 and observations.due_at == observe_due
        observe(acta_id, "integrante1", observed)
        final = deadline_of(acta_id, DeadlineKind.VERSION_DEFINITIVA)
        assert final.business_days == 3 and final.due_at == final_due


def test_the_secretariat_is_warned_at_the_end_of_the_day_before_the_last(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        sending = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA)
        # the 4th business day: Friday 27 March
        assert sending.warn_at == bogota(2026, 3, 27, 23, 59, 59)
        assert tick(sending.warn_at - timedelta(seconds=1)).warned == []
        report = tick(sending.warn_at)
        assert report.warned == [sending.id] and report.mails == 1
        assert tick(sending.warn_at + timedelta(hours=1)).warned == []
        (warning,) = [m for m in mails(tmp_path) if "Plazo" in subject(m)]
        assert warning["to"] == f"{SECRETARIAT}{DOMAIN}"
        assert "Plazo por vencer: Envío del proyecto de acta" in warning["subject"]
        assert "lunes, 30 de marzo de 2026 a las 23:59:59" in warning.get_content()


def test_a_draft_sent_late_is_recorded_missed_once_then_done_late(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        due = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA).due_at
        assert tick(due).missed == []
        report = tick(due + timedelta(seconds=1))
        sending = deadline_of(acta_id, DeadlineKind.ENVIO_ACTA)
        assert report.missed == [sending.id] and sending.missed_at == due + timedelta(seconds=1)
        assert sending.closed_at is None
        assert tick(due + timedelta(minutes=5)).missed == []
        missed = [m for m in mails(tmp_path) if "Plazo vencido" in subject(m)]
        assert len(missed) == 1
        assert {a.username for a in missed[0]["to"].addresses} == {SECRETARIAT, "secretario"}
        send(acta_id, due + timedelta(days=1))
        assert deadline_of(acta_id, DeadlineKind.ENVIO_ACTA).outcome is DeadlineOutcome.CUMPLIDO_TARDE
        assert "plazo.vencido" in audit_actions("plazo.")


# ---------------------------------------------------------------- tacit approval


def test_tacit_approval_comes_strictly_after_the_deadline_and_once(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        send(acta_id, bogota(2026, 3, 30, 16, 0))
        approve(acta_id, "integrante1", bogota(2026, 3, 31, 9, 0))
        due = deadline_of(acta_id, DeadlineKind.OBSERVACIONES).due_at
        assert due == bogota(2026, 4, 6, 23, 59, 59)

        report = tick(due)
        assert report.tacit == [] and acta_row(acta_id).state is ActaState.ENVIADA
        report = tick(due + timedelta(seconds=1))
        assert report.tacit == [acta_id]
        acta = acta_row(acta_id)
        assert acta.state is ActaState.APROBADA and acta.approval is ActaApproval.TACITA and acta.approved_at == due
        observations = deadline_of(acta_id, DeadlineKind.OBSERVACIONES)
        assert observations.outcome is DeadlineOutcome.CERRADO and observations.missed_at is None
        again = tick(due + timedelta(minutes=1))
        assert again.tacit == [] and again.missed == [] and again.mails == 0
        asked = [m for m in mails(tmp_path) if "firma pendiente" in subject(m)]
        assert len(asked) == 1
        # the delegate came without an account: the member it represented is asked to sign in its seat
        assert {a.username for a in asked[0]["to"].addresses} == {*APPROVERS, "integrante3", SECRETARIAT}
        assert audit_actions("acta.").count("acta.aprobacion_tacita") == 1
        with pytest.raises(WrongState, match="El plazo de observaciones venció el lunes, 6 de abril de 2026"):
            observe(acta_id, "integrante2", due + timedelta(seconds=1))


def test_no_answer_after_the_observations_deadline_even_before_the_check(app) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        send(acta_id, bogota(2026, 3, 30, 16, 0))
        due = deadline_of(acta_id, DeadlineKind.OBSERVACIONES).due_at
        observe(acta_id, "integrante1", due)
        with pytest.raises(WrongState, match="El plazo de observaciones venció el lunes, 6 de abril de 2026 a las 23:59:59"):
            approve(acta_id, "integrante2", due + timedelta(seconds=1))


def test_an_observed_acta_is_not_approved_tacitly(app) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        send(acta_id, bogota(2026, 3, 30, 16, 0))
        observe(acta_id, "integrante2", bogota(2026, 4, 1, 10, 0))
        due = deadline_of(acta_id, DeadlineKind.OBSERVACIONES).due_at
        report = tick(due + timedelta(seconds=1))
        assert report.tacit == []
        assert acta_row(acta_id).state is ActaState.CON_OBSERVACIONES
        assert deadline_of(acta_id, DeadlineKind.OBSERVACIONES).outcome is DeadlineOutcome.CERRADO


# ---------------------------------------------------------------- observations and the final version


def test_observations_then_the_final_version(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        original = dict(versions(acta_id)[0].body)
        send(acta_id, bogota(2026, 3, 30, 16, 0))

        observe(acta_id, "integrante1", bogota(2026, 3, 31, 10, 0))
        acta = acta_row(acta_id)
        assert acta.state is ActaState.CON_OBSERVACIONES and acta.last_observation_at == bogota(2026, 3, 31, 10, 0)
        first = deadline_of(acta_id, DeadlineKind.VERSION_DEFINITIVA)
        # observed Tuesday 31 March: 1, 6, 7 April (Holy Week in between)
        assert first.counted_from == date(2026, 3, 31) and first.due_at == bogota(2026, 4, 7, 23, 59, 59)
        notice = next(m for m in mails(tmp_path) if subject(m).startswith("Observaciones al acta"))
        assert notice["to"] == f"{SECRETARIAT}{DOMAIN}" and "Precisar la votación" in notice.get_content()

        # a second observation moves the final version's deadline
        observe(acta_id, "seguridad", bogota(2026, 4, 1, 9, 0), "Corregir el nombre de la invitada.")
        final_deadlines = deadlines_of(acta_id, DeadlineKind.VERSION_DEFINITIVA)
        assert [d.outcome for d in final_deadlines] == [DeadlineOutcome.REEMPLAZADO, None]
        assert final_deadlines[-1].due_at == bogota(2026, 4, 8, 23, 59, 59)

        # members may still answer until the observations deadline
        approve(acta_id, "secretario", bogota(2026, 4, 1, 11, 0))
        assert acta_row(acta_id).state is ActaState.CON_OBSERVACIONES

        # the secretariat adjusts the draft (v2), then writes the final version (v3)
        v2 = actas.edit_acta(
            db.session,
            acta_row(acta_id),
            actor=user(SECRETARIAT),
            now=bogota(2026, 4, 6, 9, 0),
            **texts(acta_id, item_notes={100: "Se discutió la política de copias."}, note="Ajustes a las observaciones"),
        )
        db.session.commit()
        assert v2.number == 2 and v2.kind is ActaVersionKind.BORRADOR
        v3 = actas.finalize(
            db.session,
            acta_row(acta_id),
            actor=user(SECRETARIAT),
            now=bogota(2026, 4, 7, 15, 0),
            **texts(acta_id, closing="Se levantó la sesión. Firman los asistentes.", note="Versión definitiva"),
        )
        db.session.commit()
        assert v3.number == 3 and v3.kind is ActaVersionKind.APROBADA
        acta = acta_row(acta_id)
        assert acta.state is ActaState.APROBADA and acta.approval is ActaApproval.VERSION_DEFINITIVA
        assert acta.approved_at == bogota(2026, 4, 7, 15, 0) and acta.current_version == 3
        assert deadline_of(acta_id, DeadlineKind.VERSION_DEFINITIVA).outcome is DeadlineOutcome.CUMPLIDO
        assert deadline_of(acta_id, DeadlineKind.OBSERVACIONES).outcome is DeadlineOutcome.CERRADO
        assert all(d.closed_at is not None for d in deadlines_of(acta_id))

        kept = versions(acta_id)
        assert [v.number for v in kept] == [1, 2, 3]
        assert kept[0].body == original
        assert kept[1].body["items"][-1]["notes"] == "Se discutió la política de copias."
        assert kept[1].body["closing"] == original["closing"]
        assert kept[2].body["closing"] == "Se levantó la sesión. Firman los asistentes."
        assert kept[2].body["items"][-1]["notes"] == "Se discutió la política de copias."
        assert audit_actions("acta.") == [
            "acta.borrador",
            "acta.envio",
            "acta.observaciones",
            "acta.observaciones",
            "acta.aprobacion",
            "acta.version",
            "acta.version_definitiva",
        ]


def test_the_final_version_late_is_recorded(app) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        send(acta_id, bogota(2026, 3, 30, 16, 0))
        observe(acta_id, "integrante1", bogota(2026, 3, 31, 10, 0))
        due = deadline_of(acta_id, DeadlineKind.VERSION_DEFINITIVA).due_at
        report = tick(due + timedelta(seconds=1))
        assert report.missed == [deadline_of(acta_id, DeadlineKind.VERSION_DEFINITIVA).id]
        actas.finalize(db.session, acta_row(acta_id), actor=user(SECRETARIAT), now=due + timedelta(days=1), **texts(acta_id))
        db.session.commit()
        assert deadline_of(acta_id, DeadlineKind.VERSION_DEFINITIVA).outcome is DeadlineOutcome.CUMPLIDO_TARDE


def test_editing_checks_its_input_and_never_rewrites_a_version(app) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        now = bogota(2026, 3, 23, 9, 0)
        with pytest.raises(ValidationFailed) as unknown:
            actas.edit_acta(
                db.session, acta_row(acta_id), actor=user(SECRETARIAT), now=now, **texts(acta_id, item_notes={42: "x"})
            )
        assert "item_notes" in unknown.value.fields
        db.session.rollback()
        with pytest.raises(ValidationFailed) as empty:
            actas.edit_acta(db.session, acta_row(acta_id), actor=user(SECRETARIAT), now=now, **texts(acta_id, introduction="  "))
        assert "introduction" in empty.value.fields
        db.session.rollback()
        with pytest.raises(ValidationFailed, match="no cambia"):
            actas.edit_acta(db.session, acta_row(acta_id), actor=user(SECRETARIAT), now=now, **texts(acta_id))
        db.session.rollback()
        with pytest.raises(NotAllowed):
            actas.edit_acta(db.session, acta_row(acta_id), actor=user("secretario"), now=now, **texts(acta_id, closing="Otro."))
        db.session.rollback()
        actas.edit_acta(db.session, acta_row(acta_id), actor=user(SECRETARIAT), now=now, **texts(acta_id, closing="Otro cierre."))
        db.session.commit()
        assert [v.number for v in versions(acta_id)] == [1, 2]
        send(acta_id, bogota(2026, 3, 24, 9, 0))
        with pytest.raises(WrongState, match="enviada para observaciones"):
            actas.edit_acta(db.session, acta_row(acta_id), actor=user(SECRETARIAT), now=now, **texts(acta_id, closing="Más."))
        db.session.rollback()
        with pytest.raises(WrongState):
            send(acta_id, bogota(2026, 3, 24, 10, 0))
        db.session.rollback()
        with pytest.raises(WrongState):
            actas.finalize(db.session, acta_row(acta_id), actor=user(SECRETARIAT), now=now, **texts(acta_id))


def test_who_answers_the_draft(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        with pytest.raises(WrongState, match="borrador"):
            approve(acta_id, "integrante1", bogota(2026, 3, 23, 9, 0))
        db.session.rollback()
        send(acta_id, bogota(2026, 3, 23, 10, 0))
        sent = next(m for m in mails(tmp_path) if subject(m).startswith("Proyecto de acta"))
        recipients = {a.username for a in sent["to"].addresses}
        assert SECRETARIAT not in recipients and {"integrante4", "control.interno", "secretario"} <= recipients
        body = sent.get_body(preferencelist=("plain",))  # the draft's PDF goes attached
        assert body is not None and "se entenderá que el proyecto de acta fue aprobado" in body.get_content()
        for username in (SECRETARIAT, "enlace.salud"):
            with pytest.raises(NotAllowed):
                approve(acta_id, username, bogota(2026, 3, 23, 11, 0))
            db.session.rollback()
        with pytest.raises(ValidationFailed):
            observe(acta_id, "integrante1", bogota(2026, 3, 23, 11, 0), "corto")
        db.session.rollback()
        approve(acta_id, "integrante1", bogota(2026, 3, 23, 11, 0))
        with pytest.raises(WrongState, match="ya aprobó"):
            approve(acta_id, "integrante1", bogota(2026, 3, 23, 12, 0))


# ---------------------------------------------------------------- express approval and signatures


def test_express_approval_then_every_signatory_signs(app, tmp_path) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        send(acta_id, bogota(2026, 3, 23, 10, 0))
        # an absent member's approval does not count, nor is it needed
        approve(acta_id, "integrante4", bogota(2026, 3, 23, 11, 0))
        for minute, username in enumerate(APPROVERS[:-1]):
            approve(acta_id, username, bogota(2026, 3, 24, 9, minute))
            assert acta_row(acta_id).state is ActaState.ENVIADA
        approve(acta_id, APPROVERS[-1], bogota(2026, 3, 24, 10, 0))
        acta = acta_row(acta_id)
        assert acta.state is ActaState.APROBADA and acta.approval is ActaApproval.EXPRESA
        assert acta.approved_at == bogota(2026, 3, 24, 10, 0)
        assert deadline_of(acta_id, DeadlineKind.OBSERVACIONES).outcome is DeadlineOutcome.CUMPLIDO

        with pytest.raises(NotAllowed):
            actas.sign(db.session, acta_row(acta_id), actor=user("integrante4"), now=bogota(2026, 3, 25, 9, 0))
        db.session.rollback()
        # the delegate of integrante3 has no account: integrante3 signs in that seat
        signers = [*APPROVERS, "integrante3", SECRETARIAT]
        for minute, username in enumerate(signers):
            page = actas.acta_page(db.session, acta_id)
            assert page is not None and page.can_sign(user(username))
            actas.sign(db.session, acta_row(acta_id), actor=user(username), now=bogota(2026, 3, 25, 9, minute))
            db.session.commit()
            if username != signers[-1]:
                assert acta_row(acta_id).state is ActaState.APROBADA
                with pytest.raises(WrongState, match="ya firmó"):
                    actas.sign(db.session, acta_row(acta_id), actor=user(username), now=bogota(2026, 3, 25, 10, 0))
                db.session.rollback()
        acta = acta_row(acta_id)
        assert acta.state is ActaState.SUSCRITA and acta.signed_at == bogota(2026, 3, 25, 9, len(signers) - 1)
        with pytest.raises(WrongState, match="suscrita"):
            actas.sign(db.session, acta, actor=user("secretario"), now=bogota(2026, 3, 26, 9, 0))
        assert audit_actions("acta.").count("acta.firma") == len(signers)
        assert audit_actions("acta.")[-1] == "acta.suscrita"


def test_the_acta_page_reads_everything_in_a_few_queries(app) -> None:
    with app.app_context():
        acta_id = close(held_session(date(2026, 3, 20)))
        send(acta_id, bogota(2026, 3, 23, 10, 0))
        observe(acta_id, "integrante1", bogota(2026, 3, 23, 11, 0))
        page = actas.acta_page(db.session, acta_id)
        assert page is not None
        assert [v.number for v in page.acta.versions] == [1]
        assert [r.kind for r in page.responses] == [ActaResponseKind.OBSERVACIONES]
        assert [d.kind for d in page.open_deadlines] == [DeadlineKind.OBSERVACIONES, DeadlineKind.VERSION_DEFINITIVA]
        assert [d.kind for d in page.closed_deadlines] == [DeadlineKind.ENVIO_ACTA]
        assert len(page.pending_signatories) == 7
        assert page.can_respond(actas.member_of(db.session, user("integrante2")))
        assert not page.can_respond(actas.member_of(db.session, user(SECRETARIAT)))
        assert not page.can_sign(user("integrante2"))
        assert actas.acta_page(db.session, 999_999) is None

        before = count_statements(lambda: actas.acta_page(db.session, acta_id))
        observe(acta_id, "integrante2", bogota(2026, 3, 23, 12, 0))
        approve(acta_id, "seguridad", bogota(2026, 3, 23, 12, 5))
        observe(acta_id, "secretario", bogota(2026, 3, 24, 9, 0))
        assert count_statements(lambda: actas.acta_page(db.session, acta_id)) == before
