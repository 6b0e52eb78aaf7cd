"""The committee in the room (SPEC §6, seed Mesa §8): installation, attendance and quorum, votes, ties, closing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from catalog.models import Initiative, InitiativeState
from committee.models import AgendaItemKind, CommitteeDocument, SessionState
from committee.room import services as meeting
from committee.room.models import AttendanceKind, ItemDecision, ItemOutcome, VoteChoice
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.extensions import db
from portal.models import AuditEvent
from tests.unit.catalog.factories import NOW, convene, make_session, user
from tests.unit.committee.meeting_factories import (
    NINE,
    PDF,
    ROOM_NOW,
    SECRETARIAT,
    at,
    attend,
    attendance_row,
    close_vote,
    committee_session,
    held_session,
    item,
    leave,
    member_id,
    nine_voting_members,
    open_vote,
    vote,
)

#: the reason a casting decision needs (SPEC §6)
REASON = "Prioridad del plan de desarrollo."


def quorum_of(session_id: int) -> meeting.QuorumStatus:
    return meeting.quorum(db.session, committee_session(session_id))


def initiative_state(initiative_id: int) -> InitiativeState:
    return db.session.execute(
        select(Initiative.state).where(Initiative.id == initiative_id).execution_options(populate_existing=True)
    ).scalar_one()


def session_actions(session_id: int) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "sesion_comite", AuditEvent.object_id == str(session_id))
            .order_by(AuditEvent.id)
        ).scalars()
    )


def record(session_id: int, kind: AttendanceKind, **kwargs: Any) -> int:
    row = meeting.record_attendance(
        db.session, committee_session(session_id), actor=user(SECRETARIAT), kind=kind, now=kwargs.pop("now", at(5)), **kwargs
    )
    db.session.commit()
    return row.id


# ---------------------------------------------------------------- installing


def test_only_the_secretariat_installs_a_convened_session_from_30_minutes_before_its_start(app) -> None:
    with app.app_context():
        nine_voting_members()
        session_id = make_session()
        st = user(SECRETARIAT)
        with pytest.raises(WrongState, match="convocada"):
            meeting.open_session(db.session, committee_session(session_id), actor=st, now=ROOM_NOW)
        db.session.rollback()
        convene(session_id, NOW)
        with pytest.raises(WrongState, match="20/03/2026"):
            meeting.open_session(db.session, committee_session(session_id), actor=st, now=ROOM_NOW - timedelta(days=1))
        db.session.rollback()
        with pytest.raises(NotAllowed):
            meeting.open_session(db.session, committee_session(session_id), actor=user("integrante1"), now=ROOM_NOW)
        db.session.rollback()
        with pytest.raises(WrongState, match="registrar asistencia"):
            record(session_id, AttendanceKind.INTEGRANTE, member_id=member_id("secretario"), now=ROOM_NOW)
        db.session.rollback()
        # 8:00 in Bogotá is the session's day, but an hour before its start: too early
        with pytest.raises(WrongState, match="se instala desde las 8:30"):
            meeting.open_session(db.session, committee_session(session_id), actor=st, now=ROOM_NOW - timedelta(hours=1))
        db.session.rollback()
        meeting.open_session(db.session, committee_session(session_id), actor=st, now=ROOM_NOW - timedelta(minutes=20))
        db.session.commit()
        installed = committee_session(session_id)
        assert installed.state is SessionState.EN_CURSO
        assert installed.opened_at == ROOM_NOW - timedelta(minutes=20)
        assert "sesion.instalar" in session_actions(session_id)
        with pytest.raises(WrongState, match="en curso"):
            meeting.open_session(db.session, committee_session(session_id), actor=st, now=ROOM_NOW)


# ---------------------------------------------------------------- quorum


def test_quorum_is_more_than_half_of_nine_and_follows_departures_live(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:4])
        status = quorum_of(held.session_id)
        assert (status.voting_members, status.present_voting, status.required) == (9, 4, 5)
        assert not status.has_quorum
        quorum_item = next(i for i in meeting.room_state(db.session, committee_session(held.session_id)).items)
        assert quorum_item.item.kind is AgendaItemKind.QUORUM
        # the quorum verification records that there is none; nothing else is deliberated
        meeting.save_item_notes(
            db.session, item(quorum_item.item.id), actor=user(SECRETARIAT), notes="Sin quórum a las 9:00.", now=at(1)
        )
        with pytest.raises(WrongState, match="No hay quórum para deliberar"):
            meeting.save_item_notes(db.session, item(held.items[0]), actor=user(SECRETARIAT), notes="Presentación.", now=at(1))
        db.session.rollback()
        with pytest.raises(WrongState, match="No hay quórum"):
            open_vote(held.items[0])
        db.session.rollback()

        fifth = attend(held.session_id, NINE[4], now=at(10))
        assert quorum_of(held.session_id).has_quorum
        meeting.save_item_notes(
            db.session,
            item(held.items[0]),
            actor=user(SECRETARIAT),
            notes="La Secretaría de Salud presenta la iniciativa.",
            now=at(11),
        )
        db.session.commit()
        assert item(held.items[0]).notes == "La Secretaría de Salud presenta la iniciativa."

        leave(held.session_id, fifth, now=at(20))
        assert attendance_row(fifth).left_at == at(20)
        assert quorum_of(held.session_id).present_voting == 4
        assert not quorum_of(held.session_id).has_quorum
        with pytest.raises(WrongState, match="ya está registrada"):
            meeting.record_departure(db.session, committee_session(held.session_id), fifth, actor=user(SECRETARIAT), now=at(21))
        db.session.rollback()

        meeting.record_return(db.session, committee_session(held.session_id), fifth, actor=user(SECRETARIAT), now=at(30))
        db.session.commit()
        assert quorum_of(held.session_id).has_quorum
        assert {"asistencia.registro", "asistencia.salida", "asistencia.regreso", "punto.deliberacion"} <= set(
            session_actions(held.session_id)
        )


def test_guests_and_members_without_vote_never_count_for_quorum(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:4], guests=[("Ana Ruiz", "ana@example.org", "MinTIC")])
        record(held.session_id, AttendanceKind.INTEGRANTE, member_id=member_id("control.interno"))
        record(held.session_id, AttendanceKind.INTEGRANTE, member_id=member_id(SECRETARIAT))
        listed = record(held.session_id, AttendanceKind.INVITADO, guest_id=held.guests[0])
        record(held.session_id, AttendanceKind.INVITADO, name="Luis Pérez", position="Universidad del Valle")

        status = quorum_of(held.session_id)
        assert (status.present_voting, status.has_quorum) == (4, False)
        row = attendance_row(listed)
        assert (row.name, row.position, row.member_id) == ("Ana Ruiz", "MinTIC", None)
        assert row.counts_for_quorum is False

        with pytest.raises(WrongState, match="ya está registrado"):
            record(held.session_id, AttendanceKind.INVITADO, guest_id=held.guests[0])
        db.session.rollback()
        with pytest.raises(WrongState, match="ya está registrado"):
            record(held.session_id, AttendanceKind.INTEGRANTE, member_id=member_id(NINE[0]))
        db.session.rollback()
        with pytest.raises(ValidationFailed) as invalid:
            record(held.session_id, AttendanceKind.INVITADO, name=" ", email="no es un correo")
        assert set(invalid.value.fields) == {"name", "email"}
        db.session.rollback()
        with pytest.raises(ValidationFailed) as early:
            record(
                held.session_id, AttendanceKind.INTEGRANTE, member_id=member_id(NINE[5]), arrived_at=ROOM_NOW - timedelta(hours=3)
            )
        assert "arrived_at" in early.value.fields
        db.session.rollback()
        with pytest.raises(ValidationFailed) as future:
            record(held.session_id, AttendanceKind.INTEGRANTE, member_id=member_id(NINE[5]), arrived_at=at(60), now=at(5))
        assert "arrived_at" in future.value.fields


def test_a_delegate_counts_for_its_member_only_with_the_official_communication_in_pdf(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:4])
        delegate = {"member_id": member_id("integrante5"), "name": "Marta Gil", "position": "Profesional universitaria"}
        with pytest.raises(ValidationFailed) as missing:
            record(held.session_id, AttendanceKind.DELEGADO, **delegate)
        assert "communication" in missing.value.fields
        db.session.rollback()
        with pytest.raises(ValidationFailed) as not_pdf:
            record(
                held.session_id, AttendanceKind.DELEGADO, communication=("delegacion.pdf", b"MZ\x90\x00 not a pdf"), **delegate
            )
        assert "communication" in not_pdf.value.fields
        db.session.rollback()
        with pytest.raises(ValidationFailed) as no_name:
            record(held.session_id, AttendanceKind.DELEGADO, member_id=member_id("integrante5"), communication=("d.pdf", PDF))
        assert set(no_name.value.fields) == {"name", "position"}
        db.session.rollback()
        assert not quorum_of(held.session_id).has_quorum

        delegated = record(held.session_id, AttendanceKind.DELEGADO, communication=("oficio 123.pdf", PDF), **delegate)
        assert quorum_of(held.session_id).has_quorum
        row = attendance_row(delegated)
        assert (row.name, row.member_id) == ("Marta Gil", member_id("integrante5"))
        document = db.session.get(CommitteeDocument, row.communication_id)
        assert document is not None
        assert (document.purpose, document.content_type, document.filename) == (
            "comunicacion_delegacion",
            "application/pdf",
            "oficio 123.pdf",
        )
        # the member cannot also be present: it is represented
        with pytest.raises(WrongState, match="ya está registrado"):
            record(held.session_id, AttendanceKind.INTEGRANTE, member_id=member_id("integrante5"))
        db.session.rollback()

        # the delegate's vote is recorded by the secretariat; the represented member does not vote from afar
        open_vote(held.items[0], now=at(10))
        with pytest.raises(WrongState, match="representado"):
            vote(held.items[0], "integrante5", VoteChoice.A_FAVOR, now=at(11))
        db.session.rollback()
        meeting.cast_vote(
            db.session,
            item(held.items[0]),
            actor=user(SECRETARIAT),
            choice=VoteChoice.A_FAVOR,
            now=at(11),
            member_id=member_id("integrante5"),
        )
        db.session.commit()
        for username in NINE[:2]:
            vote(held.items[0], username, VoteChoice.A_FAVOR, now=at(12))
        decision = close_vote(held.items[0], now=at(15))
        assert (decision.present_voting, decision.votes_for, decision.not_voted) == (5, 3, 2)
        assert decision.outcome is ItemOutcome.APROBADA


# ---------------------------------------------------------------- votes


VOTING_TABLE = [
    # present, for, against, abstain -> outcome; initiative state after the close
    pytest.param(9, 5, 4, 0, ItemOutcome.APROBADA, InitiativeState.APROBADA, id="aprobada-5-4"),
    pytest.param(9, 2, 5, 2, ItemOutcome.RECHAZADA, InitiativeState.RECHAZADA, id="rechazada-2-5-2"),
    pytest.param(9, 4, 4, 1, ItemOutcome.EMPATE, InitiativeState.EN_AGENDA, id="empate-4-4-1"),
    pytest.param(9, 4, 3, 2, ItemOutcome.SIN_DECISION, InitiativeState.APLAZADA, id="sin-decision-4-3-2"),
    pytest.param(9, 0, 0, 9, ItemOutcome.SIN_DECISION, InitiativeState.APLAZADA, id="todos-se-abstienen"),
    pytest.param(6, 3, 0, 3, ItemOutcome.SIN_DECISION, InitiativeState.APLAZADA, id="la-mitad-exacta-no-basta"),
    pytest.param(7, 4, 0, 0, ItemOutcome.APROBADA, InitiativeState.APROBADA, id="mayoria-de-presentes-con-3-sin-votar"),
    pytest.param(7, 3, 1, 0, ItemOutcome.SIN_DECISION, InitiativeState.APLAZADA, id="presentes-sin-votar-pesan"),
    pytest.param(5, 3, 2, 0, ItemOutcome.APROBADA, InitiativeState.APROBADA, id="quorum-minimo"),
    pytest.param(5, 1, 1, 3, ItemOutcome.EMPATE, InitiativeState.EN_AGENDA, id="empate-1-1-con-abstenciones"),
    pytest.param(5, 0, 0, 0, ItemOutcome.SIN_DECISION, InitiativeState.APLAZADA, id="nadie-vota"),
]


@pytest.mark.parametrize(("present", "votes_for", "against", "abstain", "outcome", "state"), VOTING_TABLE)
def test_the_majority_of_the_members_present_decides(
    app, present: int, votes_for: int, against: int, abstain: int, outcome: ItemOutcome, state: InitiativeState
) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:present])
        item_id = held.items[0]
        open_vote(item_id, now=at(10))
        choices = [VoteChoice.A_FAVOR] * votes_for + [VoteChoice.EN_CONTRA] * against + [VoteChoice.ABSTENCION] * abstain
        for username, choice in zip(NINE, choices, strict=False):
            vote(item_id, username, choice, now=at(11))
        live = meeting.room_state(db.session, committee_session(held.session_id)).items
        live_item = next(i for i in live if i.item.id == item_id)
        assert (live_item.votes_for, live_item.votes_against, live_item.abstentions) == (votes_for, against, abstain)
        assert len(live_item.not_voted) == present - len(choices)

        decision = close_vote(item_id, now=at(20))
        assert decision.outcome is outcome
        assert (decision.voting_members, decision.present_voting) == (9, present)
        assert (decision.votes_for, decision.votes_against, decision.abstentions) == (votes_for, against, abstain)
        assert decision.not_voted == present - len(choices)
        assert initiative_state(held.initiatives[0]) is state
        initiative = db.session.get(Initiative, held.initiatives[0])
        assert initiative is not None
        if state is not InitiativeState.EN_AGENDA:
            assert initiative.decision_session_id == held.session_id
            assert f"{votes_for} a favor, {against} en contra" in (initiative.decision_note or "")
        if outcome is ItemOutcome.SIN_DECISION:
            assert (initiative.decision_note or "").startswith("Sin decisión de la mayoría de los asistentes")
        assert "voto.cierre" in session_actions(held.session_id)


def test_votes_of_members_who_left_are_not_counted_at_the_close(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE)
        item_id = held.items[0]
        open_vote(item_id, now=at(10))
        for username in NINE[:5]:
            vote(item_id, username, VoteChoice.A_FAVOR, now=at(11))
        for username in NINE[5:]:
            vote(item_id, username, VoteChoice.EN_CONTRA, now=at(11))
        # one vote in favour walks out: 8 present, 4 to 4
        leave(held.session_id, held.attendance[NINE[0]], now=at(15))
        decision = close_vote(item_id, now=at(20))
        assert (decision.present_voting, decision.votes_for, decision.votes_against) == (8, 4, 4)
        assert decision.outcome is ItemOutcome.EMPATE


def test_no_vote_without_quorum_at_that_moment(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:5])
        item_id = held.items[0]
        open_vote(item_id, now=at(10))
        vote(item_id, NINE[0], VoteChoice.A_FAVOR, now=at(11))
        leave(held.session_id, held.attendance[NINE[4]], now=at(12))
        with pytest.raises(WrongState, match="No hay quórum para votar"):
            vote(item_id, NINE[1], VoteChoice.A_FAVOR, now=at(13))
        db.session.rollback()
        with pytest.raises(WrongState, match="No hay quórum"):
            close_vote(item_id, now=at(14))
        db.session.rollback()
        assert db.session.execute(select(ItemDecision.id)).scalar() is None
        assert initiative_state(held.initiatives[0]) is InitiativeState.EN_AGENDA


def test_only_voting_members_present_vote(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session([*NINE[:5], "control.interno"])
        item_id = held.items[0]
        with pytest.raises(WrongState, match="no está abierta"):
            vote(item_id, NINE[0], VoteChoice.A_FAVOR)
        db.session.rollback()
        open_vote(item_id, now=at(10))
        with pytest.raises(NotAllowed, match="sin voto"):
            vote(item_id, "control.interno", VoteChoice.EN_CONTRA, now=at(11))
        db.session.rollback()
        with pytest.raises(NotAllowed, match="sin voto"):
            meeting.cast_vote(
                db.session,
                item(item_id),
                actor=user(SECRETARIAT),
                choice=VoteChoice.A_FAVOR,
                now=at(11),
                member_id=member_id("control.interno"),
            )
        db.session.rollback()
        with pytest.raises(WrongState, match="no está presente"):
            vote(item_id, NINE[8], VoteChoice.A_FAVOR, now=at(11))
        db.session.rollback()
        with pytest.raises(NotAllowed, match="integrantes del comité"):
            vote(item_id, "enlace.salud", VoteChoice.A_FAVOR, now=at(11))
        db.session.rollback()
        # a member does not vote in another member's name
        with pytest.raises(NotAllowed):
            meeting.cast_vote(
                db.session,
                item(item_id),
                actor=user(NINE[1]),
                choice=VoteChoice.A_FAVOR,
                now=at(11),
                member_id=member_id(NINE[2]),
            )
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            meeting.cast_vote(db.session, item(item_id), actor=user(NINE[1]), choice="tal vez", now=at(11))  # type: ignore[arg-type]
        db.session.rollback()
        # the quorum verification is not voted
        quorum_item = meeting.room_state(db.session, committee_session(held.session_id)).items[0]
        with pytest.raises(WrongState, match="no se somete a votación"):
            open_vote(quorum_item.item.id)


def test_a_vote_may_change_until_the_close(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:5])
        item_id = held.items[0]
        open_vote(item_id, now=at(10))
        for username in NINE[:5]:
            vote(item_id, username, VoteChoice.EN_CONTRA, now=at(11))
        changed = [vote(item_id, username, VoteChoice.A_FAVOR, now=at(12)) for username in NINE[:3]]
        assert {v.choice for v in changed} == {VoteChoice.A_FAVOR}
        assert session_actions(held.session_id).count("voto.cambio") == 3
        assert session_actions(held.session_id).count("voto.emitido") == 5
        decision = close_vote(item_id, now=at(15))
        assert (decision.votes_for, decision.votes_against, decision.outcome) == (3, 2, ItemOutcome.APROBADA)
        assert initiative_state(held.initiatives[0]) is InitiativeState.APROBADA
        with pytest.raises(WrongState, match="no está abierta"):
            vote(item_id, NINE[3], VoteChoice.A_FAVOR, now=at(16))
        db.session.rollback()
        with pytest.raises(WrongState, match="ya se cerró"):
            open_vote(item_id, now=at(17))


def test_one_voting_at_a_time(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:5], initiatives=("SAL", "HAC"))
        open_vote(held.items[0], now=at(10))
        with pytest.raises(WrongState, match="Cierre primero"):
            open_vote(held.items[1], now=at(11))
        db.session.rollback()
        with pytest.raises(WrongState, match="ya está abierta"):
            open_vote(held.items[0], now=at(11))
        db.session.rollback()
        close_vote(held.items[0], now=at(12))
        open_vote(held.items[1], now=at(13))


def tie(held_items: tuple[int, ...]) -> int:
    item_id = held_items[0]
    open_vote(item_id, now=at(10))
    for username in NINE[:4]:
        vote(item_id, username, VoteChoice.A_FAVOR, now=at(11))
    for username in NINE[4:8]:
        vote(item_id, username, VoteChoice.EN_CONTRA, now=at(11))
    vote(item_id, NINE[8], VoteChoice.ABSTENCION, now=at(11))
    assert close_vote(item_id, now=at(12)).outcome is ItemOutcome.EMPATE
    return item_id


def test_the_chair_breaks_a_tie_and_only_a_tie(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE, initiatives=("SAL", "HAC"))
        item_id = tie(held.items)
        assert initiative_state(held.initiatives[0]) is InitiativeState.EN_AGENDA
        room = meeting.room_state(db.session, committee_session(held.session_id))
        assert [i.item.id for i in room.pending_ties] == [item_id]

        with pytest.raises(NotAllowed, match="jefe de la oficina TIC"):
            meeting.cast_deciding_vote(
                db.session, item(item_id), actor=user(SECRETARIAT), decision=ItemOutcome.APROBADA, note=None, now=at(13)
            )
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            meeting.cast_deciding_vote(
                db.session, item(item_id), actor=user("secretario"), decision=ItemOutcome.SIN_DECISION, note=None, now=at(13)
            )
        db.session.rollback()
        decided = meeting.cast_deciding_vote(
            db.session,
            item(item_id),
            actor=user("secretario"),
            decision=ItemOutcome.RECHAZADA,
            note="El proyecto no tiene financiación asegurada.",
            now=at(13),
        )
        db.session.commit()
        assert (decided.outcome, decided.final_outcome) == (ItemOutcome.EMPATE, ItemOutcome.RECHAZADA)
        assert decided.casting_by_id == user("secretario").id
        assert initiative_state(held.initiatives[0]) is InitiativeState.RECHAZADA
        initiative = db.session.get(Initiative, held.initiatives[0])
        assert initiative is not None
        assert "decisión dirimente" in (initiative.decision_note or "")
        assert "financiación asegurada" in (initiative.decision_note or "")
        assert "voto.dirimente" in session_actions(held.session_id)
        with pytest.raises(WrongState, match="ya se dirimió"):
            meeting.cast_deciding_vote(
                db.session, item(item_id), actor=user("secretario"), decision=ItemOutcome.APROBADA, note=REASON, now=at(14)
            )
        db.session.rollback()

        # no casting decision where the votes decided
        other = held.items[1]
        open_vote(other, now=at(20))
        for username in NINE[:5]:
            vote(other, username, VoteChoice.A_FAVOR, now=at(21))
        close_vote(other, now=at(22))
        with pytest.raises(WrongState, match="no terminó en empate"):
            meeting.cast_deciding_vote(
                db.session, item(other), actor=user("secretario"), decision=ItemOutcome.RECHAZADA, note=REASON, now=at(23)
            )


# ---------------------------------------------------------------- closing


def test_closing_waits_for_open_votings_and_ties_and_defers_what_was_not_treated(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE, initiatives=("SAL", "HAC"))
        st = user(SECRETARIAT)
        open_vote(held.items[0], now=at(10))
        with pytest.raises(WrongState, match="sigue abierta"):
            meeting.close_session(db.session, committee_session(held.session_id), actor=st, now=at(60))
        db.session.rollback()
        for username in NINE[:4]:
            vote(held.items[0], username, VoteChoice.A_FAVOR, now=at(11))
        for username in NINE[4:8]:
            vote(held.items[0], username, VoteChoice.EN_CONTRA, now=at(11))
        close_vote(held.items[0], now=at(12))
        with pytest.raises(WrongState, match="empate"):
            meeting.close_session(db.session, committee_session(held.session_id), actor=st, now=at(60))
        db.session.rollback()
        meeting.cast_deciding_vote(
            db.session, item(held.items[0]), actor=user("secretario"), decision=ItemOutcome.APROBADA, note=REASON, now=at(13)
        )
        db.session.commit()
        with pytest.raises(NotAllowed):
            meeting.close_session(db.session, committee_session(held.session_id), actor=user("secretario"), now=at(60))
        db.session.rollback()

        meeting.close_session(db.session, committee_session(held.session_id), actor=st, now=at(120))
        db.session.commit()
        closed = committee_session(held.session_id)
        assert (closed.state, closed.closed_at) == (SessionState.REALIZADA, at(120))
        assert initiative_state(held.initiatives[0]) is InitiativeState.APROBADA
        assert initiative_state(held.initiatives[1]) is InitiativeState.APLAZADA
        untreated = db.session.get(Initiative, held.initiatives[1])
        assert untreated is not None
        assert untreated.decision_note == "No se trató en la sesión."
        assert "sesion.cierre" in session_actions(held.session_id)
        with pytest.raises(WrongState, match="realizada"):
            attend(held.session_id, "control.interno", now=at(121))


def test_a_session_that_lost_its_quorum_for_good_closes_and_its_open_voting_decides_nothing(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:5])
        open_vote(held.items[0], now=at(10))
        for username in NINE[:3]:
            vote(held.items[0], username, VoteChoice.A_FAVOR, now=at(11))
        leave(held.session_id, held.attendance[NINE[4]], now=at(12))
        meeting.close_session(db.session, committee_session(held.session_id), actor=user(SECRETARIAT), now=at(30))
        db.session.commit()
        assert committee_session(held.session_id).state is SessionState.REALIZADA
        decision = db.session.execute(select(ItemDecision).where(ItemDecision.item_id == held.items[0])).scalar_one()
        assert (decision.outcome, decision.present_voting, decision.votes_for) == (ItemOutcome.SIN_DECISION, 4, 3)
        assert initiative_state(held.initiatives[0]) is InitiativeState.APLAZADA
        initiative = db.session.get(Initiative, held.initiatives[0])
        assert initiative is not None
        assert (initiative.decision_note or "").startswith("Sin quórum para decidir")


# ---------------------------------------------------------------- the live page


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def room_queries(session_id: int) -> tuple[meeting.RoomState, int]:
    db.session.expunge_all()
    loaded = committee_session(session_id)
    with counted_queries() as statements:
        room = meeting.room_state(db.session, loaded)
        # reading everything the page shows loads nothing more
        for row in room.attendance:
            _ = (row.name, row.member and row.member.user.full_name, row.communication and row.communication.filename)
        for entry in room.items:
            _ = (entry.item.initiative and entry.item.initiative.dependency.name, entry.decision)
            _ = [(v.member.user.full_name, v.member.position, v.cast_by.full_name) for v in entry.votes]
            _ = [m.user.full_name for m in entry.not_voted]
        _ = [m.user.full_name for m in (*room.absent_voting, *room.not_registered)]
    return room, len(statements)


def test_the_live_page_loads_in_a_bounded_number_of_queries(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:4], initiatives=("SAL", "HAC"), guests=[("Ana Ruiz", "ana@example.org", "MinTIC")])
        delegate = {"name": "Marta Gil", "position": "Asesora", "communication": ("oficio.pdf", PDF), "now": at(1)}
        record(held.session_id, AttendanceKind.DELEGADO, member_id=member_id(NINE[8]), **delegate)
        record(held.session_id, AttendanceKind.INTEGRANTE, member_id=member_id("control.interno"), now=at(1))
        record(held.session_id, AttendanceKind.INVITADO, guest_id=held.guests[0], now=at(1))
        first, second = held.items
        open_vote(first, now=at(10))
        for username in NINE[:4]:
            vote(first, username, VoteChoice.A_FAVOR, now=at(11))
        close_vote(first, now=at(12))
        open_vote(second, now=at(13))
        vote(second, NINE[0], VoteChoice.A_FAVOR, now=at(14))
        small, few = room_queries(held.session_id)
        assert (small.quorum.present_voting, len(small.attendance), len(small.absent_voting)) == (5, 7, 4)

        # four more members, another guest, eight more votes, a departure: the same queries
        for username in NINE[4:8]:
            attend(held.session_id, username, now=at(15))
        record(held.session_id, AttendanceKind.INVITADO, name="Luis Pérez", position="Universidad del Valle", now=at(15))
        for username in NINE[1:8]:
            vote(second, username, VoteChoice.EN_CONTRA, now=at(16))
        meeting.cast_vote(
            db.session,
            item(second),
            actor=user(SECRETARIAT),
            choice=VoteChoice.ABSTENCION,
            now=at(16),
            member_id=member_id(NINE[8]),
        )
        db.session.commit()
        leave(held.session_id, held.attendance[NINE[1]], now=at(17))
        full, many = room_queries(held.session_id)

        assert many == few <= 25
        assert (full.quorum.present_voting, full.quorum.has_quorum, len(full.attendance)) == (8, True, 12)
        assert [m.user.username for m in full.absent_voting] == [NINE[1]]
        assert {m.user.username for m in full.not_registered} == {SECRETARIAT}
        live = full.open_item
        assert live is not None and live.item.id == second
        # the vote of the member who left stays recorded but is not counted while out
        assert (len(live.votes), live.votes_for, live.votes_against, live.abstentions, live.not_voted) == (9, 1, 6, 1, ())
        closed = next(i for i in full.items if i.item.id == first)
        assert closed.decision is not None and closed.decision.outcome is ItemOutcome.APROBADA
