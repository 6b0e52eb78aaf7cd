"""Enlace TIC designations: replacement, revocation, handover, coverage, uploads and scope."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from enlaces.models import Designation, DesignationStatus, Handover
from portal.demo import demo_act_pdf
from portal.extensions import db
from portal.models import AuditEvent, Dependency, User
from portal.roles import Role
from tests.conftest import csrf_token, login
from tickets.models import AccessRequest, RequestForm, RequestState

PDF = demo_act_pdf("Resolución 0456 de 2026: designa al enlace TIC.")


def dep_id(app, code: str) -> int:
    with app.app_context():
        return db.session.execute(select(Dependency.id).where(Dependency.code == code)).scalar_one()


def designate(client, dependency_id: int, person: str, content: bytes = PDF, filename: str = "resolucion.pdf"):
    token = csrf_token(client, f"/dependencias/{dependency_id}/enlace")
    return client.post(
        f"/dependencias/{dependency_id}/enlace",
        data={
            "csrf_token": token,
            "person": person,
            "act_type": "resolucion",
            "act_number": "0456",
            "act_date": "2026-11-03",
            "effective_date": "2026-11-04",
            "act_file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def file_open_request(app, client) -> int:
    from tests.unit.tickets.test_flow import file_creation_request

    return file_creation_request(app, client)


def test_replacement_moves_role_requests_drafts_and_opens_the_handover(app, tmp_path):
    sal = dep_id(app, "SAL")
    outgoing = app.test_client()
    login(outgoing, "enlace.salud")
    open_request = file_open_request(app, outgoing)

    head = app.test_client()
    login(head, "jefe.salud")
    response = designate(head, sal, "integrante3")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]

    with app.app_context():
        rows = (
            db.session.execute(select(Designation).where(Designation.dependency_id == sal).order_by(Designation.id))
            .scalars()
            .all()
        )
        assert [(d.person.username, d.status) for d in rows] == [
            ("enlace.salud", DesignationStatus.REEMPLAZADA),
            ("integrante3", DesignationStatus.VIGENTE),
        ]
        assert rows[0].end_date == date(2026, 11, 4)
        assert len(rows[1].act_sha256) == 64 and rows[1].act_content == PDF
        people = {u.username: u for u in db.session.execute(select(User)).scalars()}
        assert sal in people["integrante3"].scoped_dependency_ids(Role.ENLACE)
        assert sal not in people["enlace.salud"].scoped_dependency_ids(Role.ENLACE)
        moved = db.session.get(AccessRequest, open_request)
        assert moved.requester_id == people["integrante3"].id
        drafts = (
            db.session.execute(
                select(AccessRequest).where(AccessRequest.state == RequestState.BORRADOR, AccessRequest.dependency_id == sal)
            )
            .scalars()
            .all()
        )
        # integrante3 has an account in the directory: the enlace's groups they lack, not a creation
        assert {(d.form, d.beneficiary_username) for d in drafts} == {
            (RequestForm.ROLES, "integrante3"),
            (RequestForm.ROLES, "enlace.salud"),
        }
        handover = db.session.execute(select(Handover).where(Handover.dependency_id == sal)).scalar_one()
        assert [i["key"] for i in handover.checklist] == ["solicitudes", "iniciativas", "documentos", "credenciales"]
        assert moved.number in handover.checklist[0]["note"]
        assert (
            db.session.execute(select(AuditEvent).where(AuditEvent.action == "designacion.crear")).scalars().all()[-1].actor_name
            == "jefe.salud"
        )
    texts = [p.read_text() for p in (tmp_path / "mail").glob("*.log")]
    designation_mails = [t for t in texts if "nueva designación de Enlace TIC" in t]
    assert designation_mails
    for address in ("integrante3@", "enlace.salud@", "secretario@"):
        assert any(address in t for t in designation_mails), address


def test_handover_needs_every_item_confirmed(app):
    sal = dep_id(app, "SAL")
    head = app.test_client()
    login(head, "jefe.salud")
    designate(head, sal, "integrante3")
    with app.app_context():
        handover = db.session.execute(select(Handover).where(Handover.dependency_id == sal)).scalar_one()
        handover_id = handover.id
        # the outgoing enlace's privileges were removed (test_designation_rules covers the wait)
        removal = db.session.get(AccessRequest, handover.removal_request_id)
        removal.state, removal.number = RequestState.RESUELTA, "SOL-2026-09998"
        db.session.commit()
    token = csrf_token(head, f"/transferencias/{handover_id}")
    partial = head.post(f"/transferencias/{handover_id}", data={"csrf_token": token, "hecho_solicitudes": "1"})
    assert partial.status_code == 422
    assert "Confirme todos los puntos" in partial.get_data(as_text=True)
    data = {"csrf_token": token} | {f"hecho_{k}": "1" for k in ("solicitudes", "iniciativas", "documentos", "credenciales")}
    data["nota_documentos"] = "Entregó la carpeta del portal web y el acceso a SUIT."
    assert head.post(f"/transferencias/{handover_id}", data=data).status_code == 303
    with app.app_context():
        handover = db.session.get(Handover, handover_id)
        assert handover.is_completed and handover.completed_by.username == "jefe.salud"
        assert handover.checklist[2]["note"] == "Entregó la carpeta del portal web y el acceso a SUIT."


def test_revocation_leaves_a_coverage_gap(app):
    sal = dep_id(app, "SAL")
    head = app.test_client()
    login(head, "jefe.salud")
    with app.app_context():
        current = db.session.execute(
            select(Designation.id).where(Designation.dependency_id == sal, Designation.status == DesignationStatus.VIGENTE)
        ).scalar_one()
    token = csrf_token(head, f"/dependencias/{sal}/enlace")
    response = head.post(
        f"/dependencias/{sal}/enlace/{current}/revocar",
        data={"csrf_token": token, "reason": "Traslado del funcionario a otra entidad."},
    )
    assert response.status_code == 303
    with app.app_context():
        designation = db.session.get(Designation, current)
        assert designation.status is DesignationStatus.REVOCADA and designation.end_date is not None
        enlace = db.session.execute(select(User).where(User.username == "enlace.salud")).scalar_one()
        assert sal not in enlace.scoped_dependency_ids(Role.ENLACE)
    secretario = app.test_client()
    login(secretario, "secretario")
    page = secretario.get("/enlaces/cobertura").get_data(as_text=True)
    assert re.search(r'data-coverage="SAL" data-covered="no"', page)
    assert re.search(r'data-coverage="HAC" data-covered="si"', page)


def test_an_executable_renamed_pdf_is_refused_and_nothing_changes(app):
    sal = dep_id(app, "SAL")
    head = app.test_client()
    login(head, "jefe.salud")
    response = designate(head, sal, "integrante3", content=b"MZ\x90\x00" + b"\x00" * 2000, filename="resolucion.pdf")
    assert response.status_code == 422
    assert "no es un documento válido" in response.get_data(as_text=True)
    with app.app_context():
        vigente = db.session.execute(
            select(Designation).where(Designation.dependency_id == sal, Designation.status == DesignationStatus.VIGENTE)
        ).scalar_one()
        assert vigente.person.username == "enlace.salud"


def test_an_11_mb_pdf_gets_413(app):
    sal = dep_id(app, "SAL")
    head = app.test_client()
    login(head, "jefe.salud")
    big = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    token = csrf_token(head, f"/dependencias/{sal}/enlace")
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(
        {"csrf_token": token, "person": "integrante3", "act_file": FileStorage(io.BytesIO(big), "grande.pdf")}
    )
    response = head.post(f"/dependencias/{sal}/enlace", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "10 MB" in response.get_data(as_text=True)


def test_a_head_cannot_designate_for_another_dependency(app):
    client = app.test_client()
    login(client, "jefe.hacienda")
    sal = dep_id(app, "SAL")
    assert client.get(f"/dependencias/{sal}/enlace").status_code == 403
    token = csrf_token(client, f"/dependencias/{dep_id(app, 'HAC')}/enlace")
    response = client.post(f"/dependencias/{sal}/enlace", data={"csrf_token": token, "person": "integrante3"})
    assert response.status_code == 403


def test_unknown_person_is_a_field_error(app):
    head = app.test_client()
    login(head, "jefe.salud")
    response = designate(head, dep_id(app, "SAL"), "no.existe.en.ningun.lado")
    assert response.status_code == 422
    assert "No se encontró a esa persona" in response.get_data(as_text=True)


def test_decentralised_entities_call_it_cio(app):
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get(f"/dependencias/{dep_id(app, 'INDER')}/enlace").get_data(as_text=True)
    assert "CIO de la dependencia" in page
    assert "Enlace TIC de la dependencia" in admin.get(f"/dependencias/{dep_id(app, 'SAL')}/enlace").get_data(as_text=True)


def test_act_pdf_is_downloadable_by_who_may_see_it(app):
    sal = dep_id(app, "SAL")
    with app.app_context():
        current = db.session.execute(select(Designation.id).where(Designation.dependency_id == sal)).scalar_one()
    own = app.test_client()
    login(own, "enlace.salud")
    response = own.get(f"/dependencias/{sal}/enlace/{current}/acto.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    response.close()
    other = app.test_client()
    login(other, "enlace.hacienda")
    assert other.get(f"/dependencias/{sal}/enlace/{current}/acto.pdf").status_code == 403


def test_coverage_xlsx_opens_with_openpyxl(app):
    client = app.test_client()
    login(client, "secretario")
    response = client.get("/enlaces/cobertura.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["SAL"][4] == "Laura Gómez Ríos"
    assert rows["SAL"][6].date() == date(2026, 1, 15)
    assert rows["EDU"][4] == "SIN ENLACE"
    response.close()
    enlace = app.test_client()
    login(enlace, "enlace.salud")
    assert enlace.get("/enlaces/cobertura").status_code == 403


def test_api_designation_with_multipart(app, client):
    token = app.test_cli_runner().invoke(args=["users", "token", "jefe.hacienda"]).output.strip()
    hac = dep_id(app, "HAC")
    response = client.post(
        f"/api/v1/dependencies/{hac}/designations",
        data={
            "person": "integrante4",
            "act_type": "comunicacion_oficial",
            "act_number": "OF-2026-77",
            "act_date": "2026-11-02",
            "effective_date": "2026-11-02",
            "act_file": (io.BytesIO(PDF), "oficio.pdf"),
        },
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["person"] == "integrante4" and response.get_json()["status"] == "vigente"
    listed = client.get(f"/api/v1/dependencies/{hac}/designations", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [d["status"] for d in listed] == ["vigente", "reemplazada"]
