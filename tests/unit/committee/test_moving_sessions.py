"""Moving a convened session (SPEC §6, seed Mesa §6): a change of date, time or place puts it back to
be convened (``programada``), the next convocation updates the invitation (same UID, SEQUENCE + 1),
and an ordinaria's new day must leave 5 calendar days from the new convocation — else it is refused,
unless it becomes an extraordinaria with its reason. And the small things the secretariat noticed
around sessions: a refused convocation says why once, a cancellation gives its reason once, the
Cartagena demo users have Cartagena addresses.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from committee import members
from committee.models import CommitteeSession, SessionKind, SessionState
from committee.room import services as meeting
from committee.sessions import services as sessions
from config import build_config
from portal.clock import local_date
from portal.db import utcnow
from portal.errors import ValidationFailed, WrongState
from portal.extensions import db
from tests.conftest import csrf_token, login
from tests.unit.catalog.factories import context, convene, mails, make_session, subject, user
from tests.unit.committee.acta_factories import bogota

ST = "st.mesa"
#: a session on Sunday 15 February 2026, convened on Monday 9 February (6 calendar days ahead)
DAY = date(2026, 2, 15)
CONVENED = bogota(2026, 2, 9, 8, 0)


def session_of(session_id: int) -> CommitteeSession:
    found = db.session.get(CommitteeSession, session_id)
    assert found is not None
    db.session.refresh(found)
    return found


def moved(day: date, kind: SessionKind = SessionKind.ORDINARIA, **extra: object) -> sessions.SessionData:
    return sessions.SessionData(
        kind=kind,
        day=day,
        start_time=time(9),
        end_time=time(11),
        place="Sala de juntas, piso 7",
        **extra,  # type: ignore[arg-type]
    )


def test_an_ordinary_session_moved_from_15_to_12_february_is_refused(app) -> None:
    with app.app_context():
        session_id = make_session(day=DAY, now=bogota(2026, 2, 2, 9, 0), place="Sala de juntas, piso 7")
        first = convene(session_id, CONVENED)
        assert first.days_before == 6
        with pytest.raises(ValidationFailed, match="no puede pasar al 12/02/2026") as refused:
            sessions.update_session(
                db.session, session_of(session_id), actor=user(ST), data=moved(date(2026, 2, 12)), context=context(), now=CONVENED
            )
        assert "al menos 5" in refused.value.message and "14/02/2026" in refused.value.message
        assert "day" in refused.value.fields
        db.session.rollback()
        assert session_of(session_id).state is SessionState.CONVOCADA
        assert local_date(session_of(session_id).starts_at) == DAY

        # as an extraordinaria, with who asked for it and why, it may move
        requester = next(m for m in members.active_members(db.session) if m.user.username == "integrante1")
        sessions.update_session(
            db.session,
            session_of(session_id),
            actor=user(ST),
            data=moved(
                date(2026, 2, 12),
                SessionKind.EXTRAORDINARIA,
                requested_by_member_id=requester.id,
                extraordinary_reason="El contrato de conectividad vence antes de la fecha prevista.",
            ),
            context=context(),
            now=CONVENED,
        )
        db.session.commit()
        s = session_of(session_id)
        assert (s.kind, s.state, s.has_unsent_changes) == (SessionKind.EXTRAORDINARIA, SessionState.PROGRAMADA, True)
        assert s.extraordinary_reason == "El contrato de conectividad vence antes de la fecha prevista."
        second = convene(session_id, CONVENED + timedelta(minutes=5))
    first_event, second_event = (Calendar.from_ical(c.ics).walk("VEVENT")[0] for c in (first, second))
    assert first_event["UID"] == second_event["UID"]
    assert (first_event["SEQUENCE"], second_event["SEQUENCE"]) == (0, 1)
    assert second_event.decoded("DTSTART").date() == date(2026, 2, 12)


def test_a_moved_session_is_to_be_convened_again_and_cannot_be_held_before(app, tmp_path) -> None:
    with app.app_context():
        session_id = make_session(day=DAY, now=bogota(2026, 2, 2, 9, 0), place="Sala de juntas, piso 7")
        convene(session_id, CONVENED)
        # the same day, another time: to be convened again, without the 5-day rule for the day already announced
        sessions.update_session(
            db.session,
            session_of(session_id),
            actor=user(ST),
            data=sessions.SessionData(
                kind=SessionKind.ORDINARIA, day=DAY, start_time=time(14), end_time=time(16), place="Sala de juntas, piso 7"
            ),
            context=context(),
            now=bogota(2026, 2, 13, 8, 0),
        )
        db.session.commit()
        s = session_of(session_id)
        assert s.state is SessionState.PROGRAMADA and s.convened_at is not None
        with pytest.raises(WrongState, match="solo se instala una sesión convocada"):
            meeting.open_session(db.session, s, actor=user(ST), now=bogota(2026, 2, 15, 14, 0))
        db.session.rollback()
        again = convene(session_id, bogota(2026, 2, 13, 8, 10))
        assert again.sequence == 1 and session_of(session_id).state is SessionState.CONVOCADA

        # a change of the agenda's guests keeps it convened (an update is due, the date stands)
        sessions.add_guest(
            db.session,
            session_of(session_id),
            actor=user(ST),
            name="Ana Invitada",
            email="ana@mintic.gov.co",
            organization=None,
            now=bogota(2026, 2, 13, 9, 0),
        )
        db.session.commit()
        assert (session_of(session_id).state, session_of(session_id).has_unsent_changes) == (SessionState.CONVOCADA, True)
    updated = [m for m in mails(tmp_path) if subject(m).startswith("Convocatoria actualizada")]
    assert len(updated) == 1


def test_moving_through_the_api_asks_for_a_new_convocation(app, api, monkeypatch) -> None:
    # the API's clock is fixed, so the dates never cross into another year whatever day the test runs
    now = bogota(2026, 2, 9, 10, 0)
    monkeypatch.setattr("committee.sessions.api.utcnow", lambda: now)
    today = local_date(now)
    with app.app_context():
        session_id = make_session(day=today + timedelta(days=10), now=now)
        convene(session_id, now)
    url = f"/api/v1/committee/sessions/{session_id}"
    body = {"kind": "ordinaria", "start_time": "09:00:00", "end_time": "11:00:00", "place": "Auditorio principal"}
    refused = api(ST, "PUT", url, json={**body, "day": (today + timedelta(days=3)).isoformat()})
    assert refused.status_code == 422 and "no puede pasar al" in refused.get_json()["detail"]
    assert api(ST, "GET", url).get_json()["state"] == "convocada"
    ok = api(ST, "PUT", url, json={**body, "day": (today + timedelta(days=12)).isoformat()})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert (ok.get_json()["state"], ok.get_json()["has_unsent_changes"]) == ("programada", True)
    convened = api(ST, "POST", f"{url}/convocation", json={})
    assert convened.status_code == 200 and convened.get_json()["state"] == "convocada"
    assert [c["sequence"] for c in convened.get_json()["convocations"]] == [0, 1]


# ---------------------------------------------------------------- small things


def test_a_refused_convocation_says_why_once(app) -> None:
    day = local_date(utcnow()) + timedelta(days=3)
    with app.app_context():
        session_id = make_session(day=day, now=utcnow())
    client = app.test_client()
    assert login(client, ST).status_code == 302
    url = f"/comite/sesiones/{session_id}"
    page = client.get(url).get_data(as_text=True)
    assert "data-problem" in page and f'action="/comite/sesiones/{session_id}/convocar"' not in page
    response = client.post(
        f"{url}/convocar", data={"csrf_token": csrf_token(client, url)}, headers={"Referer": f"http://localhost{url}"}
    )
    assert response.status_code == 303
    flashes = re.findall(r'<div class="alert alert-danger" role="alert">([^<]*)</div>', client.get(url).get_data(as_text=True))
    assert len(flashes) == 1
    assert flashes[0].count("Una sesión ordinaria se convoca con al menos 5 días calendario") == 1


def test_a_cancellation_gives_its_reason_once(app, tmp_path) -> None:
    with app.app_context():
        session_id = make_session()
        convene(session_id, bogota(2026, 3, 2, 9, 0))
        sessions.cancel_session(
            db.session,
            session_of(session_id),
            actor=user(ST),
            reason="Cruce con el consejo de gobierno",
            context=context(),
            now=bogota(2026, 3, 3, 9, 0),
        )
        db.session.commit()
    cancelled = [m for m in mails(tmp_path) if subject(m).startswith("Cancelada:")]
    assert len(cancelled) == 1
    body = cancelled[0].get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().count("Cruce con el consejo de gobierno") == 1


def test_the_cartagena_demo_users_have_cartagena_addresses(tmp_path: Path) -> None:
    ldif = Path(build_config(tmp_path, {"PORTAL_PROFILE": "cartagena", "SECRET_KEY": "x"})["LDAP_DEMO_LDIF"])
    addresses = re.findall(r"^mail: (\S+)$", ldif.read_text(), flags=re.MULTILINE)
    assert len(addresses) == 15 and all(a.endswith("@cartagena.gov.co") for a in addresses)
    valle = Path(build_config(tmp_path, {"PORTAL_PROFILE": "valle", "SECRET_KEY": "x"})["LDAP_DEMO_LDIF"])
    assert all(a.endswith("@valledelcauca.gov.co") for a in re.findall(r"^mail: (\S+)$", valle.read_text(), flags=re.MULTILINE))
