"""The session in the room on the web (SPEC §6, §8): who sees which forms, CSRF, the secretariat's
happy path through the forms, members voting from their own devices, refused actions, the live
JSON, the commitments list, the acta page, the report to the mayor, and the room's query count.

The pages run on the real clock: sessions are "today", convened twelve days earlier
(``session_today`` of ``test_room_api``); services called here use ``utcnow()`` too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import BytesIO
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event

from catalog.models import Initiative, InitiativeState
from committee.actas import services as actas
from committee.actas.models import ActaState, CommitteeActa
from committee.commitments import services as commitments
from committee.room import services as meeting
from committee.room.models import AttendanceKind, VoteChoice
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import CSRF_RE, login
from tests.unit.catalog.factories import user
from tests.unit.committee import acta_factories
from tests.unit.committee.meeting_factories import PDF, attend, committee_session, item, member_id
from tests.unit.committee.test_room_api import ST, Today, overdue_commitment, session_today

IN_PERSON = ("secretario", "integrante1", "integrante2", "seguridad", "integrante3")


class Browser:
    """A logged-in test client that keeps its CSRF token (one per login session)."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client: FlaskClient = app.test_client()
        response = login(self.client, username)
        assert response.status_code == 302, username
        match = CSRF_RE.search(self.client.get("/").get_data(as_text=True))
        assert match, "no CSRF token on the dashboard"
        self.token = match.group(1) or match.group(2)

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def post(self, path: str, data: dict[str, Any] | None = None, *, back_to: str | None = None, **kwargs: Any) -> Any:
        headers = {"Referer": f"http://localhost{back_to}"} if back_to else {}
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, headers=headers, **kwargs)


