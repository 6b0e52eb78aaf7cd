"""The requests API under /api/v1/requests (SPEC §8): what the UI does, as JSON, with problem+json errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.clock import local_date
from portal.db import utcnow
from tests.unit.tickets.factories import EXCEPTION_REASON, REASON, dependency_id, fetch, system_id
from tickets.models import RequestState

BODY: dict[str, Any] = {
    "form": "FO-M11-P2-05",
    "action": "crear",
    "priority": "alta",
    "beneficiary_name": "María Fernanda Rojas Peña",
    "beneficiary_document_type": "CC",
    "beneficiary_document": "1144556677",
    "beneficiary_email": "maria.rojas@valledelcauca.gov.co",
    "beneficiary_position": "Profesional universitaria",
    "beneficiary_username": "maria.rojas",
    "link_type": "contratista",
    "contract_end_date": "2031-12-31",
    "justification": "Ingresa a la Secretaría de Salud y necesita cuenta de red y correo.",
    "roles_to_add": ["correo", "gestion-documental"],
}


@pytest.fixture
def body(app) -> dict[str, Any]:
    with app.app_context():
        return BODY | {"dependency_id": dependency_id("SAL"), "system_id": system_id()}


#: After the last approval provisioning starts by itself (SPEC §3, §4): with the eager worker of
#: the tests the request may already be in execution or resolved when the response is written.
APPROVED_OR_LATER = {"aprobada", "en_ejecucion", "resuelta"}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    data: dict[str, Any] = response.get_json()
    assert data["status"] == status
    return data


def test_a_request_from_draft_to_approval(app, api, body) -> None:
    created = api("enlace.salud", "POST", "/api/v1/requests", json=body | {"justification": None})
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    assert (draft["state"], draft["number"], draft["priority"], draft["requester"]) == ("borrador", None, "alta", "enlace.salud")
    assert (draft["dependency"], draft["system"], draft["approval_chain"]) == ("SAL", "directorio", [])
    assert draft["roles_to_add"] == ["correo", "gestion-documental"]
    request_id = draft["id"]

    updated = api("enlace.salud", "PUT", f"/api/v1/requests/{request_id}", json=body | {"beneficiary_position": "Médica general"})
    assert updated.status_code == 200
    assert (updated.get_json()["beneficiary_position"], updated.get_json()["justification"]) == (
        "Médica general",
        body["justification"],
    )

    filed = api("enlace.salud", "POST", f"/api/v1/requests/{request_id}/submit")
    assert filed.status_code == 200
    detail = filed.get_json()
    year = local_date(utcnow()).year
    assert re.fullmatch(r"SOL-\d{4}-\d{5}", detail["number"]) and detail["number"] == f"SOL-{year}-00001"
    assert detail["state"] == "radicada" and detail["filed_at"]
    assert [(s["kind"], s["state"], s["decided_by"]) for s in detail["approval_chain"]] == [
        ("jefe", "pendiente", None),
        ("aprobador", "pendiente", None),
    ]

    signed = api("jefe.salud", "POST", f"/api/v1/requests/{request_id}/decision", json={"decision": "aprobar"})
    assert signed.status_code == 200 and signed.get_json()["state"] == "en_aprobacion"
    approved = api(
        "lider.ed", "POST", f"/api/v1/requests/{request_id}/decision", json={"decision": "aprobar", "comment": "Listo."}
    )
    assert approved.status_code == 200

    detail = api("control.interno", "GET", f"/api/v1/requests/{request_id}").get_json()
    assert detail["state"] in APPROVED_OR_LATER and detail["approved_at"]
    assert [(s["kind"], s["state"], s["decided_by"], s["comment"]) for s in detail["approval_chain"]] == [
        ("jefe", "aprobado", "jefe.salud", None),
        ("aprobador", "aprobado", "lider.ed", "Listo."),
    ]
    assert [(e["kind"], e["actor"], e["from_state"], e["to_state"]) for e in detail["history"]][:5] == [
        ("borrador_creado", "enlace.salud", None, "borrador"),
        ("editada", "enlace.salud", None, "borrador"),
        ("radicada", "enlace.salud", "borrador", "radicada"),
        ("paso_aprobado", "jefe.salud", "radicada", "en_aprobacion"),
        ("paso_aprobado", "lider.ed", "en_aprobacion", "aprobada"),
    ]
    assert (detail["contract_end_date"], detail["link_type"], detail["beneficiary_document_type"]) == (
        "2031-12-31",
        "contratista",
        "CC",
    )


def test_return_refile_cancel_and_exception(app, api, make_request) -> None:
    returned_id = make_request(state=RequestState.RADICADA)
    no_reason = api("jefe.salud", "POST", f"/api/v1/requests/{returned_id}/decision", json={"decision": "devolver"})
    assert problem(no_reason, 422)["errors"] == {"comment": ["El motivo es obligatorio."]}
    returned = api(
        "jefe.salud", "POST", f"/api/v1/requests/{returned_id}/decision", json={"decision": "devolver", "comment": REASON}
    )
    assert returned.get_json()["state"] == "devuelta"
    refiled = api("enlace.salud", "POST", f"/api/v1/requests/{returned_id}/submit").get_json()
    assert (refiled["state"], refiled["round"]) == ("radicada", 2)
    assert [(s["round"], s["kind"], s["state"]) for s in refiled["approval_chain"]] == [
        (1, "jefe", "devuelto"),
        (1, "aprobador", "anulado"),
        (2, "jefe", "pendiente"),
        (2, "aprobador", "pendiente"),
    ]
    assert refiled["history"][-1]["kind"] == "radicada_de_nuevo"

    cancelled = api("enlace.salud", "POST", f"/api/v1/requests/{returned_id}/cancel", json={"reason": "Ya no trabaja aquí."})
    assert cancelled.status_code == 200
    assert cancelled.get_json()["state"] == "cancelada"
    assert cancelled.get_json()["history"][-1]["note"] == "Ya no trabaja aquí."

    excused_id = make_request(state=RequestState.EN_APROBACION)
    excused = api("secretario", "POST", f"/api/v1/requests/{excused_id}/exception", json={"justification": EXCEPTION_REASON})
    assert excused.status_code == 200
    data = excused.get_json()
    assert data["state"] in APPROVED_OR_LATER
    assert (data["is_exception"], data["exception_justification"]) == (True, EXCEPTION_REASON)
    assert [s["state"] for s in data["approval_chain"]] == ["aprobado", "excepcion"]


def test_list_with_filters(app, api, make_request) -> None:
    filed = make_request(state=RequestState.RADICADA, beneficiary_name="Ana Lucía Beltrán")
    draft = make_request(state=RequestState.BORRADOR)
    other = make_request(state=RequestState.RADICADA, dependency="HAC")

    def ids(user: str, query: str) -> list[int]:
        response = api(user, "GET", f"/api/v1/requests?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert sorted(ids("enlace.salud", "")) == sorted([filed, draft])  # first queue: "mias", drafts included
    assert ids("enlace.salud", "queue=mias&state=borrador") == [draft]
    assert ids("enlace.salud", "queue=dependencia") == [filed]
    assert ids("jefe.salud", "queue=por_aprobar") == [filed]
    assert ids("jefe.hacienda", "") == [other]  # first queue of a jefe: "por_aprobar"
    assert ids("lider.ed", "queue=todas&q=beltr") == [filed]
    with_hac = ids("lider.ed", f"queue=todas&dependency_id={_dep(app, 'HAC')}&form=FO-M11-P2-05&action=crear&sort=antiguas")
    assert with_hac == [other]
    item = api("lider.ed", "GET", "/api/v1/requests?queue=todas&state=radicada&sort=numero").get_json()["items"][0]
    assert set(item) == {
        "id",
        "number",
        "form",
        "action",
        "state",
        "priority",
        "system",
        "dependency",
        "requester",
        "beneficiary_name",
        "is_exception",
        "filed_at",
    }
    problem(api("enlace.salud", "GET", "/api/v1/requests?queue=todas"), 403)
    assert problem(api("lider.ed", "GET", "/api/v1/requests?state=perdida&page=0"), 400)["errors"].keys() == {"state", "page"}


def _dep(app, code: str) -> int:
    with app.app_context():
        return dependency_id(code)


def test_malformed_bodies_are_400_with_field_errors(app, api, make_request, body) -> None:
    response = api("enlace.salud", "POST", "/api/v1/requests", json={"form": "FO-M11-P2-99", "action": 3, "system_id": "uno"})
    errors = problem(response, 400)["errors"]
    assert set(errors) == {"form", "action", "system_id", "dependency_id"}
    bad_date = api("enlace.salud", "POST", "/api/v1/requests", json=body | {"contract_end_date": "31/12/2031"})
    assert problem(bad_date, 400)["errors"].keys() == {"contract_end_date"}

    request_id = make_request(state=RequestState.RADICADA)
    bad = api("jefe.salud", "POST", f"/api/v1/requests/{request_id}/decision", json={"decision": "quizas"})
    assert problem(bad, 400)["errors"].keys() == {"decision"}
    no_reason = api("secretario", "POST", f"/api/v1/requests/{request_id}/exception", json={})
    assert problem(no_reason, 400)["errors"].keys() == {"justification"}
    draft_id = make_request(state=RequestState.BORRADOR)
    other_form = body | {"form": "FO-M11-P2-12", "action": "desbloquear", "roles_to_add": []}
    changed_form = api("enlace.salud", "PUT", f"/api/v1/requests/{draft_id}", json=other_form)
    assert problem(changed_form, 422)["errors"] == {"form": ["No se puede cambiar."]}


def test_a_body_that_is_not_json_is_400(app, api) -> None:
    response = api("enlace.salud", "POST", "/api/v1/requests", data="{no es json", content_type="application/json")
    assert problem(response, 400)["detail"]


def test_without_a_token_every_endpoint_is_401(app, api, make_request, body) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    for method, path, payload in [
        ("GET", "/api/v1/requests", None),
        ("POST", "/api/v1/requests", body),
        ("GET", f"/api/v1/requests/{request_id}", None),
        ("PUT", f"/api/v1/requests/{request_id}", body),
        ("POST", f"/api/v1/requests/{request_id}/submit", None),
        ("POST", f"/api/v1/requests/{request_id}/decision", {"decision": "aprobar"}),
        ("POST", f"/api/v1/requests/{request_id}/exception", {"justification": EXCEPTION_REASON}),
        ("POST", f"/api/v1/requests/{request_id}/cancel", {}),
    ]:
        data = problem(api(None, method, path, json=payload), 401)
        assert data["title"] == "Autenticación requerida", path
    with app.app_context():
        assert fetch(request_id).state is RequestState.RADICADA


def test_without_a_token_an_invalid_body_is_still_401(app, api, make_request) -> None:
    """Authentication comes before reading the body: an anonymous caller learns nothing of the schema."""
    request_id = make_request(state=RequestState.RADICADA)
    for path in ("/api/v1/requests", f"/api/v1/requests/{request_id}/decision", f"/api/v1/requests/{request_id}/exception"):
        assert problem(api(None, "POST", path, json={}), 401)["title"] == "Autenticación requerida", path


def test_a_missing_request_is_404(app, api) -> None:
    for method, path, payload in [
        ("GET", "/api/v1/requests/999999", None),
        ("POST", "/api/v1/requests/999999/submit", None),
        ("POST", "/api/v1/requests/999999/decision", {"decision": "aprobar"}),
        ("POST", "/api/v1/requests/999999/exception", {"justification": EXCEPTION_REASON}),
        ("POST", "/api/v1/requests/999999/cancel", {}),
    ]:
        user = "secretario" if path.endswith("exception") else "enlace.salud"
        assert problem(api(user, method, path, json=payload), 404)["title"] == "Página no encontrada"


def test_the_openapi_document_lists_the_request_endpoints(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    expected = {
        "/api/v1/requests": {"get", "post"},
        "/api/v1/requests/{request_id}": {"get", "put"},
        "/api/v1/requests/{request_id}/submit": {"post"},
        "/api/v1/requests/{request_id}/decision": {"post"},
        "/api/v1/requests/{request_id}/exception": {"post"},
        "/api/v1/requests/{request_id}/cancel": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    decision = paths["/api/v1/requests/{request_id}/decision"]["post"]
    assert decision["requestBody"]["content"]["application/json"]
