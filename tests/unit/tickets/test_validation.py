"""What a filed request must hold (SPEC §3), through the web form and the API, in Spanish.

A refused filing saves nothing: a draft stays a ``borrador`` without a number, and the yearly
counter is not consumed. User-provided text is always shown escaped.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import csrf_token
from tests.unit.tickets.factories import dependency_id, fetch, system_id
from tickets.models import AccessRequest, RequestCounter, RequestState

BASE = {
    "action": "crear",
    "priority": "normal",
    "beneficiary_name": "María Fernanda Rojas Peña",
    "beneficiary_document_type": "CC",
    "beneficiary_document": "1144556677",
    "beneficiary_email": "maria.rojas@valledelcauca.gov.co",
    "beneficiary_position": "Profesional universitaria",
    "beneficiary_username": "maria.rojas",
    "link_type": "planta",
    "justification": "Ingresa a la Secretaría de Salud y necesita cuenta de red y correo.",
    "roles_to_add": ["correo"],
}
FORM_SLUGS = {"FO-M11-P2-05": "fo-m11-p2-05", "FO-M11-P2-13": "fo-m11-p2-13"}
ROLES_BASE = BASE | {"action": "modificar_roles", "roles_to_add": ["gestion-documental"]}

CC_MESSAGE = "La cédula de ciudadanía lleva de 5 a 10 dígitos (puede escribirla con puntos)."
EMAIL_MESSAGE = "Debe ser un correo institucional (@valledelcauca.gov.co)."
CONTRACT_MESSAGE = "Para un contratista, indique la fecha de terminación del contrato."

#: (name, form, data changes, field, message, refused already on saving the draft)
CASES: list[tuple[str, str, dict[str, Any], str, str, bool]] = [
    ("cc-too-short", "FO-M11-P2-05", {"beneficiary_document": "1.234"}, "beneficiary_document", CC_MESSAGE, True),
    ("cc-with-letters", "FO-M11-P2-05", {"beneficiary_document": "11445A6677"}, "beneficiary_document", CC_MESSAGE, True),
    ("foreign-email", "FO-M11-P2-05", {"beneficiary_email": "maria.rojas@gmail.com"}, "beneficiary_email", EMAIL_MESSAGE, True),
    (
        "lookalike-domain",
        "FO-M11-P2-05",
        {"beneficiary_email": "maria@valledelcauca.gov.co.example.com"},
        "beneficiary_email",
        EMAIL_MESSAGE,
        True,
    ),
    ("contractor-without-end", "FO-M11-P2-05", {"link_type": "contratista"}, "contract_end_date", CONTRACT_MESSAGE, False),
    (
        "no-justification",
        "FO-M11-P2-05",
        {"justification": ""},
        "justification",
        "Escriba la justificación de la solicitud.",
        False,
    ),
    (
        "short-justification",
        "FO-M11-P2-05",
        {"justification": "Urgente"},
        "justification",
        "La justificación debe tener al menos 10 caracteres.",
        False,
    ),
    (
        "roles-form-without-roles",
        "FO-M11-P2-13",
        {"roles_to_add": []},
        "roles_to_add",
        "Indique al menos un rol para agregar o retirar.",
        False,
    ),
]


def feedback(page: str) -> list[str]:
    """Field errors and the danger flash shown on a page, unescaped."""
    found = re.findall(r'class="invalid-feedback d-block">(.*?)</div>', page, re.S)
    found += re.findall(r'class="alert alert-danger" role="alert">(.*?)</div>', page, re.S)
    return [html.unescape(m.strip()) for m in found]


def post_form(app, client, form: str, data: dict[str, Any], *, submit: bool, path: str | None = None):  # type: ignore[no-untyped-def]
    with app.app_context():
        ids = {"dependency_id": dependency_id("SAL"), "system_id": system_id()}
    path = path or f"/solicitudes/nueva/{FORM_SLUGS[form]}"
    body = ids | data | {"csrf_token": csrf_token(client, path), ("radicar" if submit else "guardar"): "1"}
    return client.post(path, data=body)


def api_body(app, form: str, data: dict[str, Any]) -> dict[str, Any]:
    with app.app_context():
        ids = {"dependency_id": dependency_id("SAL"), "system_id": system_id()}
    body = ids | {"form": form} | {k: v for k, v in data.items() if v != ""}
    return body


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.execute(select(func.count(AccessRequest.id))).scalar_one(),
            db.session.execute(select(func.coalesce(func.sum(RequestCounter.last_value), 0))).scalar_one(),
        )


@pytest.mark.parametrize(("name", "form", "change", "field", "message", "on_draft"), CASES, ids=[c[0] for c in CASES])
def test_an_invalid_request_is_refused_in_spanish_and_nothing_is_saved(
    app, login_as, api, name, form, change, field, message, on_draft
) -> None:
    data = (ROLES_BASE if form == "FO-M11-P2-13" else BASE) | change
    client = login_as("enlace.salud")

    # the web form: filing in one go is refused, with the message next to the field
    response = post_form(app, client, form, data, submit=True)
    assert response.status_code == 422
    shown = feedback(response.get_data(as_text=True))
    assert message in shown
    assert any("Revise los campos" in m or "incompleta" in m for m in shown)
    assert counts(app) == (0, 0)

    # the API: a draft with the same data is refused at once, or when it is filed
    created = api("enlace.salud", "POST", "/api/v1/requests", json=api_body(app, form, data))
    if on_draft:
        assert created.status_code == 422 and created.mimetype == "application/problem+json"
        assert message in created.get_json()["errors"][field]
        assert counts(app) == (0, 0)
        return
    assert created.status_code == 201, created.get_json()
    request_id = created.get_json()["id"]
    filed = api("enlace.salud", "POST", f"/api/v1/requests/{request_id}/submit")
    assert filed.status_code == 422 and filed.mimetype == "application/problem+json"
    problem = filed.get_json()
    assert problem["detail"] == "La solicitud está incompleta: revise los campos marcados."
    assert problem["errors"][field] == [message]
    with app.app_context():
        draft = fetch(request_id)
        assert (draft.state, draft.number, draft.filed_at) == (RequestState.BORRADOR, None, None)
    assert counts(app) == (1, 0)


def test_an_unknown_role_is_refused(app, login_as, api) -> None:
    client = login_as("enlace.salud")
    response = post_form(app, client, "FO-M11-P2-13", ROLES_BASE | {"roles_to_add": ["superusuario"]}, submit=True)
    assert response.status_code in (400, 422)
    shown = feedback(response.get_data(as_text=True))
    assert shown, "the refused role must be explained"
    assert not any(re.search(r"\b(not|valid|choice|field)\b", m) for m in shown), shown  # no English

    body = api_body(app, "FO-M11-P2-13", ROLES_BASE | {"roles_to_add": ["superusuario"], "roles_to_remove": ["root"]})
    created = api("enlace.salud", "POST", "/api/v1/requests", json=body)
    assert created.status_code == 422
    assert created.get_json()["errors"] == {
        "roles_to_add": ["Roles que no existen en el sistema Directorio institucional (cuenta de red y correo): superusuario"],
        "roles_to_remove": ["Roles que no existen en el sistema Directorio institucional (cuenta de red y correo): root"],
    }
    assert counts(app) == (0, 0)


def test_a_contractor_draft_may_be_saved_without_the_contract_end_date(app, login_as) -> None:
    """Drafts may be incomplete (SPEC §3: the end date is needed to file, not to save a draft)."""
    client = login_as("enlace.salud")
    response = post_form(app, client, "FO-M11-P2-05", BASE | {"link_type": "contratista"}, submit=False)
    assert response.status_code == 302, feedback(response.get_data(as_text=True))
    request_id = int(re.search(r"/solicitudes/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        assert fetch(request_id).state is RequestState.BORRADOR


def test_a_refused_filing_keeps_the_draft_and_does_not_consume_a_number(app, login_as) -> None:
    client = login_as("enlace.salud")
    saved = post_form(app, client, "FO-M11-P2-05", BASE | {"justification": ""}, submit=False)
    assert saved.status_code == 302
    draft_id = int(re.search(r"/solicitudes/(\d+)", saved.headers["Location"]).group(1))

    token = csrf_token(client, f"/solicitudes/{draft_id}")
    refused = client.post(f"/solicitudes/{draft_id}/radicar", data={"csrf_token": token})
    assert refused.status_code == 303
    # the reason and what is missing, since the draft page itself does not mark the fields
    assert "La solicitud está incompleta: revise los campos marcados. Escriba la justificación de la solicitud." in feedback(
        client.get(refused.headers["Location"]).get_data(as_text=True)
    )
    again = post_form(
        app, client, "FO-M11-P2-05", BASE | {"justification": "corta"}, submit=True, path=f"/solicitudes/{draft_id}/editar"
    )
    assert again.status_code == 422
    with app.app_context():
        draft = fetch(draft_id)
        assert (draft.state, draft.number, draft.justification) == (RequestState.BORRADOR, None, None)
    assert counts(app) == (1, 0)

    filed = post_form(app, client, "FO-M11-P2-05", BASE, submit=True)
    assert filed.status_code == 302
    filed_id = int(re.search(r"/solicitudes/(\d+)", filed.headers["Location"]).group(1))
    with app.app_context():
        year = local_date(utcnow()).year
        assert fetch(filed_id).number == f"SOL-{year}-00001"


def test_the_beneficiary_name_is_escaped_on_the_page_and_in_the_queue(app, make_request, login_as) -> None:
    request_id = make_request(beneficiary_name="<script>alert(1)</script>")
    client = login_as("enlace.salud")
    for path in (f"/solicitudes/{request_id}", "/solicitudes?bandeja=mias", "/solicitudes?bandeja=dependencia"):
        page = client.get(path).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
        assert "<script>alert(1)</script>" not in page, path
