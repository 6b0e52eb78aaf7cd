"""The room to the letter (SPEC §6, seed Mesa §3 and §8): a member's own vote is the member's, each
decision keeps who was present when its voting closed, the casting decision needs the chair in the
room and a reason, the heads of postulating dependencies must attend, a delegate with an account
votes and signs for its member, and a session opens no earlier than 30 minutes before its start.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.models import Initiative, InitiativeState
from committee.actas import services as actas
from committee.actas.models import ActaResponseKind, ActaState, CommitteeActa
from committee.models import SessionState
from committee.reports.data import build_mayor_report
from committee.reports.period import period_of
from committee.room import services as meeting
from committee.room.models import AttendanceKind, ItemOutcome, NoDecisionReason, VoteChoice
from config.profiles import VALLE
from portal.errors import ValidationFailed, WrongState
from portal.extensions import db
from tests.unit.catalog.factories import NOW, context, convene, make_session, user
from tests.unit.committee.meeting_factories import (
    NINE,
    PDF,
    ROOM_NOW,
    SECRETARIAT,
    at,
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
from tests.unit.committee.test_approved_acta import pdf_text

ROOM = "/api/v1/committee"


def acta_of(session_id: int) -> CommitteeActa:
    found = actas.acta_for_session(db.session, session_id)
    assert found is not None
    return found


def close_session(session_id: int, now) -> None:  # type: ignore[no-untyped-def]
    meeting.close_session(db.session, committee_session(session_id), actor=user(SECRETARIAT), now=now, context=context())
    db.session.commit()


def acta_pdf(session_id: int) -> str:
    page = actas.acta_page(db.session, acta_of(session_id).id)
    assert page is not None
    data, _ = actas.render_version(page, 1, "pdf", profile=VALLE)
    return pdf_text(data)


# ---------------------------------------------------------------- a member's vote is the member's


def test_the_secretariat_cannot_overwrite_a_members_own_vote(app, api) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE)
        item_id, session_id = held.items[0], held.session_id
        open_vote(item_id)
        vote(item_id, "integrante1", VoteChoice.EN_CONTRA)
        integrante1, integrante2 = member_id("integrante1"), member_id("integrante2")

    url = f"{ROOM}/sessions/{session_id}/items/{item_id}/votes"
    refused = api(SECRETARIAT, "POST", url, json={"choice": "a_favor", "member_id": integrante1})
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert "solo" in refused.get_json()["detail"] and "puede cambiar su voto" in refused.get_json()["detail"]
    # a vote given aloud is recorded for a member who has not voted, and the member may change it
    aloud = api(SECRETARIAT, "POST", url, json={"choice": "abstencion", "member_id": integrante2})
    assert aloud.status_code == 200, aloud.get_data(as_text=True)
    changed = api("integrante2", "POST", url, json={"choice": "a_favor"})
    assert changed.status_code == 200
    votes = {v["member"]: v for v in next(i for i in changed.get_json()["items"] if i["id"] == item_id)["votes"]}
    assert (votes["integrante1"]["choice"], votes["integrante1"]["cast_by"], votes["integrante1"]["is_own_vote"]) == (
        "en_contra",
        "integrante1",
        True,
    )
    assert (votes["integrante2"]["choice"], votes["integrante2"]["cast_by"]) == ("a_favor", "integrante2")
    again = api(SECRETARIAT, "POST", url, json={"choice": "en_contra", "member_id": integrante2})
    assert again.status_code == 409

    with app.app_context():
        vote(item_id, "integrante3", VoteChoice.A_FAVOR)
        meeting.cast_vote(
            db.session,
            item(item_id),
            actor=user(SECRETARIAT),
            choice=VoteChoice.A_FAVOR,
            now=at(2),
            member_id=member_id("seguridad"),
        )
        db.session.commit()
        close_vote(item_id, now=at(5))
        close_session(session_id, at(60))
        detail = {
            v["member"]: v["entered_by"]
            for v in next(i for i in actas.current_version(db.session, acta_of(session_id)).body["items"] if i["vote_detail"])[
                "vote_detail"
            ]
        }
        assert detail[user("integrante1").full_name] == "propio"
        assert detail[user("seguridad").full_name] == user(SECRETARIAT).full_name
        text = acta_pdf(session_id)
        assert f"{user('seguridad').full_name}: A favor (de viva voz; lo registró {user(SECRETARIAT).full_name})" in text
        assert f"{user('integrante1').full_name}: En contra (voto propio)" in text


# ---------------------------------------------------------------- quorum and counts at each decision


def test_a_session_closed_with_4_of_9_says_4_de_9_sin_quorum(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE[:5])
        open_vote(held.items[0], now=at(10))
        vote(held.items[0], "secretario", VoteChoice.A_FAVOR, now=at(11))
        leave(held.session_id, held.attendance["integrante3"], now=at(30))
        close_session(held.session_id, at(60))

        decision = meeting.room_state(db.session, committee_session(held.session_id)).items
        closed = next(v.decision for v in decision if v.item.id == held.items[0])
        assert closed is not None
        assert (closed.present_voting, closed.voting_members, closed.required, closed.had_quorum) == (4, 9, 5, False)
        assert closed.outcome is ItemOutcome.SIN_DECISION and closed.no_decision_reason is NoDecisionReason.SIN_QUORUM
        assert [p["member_id"] for p in closed.present_at_close] == [member_id(u) for u in NINE[:4]]

        body = actas.current_version(db.session, acta_of(held.session_id)).body
        assert (body["quorum"]["present_voting"], body["quorum"]["has_quorum"]) == (4, False)
        assert body["quorum"]["present_when_reached"] == 5
        text = acta_pdf(held.session_id)
        assert "9 de 9" not in text and "Hay quórum" not in text
        assert "Quórum al cerrar la votación: 4 de 9 — sin quórum" in text
        assert "Al cierre de la sesión (10:00 a. m.): 4 de 9 — sin quórum" in text
        assert "Quórum conformado a las 09:00 a. m.: 5 de 9 — con quórum" in text
        assert "Sin decisión: sin quórum al cerrar la votación" in text
        assert f"09:30 a. m. — Sale {user('integrante3').full_name} (Integrante): 4 de 9 — sin quórum" in text

        report = build_mayor_report(db.session, period_of(ROOM_NOW), now=ROOM_NOW + timedelta(days=1))
        row = next(s for s in report.sessions if s.session_id == held.session_id)
        assert (row.voting_present, row.voting_members, row.has_quorum, row.members_present) == (4, 9, False, 5)


def test_no_decision_says_why(app) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE, initiatives=("SAL", "HAC"))
        no_majority, tie = held.items
        open_vote(no_majority, now=at(10))
        for username in NINE[:4]:
            vote(no_majority, username, VoteChoice.A_FAVOR, now=at(11))
        assert close_vote(no_majority, now=at(12)).no_decision_reason is NoDecisionReason.SIN_MAYORIA
        open_vote(tie, now=at(20))
        for index, username in enumerate(NINE[:8]):
            vote(tie, username, VoteChoice.A_FAVOR if index % 2 else VoteChoice.EN_CONTRA, now=at(21))
        assert close_vote(tie, now=at(22)).outcome is ItemOutcome.EMPATE
        # the chair leaves: the tie cannot be broken, and the session still closes
        leave(held.session_id, held.attendance["secretario"], now=at(30))
        with pytest.raises(WrongState, match="salió de la sesión"):
            meeting.cast_deciding_vote(
                db.session,
                item(tie),
                actor=user("secretario"),
                decision=ItemOutcome.APROBADA,
                note="Se aprueba por prioridad.",
                now=at(31),
            )
        db.session.rollback()
        close_session(held.session_id, at(60))
        unbroken = meeting.room_state(db.session, committee_session(held.session_id)).items
        decided = next(v.decision for v in unbroken if v.item.id == tie)
        assert decided is not None and decided.no_decision_reason is NoDecisionReason.EMPATE_NO_DIRIMIDO
        assert decided.final_outcome is ItemOutcome.SIN_DECISION
        initiative = db.session.get(Initiative, held.initiatives[1])
        assert initiative is not None and initiative.state is InitiativeState.APLAZADA
        text = acta_pdf(held.session_id)
        assert "Sin decisión: ninguna opción obtuvo la mayoría de los integrantes con voto presentes" in text
        assert "Sin decisión: empate no dirimido por quien preside" in text


# ---------------------------------------------------------------- the casting decision


def test_a_casting_decision_needs_its_reason(app, api) -> None:
    with app.app_context():
        nine_voting_members()
        held = held_session(NINE)
        item_id = held.items[0]
        open_vote(item_id, now=at(10))
        for index, username in enumerate(NINE[:8]):
            vote(item_id, username, VoteChoice.A_FAVOR if index % 2 else VoteChoice.EN_CONTRA, now=at(11))
        close_vote(item_id, now=at(12))
        session_id = held.session_id
        with pytest.raises(ValidationFailed) as short:
            meeting.cast_deciding_vote(
                db.session, item(item_id), actor=user("secretario"), decision=ItemOutcome.APROBADA, note="Sí.", now=at(13)
            )
        assert "note" in short.value.fields

    url = f"{ROOM}/sessions/{session_id}/items/{item_id}/casting-decision"
    for body in ({"decision": "aprobada"}, {"decision": "aprobada", "note": "   "}, {"decision": "aprobada", "note": None}):
        refused = api("secretario", "POST", url, json=body)
        assert refused.status_code == 422, refused.get_data(as_text=True)
        assert refused.mimetype == "application/problem+json"
        assert "note" in refused.get_json()["errors"]
    decided = api("secretario", "POST", url, json={"decision": "aprobada", "note": "Prioridad del plan de desarrollo."})
    assert decided.status_code == 200, decided.get_data(as_text=True)
    decision = next(i for i in decided.get_json()["items"] if i["id"] == item_id)["decision"]
    assert (decision["final_outcome"], decision["casting_note"]) == ("aprobada", "Prioridad del plan de desarrollo.")


# ---------------------------------------------------------------- the heads who must attend


def test_voting_an_initiative_without_its_head_needs_the_secretariats_confirmation(app) -> None:
    with app.app_context():
        held = held_session(("secretario", "integrante1", "integrante2", "seguridad"), initiatives=("SAL", "HAC"))
        salud, hacienda = held.items
        state = meeting.room_state(db.session, committee_session(held.session_id))
        heads = {v.item.id: v.head for v in state.items if v.head is not None}
        assert not heads[salud].is_present and [u.username for u in heads[salud].heads] == ["jefe.salud"]

        with pytest.raises(WrongState, match="jefe de Secretaría de Salud"):
            open_vote(salud, now=at(10), without_head=False)
        db.session.rollback()
        with pytest.raises(ValidationFailed, match="asistencia"):
            meeting.record_attendance(
                db.session,
                committee_session(held.session_id),
                actor=user(SECRETARIAT),
                kind=AttendanceKind.JEFE,
                user_id=user("enlace.salud").id,
                now=at(9),
            )
        db.session.rollback()
        head = meeting.record_attendance(
            db.session,
            committee_session(held.session_id),
            actor=user(SECRETARIAT),
            kind=AttendanceKind.JEFE,
            user_id=user("jefe.salud").id,
            now=at(9),
        )
        db.session.commit()
        assert (head.kind, head.member_id, head.name) == (AttendanceKind.JEFE, None, user("jefe.salud").full_name)
        open_vote(salud, now=at(10), without_head=False)
        for username in ("secretario", "integrante1", "integrante2", "seguridad"):
            vote(salud, username, VoteChoice.A_FAVOR, now=at(11))
        close_vote(salud, now=at(12))

        open_vote(hacienda, now=at(20), without_head=True)
        confirmed = item(hacienda)
        assert confirmed.head_absence_confirmed_by_id == user(SECRETARIAT).id and confirmed.head_absence_confirmed_at == at(20)
        close_vote(hacienda, now=at(21))
        close_session(held.session_id, at(60))
        text = acta_pdf(held.session_id)
        assert f"Asistencia obligatoria del jefe de Secretaría de Salud: {user('jefe.salud').full_name}, presente" in text
        assert f"{user('jefe.hacienda').full_name} no estaba en la sala al abrirse la votación" in text
        assert f"{user(SECRETARIAT).full_name} confirmó votar sin su presencia a las 09:20 a. m." in text
        assert "Jefe de dependencia" in text


# ---------------------------------------------------------------- a delegate with an account


def test_a_delegate_with_an_account_votes_and_signs_for_its_member(app) -> None:
    with app.app_context():
        held = held_session(("secretario", "integrante2", "seguridad", "integrante3"))
        delegate = meeting.record_attendance(
            db.session,
            committee_session(held.session_id),
            actor=user(SECRETARIAT),
            kind=AttendanceKind.DELEGADO,
            member_id=member_id("integrante1"),
            user_id=user("agente").id,
            name=None,
            position="Técnico de la mesa de servicio",
            communication=("delegacion.pdf", PDF),
            now=at(3),
        )
        db.session.commit()
        assert (delegate.name, delegate.user_id) == (user("agente").full_name, user("agente").id)
        open_vote(held.items[0], now=at(10))
        cast = vote(held.items[0], "agente", VoteChoice.A_FAVOR, now=at(11))
        assert (cast.member_id, cast.is_own_vote) == (member_id("integrante1"), True)
        with pytest.raises(WrongState, match="representado"):
            vote(held.items[0], "integrante1", VoteChoice.EN_CONTRA, now=at(12))
        db.session.rollback()
        with pytest.raises(WrongState, match="puede cambiar su voto"):
            meeting.cast_vote(
                db.session,
                item(held.items[0]),
                actor=user(SECRETARIAT),
                choice=VoteChoice.EN_CONTRA,
                now=at(12),
                member_id=member_id("integrante1"),
            )
        db.session.rollback()
        close_vote(held.items[0], now=at(15))
        close_session(held.session_id, at(60))

        acta = acta_of(held.session_id)
        seats = {s.member.user.username: s for s in actas.signatories(db.session, committee_session(held.session_id))}
        assert seats["integrante1"].signer.username == "agente"
        assert "en representación de" in seats["integrante1"].position
        body = actas.current_version(db.session, acta).body
        signatory = next(s for s in body["signatories"] if s.get("member_id") == member_id("integrante1"))
        assert signatory["name"] == user("agente").full_name

        actas.send_acta(db.session, acta, actor=user(SECRETARIAT), now=at(120), context=context())
        db.session.commit()
        for minute, username in enumerate(("secretario", "integrante2", "seguridad", "integrante3")):
            actas.respond(
                db.session,
                acta_of(held.session_id),
                actor=user(username),
                kind=ActaResponseKind.APROBACION,
                text=None,
                now=at(130 + minute),
            )
            db.session.commit()
        page = actas.acta_page(db.session, acta.id)
        assert page is not None and page.acta.state is ActaState.APROBADA
        assert page.can_view(user("agente")) and page.can_sign(user("agente")) and not page.can_sign(user("integrante1"))
        signed = actas.sign(db.session, acta_of(held.session_id), actor=user("agente"), now=at(200))
        db.session.commit()
        assert (signed.member_id, signed.user_id) == (member_id("integrante1"), user("agente").id)
        data, _ = actas.render_version(actas.acta_page(db.session, acta.id), 2, "pdf", profile=VALLE)  # type: ignore[arg-type]
        text = pdf_text(data)
        assert (
            f"Firmado en el portal por {user('agente').full_name} (Técnico de la mesa de servicio, en representación de" in text
        )
        assert signed.version_sha256 in text


# ---------------------------------------------------------------- installing


def test_a_session_is_installed_from_30_minutes_before_its_start(app) -> None:
    with app.app_context():
        session_id = make_session()
        convene(session_id, NOW)
        starts = committee_session(session_id).starts_at
        with pytest.raises(WrongState, match="se instala desde las 8:30"):
            meeting.open_session(
                db.session, committee_session(session_id), actor=user(SECRETARIAT), now=starts - timedelta(minutes=31)
            )
        db.session.rollback()
        meeting.open_session(
            db.session, committee_session(session_id), actor=user(SECRETARIAT), now=starts - timedelta(minutes=30)
        )
        db.session.commit()
        assert committee_session(session_id).state is SessionState.EN_CURSO
        assert ROOM_NOW == starts
