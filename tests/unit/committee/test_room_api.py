"""The committee in the room through the API (SPEC §6, §8): a whole session with a 9-voting-member
committee, the acta workflow, commitments, the report to the mayor, and the problem+json errors.

The API runs on the real clock, so the sessions here are "today": programmed and convened twelve
days earlier through the services, then installed and run through the API.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from io import BytesIO
from typing import Any

from flask import Flask
from openpyxl import load_workbook

from catalog.models import Initiative, InitiativeState
from committee.commitments import services as commitments
from committee.models import AgendaItemKind
from committee.reports.services import period_of
from committee.sessions import agenda
from committee.sessions import services as sessions
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from tests.unit.catalog.factories import convene, make_initiative, make_session, user
from tests.unit.committee.meeting_factories import PDF, ROOM_NOW, committee_session, held_session, nine_voting_members

Api = Callable[..., Any]
ROOM = "/api/v1/committee"
ST = "st.mesa"
#: in person: the chair and four voting members; integrante4 sends a delegate (6 of 9 with vote)
IN_PERSON = ("secretario", "integrante1", "integrante2", "seguridad", "integrante3")
DELEGATED = "integrante4"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/problem+json"
    data: dict[str, Any] = response.get_json()
    assert data["status"] == status
    return data


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_json()


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


@dataclass(frozen=True)
class Today:
    session_id: int
    #: dependency code -> initiative id / code / agenda item id
    initiatives: dict[str, int]
    codes: dict[str, str]
    items: dict[str, int]
    #: the agenda item "verificación del quórum" (deliberated without quorum)
    quorum_item: int
    guest_id: int
    #: username -> committee member id of the nine voting members
    members: dict[str, int]


def session_today(app: Flask, initiatives: tuple[str, ...] = ("SAL", "HAC")) -> Today:
    """An ordinary session today, programmed and convened twelve days ago, with a guest on its list."""
    earlier = utcnow() - timedelta(days=12)
    with app.app_context():
        members = nine_voting_members()
        session_id = make_session(day=local_date(utcnow()), start=time(0, 5), end=time(23, 55), now=earlier)
        ids = {code: make_initiative(InitiativeState.EN_AGENDA, code, session_id=session_id, now=earlier) for code in initiatives}
        guest = sessions.add_guest(
            db.session,
            committee_session(session_id),
            actor=user(ST),
            name="Ana Invitada",
            email="ana@mintic.gov.co",
            organization="MinTIC",
            now=earlier,
        )
        guest_id = guest.id
        db.session.commit()
        convene(session_id, earlier)
        items = agenda.agenda_items(db.session, committee_session(session_id))
        by_initiative = {i.initiative_id: i.id for i in items if i.kind is AgendaItemKind.INICIATIVA}
        quorum_item = next(i.id for i in items if i.kind is AgendaItemKind.QUORUM)
        codes = {code: db.session.get(Initiative, i).code for code, i in ids.items()}  # type: ignore[union-attr]
    return Today(
        session_id,
        ids,
        codes,
        {code: by_initiative[i] for code, i in ids.items()},
        quorum_item,
        guest_id,
        members,
    )


def overdue_commitment(app: Flask) -> int:
    """A commitment made in a session held in March 2026, due on 15 April 2026 and still pending."""
    with app.app_context():
        held = held_session(("secretario", "integrante1", "integrante2", "seguridad", "integrante3"), initiatives=())
        made = commitments.add_commitment(
            db.session,
            committee_session(held.session_id),
            actor=user(ST),
            description="Entregar el inventario de activos de información actualizado.",
            responsible_name="Secretaría de las TIC",
            due_date=date(2026, 4, 15),
            now=ROOM_NOW,
        )
        db.session.commit()
        return made.id


def attendee(room: dict[str, Any], *, member: str | None = None, kind: str | None = None) -> dict[str, Any]:
    return next(
        a for a in room["attendance"] if (member is None or a["member"] == member) and (kind is None or a["kind"] == kind)
    )


def item_of(room: dict[str, Any], item_id: int) -> dict[str, Any]:
    return next(i for i in room["items"] if i["id"] == item_id)


# ---------------------------------------------------------------- the whole session


def test_a_whole_session_through_the_api(app: Flask, api: Api) -> None:
    today = session_today(app)
    old_commitment = overdue_commitment(app)
    sid = today.session_id
    base = f"{ROOM}/sessions/{sid}"
    sal, hac = today.items["SAL"], today.items["HAC"]

    room = ok(api(ST, "GET", f"{base}/room"))
    assert room["state"] == "convocada" and room["opened_at"] is None
    assert room["quorum"] == {"voting_members": 9, "present_voting": 0, "required": 5, "has_quorum": False}
    problem(api("integrante1", "POST", f"{base}/open"), 403)
    room = ok(api(ST, "POST", f"{base}/open"))
    assert room["state"] == "en_curso" and room["opened_at"] is not None
    problem(api(ST, "POST", f"{base}/open"), 409)

    # Three in person: no quorum yet, so neither deliberation nor vote.
    for username in IN_PERSON[:3]:
        ok(api(ST, "POST", f"{base}/attendance", json={"kind": "integrante", "member_id": today.members[username]}), 201)
    refused = problem(api(ST, "POST", f"{base}/items/{sal}/voting"), 409)
    assert refused["detail"] == "No hay quórum para votar: hay 3 de 9 integrantes con voto y se necesitan 5."
    problem(api(ST, "PUT", f"{base}/items/{sal}/notes", json={"notes": "Se presentó la iniciativa."}), 409)
    # the quorum verification itself is written without quorum
    room = ok(api(ST, "PUT", f"{base}/items/{today.quorum_item}/notes", json={"notes": "Se verificó el quórum."}))
    assert item_of(room, today.quorum_item)["notes"] == "Se verificó el quórum."

    for username in IN_PERSON[3:]:
        ok(api(ST, "POST", f"{base}/attendance", json={"kind": "integrante", "member_id": today.members[username]}), 201)
    delegate = {
        "kind": "delegado",
        "member_id": today.members[DELEGATED],
        "name": "Pedro Delegado",
        "position": "Profesional universitario",
        "communication_filename": "delegacion.pdf",
        "communication_base64": b64(PDF),
    }
    room = ok(api(ST, "POST", f"{base}/attendance", json=delegate), 201)
    represented = attendee(room, member=DELEGATED)
    assert represented["kind"] == "delegado" and represented["name"] == "Pedro Delegado"
    assert represented["has_communication"] is True and represented["counts_for_quorum"] is True
    room = ok(api(ST, "POST", f"{base}/attendance", json={"kind": "invitado", "guest_id": today.guest_id}), 201)
    guest = attendee(room, kind="invitado")
    assert guest["name"] == "Ana Invitada" and guest["position"] == "MinTIC" and guest["counts_for_quorum"] is False
    assert len(room["attendance"]) == 7
    quorum = ok(api("control.interno", "GET", f"{base}/quorum"))
    assert quorum == {"voting_members": 9, "present_voting": 6, "required": 5, "has_quorum": True}
    listing = api("integrante1", "GET", f"{base}/attendance.pdf")
    assert listing.status_code == 200 and listing.mimetype == "application/pdf" and listing.data.startswith(b"%PDF")

    # The Salud initiative: deliberated, voted by the members and by the secretariat for the delegate.
    notes = "La Secretaría de Salud presentó la iniciativa; se discutió su costo y su alineación con el PETI."
    assert item_of(ok(api(ST, "PUT", f"{base}/items/{sal}/notes", json={"notes": notes})), sal)["notes"] == notes
    problem(api("integrante1", "POST", f"{base}/items/{sal}/voting"), 403)
    # the head of Salud (a seat of the committee here) is not in the room: voting needs the confirmation
    head = problem(api(ST, "POST", f"{base}/items/{sal}/voting"), 409)
    assert "debe asistir a la votación" in head["detail"]
    confirmed = item_of(ok(api(ST, "POST", f"{base}/items/{sal}/voting", json={"without_head": True})), sal)
    assert confirmed["voting_open"] is True and confirmed["head_absence_confirmed_at"] is not None
    problem(api(ST, "POST", f"{base}/items/{hac}/voting"), 409)  # one voting at a time
    for username in ("secretario", "integrante1", "integrante2"):
        ok(api(username, "POST", f"{base}/items/{sal}/votes", json={"choice": "a_favor"}))
    ok(api("seguridad", "POST", f"{base}/items/{sal}/votes", json={"choice": "en_contra"}))
    ok(api("integrante3", "POST", f"{base}/items/{sal}/votes", json={"choice": "abstencion"}))
    # the member represented by a delegate does not vote for itself; the secretariat records it
    problem(api(DELEGATED, "POST", f"{base}/items/{sal}/votes", json={"choice": "a_favor"}), 409)
    forbidden = problem(
        api(
            "integrante1",
            "POST",
            f"{base}/items/{sal}/votes",
            json={"choice": "en_contra", "member_id": today.members["seguridad"]},
        ),
        403,
    )
    assert "vota por sí mismo" in forbidden["detail"]
    room = ok(api(ST, "POST", f"{base}/items/{sal}/votes", json={"choice": "a_favor", "member_id": today.members[DELEGATED]}))
    votes = {v["member"]: (v["choice"], v["cast_by"]) for v in item_of(room, sal)["votes"]}
    assert votes[DELEGATED] == ("a_favor", ST) and votes["integrante1"] == ("a_favor", "integrante1")
    assert len(votes) == 6

    # Two members step out: the quorum is lost and a vote is refused; they come back.
    left = [attendee(room, member=name)["id"] for name in ("integrante2", "integrante3")]
    for attendance_id in left:
        room = ok(api(ST, "POST", f"{base}/attendance/{attendance_id}/departure"))
    assert room["quorum"]["present_voting"] == 4 and room["quorum"]["has_quorum"] is False
    refused = problem(api("secretario", "POST", f"{base}/items/{sal}/votes", json={"choice": "en_contra"}), 409)
    assert refused["detail"].startswith("No hay quórum para votar") and refused["title"]
    problem(api(ST, "POST", f"{base}/attendance/{left[0]}/departure"), 409)
    for attendance_id in left:
        room = ok(api(ST, "POST", f"{base}/attendance/{attendance_id}/return"))
    assert room["quorum"]["has_quorum"] is True

    room = ok(api(ST, "POST", f"{base}/items/{sal}/voting/close"))
    decision = item_of(room, sal)["decision"]
    assert decision["outcome"] == "aprobada" and decision["final_outcome"] == "aprobada"
    assert (decision["votes_for"], decision["votes_against"], decision["abstentions"], decision["present_voting"]) == (4, 1, 1, 6)
    assert item_of(room, sal)["voting_open"] is False
    assert ok(api(ST, "GET", f"/api/v1/initiatives/{today.initiatives['SAL']}"))["state"] == "aprobada"
    problem(api("integrante1", "POST", f"{base}/items/{sal}/votes", json={"choice": "en_contra"}), 409)

    # Hacienda: a tie, broken by the chair alone.
    ok(api(ST, "POST", f"{base}/items/{hac}/voting", json={"without_head": True}))
    for username, choice in (
        ("secretario", "a_favor"),
        ("integrante1", "a_favor"),
        ("integrante2", "en_contra"),
        ("seguridad", "en_contra"),
        ("integrante3", "abstencion"),
    ):
        ok(api(username, "POST", f"{base}/items/{hac}/votes", json={"choice": choice}))
    ok(api(ST, "POST", f"{base}/items/{hac}/votes", json={"choice": "abstencion", "member_id": today.members[DELEGATED]}))
    decision = item_of(ok(api(ST, "POST", f"{base}/items/{hac}/voting/close")), hac)["decision"]
    assert decision["outcome"] == "empate" and decision["casting_decision"] is None
    assert ok(api(ST, "GET", f"/api/v1/initiatives/{today.initiatives['HAC']}"))["state"] == "en_agenda"
    problem(api(ST, "POST", f"{base}/close"), 409)  # the tie awaits the chair
    casting = {"decision": "rechazada", "note": "No hay presupuesto en la vigencia."}
    problem(api("integrante1", "POST", f"{base}/items/{hac}/casting-decision", json=casting), 403)
    problem(api(ST, "POST", f"{base}/items/{hac}/casting-decision", json=casting), 403)
    problem(api("secretario", "POST", f"{base}/items/{sal}/casting-decision", json=casting), 409)
    decision = item_of(ok(api("secretario", "POST", f"{base}/items/{hac}/casting-decision", json=casting)), hac)["decision"]
    assert decision["casting_decision"] == "rechazada" and decision["final_outcome"] == "rechazada"
    assert decision["casting_by"] == "secretario" and decision["casting_note"] == casting["note"]
    assert ok(api(ST, "GET", f"/api/v1/initiatives/{today.initiatives['HAC']}"))["state"] == "rechazada"
    problem(api("secretario", "POST", f"{base}/items/{hac}/casting-decision", json=casting), 409)

    # Commitments: one made here, the overdue one from March followed up at this session.
    due = local_date(utcnow()) + timedelta(days=30)
    body = {
        "description": "Presentar el cronograma de la historia clínica electrónica.",
        "responsible_name": "Secretaría de Salud",
        "responsible_id": None,
        "item_id": sal,
        "due_date": due.isoformat(),
    }
    problem(api("control.interno", "POST", f"{base}/commitments", json=body), 403)
    made = ok(api(ST, "POST", f"{base}/commitments", json=body), 201)
    assert made["state"] == "pendiente" and made["is_overdue"] is False and made["due_date"] == due.isoformat()
    assert made["session_id"] == sid and made["item_id"] == sal
    listed = ok(api("control.interno", "GET", f"{ROOM}/commitments"))
    assert {c["id"] for c in listed} == {made["id"], old_commitment}
    overdue = ok(api("control.interno", "GET", f"{ROOM}/commitments?overdue=true"))
    assert [(c["id"], c["is_overdue"]) for c in overdue] == [(old_commitment, True)]
    followed = ok(
        api(
            ST,
            "POST",
            f"{ROOM}/commitments/{old_commitment}/follow-ups",
            json={"session_id": sid, "note": "Avance del 60 % informado por la Secretaría.", "state": "pendiente"},
        ),
        201,
    )
    assert followed["state"] == "pendiente"
    problem(api(ST, "POST", f"{ROOM}/commitments/{old_commitment}/close", json={"state": "pendiente", "note": "Sigue."}), 422)
    closed = ok(
        api(ST, "POST", f"{ROOM}/commitments/{old_commitment}/close", json={"state": "cumplido", "note": "Inventario entregado."})
    )
    assert closed["state"] == "cumplido" and closed["closing_note"] == "Inventario entregado." and closed["is_overdue"] is False
    assert ok(api("control.interno", "GET", f"{ROOM}/commitments?overdue=true")) == []

    # Closing the session generates the acta's draft.
    problem(api(ST, "GET", f"{base}/acta"), 404)
    room = ok(api(ST, "POST", f"{base}/close"))
    assert room["state"] == "realizada" and room["closed_at"] is not None
    acta = ok(api("integrante1", "GET", f"{base}/acta"))
    acta_id = acta["id"]
    assert acta["state"] == "borrador" and acta["current_version"] == 1 and acta["session_id"] == sid
    assert [(v["number"], v["kind"]) for v in acta["versions"]] == [(1, "borrador")]
    first = acta["versions"][0]["body"]
    assert any(i.get("notes") == notes for i in first["items"])
    assert first["commitments"][0]["description"] == body["description"]
    (send_deadline,) = acta["deadlines"]
    assert send_deadline["kind"] == "envio_acta" and send_deadline["business_days"] == 5 and send_deadline["closed_at"] is None
    problem(api(ST, "POST", f"{base}/items/{sal}/voting"), 409)  # the session is over

    # Edit: version 2, version 1 kept as it was.
    position = next(i["position"] for i in first["items"] if i.get("notes") == notes)
    text = {
        "introduction": "Introducción revisada por la secretaría técnica.",
        "closing": "Se levantó la sesión.",
        "item_notes": {str(position): "Deliberación ajustada."},
        "note": "Ajustes de redacción",
    }
    problem(api("integrante1", "POST", f"{ROOM}/actas/{acta_id}/versions", json=text), 403)
    acta = ok(api(ST, "POST", f"{ROOM}/actas/{acta_id}/versions", json=text), 201)
    assert acta["current_version"] == 2 and [v["number"] for v in acta["versions"]] == [1, 2]
    v1, v2 = acta["versions"]
    assert v1["body"] == first and v2["note"] == "Ajustes de redacción" and v2["created_by"] == ST
    assert v2["body"]["introduction"] == text["introduction"]
    assert next(i for i in v2["body"]["items"] if i["position"] == position)["notes"] == "Deliberación ajustada."
    problem(api(ST, "POST", f"{ROOM}/actas/{acta_id}/versions", json=text), 422)  # nothing changes

    # Send, a member approves, another observes, the final version, signatures.
    acta = ok(api(ST, "POST", f"{ROOM}/actas/{acta_id}/send"))
    assert acta["state"] == "enviada" and acta["sent_at"] is not None
    deadlines = {d["kind"]: d for d in acta["deadlines"]}
    assert deadlines["envio_acta"]["outcome"] == "cumplido" and deadlines["observaciones"]["closed_at"] is None
    problem(api(ST, "POST", f"{ROOM}/actas/{acta_id}/send"), 409)
    problem(api(ST, "POST", f"{ROOM}/actas/{acta_id}/responses", json={"kind": "aprobacion"}), 403)
    acta = ok(api("seguridad", "POST", f"{ROOM}/actas/{acta_id}/responses", json={"kind": "aprobacion"}), 201)
    assert acta["state"] == "enviada"
    problem(api("integrante1", "POST", f"{ROOM}/actas/{acta_id}/responses", json={"kind": "observaciones", "text": "No"}), 422)
    observation = "En el punto 4 falta el costo total discutido."
    acta = ok(
        api("integrante1", "POST", f"{ROOM}/actas/{acta_id}/responses", json={"kind": "observaciones", "text": observation}),
        201,
    )
    assert acta["state"] == "con_observaciones"
    assert [(r["member"], r["kind"], r["version_number"]) for r in acta["responses"]] == [
        ("seguridad", "aprobacion", 2),
        ("integrante1", "observaciones", 2),
    ]
    assert acta["responses"][1]["text"] == observation
    assert "version_definitiva" in {d["kind"] for d in acta["deadlines"]}
    problem(api("secretario", "POST", f"{ROOM}/actas/{acta_id}/signatures"), 409)  # not approved yet
    final = text | {"introduction": "Introducción definitiva.", "note": "Versión definitiva con el costo total."}
    acta = ok(api(ST, "POST", f"{ROOM}/actas/{acta_id}/final", json=final))
    assert acta["state"] == "aprobada" and acta["approval"] == "version_definitiva" and acta["approved_at"] is not None
    assert [(v["number"], v["kind"]) for v in acta["versions"]] == [(1, "borrador"), (2, "borrador"), (3, "aprobada")]
    assert acta["versions"][2]["approval"]["kind"] == "version_definitiva"
    problem(api("integrante5", "POST", f"{ROOM}/actas/{acta_id}/signatures"), 403)  # did not attend
    # the delegate of integrante4 came without an account: integrante4 signs in that seat
    for username in (*IN_PERSON, DELEGATED, ST):
        acta = ok(api(username, "POST", f"{ROOM}/actas/{acta_id}/signatures"), 201)
    assert acta["state"] == "suscrita" and acta["signed_at"] is not None
    assert {s["member"] for s in acta["signatures"]} == {*IN_PERSON, DELEGATED, ST}
    assert {s["version_number"] for s in acta["signatures"]} == {3}
    assert {s["version_sha256"] for s in acta["signatures"]} == {acta["versions"][2]["sha256"]}
    problem(api("secretario", "POST", f"{ROOM}/actas/{acta_id}/signatures"), 409)
    assert ok(api("control.interno", "GET", f"{ROOM}/actas/{acta_id}")) == acta

    # Each version as PDF and DOCX.
    for number in (1, 3):
        pdf = api("integrante2", "GET", f"{ROOM}/actas/{acta_id}/versions/{number}.pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
        docx = api("control.interno", "GET", f"{ROOM}/actas/{acta_id}/versions/{number}.docx")
        assert docx.status_code == 200 and docx.data.startswith(b"PK")
        assert docx.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    problem(api(ST, "GET", f"{ROOM}/actas/{acta_id}/versions/4.pdf"), 404)
    problem(api("enlace.salud", "GET", f"{ROOM}/actas/{acta_id}/versions/1.pdf"), 403)

    # The report to the mayor of this four-month period has the session and its decisions.
    period = period_of(local_date(utcnow()))
    query = f"{ROOM}/reports/mayor?year={period.year}&period={period.number}"
    report = ok(api("control.interno", "GET", query))
    assert report["period"]["key"] == period.key
    (held,) = [s for s in report["sessions"] if s["id"] == sid]
    assert held["has_quorum"] is True and held["voting_members"] == 9 and held["guests"] == 1
    outcomes = {d["initiative_code"]: d["final_outcome"] for d in report["decisions"] if d["initiative_code"]}
    assert outcomes == {today.codes["SAL"]: "aprobada", today.codes["HAC"]: "rechazada"}
    pdf = api("secretario", "GET", f"{query}&format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    xlsx = api(ST, "GET", f"{query}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(BytesIO(xlsx.data)).sheetnames
    problem(api("integrante1", "GET", query), 403)
    assert "period" in problem(api(ST, "GET", f"{ROOM}/reports/mayor?year={period.year}&period=4"), 400)["errors"]
    assert "format" in problem(api(ST, "GET", f"{query}&format=csv"), 400)["errors"]


# ---------------------------------------------------------------- errors


def test_errors_are_problem_json_with_the_right_status(app: Flask, api: Api) -> None:
    today = session_today(app, initiatives=("SAL",))
    sid = today.session_id
    base = f"{ROOM}/sessions/{sid}"
    sal = today.items["SAL"]

    # 401 without a token, 403 for a role outside the committee or the wrong committee role
    assert problem(api(None, "GET", f"{base}/room"), 401)["detail"]
    problem(api(None, "POST", f"{base}/open"), 401)
    problem(api("enlace.salud", "GET", f"{base}/room"), 403)
    problem(api("control.interno", "POST", f"{base}/open"), 403)
    problem(api("integrante1", "POST", f"{base}/attendance", json={"kind": "integrante", "member_id": 1}), 403)

    # 404 for unknown ids
    problem(api(ST, "GET", f"{ROOM}/sessions/999999/room"), 404)
    problem(api(ST, "GET", f"{ROOM}/sessions/999999/quorum"), 404)
    problem(api(ST, "POST", f"{ROOM}/sessions/999999/open"), 404)
    problem(api(ST, "GET", f"{ROOM}/sessions/999999/attendance.pdf"), 404)
    problem(api(ST, "PUT", f"{base}/items/999999/notes", json={"notes": "Algo."}), 404)
    problem(api(ST, "POST", f"{base}/items/999999/voting"), 404)
    problem(api(ST, "GET", f"{ROOM}/actas/999999"), 404)
    problem(api(ST, "GET", f"{ROOM}/actas/999999/versions/1.pdf"), 404)
    problem(api(ST, "POST", f"{ROOM}/commitments/999999/close", json={"state": "cumplido", "note": "Hecho y entregado."}), 404)
    with app.app_context():
        other_session = make_session(day=local_date(utcnow()) + timedelta(days=20), now=utcnow())
    # an item of another session is not found under this one
    problem(api(ST, "POST", f"{ROOM}/sessions/{other_session}/items/{sal}/voting"), 404)

    # 409: not installed yet
    wrong = problem(
        api(ST, "POST", f"{base}/attendance", json={"kind": "integrante", "member_id": today.members["integrante1"]}), 409
    )
    assert "no se puede registrar asistencia" in wrong["detail"]
    problem(api(ST, "POST", f"{base}/close"), 409)
    problem(api(ST, "POST", f"{ROOM}/sessions/{other_session}/open"), 409)  # programmed, never convened
    ok(api(ST, "POST", f"{base}/open"))

    # 400: fields the schema refuses, with the field named
    delegate = {
        "kind": "delegado",
        "member_id": today.members["integrante4"],
        "name": "Pedro Delegado",
        "position": "Profesional universitario",
        "communication_filename": "delegacion.pdf",
    }
    bad = problem(api(ST, "POST", f"{base}/attendance", json=delegate | {"communication_base64": "%%% no es base64 %%%"}), 400)
    assert "communication_base64" in bad["errors"]
    alone = problem(
        api(ST, "POST", f"{base}/attendance", json=delegate | {"communication_filename": None, "communication_base64": b64(PDF)}),
        400,
    )
    assert "communication_base64" in alone["errors"]
    assert "kind" in problem(api(ST, "POST", f"{base}/attendance", json={"kind": "visitante"}), 400)["errors"]
    assert "kind" in problem(api(ST, "POST", f"{base}/attendance", json={}), 400)["errors"]
    assert "notes" in problem(api(ST, "PUT", f"{base}/items/{sal}/notes", json={}), 400)["errors"]
    assert (
        "decision"
        in problem(api("secretario", "POST", f"{base}/items/{sal}/casting-decision", json={"decision": "empate"}), 400)["errors"]
    )
    assert "overdue" in problem(api(ST, "GET", f"{ROOM}/commitments?overdue=quizas"), 400)["errors"]
    assert "due_date" in problem(api(ST, "POST", f"{base}/commitments", json={"description": "x"}), 400)["errors"]

    # 422: rules the services check
    not_pdf = problem(
        api(ST, "POST", f"{base}/attendance", json=delegate | {"communication_base64": b64(b"hola, soy texto")}), 422
    )
    assert "communication" in not_pdf["errors"]
    no_communication = problem(
        api(ST, "POST", f"{base}/attendance", json={k: v for k, v in delegate.items() if k != "communication_filename"}), 422
    )
    assert "communication" in no_communication["errors"]
    huge = delegate | {"communication_base64": b64(PDF + b"0" * (8 * 1024 * 1024))}
    assert problem(api(ST, "POST", f"{base}/attendance", json=huge), 413)["detail"]
    nameless = problem(api(ST, "POST", f"{base}/attendance", json={"kind": "invitado"}), 422)
    assert "name" in nameless["errors"]
    past = (local_date(utcnow()) - timedelta(days=1)).isoformat()
    late = problem(
        api(
            ST,
            "POST",
            f"{base}/commitments",
            json={"description": "Un compromiso ya vencido.", "responsible_name": "Alguien", "due_date": past},
        ),
        422,
    )
    assert "due_date" in late["errors"]

    # 400 for a vote choice outside the enum, once the voting is open
    for username in ("secretario", "integrante1", "integrante2", "seguridad", "integrante3"):
        ok(api(ST, "POST", f"{base}/attendance", json={"kind": "integrante", "member_id": today.members[username]}), 201)
    ok(api(ST, "POST", f"{base}/items/{sal}/voting", json={"without_head": True}))
    assert "choice" in problem(api("integrante1", "POST", f"{base}/items/{sal}/votes", json={"choice": "si"}), 400)["errors"]
    # a member who did not come may not vote; a non-voting member neither
    problem(api("integrante5", "POST", f"{base}/items/{sal}/votes", json={"choice": "a_favor"}), 409)
    problem(api("control.interno", "POST", f"{base}/items/{sal}/votes", json={"choice": "a_favor"}), 403)


def test_the_openapi_document_lists_the_room_paths(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path, method in (
        ("/api/v1/committee/sessions/{session_id}/room", "get"),
        ("/api/v1/committee/sessions/{session_id}/quorum", "get"),
        ("/api/v1/committee/sessions/{session_id}/open", "post"),
        ("/api/v1/committee/sessions/{session_id}/close", "post"),
        ("/api/v1/committee/sessions/{session_id}/attendance", "post"),
        ("/api/v1/committee/sessions/{session_id}/attendance/{attendance_id}/departure", "post"),
        ("/api/v1/committee/sessions/{session_id}/attendance/{attendance_id}/return", "post"),
        ("/api/v1/committee/sessions/{session_id}/attendance.pdf", "get"),
        ("/api/v1/committee/sessions/{session_id}/items/{item_id}/notes", "put"),
        ("/api/v1/committee/sessions/{session_id}/items/{item_id}/voting", "post"),
        ("/api/v1/committee/sessions/{session_id}/items/{item_id}/votes", "post"),
        ("/api/v1/committee/sessions/{session_id}/items/{item_id}/voting/close", "post"),
        ("/api/v1/committee/sessions/{session_id}/items/{item_id}/casting-decision", "post"),
        ("/api/v1/committee/sessions/{session_id}/commitments", "post"),
        ("/api/v1/committee/commitments", "get"),
        ("/api/v1/committee/commitments/{commitment_id}/follow-ups", "post"),
        ("/api/v1/committee/commitments/{commitment_id}/close", "post"),
        ("/api/v1/committee/sessions/{session_id}/acta", "get"),
        ("/api/v1/committee/actas/{acta_id}", "get"),
        ("/api/v1/committee/actas/{acta_id}/versions", "post"),
        ("/api/v1/committee/actas/{acta_id}/send", "post"),
        ("/api/v1/committee/actas/{acta_id}/responses", "post"),
        ("/api/v1/committee/actas/{acta_id}/final", "post"),
        ("/api/v1/committee/actas/{acta_id}/signatures", "post"),
        ("/api/v1/committee/reports/mayor", "get"),
    ):
        assert method in paths.get(path, {}), path
    assert any(p.startswith("/api/v1/committee/actas/{acta_id}/versions/{number}") for p in paths)
    attendance = paths["/api/v1/committee/sessions/{session_id}/attendance"]["post"]
    schema = attendance["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert schema["properties"]["communication_base64"]["format"] == "byte"
    assert schema["properties"]["kind"]["enum"] == ["integrante", "delegado", "invitado", "jefe"]


def test_the_draft_acta_names_the_profile_committee(app: Flask, api: Api) -> None:
    today = session_today(app, initiatives=("SAL",))
    base = f"{ROOM}/sessions/{today.session_id}"
    ok(api(ST, "POST", f"{base}/open"))
    ok(api(ST, "POST", f"{base}/close"))
    body = ok(api(ST, "GET", f"{base}/acta"))["versions"][0]["body"]
    assert body["committee"] == "Comité TIC Departamental"
    assert "se reunió el Comité TIC Departamental" in body["introduction"]
