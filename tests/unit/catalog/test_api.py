"""The API of initiatives and the committee (SPEC §8), with problem+json errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from icalendar import Calendar

from catalog import services
from catalog.models import Initiative, InitiativeState
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from tests.unit.catalog.factories import dependency_id, user

BODY: dict[str, Any] = {
    "title": "Interoperabilidad con la Registraduría",
    "description": "Consumir los servicios de la Registraduría por X-Road para validar identidad en trámites.",
    "objective": "Validar la identidad de los ciudadanos sin pedir copias de la cédula.",
    "enablers": ["servicios_ciudadanos_digitales", "seguridad_privacidad"],
    "is_in_peti": True,
    "estimated_budget": 320000000,
    "funding_source": "cofinanciacion",
    "start_date": "2027-01-15",
    "end_date": "2027-09-30",
    "sponsor": "Secretaria de Hacienda",
}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    data: dict[str, Any] = response.get_json()
    assert data["status"] == status
    return data


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


def test_initiative_from_registration_to_the_agenda_and_convocation(app, api) -> None:
    with app.app_context():
        body = BODY | {"dependency_id": dependency_id("HAC")}
    created = ok(api("enlace.hacienda", "POST", "/api/v1/initiatives", json=body | {"sponsor": None}), 201)
    assert created["state"] == "registrada" and created["code"].startswith("INI-") and created["dependency"] == "HAC"
    initiative_id = created["id"]
    problem(api("enlace.salud", "POST", "/api/v1/initiatives", json=body), 403)
    refused = problem(api("enlace.hacienda", "POST", f"/api/v1/initiatives/{initiative_id}/postulation"), 422)
    assert "sponsor" in refused["errors"]
    ok(api("enlace.hacienda", "PUT", f"/api/v1/initiatives/{initiative_id}", json=body))
    pending = ok(api("enlace.hacienda", "POST", f"/api/v1/initiatives/{initiative_id}/postulation"))
    assert pending["postulation_pending"] is True and pending["state"] == "registrada"
    problem(api("enlace.hacienda", "POST", f"/api/v1/initiatives/{initiative_id}/postulation"), 409)
    problem(api("jefe.salud", "POST", f"/api/v1/initiatives/{initiative_id}/postulation/confirm"), 403)
    postulated = ok(api("jefe.hacienda", "POST", f"/api/v1/initiatives/{initiative_id}/postulation/confirm"))
    assert postulated["state"] == "postulada" and postulated["postulation_confirmed_by"] == "jefe.hacienda"
    assert [e["kind"] for e in postulated["history"]] == ["registrada", "editada", "postulacion_solicitada", "postulada"]

    day = local_date(utcnow()) + timedelta(days=12)
    session_body = {"kind": "ordinaria", "day": day.isoformat(), "start_time": "08:00", "end_time": "10:00", "place": "Sala 3"}
    problem(api("secretario", "POST", "/api/v1/committee/sessions", json=session_body), 403)
    created_session = ok(api("st.mesa", "POST", "/api/v1/committee/sessions", json=session_body), 201)
    session_id = created_session["id"]
    assert [i["kind"] for i in created_session["agenda"]] == [
        "verificacion_quorum",
        "acta_anterior",
        "seguimiento_compromisos",
        "proposiciones_varios",
    ]
    with_item = ok(
        api("st.mesa", "POST", f"/api/v1/committee/sessions/{session_id}/agenda", json={"initiative_id": initiative_id})
    )
    assert with_item["agenda"][3]["initiative"] == created["code"]
    with_topic = ok(
        api("st.mesa", "POST", f"/api/v1/committee/sessions/{session_id}/agenda", json={"title": "Informe de seguridad"})
    )
    ids = [i["id"] for i in with_topic["agenda"]]
    reordered = ok(
        api(
            "st.mesa",
            "PUT",
            f"/api/v1/committee/sessions/{session_id}/agenda",
            json={"item_ids": [ids[0], ids[4], *ids[1:4], ids[5]]},
        )
    )
    assert [i["title"] for i in reordered["agenda"]][1] == "Informe de seguridad"
    problem(api("st.mesa", "PUT", f"/api/v1/committee/sessions/{session_id}/agenda", json={"item_ids": ids[::-1]}), 422)
    ok(
        api(
            "st.mesa",
            "POST",
            f"/api/v1/committee/sessions/{session_id}/guests",
            json={"name": "Ana Ruiz", "email": "ana@mintic.gov.co"},
        )
    )
    assert ok(api("enlace.hacienda", "GET", f"/api/v1/initiatives/{initiative_id}"))["state"] == "en_agenda"

    problem(api("st.mesa", "GET", f"/api/v1/committee/sessions/{session_id}/invitation.ics"), 404)
    convened = ok(api("st.mesa", "POST", f"/api/v1/committee/sessions/{session_id}/convocation", json={}))
    assert convened["state"] == "convocada" and convened["ics_sequence"] == 0
    (sent,) = convened["convocations"]
    heads = [r["email"] for r in sent["recipients"] if r["mandatory_head"]]
    assert heads == ["jefe.hacienda@valledelcauca.gov.co"]
    ics = api("integrante1", "GET", f"/api/v1/committee/sessions/{session_id}/invitation.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert event["UID"] == created_session["ics_uid"] and event["SEQUENCE"] == 0

    moved = session_body | {"place": "Auditorio principal"}
    changed = ok(api("st.mesa", "PUT", f"/api/v1/committee/sessions/{session_id}", json=moved))
    assert changed["has_unsent_changes"] is True
    again = ok(api("st.mesa", "POST", f"/api/v1/committee/sessions/{session_id}/convocation", json={"note": "Cambio de sala"}))
    assert again["ics_sequence"] == 1 and [c["sequence"] for c in again["convocations"]] == [0, 1]

    # The committee decides by vote in the room (tests/unit/committee/test_room_api.py); there is no
    # endpoint that records a decision without votes.
    assert api(
        "secretario", "POST", f"/api/v1/initiatives/{initiative_id}/outcome", json={"outcome": "aprobada"}
    ).status_code in (
        404,
        405,
    )
    with app.app_context():
        services.record_outcome(
            db.session,
            db.session.get(Initiative, initiative_id),
            actor=user("st.mesa"),
            outcome=InitiativeState.APROBADA,
            note=None,
            now=utcnow(),
        )
        db.session.commit()
    assert ok(api("enlace.hacienda", "GET", f"/api/v1/initiatives/{initiative_id}"))["state"] == "aprobada"
    running = ok(api("enlace.hacienda", "POST", f"/api/v1/initiatives/{initiative_id}/execution"))
    assert running["state"] == "en_ejecucion"
    today = local_date(utcnow()).isoformat()
    report = {"reported_on": today, "percent": 100, "indicators": "Servicio en producción", "risks": None}
    problem(api("enlace.hacienda", "POST", f"/api/v1/initiatives/{initiative_id}/progress", json=report | {"percent": 140}), 400)
    ok(api("enlace.hacienda", "POST", f"/api/v1/initiatives/{initiative_id}/progress", json=report))
    finished = ok(api("enlace.hacienda", "POST", f"/api/v1/initiatives/{initiative_id}/finish", json={"reason": None}))
    assert finished["state"] == "finalizada" and finished["progress_reports"][0]["percent"] == 100


def test_lists_are_scoped_and_filtered(app, api) -> None:
    with app.app_context():
        hac, sal = dependency_id("HAC"), dependency_id("SAL")
    ok(api("enlace.hacienda", "POST", "/api/v1/initiatives", json=BODY | {"dependency_id": hac}), 201)
    ok(api("enlace.salud", "POST", "/api/v1/initiatives", json=BODY | {"dependency_id": sal, "is_in_peti": False}), 201)
    assert ok(api("enlace.salud", "GET", "/api/v1/initiatives"))["total"] == 1
    assert ok(api("control.interno", "GET", "/api/v1/initiatives"))["total"] == 2
    only_peti = ok(api("control.interno", "GET", "/api/v1/initiatives?in_peti=true"))
    assert [i["dependency"] for i in only_peti["items"]] == ["HAC"]
    problem(api("control.interno", "GET", "/api/v1/initiatives?state=inventado"), 400)
    problem(api(None, "GET", "/api/v1/initiatives"), 401)


def test_a_late_ordinary_convocation_is_a_422_with_the_reason(app, api) -> None:
    day = local_date(utcnow()) + timedelta(days=2)
    session_id = ok(
        api(
            "st.mesa",
            "POST",
            "/api/v1/committee/sessions",
            json={"kind": "ordinaria", "day": day.isoformat(), "start_time": "08:00", "end_time": "10:00", "place": "Sala 3"},
        ),
        201,
    )["id"]
    refused = problem(api("st.mesa", "POST", f"/api/v1/committee/sessions/{session_id}/convocation", json={}), 422)
    assert "al menos 5 días calendario" in refused["detail"]


def test_committee_and_plan(app, api) -> None:
    committee = ok(api("integrante1", "GET", "/api/v1/committee"))
    assert committee["name"] == "Comité TIC Departamental" and committee["convocation_min_calendar_days"] == 5
    assert committee["members"][0]["username"] == "secretario" and committee["members"][0]["is_chair"] is True
    year = local_date(utcnow()).year
    plan = ok(api("secretario", "GET", f"/api/v1/committee/plan?year={year}"))
    assert [q["quarter"] for q in plan] == [1, 2, 3, 4] and not any(q["has_ordinary"] for q in plan)
    problem(api("enlace.salud", "GET", "/api/v1/committee"), 403)
    paths = ok(api(None, "GET", "/api/v1/openapi.json"))["paths"]
    for path in (
        "/api/v1/initiatives",
        "/api/v1/initiatives/{initiative_id}/postulation/confirm",
        "/api/v1/committee/sessions/{session_id}/agenda",
        "/api/v1/committee/sessions/{session_id}/convocation",
    ):
        assert path in paths


def test_documents_are_uploaded_as_pdf_and_downloaded(app, api) -> None:
    from io import BytesIO

    with app.app_context():
        hac = dependency_id("HAC")
    initiative_id = ok(api("enlace.hacienda", "POST", "/api/v1/initiatives", json=BODY | {"dependency_id": hac}), 201)["id"]
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    path = f"/api/v1/initiatives/{initiative_id}/documents"
    uploaded = ok(api("enlace.hacienda", "POST", path, data={"file": (BytesIO(pdf), "ficha.pdf")}), 201)
    assert uploaded["filename"] == "ficha.pdf" and uploaded["size"] == len(pdf)
    refused = problem(
        api("enlace.hacienda", "POST", path, data={"file": (BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 20), "ficha.pdf")}), 422
    )
    assert "file" in refused["errors"]
    problem(api("enlace.salud", "POST", path, data={"file": (BytesIO(pdf), "ficha.pdf")}), 403)
    download = api("control.interno", "GET", f"{path}/{uploaded['id']}")
    assert download.status_code == 200 and download.data == pdf
    assert (
        ok(api("enlace.hacienda", "GET", f"/api/v1/initiatives/{initiative_id}"))["documents"][0]["sha256"] == uploaded["sha256"]
    )
