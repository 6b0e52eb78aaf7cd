"""The acta as PDF and DOCX from a hand-written ``ActaBody``, and the listado de asistencia of a session."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import docx
import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import event, select

from committee.actas.content import ActaBody, AttendeeEntry
from committee.documents import document_code, local_time, render_acta_docx, render_acta_pdf, render_attendance_pdf
from committee.models import CommitteeDocument, CommitteeMember, CommitteeSession, SessionState
from committee.room.models import AttendanceKind, SessionAttendance
from config.profiles import CARTAGENA, VALLE
from portal.clock import BOGOTA
from portal.extensions import db
from tests.unit.catalog.factories import make_session, user


def bogota(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BOGOTA)


def utc_iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat()


def attendee(name: str, position: str, minute: int, *, kind: str = "integrante", represents: str | None = None) -> AttendeeEntry:
    return {
        "kind": kind,
        "name": name,
        "position": position,
        "represents": represents,
        "is_voting": kind != "invitado",
        "arrived_at": utc_iso(bogota(3, 20, 9, minute)),
        "left_at": None,
    }


ATTENDEES: list[AttendeeEntry] = [
    attendee("Carlos Andrés Mejía Rojas", "Secretario de las TIC (preside; voto dirimente)", 2),
    attendee("Luisa Fernanda Ocampo", "Gestora de infraestructura de la Secretaría de las TIC", 3),
    attendee("Jorge Iván Cárdenas", "Gestor de sistemas de información de la Secretaría de las TIC", 5),
    attendee("Natalia Restrepo Gil", "Profesional de seguridad de la información", 7),
    attendee(
        "Óscar Muñoz Valencia",
        "Profesional universitario de la Secretaría de Educación",
        11,
        kind="delegado",
        represents="María Eugenia Duque, Enlace TIC de la Secretaría de Educación",
    ),
    attendee("Diana Patricia Lozano", "Universidad del Valle", 14, kind="invitado"),
]


def make_body(attendees: list[AttendeeEntry] | None = None) -> ActaBody:
    return {
        "title": "Acta n.º 2 de 2026",
        "committee": "Comité TIC Departamental",
        "session_label": "Sesión ordinaria N.º 2 de 2026",
        "kind": "ordinaria",
        "date": "2026-03-20",
        "opened_at": utc_iso(bogota(3, 20, 9, 15)),
        "closed_at": utc_iso(bogota(3, 20, 11, 40)),
        "place": "Sala de juntas, piso 7, Palacio de San Francisco",
        "quorum": {"voting_members": 7, "present_voting": 5, "has_quorum": True},
        "attendees": ATTENDEES if attendees is None else attendees,
        "absent": [
            {
                "name": "Ricardo Salazar",
                "position": "Enlace TIC del Departamento Administrativo de Planeación",
                "is_voting": True,
            },
            {"name": "Paola Andrea Vélez", "position": "Enlace TIC de la Secretaría de Gobierno", "is_voting": True},
        ],
        "introduction": "Siendo las 9:15 a. m. del 20 de marzo de 2026 se instala la sesión con quórum para deliberar y decidir.",
        "items": [
            {
                "position": 1,
                "kind": "verificacion_quorum",
                "title": "Verificación del quórum",
                "initiative_code": None,
                "notes": "La secretaría técnica verifica la asistencia de cinco de los siete integrantes con voto.",
                "outcome": None,
                "final_outcome": None,
                "votes": None,
                "vote_detail": [],
                "casting": None,
            },
            {
                "position": 4,
                "kind": "iniciativa",
                "title": "INI-2026-0001 — Historia clínica electrónica interoperable (Secretaría de Salud)",
                "initiative_code": "INI-2026-0001",
                "notes": "La Secretaría de Salud presenta la ficha y el presupuesto.\nSe resuelven las dudas sobre interoperabilidad.",
                "outcome": "aprobada",
                "final_outcome": "aprobada",
                "votes": {
                    "voting_members": 7,
                    "present_voting": 5,
                    "a_favor": 3,
                    "en_contra": 1,
                    "abstencion": 1,
                    "sin_voto": 0,
                },
                "vote_detail": [
                    {"member": "Carlos Andrés Mejía Rojas", "choice": "a_favor"},
                    {"member": "Luisa Fernanda Ocampo", "choice": "en_contra"},
                ],
                "casting": None,
            },
            {
                "position": 5,
                "kind": "iniciativa",
                "title": "INI-2026-0002 — Ventanilla única de trámites tributarios (Secretaría de Hacienda)",
                "initiative_code": "INI-2026-0002",
                "notes": "Hacienda expone el alcance del proyecto.",
                "outcome": "empate",
                "final_outcome": "rechazada",
                "votes": {
                    "voting_members": 7,
                    "present_voting": 5,
                    "a_favor": 2,
                    "en_contra": 2,
                    "abstencion": 1,
                    "sin_voto": 0,
                },
                "vote_detail": [],
                "casting": "Empate dirimido por Carlos Andrés Mejía Rojas: rechazada. No hay recursos en la vigencia.",
            },
        ],
        "commitments": [
            {
                "description": "Enviar el estudio de mercado de la historia clínica electrónica.",
                "responsible": "Secretaría de Salud",
                "due_date": "2026-04-15",
                "state": "pendiente",
                "session": "Sesión ordinaria N.º 2 de 2026",
            }
        ],
        "followed_up": [
            {
                "description": "Publicar el inventario de activos de información.",
                "responsible": "Natalia Restrepo Gil",
                "due_date": "2026-02-27",
                "state": "cumplido",
                "session": "Sesión ordinaria N.º 1 de 2026",
            }
        ],
        "closing": "Agotado el orden del día, se levanta la sesión.",
        "signatories": [
            {"name": "Carlos Andrés Mejía Rojas", "position": "Secretario de las TIC (preside)", "is_voting": True},
            {"name": "Luisa Fernanda Ocampo", "position": "Gestora de infraestructura", "is_voting": True},
            {"name": "Ana María Torres", "position": "Secretaría técnica del comité", "is_voting": False},
        ],
    }


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """PDF text without the line breaks a wrapped cell adds."""
    return re.sub(r"\s+", " ", text)


DRAFT: dict[str, Any] = {"version_number": 1, "version_kind": "borrador"}
#: a final version written before approval produced its own version (it prints the same, without a draft mark)
FINAL: dict[str, Any] = {"version_number": 3, "version_kind": "definitiva"}


def test_document_codes_per_profile():
    assert document_code(VALLE, "ACTA") == "FO-CTD-ACTA"
    assert document_code(CARTAGENA, "ACTA") == "FO-MTD-ACTA"


def test_local_time_is_twelve_hour_in_bogota():
    assert local_time(bogota(3, 20, 9, 5)) == "09:05 a. m."
    assert local_time(bogota(3, 20, 12, 0)) == "12:00 p. m."
    assert local_time(bogota(3, 20, 0, 30)) == "12:30 a. m."
    assert local_time(None) == "—"


def test_acta_pdf_holds_the_attendance_the_outcomes_and_the_header():
    pages = pdf_pages(render_acta_pdf(make_body(), profile=VALLE, **FINAL))
    text = flat("\n".join(pages))
    for expected in (
        "Gobernación del Valle del Cauca",
        "ACTA N.º 2 DE 2026",
        "Código: FO-CTD-ACTA",
        "Versión: 3 (versión definitiva)",
        "Fecha: 20/03/2026",
        f"Página 1 de {len(pages)}",
        "Carlos Andrés Mejía Rojas",
        "Óscar Muñoz Valencia",
        "en representación de María Eugenia Duque",
        "09:02 a. m.",
        "09:14 a. m.",
        "Diana Patricia Lozano",
        "Integrantes con voto presentes: 5 de 7",
        "Ricardo Salazar",
        "A favor 3 · En contra 1 · Abstención 1",
        "A favor 2 · En contra 2 · Abstención 1",
        "Resultado de la votación: Aprobada",
        "Resultado de la votación: Empate",
        "Empate dirimido por Carlos Andrés Mejía Rojas: rechazada",
        "Decisión del comité: Rechazada",
        "INI-2026-0002 — Ventanilla única",
        "Enviar el estudio de mercado",
        "15/04/2026",
        "Publicar el inventario de activos",
        "Hora de cierre: 11:40 a. m.",
        "Ana María Torres",
        "viernes, 20 de marzo de 2026",
    ):
        assert expected in text, expected
    assert "BORRADOR" not in text


def test_a_draft_acta_is_marked_on_every_page():
    many = [attendee(f"Asistente número {n} de la prueba", "Profesional universitario", n % 60) for n in range(90)]
    pages = pdf_pages(render_acta_pdf(make_body(many), profile=CARTAGENA, **DRAFT))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Página {number} de {len(pages)}" in page
        assert "Código: FO-MTD-ACTA" in page
        assert "BORRADOR" in page
    text = flat("\n".join(pages))
    assert "Asistente número 0 de la prueba" in text and "Asistente número 89 de la prueba" in text
    # the attendees' table repeats its headings on the next page
    assert sum("Llegada y salidas" in page for page in pages) >= 2


def _docx_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_acta_docx_opens_with_the_content_and_the_page_fields():
    data = render_acta_docx(make_body(), profile=VALLE, **FINAL)
    document = docx.Document(io.BytesIO(data))
    text = _docx_text(document)
    for expected in (
        "Carlos Andrés Mejía Rojas",
        "Óscar Muñoz Valencia",
        "09:11 a. m.",
        "A favor 3 · En contra 1 · Abstención 1",
        "A favor 2 · En contra 2 · Abstención 1",
        "Resultado de la votación: Aprobada",
        "Decisión del comité: Rechazada",
        "Integrantes con voto presentes: 5 de 7",
        "Enviar el estudio de mercado de la historia clínica electrónica.",
        "15/04/2026",
        "Ana María Torres",
    ):
        assert expected in text, expected
    attendance = document.tables[1]
    assert [c.text for c in attendance.rows[0].cells] == ["Nombre", "Cargo", "Calidad", "Llegada y salidas"]
    assert [c.text for c in attendance.rows[1].cells] == [
        "Carlos Andrés Mejía Rojas",
        "Secretario de las TIC (preside; voto dirimente)",
        "Integrante",
        "09:02 a. m.",
    ]
    header = document.sections[0].header
    header_text = "\n".join(cell.text for table in header.tables for row in table.rows for cell in row.cells)
    for expected in ("Gobernación del Valle del Cauca", "Código: FO-CTD-ACTA", "Versión: 3", "Fecha: 20/03/2026", "Página"):
        assert expected in header_text, expected
    xml = header._element.xml
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
    assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", xml)
    assert "BORRADOR" not in xml


def test_a_draft_docx_says_so_in_the_header_and_the_body():
    document = docx.Document(io.BytesIO(render_acta_docx(make_body(), profile=VALLE, **DRAFT)))
    assert "BORRADOR" in document.sections[0].header._element.xml
    assert document.paragraphs[0].text.startswith("BORRADOR")


# ---------------------------------------------------------------- listado de asistencia


def _member(username: str) -> CommitteeMember:
    return db.session.execute(
        select(CommitteeMember).where(CommitteeMember.user_id == user(username).id, CommitteeMember.is_active.is_(True))
    ).scalar_one()


def _held_session(state: SessionState) -> int:
    session_id = make_session()
    committee_session = db.session.get_one(CommitteeSession, session_id)
    committee_session.state = state
    committee_session.opened_at = bogota(3, 20, 9, 5)
    if state is SessionState.REALIZADA:
        committee_session.closed_at = bogota(3, 20, 11, 30)
    recorder = user("st.mesa").id
    for username, minute in (("secretario", 2), ("integrante1", 4), ("integrante2", 6), ("control.interno", 8)):
        member = _member(username)
        db.session.add(
            SessionAttendance(
                session_id=session_id,
                kind=AttendanceKind.INTEGRANTE,
                member_id=member.id,
                name=member.user.full_name,
                arrived_at=bogota(3, 20, 9, minute),
                left_at=bogota(3, 20, 10, 45) if username == "integrante2" else None,
                recorded_by_id=recorder,
            )
        )
    communication = CommitteeDocument(
        session_id=session_id,
        purpose="comunicacion_delegacion",
        filename="delegacion.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        content=b"%PDF",
        uploaded_by_id=recorder,
    )
    db.session.add(communication)
    db.session.flush()
    db.session.add(
        SessionAttendance(
            session_id=session_id,
            kind=AttendanceKind.DELEGADO,
            member_id=_member("integrante3").id,
            name="Óscar Muñoz Valencia",
            position="Profesional universitario de Educación",
            communication_id=communication.id,
            arrived_at=bogota(3, 20, 9, 12),
            recorded_by_id=recorder,
        )
    )
    db.session.add(
        SessionAttendance(
            session_id=session_id,
            kind=AttendanceKind.INVITADO,
            name="Diana Patricia Lozano",
            position="Universidad del Valle",
            arrived_at=bogota(3, 20, 13, 20),
            recorded_by_id=recorder,
        )
    )
    db.session.commit()
    return session_id


@pytest.mark.parametrize(("state", "present"), [(SessionState.EN_CURSO, 3), (SessionState.REALIZADA, 4)])
def test_attendance_pdf_lists_who_came_and_when(app: Flask, state, present):
    with app.app_context():
        session_id = _held_session(state)
        committee_session = db.session.get_one(CommitteeSession, session_id)
        statements: list[str] = []

        def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            data = render_attendance_pdf(db.session, committee_session, profile=VALLE)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(statements) == 1
        secretario = user("secretario").full_name
        integrante3 = _member("integrante3").user.full_name
    pages = pdf_pages(data)
    text = flat("\n".join(pages))
    for expected in (
        "LISTADO DE ASISTENCIA",
        "Código: FO-CTD-ASIS",
        "Fecha: 20/03/2026",
        f"Página 1 de {len(pages)}",
        secretario,
        "09:02 a. m.",
        "Óscar Muñoz Valencia",
        "09:12 a. m.",
        integrante3,
        "Delegado",
        "Diana Patricia Lozano",
        "Universidad del Valle",
        "01:20 p. m.",
        "10:45 a. m.",
        "Firma",
        f"Integrantes con voto presentes: {present} de 7",
    ):
        assert expected in text, expected
    # members first, then delegates, then guests
    assert text.index(secretario) < text.index("Óscar Muñoz Valencia") < text.index("Diana Patricia Lozano")
