"""The main path of an access request through the web UI, and its e-mails."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from tests.conftest import csrf_token, login
from tickets.models import AccessRequest, RequestState, TargetSystem

CREATION = {
    "dependency_id": None,
    "action": "crear",
    "system_id": None,
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


def ids(app):
    with app.app_context():
        from portal.models import Dependency

        sal = db.session.execute(select(Dependency.id).where(Dependency.code == "SAL")).scalar_one()
        system = db.session.execute(select(TargetSystem.id).where(TargetSystem.code == "directorio")).scalar_one()
        return sal, system


def file_creation_request(app, client, *, submit=True, **overrides):
    sal, system = ids(app)
    data = dict(CREATION, dependency_id=sal, system_id=system, **overrides)
    data["csrf_token"] = csrf_token(client, "/solicitudes/nueva/fo-m11-p2-05")
    data["radicar" if submit else "guardar"] = "1"
    response = client.post("/solicitudes/nueva/fo-m11-p2-05", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/solicitudes/(\d+)", response.headers["Location"]).group(1))


def decide(client, request_id, decision="aprobar", comment=""):
    token = csrf_token(client, f"/solicitudes/{request_id}")
    return client.post(f"/solicitudes/{request_id}/decidir", data={"decision": decision, "comment": comment, "csrf_token": token})


def test_enlace_files_jefe_signs_lider_approves_and_the_account_is_provisioned(app, tmp_path):
    enlace = app.test_client()
    login(enlace, "enlace.salud")
    request_id = file_creation_request(app, enlace)
    page = enlace.get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert "SOL-" in page and "Radicada" in page

    jefe = app.test_client()
    login(jefe, "jefe.salud")
    assert f'data-request="{request_id}"' in jefe.get("/solicitudes?bandeja=por_aprobar").get_data(as_text=True)
    assert decide(jefe, request_id).status_code == 303

    lider = app.test_client()
    login(lider, "lider.ed")
    assert decide(lider, request_id).status_code == 303

    with app.app_context():
        r = db.session.get(AccessRequest, request_id)
        # approved, then provisioned at once in the demo directory (Celery runs eagerly in unit tests)
        assert r.state is RequestState.RESUELTA
        assert re.fullmatch(r"SOL-\d{4}-00001", r.number)
    page = enlace.get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert 'data-state="resuelta"' in page
    assert 'data-event="paso_aprobado"' in page
    assert "Andrés Mejía Castro" in page and "Juliana Cárdenas Mora" in page

    mails = sorted((tmp_path / "mail").glob("*.log"))
    texts = [m.read_text() for m in mails]
    assert any("jefe.salud@valledelcauca.gov.co" in t and "por aprobar" in t for t in texts)
    assert any("lider.ed@valledelcauca.gov.co" in t for t in texts)
    assert any("enlace.salud@valledelcauca.gov.co" in t and "aprobada" in t for t in texts)
    assert any("maria.rojas@valledelcauca.gov.co" in t and "Clave temporal:" in t for t in texts)
    assert any("maria.rojas@valledelcauca.gov.co" in t and "resuelta" in t for t in texts)

    other = app.test_client()
    login(other, "enlace.hacienda")
    assert other.get(f"/solicitudes/{request_id}").status_code == 403


def test_pdf_of_the_form_holds_number_beneficiary_and_approvers(app):
    from io import BytesIO

    from pypdf import PdfReader

    enlace = app.test_client()
    login(enlace, "enlace.salud")
    request_id = file_creation_request(app, enlace)
    for username in ("jefe.salud", "lider.ed"):
        c = app.test_client()
        login(c, username)
        decide(c, request_id)
    response = enlace.get(f"/solicitudes/{request_id}/pdf")
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    with app.app_context():
        number = db.session.get(AccessRequest, request_id).number
    for expected in (
        number,
        "María Fernanda Rojas Peña",
        "Andrés Mejía Castro",
        "Juliana Cárdenas Mora",
        "Código: FO-M11-P2-05",
        "Página 1 de 1",
    ):
        assert expected in text, expected
