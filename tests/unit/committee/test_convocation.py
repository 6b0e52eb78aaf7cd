"""Convocations (SPEC §6, seed Mesa §6): the 5-calendar-day rule, the iCalendar invitation, updates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from catalog.models import Initiative, InitiativeState
from committee.models import CommitteeSession, SessionConvocation, SessionKind, SessionState
from committee.sessions import convocations
from committee.sessions import services as sessions
from portal.errors import NotAllowed, ValidationFailed
from portal.extensions import db
from tests.unit.catalog.factories import NOW, SESSION_DAY, context, convene, mails, make_initiative, make_session, subject, user

BOGOTA = ZoneInfo("America/Bogota")
MEMBERS = {
    "secretario",
    "integrante1",
    "integrante2",
    "integrante3",
    "integrante4",
    "integrante5",
    "seguridad",
    "control.interno",
}


def bogota(*args: int) -> datetime:
    return datetime(*args, tzinfo=BOGOTA).astimezone(UTC)


def session_of(session_id: int) -> CommitteeSession:
    return db.session.execute(
        select(CommitteeSession).where(CommitteeSession.id == session_id).execution_options(populate_existing=True)
    ).scalar_one()


def invitation_of(message: EmailMessage) -> Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, message.get_content_type()
    assert parts[0].get_filename() == "invitacion.ics"
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def attendees(calendar: Calendar) -> dict[str, str]:
    event = calendar.walk("VEVENT")[0]
    return {str(a).removeprefix("mailto:").split("@")[0]: a.params["ROLE"] for a in event.get("attendee")}


@pytest.mark.parametrize(
    ("sent_at", "days", "allowed"),
    [
        (bogota(2026, 3, 14, 16, 0), 6, True),
        (bogota(2026, 3, 15, 0, 0), 5, True),
        (bogota(2026, 3, 15, 23, 59), 5, True),
        # 22:00 in Bogotá is already 03:00 of the 16th in UTC: the day counted is Bogotá's
        (datetime(2026, 3, 16, 3, 0, tzinfo=UTC), 5, True),
        (bogota(2026, 3, 16, 0, 0), 4, False),
        (bogota(2026, 3, 19, 17, 0), 1, False),
    ],
)
def test_an_ordinary_session_is_convened_five_calendar_days_ahead(app, sent_at: datetime, days: int, allowed: bool) -> None:
    """Session on Friday 20 March 2026 at 9:00: ``20 − day sent (Bogotá) ≥ 5``."""
    with app.app_context():
        session_id = make_session(day=SESSION_DAY, start=time(9))
        assert convocations.days_before(session_of(session_id), sent_at) == days
        if allowed:
            convocation = convene(session_id, sent_at)
            assert convocation.days_before == days
            assert session_of(session_id).state is SessionState.CONVOCADA
        else:
            with pytest.raises(ValidationFailed) as refused:
                convene(session_id, sent_at)
            message = refused.value.message
            assert "al menos 5 días calendario" in message and "20/03/2026" in message and f"({days} día" in message
            assert "extraordinaria" in message
            db.session.rollback()
            assert session_of(session_id).state is SessionState.PROGRAMADA


def test_an_extraordinary_session_may_be_convened_at_any_time_before_it_starts(app) -> None:
    with app.app_context():
        session_id = make_session(kind=SessionKind.EXTRAORDINARIA, day=SESSION_DAY, start=time(9))
        with pytest.raises(ValidationFailed, match="ya comenzó"):
            convene(session_id, bogota(2026, 3, 20, 9, 0))
        db.session.rollback()
        convocation = convene(session_id, bogota(2026, 3, 20, 7, 30))
        assert convocation.days_before == 0
        description = Calendar.from_ical(convocation.ics).walk("VEVENT")[0]["DESCRIPTION"]
        assert "Convocada a solicitud de Sandra López Giraldo" in description
        assert "Revisar un incidente de seguridad" in description


def test_only_the_secretariat_convenes(app) -> None:
    with app.app_context():
        session_id = make_session()
        for who in ("secretario", "integrante1", "jefe.salud"):
            with pytest.raises(NotAllowed):
                convene(session_id, NOW, username=who)


def test_the_invitation_holds_start_attendees_agenda_and_inputs(app, tmp_path) -> None:
    with app.app_context():
        session_id = make_session(
            day=SESSION_DAY,
            start=time(14, 30),
            end=time(16, 45),
            virtual_link="https://meet.valledelcauca.gov.co/comite-tic",
            requested_inputs="Ficha técnica y presupuesto de cada iniciativa.",
        )
        salud = make_initiative(InitiativeState.EN_AGENDA, "SAL", session_id=session_id)
        sessions.add_guest(
            db.session,
            session_of(session_id),
            actor=user("st.mesa"),
            name="Ana Ruiz",
            email="ana.ruiz@mintic.gov.co",
            organization="MinTIC",
            now=NOW,
        )
        db.session.commit()
        convocation = convene(session_id, NOW)
        code = db.session.get(Initiative, salud).code

    calendar = Calendar.from_ical(convocation.ics)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == f"sesion-{session_id}@valledelcauca.gov.co"
    assert event["SEQUENCE"] == 0
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 3, 20, 14, 30, tzinfo=BOGOTA)
    assert str(start.tzinfo) == "America/Bogota" and event["DTSTART"].params["TZID"] == "America/Bogota"
    assert start.astimezone(UTC) == datetime(2026, 3, 20, 19, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 20, 16, 45, tzinfo=BOGOTA)
    assert [c.name for c in calendar.walk("VTIMEZONE")] == ["VTIMEZONE"]
    assert "Comité TIC Departamental" in event["SUMMARY"]
    assert "Sala de juntas" in event["LOCATION"] and "https://meet.valledelcauca.gov.co/comite-tic" in event["LOCATION"]
    assert str(event["ORGANIZER"]) == "mailto:st.mesa@valledelcauca.gov.co"
    roles = attendees(calendar)
    assert roles == {**dict.fromkeys(MEMBERS, "REQ-PARTICIPANT"), "jefe.salud": "REQ-PARTICIPANT", "ana.ruiz": "OPT-PARTICIPANT"}
    description = event["DESCRIPTION"]
    agenda = [
        "1. Verificación del quórum",
        "2. Lectura y aprobación del acta anterior",
        "3. Seguimiento de compromisos",
        f"4. {code} — Historia clínica electrónica interoperable (Secretaría de Salud)",
        "5. Proposiciones y varios",
    ]
    positions = [description.index(line) for line in agenda]
    assert positions == sorted(positions)
    assert "Insumos solicitados:\nFicha técnica y presupuesto de cada iniciativa." in description
    assert "Hora: 2:30 p. m. a 4:45 p. m." in description and "viernes, 20 de marzo de 2026" in description
    assert "Asistencia obligatoria" in description and "Andrés Mejía Castro" in description

    (message,) = [m for m in mails(tmp_path) if subject(m).startswith("Convocatoria")]
    assert "Convocatoria: Sesión ordinaria N.º 1 de 2026 — Comité TIC Departamental" in subject(message)
    to = message["To"]
    for name in [*MEMBERS, "jefe.salud", "st.mesa"]:
        assert f"{name}@valledelcauca.gov.co" in to
    assert "ana.ruiz@mintic.gov.co" in to
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "Orden del día:" in body.decode("utf-8")
    assert invitation_of(message).walk("VEVENT")[0]["UID"] == event["UID"]


def test_mandatory_attendees_are_the_heads_of_the_postulating_dependencies(app) -> None:
    with app.app_context():
        session_id = make_session()
        make_initiative(InitiativeState.EN_AGENDA, "SAL", session_id=session_id)
        make_initiative(InitiativeState.EN_AGENDA, "HAC", session_id=session_id)
        make_initiative(InitiativeState.POSTULADA, "HAC", title="Otra iniciativa sin agenda")
        recipients = convocations.convocation_recipients(db.session, session_of(session_id))
        heads = {r.email for r in recipients if r.is_mandatory_head}
        assert heads == {"jefe.salud@valledelcauca.gov.co", "jefe.hacienda@valledelcauca.gov.co"}
        assert all(r.required for r in recipients if r.is_mandatory_head)
        assert len({r.email for r in recipients}) == len(recipients)
        convocation = convene(session_id, NOW)
        stored = {r["email"]: r for r in convocation.recipients}
        assert stored["jefe.hacienda@valledelcauca.gov.co"]["mandatory_head"] is True
        assert stored["integrante1@valledelcauca.gov.co"]["mandatory_head"] is False
        roles = attendees(Calendar.from_ical(convocation.ics))
        assert roles["jefe.hacienda"] == roles["jefe.salud"] == "REQ-PARTICIPANT"


def test_an_updated_convocation_keeps_the_uid_and_raises_the_sequence(app, tmp_path) -> None:
    with app.app_context():
        session_id = make_session(day=SESSION_DAY)
        first = convene(session_id, bogota(2026, 3, 10, 8, 0))
        ctx = context()
        st = user("st.mesa")
        # two days before: a new room, the same day — the update may go out
        changed = sessions.SessionData(
            kind=SessionKind.ORDINARIA, day=SESSION_DAY, start_time=time(9), end_time=time(11), place="Auditorio, piso 2"
        )
        sessions.update_session(
            db.session, session_of(session_id), actor=st, data=changed, context=ctx, now=bogota(2026, 3, 18, 8, 0)
        )
        db.session.commit()
        # a new place: to be convened again (the day stays the one announced)
        assert session_of(session_id).has_unsent_changes and session_of(session_id).state is SessionState.PROGRAMADA
        second = convene(session_id, bogota(2026, 3, 18, 8, 5))
        assert not session_of(session_id).has_unsent_changes
        # moving the session to the next day, one day ahead: that is a new date, refused for an ordinaria
        changed.day = date(2026, 3, 19)
        with pytest.raises(ValidationFailed, match="al menos 5"):
            sessions.update_session(
                db.session, session_of(session_id), actor=st, data=changed, context=ctx, now=bogota(2026, 3, 18, 9, 0)
            )
        db.session.rollback()
        changed.day = date(2026, 3, 27)
        sessions.update_session(
            db.session, session_of(session_id), actor=st, data=changed, context=ctx, now=bogota(2026, 3, 18, 9, 0)
        )
        db.session.commit()
        third = convene(session_id, bogota(2026, 3, 18, 9, 10))
        sent = db.session.execute(
            select(SessionConvocation.sequence).where(SessionConvocation.session_id == session_id)
        ).scalars()
        assert list(sent) == [0, 1, 2]

    events = [Calendar.from_ical(c.ics).walk("VEVENT")[0] for c in (first, second, third)]
    assert len({e["UID"] for e in events}) == 1
    assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
    assert events[1]["LOCATION"] == "Auditorio, piso 2"
    assert events[2].decoded("DTSTART") == datetime(2026, 3, 27, 9, 0, tzinfo=BOGOTA)
    # mail files are named by the second they were written: count, do not rely on their order
    subjects = sorted(subject(m).split(":")[0] for m in mails(tmp_path) if "Sesión ordinaria" in subject(m))
    assert subjects == ["Convocatoria", "Convocatoria actualizada", "Convocatoria actualizada"]


def test_cancelling_a_convened_session_sends_a_cancellation(app, tmp_path) -> None:
    with app.app_context():
        session_id = make_session()
        first = convene(session_id, NOW)
        sessions.cancel_session(
            db.session,
            session_of(session_id),
            actor=user("st.mesa"),
            reason="Cruce con el consejo de gobierno",
            context=context(),
            now=NOW,
        )
        db.session.commit()
        cancel = db.session.execute(
            select(SessionConvocation).where(SessionConvocation.session_id == session_id, SessionConvocation.method == "CANCEL")
        ).scalar_one()
    calendar = Calendar.from_ical(cancel.ics)
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == Calendar.from_ical(first.ics).walk("VEVENT")[0]["UID"] and event["SEQUENCE"] == 1
    assert any(subject(m).startswith("Cancelada:") for m in mails(tmp_path))


def test_the_cartagena_committee_names_itself_in_the_invitation(app) -> None:
    with app.app_context():
        session_id = make_session()
        convocation = convene(session_id, NOW, profile="cartagena")
    event = Calendar.from_ical(convocation.ics).walk("VEVENT")[0]
    assert event["SUMMARY"] == "Sesión ordinaria N.º 1 de 2026 — Mesa de Trabajo de Transformación Digital"
    assert "Alcaldía Distrital de Cartagena de Indias" in event["DESCRIPTION"]