def text(html: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").replace(" :", ":")


def post_actions(html: str) -> list[str]:
    """Where the page's POST forms go (the logout form of the top bar left out)."""
    actions = re.findall(r'<form method="post" action="([^"]+)"', html)
    return [a for a in actions if not a.endswith("/salir")]


def running(app: Flask, present: tuple[str, ...] = IN_PERSON, initiatives: tuple[str, ...] = ("SAL",)) -> Today:
    """A session today, installed now, with ``present`` in person."""
    today = session_today(app, initiatives)
    with app.app_context():
        meeting.open_session(db.session, committee_session(today.session_id), actor=user(ST), now=utcnow())
        db.session.commit()
        for username in present:
            attend(today.session_id, username, now=utcnow())
    return today


def open_and_vote(app: Flask, item_id: int, votes: dict[str, VoteChoice]) -> None:
    with app.app_context():
        meeting.open_voting(db.session, item(item_id), actor=user(ST), now=utcnow(), without_head=True)
        db.session.commit()
        for username, choice in votes.items():
            meeting.cast_vote(db.session, item(item_id), actor=user(username), choice=choice, now=utcnow())
            db.session.commit()


def room_url(session_id: int) -> str:
    return f"/comite/sesiones/{session_id}/sala"


# ---------------------------------------------------------------- who sees what


def test_the_room_renders_for_the_secretariat_a_member_and_control_interno(app: Flask) -> None:
    today = running(app)
    sal = today.items["SAL"]
    open_and_vote(app, sal, {"integrante1": VoteChoice.A_FAVOR})
    url = room_url(today.session_id)

    st = Browser(app, ST).page(url)
    assert 'data-session-state="en_curso"' in st and 'data-quorum="si"' in st
    assert "Hay quórum: 5 de 9 integrantes con voto presentes; se requieren 5." in text(st)
    actions = post_actions(st)
    base = f"/comite/sesiones/{today.session_id}"
    for expected in (
        f"{base}/cerrar",
        f"{base}/asistencia/integrantes",
        f"{base}/asistencia/delegados",
        f"{base}/asistencia/invitados",
        f"{base}/puntos/{sal}/deliberacion",
        f"{base}/puntos/{sal}/votos",
        f"{base}/puntos/{sal}/votacion/cerrar",
        f"{base}/compromisos",
    ):
        assert expected in actions, expected
    assert 'data-absent-member="integrante4"' in st and 'data-voter="integrante1"' in st

    member = Browser(app, "integrante2").page(url)
    assert 'data-quorum="si"' in member and 'data-attendee="integrante1"' in member
    assert "data-my-vote" in member and post_actions(member) == [f"{base}/puntos/{sal}/votos"]
    assert "Registrar votos dados en voz alta" not in member and "Cerrar la sesión" not in member

    control = Browser(app, "control.interno").page(url)
    assert 'data-quorum="si"' in control and 'data-attendee="secretario"' in control
    assert 'data-count="a_favor"' in control
    assert post_actions(control) == []
    assert "data-my-vote" not in control and "data-absent-member" not in control

    assert Browser(app, "enlace.salud").get(url).status_code == 403
    assert Browser(app, ST).get(room_url(999999)).status_code == 404


def test_posts_without_the_csrf_token_are_refused(app: Flask) -> None:
    today = session_today(app, ("SAL",))
    st = Browser(app, ST)
    base = f"/comite/sesiones/{today.session_id}"
    refused = st.client.post(f"{base}/instalar", data={})
    assert refused.status_code == 400
    assert "El formulario expiró" in refused.get_data(as_text=True)
    refused = st.client.post(f"{base}/instalar", data={"csrf_token": "no-es-un-token"})
    assert refused.status_code == 400
    assert 'data-session-state="convocada"' in st.page(room_url(today.session_id))
    assert st.post(f"{base}/instalar").status_code == 303
    member = Browser(app, "integrante1")
    assert member.client.post(f"{base}/puntos/{today.items['SAL']}/votos", data={"choice": "a_favor"}).status_code == 400


# ---------------------------------------------------------------- the happy path through the forms


def test_the_secretariat_runs_the_session_and_members_vote_through_the_forms(app: Flask) -> None:
    today = session_today(app, ("SAL",))
    sid, sal = today.session_id, today.items["SAL"]
    url = room_url(sid)
    base = f"/comite/sesiones/{sid}"
    st = Browser(app, ST)
    assert 'data-quorum="no"' in st.page(url)

    installed = st.post(f"{base}/instalar")
    assert installed.status_code == 303 and installed.headers["Location"].endswith(url)
    page = st.page(url)
    assert "Sesión instalada." in page and 'data-session-state="en_curso"' in page

    for username in IN_PERSON[:4]:
        assert st.post(f"{base}/asistencia/integrantes", {"member_id": today.members[username]}).status_code == 303
    page = st.page(url)
    assert 'data-quorum="no"' in page and "No hay quórum: 4 de 9 integrantes con voto presentes" in text(page)
    refused = st.post(f"{base}/puntos/{sal}/deliberacion", {"notes": "Sin quórum."}, back_to=url)
    assert refused.status_code == 303
    assert "No hay quórum para deliberar" in st.page(url)

    assert st.post(f"{base}/asistencia/integrantes", {"member_id": today.members["integrante3"]}).status_code == 303
    delegate = {"member_id": today.members["integrante4"], "name": "Pedro Delegado", "position": "Profesional universitario"}
    sent = st.post(
        f"{base}/asistencia/delegados",
        delegate | {"communication": (BytesIO(PDF), "delegacion.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    assert st.post(f"{base}/asistencia/invitados", {"guest_id": today.guest_id}).status_code == 303
    page = st.page(url)
    assert 'data-quorum="si"' in page
    assert "Hay quórum: 6 de 9 integrantes con voto presentes; se requieren 5." in text(page)
    assert 'data-attendee="Pedro Delegado" data-kind="delegado"' in page
    assert 'data-attendee="Ana Invitada" data-kind="invitado"' in page

    notes = "La Secretaría de Salud presentó la iniciativa; se discutió su costo y su alineación con el PETI."
    assert st.post(f"{base}/puntos/{sal}/deliberacion", {"notes": notes}).status_code == 303
    page = st.page(url)
    assert "Deliberación guardada." in page and notes in page
    # the head of Salud is not in the room: the form asks for the confirmation, and the flash says why
    page = st.page(url)
    assert "Confirmo que se vota sin la presencia del jefe de Secretaría de Salud" in page
    assert st.post(f"{base}/puntos/{sal}/votacion/abrir", back_to=url).status_code == 303
    assert "debe asistir a la votación" in st.page(url)
    assert st.post(f"{base}/puntos/{sal}/votacion/abrir", {"without_head": "y"}).status_code == 303
    assert "Votación abierta." in st.page(url)

    for username in ("integrante1", "integrante2", "secretario"):
        voter = Browser(app, username)
        assert "data-my-vote" in voter.page(url)
        assert voter.post(f"{base}/puntos/{sal}/votos", {"choice": "a_favor"}).status_code == 303
        page = voter.page(url)
        assert "Voto registrado." in page and "(registrado: A favor)" in page
    # the secretariat records the votes given aloud: a member present and the delegate's
    assert (
        st.post(f"{base}/puntos/{sal}/votos", {"choice": "en_contra", "member_id": today.members["seguridad"]}).status_code == 303
    )
    assert (
        st.post(f"{base}/puntos/{sal}/votos", {"choice": "a_favor", "member_id": today.members["integrante4"]}).status_code == 303
    )
    page = st.page(url)
    assert re.search(r'data-count="a_favor">A favor: <span[^>]*>4<', page)
    assert re.search(r'data-count="en_contra">En contra: <span[^>]*>1<', page)

    assert st.post(f"{base}/puntos/{sal}/votacion/cerrar").status_code == 303
    page = st.page(url)
    assert 'data-outcome="aprobada"' in page
    assert "a favor 4, en contra 1, abstenciones 0, sin voto 1" in text(page)
    with app.app_context():
        assert db.session.get(Initiative, today.initiatives["SAL"]).state is InitiativeState.APROBADA  # type: ignore[union-attr]

    due = local_date(utcnow()) + timedelta(days=30)
    commitment = {
        "description": "Presentar el cronograma de la historia clínica electrónica.",
        "responsible_name": "Secretaría de Salud",
        "responsible_id": 0,
        "item_id": sal,
        "due_date": due.isoformat(),
    }
    assert st.post(f"{base}/compromisos", commitment).status_code == 303
    page = st.page(url)
    assert "Compromiso registrado." in page and str(commitment["description"]) in page

    assert st.post(f"{base}/cerrar").status_code == 303
    page = st.page(url)
    assert "Sesión cerrada." in page and 'data-session-state="realizada"' in page and "data-acta-link" in page
    assert "data-my-vote" not in page and f"{base}/asistencia/integrantes" not in page
    listing = st.get(f"{base}/asistencia.pdf")
    assert listing.status_code == 200 and listing.mimetype == "application/pdf" and listing.data.startswith(b"%PDF")
    assert "attachment" in listing.headers["Content-Disposition"]


def test_a_refused_action_comes_back_with_the_reason_in_spanish(app: Flask) -> None:
    today = running(app, present=IN_PERSON[:2])
    sid, sal = today.session_id, today.items["SAL"]
    url = room_url(sid)
    base = f"/comite/sesiones/{sid}"
    st = Browser(app, ST)

    again = st.post(f"{base}/instalar", back_to=url)
    assert again.status_code == 303 and again.headers["Location"] == url
    assert "solo se instala una sesión convocada" in st.page(url)
    refused = st.post(f"{base}/puntos/{sal}/votacion/abrir", back_to=url)
    assert refused.status_code == 303
    assert "No hay quórum para votar: hay 2 de 9 integrantes con voto y se necesitan 5." in st.page(url)
    member = Browser(app, "integrante1")
    assert member.post(f"{base}/puntos/{sal}/votos", {"choice": "a_favor"}, back_to=url).status_code == 303
    assert "no está abierta" in member.page(url)
    not_pdf = {"member_id": today.members["integrante4"], "name": "Pedro Delegado", "position": "Profesional"}
    sent = st.post(
        f"{base}/asistencia/delegados",
        not_pdf | {"communication": (BytesIO(b"hola, soy texto"), "delegacion.pdf")},
        content_type="multipart/form-data",
        back_to=url,
    )
    assert sent.status_code == 303
    assert "Revise los datos de la asistencia." in st.page(url)

    # the wrong person is refused with the Spanish 403 page
    forbidden = Browser(app, "control.interno").post(f"{base}/cerrar")
    assert forbidden.status_code == 403 and "Acceso denegado" in forbidden.get_data(as_text=True)
    forbidden = member.post(f"{base}/puntos/{sal}/dirimir", {"decision": "aprobada"})
    assert forbidden.status_code == 403
    assert member.post(f"/comite/sesiones/{sid}/puntos/999999/votos", {"choice": "a_favor"}).status_code == 404
    with app.app_context():
        assert committee_session(sid).state.value == "en_curso"


# ---------------------------------------------------------------- the live JSON


def test_the_live_json_gives_the_quorum_and_the_counts(app: Flask) -> None:
    today = running(app, initiatives=("SAL", "HAC"))
    sal, hac = today.items["SAL"], today.items["HAC"]
    open_and_vote(
        app, sal, {"integrante1": VoteChoice.A_FAVOR, "integrante2": VoteChoice.A_FAVOR, "seguridad": VoteChoice.ABSTENCION}
    )
    path = f"{room_url(today.session_id)}/estado.json"
    live = Browser(app, "control.interno").get(path)
    assert live.status_code == 200 and live.mimetype == "application/json"
    data = live.get_json()
    assert data["present_voting"] == 5 and data["has_quorum"] is True and data["quorum_text"] == "Hay quórum"
    assert (data[f"item-{sal}-a_favor"], data[f"item-{sal}-en_contra"], data[f"item-{sal}-abstencion"]) == (2, 0, 1)
    assert (data[f"item-{hac}-a_favor"], data[f"item-{hac}-en_contra"], data[f"item-{hac}-abstencion"]) == (0, 0, 0)

    # somebody leaves: the quorum goes and that member's vote is no longer counted
    with app.app_context():
        attendance = meeting.room_state(db.session, committee_session(today.session_id)).attendance
        leaving = next(a.id for a in attendance if a.member is not None and a.member.user.username == "integrante1")
        meeting.record_departure(db.session, committee_session(today.session_id), leaving, actor=user(ST), now=utcnow())
        db.session.commit()
    data = Browser(app, "integrante2").get(path).get_json()
    assert data["present_voting"] == 4 and data["has_quorum"] is False and data["quorum_text"] == "No hay quórum"
    assert data[f"item-{sal}-a_favor"] == 1
    assert Browser(app, "enlace.salud").get(path).status_code == 403
    assert app.test_client().get(path).status_code in (302, 401)


# ---------------------------------------------------------------- commitments


def test_the_commitments_list_filters_the_overdue_ones(app: Flask) -> None:
    old = overdue_commitment(app)
    today = running(app)
    with app.app_context():
        recent = commitments.add_commitment(
            db.session,
            committee_session(today.session_id),
            actor=user(ST),
            description="Presentar el cronograma de la historia clínica electrónica.",
            responsible_name="Secretaría de Salud",
            due_date=local_date(utcnow()) + timedelta(days=30),
            now=utcnow(),
        ).id
        db.session.commit()

    def listed(html: str) -> set[int]:
        return {int(i) for i in re.findall(r'data-commitment="(\d+)"', html)}

    control = Browser(app, "control.interno")
    every = control.page("/comite/compromisos")
    assert listed(every) == {old, recent}
    assert post_actions(every) == []
    overdue = control.page("/comite/compromisos?vencidos=1")
    assert listed(overdue) == {old} and "Compromisos vencidos" in overdue
    assert f'data-commitment="{old}" data-overdue="1"' in overdue

    st = Browser(app, ST)
    assert f"/comite/compromisos/{old}/cerrar" in post_actions(st.page("/comite/compromisos?vencidos=1"))
    closed = st.post(f"/comite/compromisos/{old}/cerrar", {"state": "cumplido", "note": "Inventario entregado."})
    assert closed.status_code == 303
    assert "Compromiso actualizado." in st.page("/comite/compromisos")
    assert listed(control.page("/comite/compromisos?vencidos=1")) == set()
    assert Browser(app, "enlace.salud").get("/comite/compromisos").status_code == 403
    assert control.post(f"/comite/compromisos/{recent}/cerrar", {"state": "cumplido", "note": "Hecho."}).status_code == 403


# ---------------------------------------------------------------- the acta


def test_the_acta_page_shows_deadlines_and_versions_and_its_downloads(app: Flask) -> None:
    with app.app_context():
        held = acta_factories.held_session()
        acta_id = acta_factories.close(held)
    url = f"/comite/actas/{acta_id}"
    st = Browser(app, ST)
    page = st.page(url)
    assert 'data-acta-state="borrador"' in page
    assert 'data-deadline="envio_acta"' in page and "5 días hábiles desde el 20/03/2026" in text(page)
    assert re.findall(r'data-version="(\d+)"', page) == ["1"]
    assert f"/comite/actas/{acta_id}/editar" in post_actions(page)

    edited = st.post(
        f"{url}/editar",
        {
            "introduction": "Introducción revisada por la secretaría técnica.",
            "closing": "Se levantó la sesión.",
            "note": "Redacción",
        },
    )
    assert edited.status_code == 303
    page = st.page(url)
    assert "Nueva versión del acta guardada." in page
    assert sorted(re.findall(r'data-version="(\d+)"', page)) == ["1", "2"]
    assert "Introducción revisada por la secretaría técnica." in page
    with app.app_context():
        page_data = actas.acta_page(db.session, acta_id)
        assert page_data is not None
        assert [v.number for v in page_data.versions] == [1, 2]
        assert page_data.versions[0].body["introduction"] != "Introducción revisada por la secretaría técnica."

    for number in (1, 2):
        pdf = st.get(f"{url}/versiones/{number}.pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
        assert f"-v{number}.pdf" in pdf.headers["Content-Disposition"]
        docx = st.get(f"{url}/versiones/{number}.docx")
        assert docx.status_code == 200 and docx.data.startswith(b"PK")
        assert docx.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert st.get(f"{url}/versiones/3.pdf").status_code == 404

    # sent today, months after the session: the sending deadline is met late, the observations' opens
    assert st.post(f"{url}/enviar").status_code == 303
    page = st.page(url)
    assert 'data-acta-state="enviada"' in page
    assert re.search(r'data-deadline="envio_acta" data-deadline-state="cumplido_tarde"', page)
    assert re.search(r'data-deadline="observaciones" data-deadline-state="abierto"', page)
    member = Browser(app, "integrante1")
    member_page = member.page(url)
    assert f"/comite/actas/{acta_id}/respuesta" in post_actions(member_page)
    answered = member.post(f"{url}/respuesta", {"kind": "observaciones", "text": "Falta el costo total discutido en el punto 4."})
    assert answered.status_code == 303
    page = member.page(url)
    assert 'data-acta-state="con_observaciones"' in page and 'data-response="observaciones"' in page
    assert 'data-deadline="version_definitiva"' in page
    control = Browser(app, "control.interno")
    assert 'data-download="pdf"' in control.page(url)
    # Control Interno holds a seat with voice and, like every integrante, answers and signs the
    # actas (seed Mesa §3, §4): its approval is recorded, observations already pending stand.
    assert control.post(f"{url}/respuesta", {"kind": "aprobacion"}).status_code == 303
    assert 'data-response="aprobacion"' in control.page(url)
    with app.app_context():
        assert db.session.get(CommitteeActa, acta_id).state is ActaState.CON_OBSERVACIONES  # type: ignore[union-attr]


def test_control_interno_answers_the_acta_as_a_seated_member(app: Flask) -> None:
    with app.app_context():
        acta_id = acta_factories.close(acta_factories.held_session())
        acta_factories.send(acta_id, utcnow())
    actions = post_actions(Browser(app, "control.interno").page(f"/comite/actas/{acta_id}"))
    assert actions == [f"/comite/actas/{acta_id}/respuesta"]


# ---------------------------------------------------------------- the report to the mayor


def test_the_mayor_report_page_and_its_downloads(app: Flask) -> None:
    with app.app_context():
        acta_factories.close(acta_factories.held_session())
    control = Browser(app, "control.interno")
    page = control.page("/comite/informe-alcalde?anio=2026&periodo=1")
    assert "Informe cuatrimestral al alcalde: enero–abril de 2026" in text(page)
    assert re.search(r'data-figure="sesiones">1<', page)
    assert "Política de copias de seguridad" in page
    current = control.page("/comite/informe-alcalde")
    assert 'data-figure="sesiones"' in current

    pdf = control.get("/comite/informe-alcalde?anio=2026&periodo=1&formato=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert 'filename="informe-alcalde-2026-1.pdf"' in pdf.headers["Content-Disposition"]
    xlsx = control.get("/comite/informe-alcalde?anio=2026&periodo=1&formato=xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(BytesIO(xlsx.data)).sheetnames
    assert control.get("/comite/informe-alcalde?anio=2026&periodo=1&formato=csv").status_code == 404
    assert control.get("/comite/informe-alcalde?anio=2026&periodo=7").status_code == 404
    assert Browser(app, "integrante1").get("/comite/informe-alcalde").status_code == 403


# ---------------------------------------------------------------- queries


@contextmanager
def counted_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def arrive(
    app: Flask, session_id: int, usernames: tuple[str, ...], *, delegate_for: str | None = None, guest: int | None = None
) -> None:
    with app.app_context():
        for username in usernames:
            attend(session_id, username, now=utcnow())
        if delegate_for is not None:
            meeting.record_attendance(
                db.session,
                committee_session(session_id),
                actor=user(ST),
                kind=AttendanceKind.DELEGADO,
                member_id=member_id(delegate_for),
                name="Pedro Delegado",
                position="Profesional universitario",
                communication=("delegacion.pdf", PDF),
                now=utcnow(),
            )
        if guest is not None:
            meeting.record_attendance(
                db.session,
                committee_session(session_id),
                actor=user(ST),
                kind=AttendanceKind.INVITADO,
                guest_id=guest,
                now=utcnow(),
            )
        db.session.commit()


def vote_as(app: Flask, item_id: int, votes: dict[str, VoteChoice]) -> None:
    with app.app_context():
        for username, choice in votes.items():
            meeting.cast_vote(
                db.session, item(item_id), actor=user(ST), choice=choice, member_id=member_id(username), now=utcnow()
            )
            db.session.commit()


def test_the_room_page_reads_a_bounded_number_of_queries(app: Flask) -> None:
    """Five members, a delegate and a guest, then ten people in the room: the same queries."""
    few = ("secretario", "integrante1", "integrante2", "seguridad", "integrante3")
    today = running(app, present=few, initiatives=("SAL", "HAC"))
    sal, hac = today.items["SAL"], today.items["HAC"]
    arrive(app, today.session_id, (), delegate_for="integrante4", guest=today.guest_id)
    open_and_vote(app, sal, dict.fromkeys(few, VoteChoice.A_FAVOR))
    with app.app_context():
        meeting.close_voting(db.session, item(sal), actor=user(ST), now=utcnow())
        db.session.commit()
    open_and_vote(app, hac, {"integrante1": VoteChoice.EN_CONTRA, "secretario": VoteChoice.A_FAVOR})
    vote_as(app, hac, {"integrante4": VoteChoice.ABSTENCION})
    url = room_url(today.session_id)
    browsers = (Browser(app, ST), Browser(app, "integrante2"), Browser(app, "control.interno"))

    def queries() -> list[int]:
        counts = []
        for browser in browsers:
            browser.page(url)  # flashes and first-visit work out of the way
            with counted_queries(app) as statements:
                browser.page(url)
            counts.append(len(statements))
        return counts

    small = queries()
    more = ("integrante5", "jefe.salud", "jefe.hacienda", "control.interno")
    arrive(app, today.session_id, more)
    vote_as(
        app, hac, {"integrante5": VoteChoice.A_FAVOR, "jefe.salud": VoteChoice.EN_CONTRA, "jefe.hacienda": VoteChoice.A_FAVOR}
    )
    with app.app_context():
        assert len(meeting.room_state(db.session, committee_session(today.session_id)).attendance) == 11
    large = queries()
    assert large == small, (small, large)
    assert max(small) <= 40, small
