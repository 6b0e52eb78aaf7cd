"""Attachments (checked by content, at most 10 MB) and comments, internal notes included (SPEC §3, §8)."""

from __future__ import annotations

import hashlib
import re
from io import BytesIO

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.extensions import db
from tests.conftest import csrf_token, login
from tickets.models import RequestAttachment, RequestComment, RequestState

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
INTERNAL = "Nota interna: el jefe confirmó por teléfono; validar contrato antes de crear."
PUBLIC = "Adjunto el formato firmado por el jefe de la dependencia."


def client_for(app, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def upload(client, request_id: int, content: bytes, filename: str):  # type: ignore[no-untyped-def]
    """Post the file as a browser would; the body is encoded in memory (the test client would spool a
    large one to a temporary file it never closes)."""
    token = csrf_token(client, f"/solicitudes/{request_id}")
    boundary, body = encode_multipart({"csrf_token": token, "file": FileStorage(BytesIO(content), filename)})
    return client.post(f"/solicitudes/{request_id}/adjuntos", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def stored(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(RequestAttachment.id))).scalar_one()


def test_a_pdf_is_listed_and_downloadable_by_who_sees_the_request(app, make_request) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    enlace = client_for(app, "enlace.salud")
    response = upload(enlace, request_id, PDF, "FO-M11-P2-05 firmado.pdf")
    assert response.status_code == 303
    with app.app_context():
        attachment = db.session.execute(select(RequestAttachment)).scalar_one()
        attachment_id = attachment.id
        assert (attachment.request_id, attachment.content_type, attachment.size) == (request_id, "application/pdf", len(PDF))
        assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    link = f"/solicitudes/{request_id}/adjuntos/{attachment_id}"
    for username in ("enlace.salud", "jefe.salud", "lider.ed", "agente", "control.interno"):
        client = enlace if username == "enlace.salud" else client_for(app, username)
        page = client.get(f"/solicitudes/{request_id}").get_data(as_text=True)
        assert f'href="{link}"' in page and "FO-M11-P2-05 firmado.pdf" in page, username
        download = client.get(link)
        try:
            assert download.status_code == 200, username
            assert download.data == PDF
            assert download.mimetype == "application/pdf"
            assert download.headers["Content-Disposition"] == 'attachment; filename="FO-M11-P2-05 firmado.pdf"'
        finally:
            download.close()
    outsider = client_for(app, "enlace.hacienda")
    refused = outsider.get(link)
    try:
        assert refused.status_code == 403
    finally:
        refused.close()
    wrong_request = enlace.get(f"/solicitudes/{make_request(state=RequestState.RADICADA)}/adjuntos/{attachment_id}")
    try:
        assert wrong_request.status_code == 404
    finally:
        wrong_request.close()


def test_a_name_outside_latin_1_downloads_with_its_exact_name(app, make_request) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    enlace = client_for(app, "enlace.salud")
    assert upload(enlace, request_id, PDF, "Resolución – firmada.pdf").status_code == 303
    with app.app_context():
        attachment_id = db.session.execute(select(RequestAttachment.id)).scalar_one()
    download = enlace.get(f"/solicitudes/{request_id}/adjuntos/{attachment_id}")
    try:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"] == (
            "attachment; filename=\"Resolucion  firmada.pdf\"; filename*=UTF-8''Resoluci%C3%B3n%20%E2%80%93%20firmada.pdf"
        )
        assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    finally:
        download.close()


def test_an_executable_renamed_pdf_is_refused_in_spanish_and_not_stored(app, make_request) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    enlace = client_for(app, "enlace.salud")
    response = upload(enlace, request_id, EXE, "formato.pdf")
    assert response.status_code == 303
    page = enlace.get(response.headers["Location"]).get_data(as_text=True)
    assert "El archivo no es un documento válido: por su contenido no es JPEG, PDF, PNG." in page
    assert stored(app) == 0
    assert "formato.pdf" not in enlace.get(f"/solicitudes/{request_id}").get_data(as_text=True)


@pytest.mark.parametrize("size", [10 * 1024 * 1024 + 1, 11 * 1024 * 1024], ids=["just-over-10MB", "over-the-request-limit"])
def test_a_file_over_10_mb_is_refused_with_413(app, make_request, size: int) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    enlace = client_for(app, "enlace.salud")
    content = PDF + b"0" * (size - len(PDF))
    response = upload(enlace, request_id, content, "escaneo.pdf")
    assert response.status_code == 413
    assert "10 MB" in response.get_data(as_text=True)
    assert stored(app) == 0


def add_comments(app, request_id: int) -> None:
    agente = client_for(app, "agente")
    token = csrf_token(agente, f"/solicitudes/{request_id}")
    response = agente.post(
        f"/solicitudes/{request_id}/comentarios", data={"csrf_token": token, "body": INTERNAL, "is_internal": "y"}
    )
    assert response.status_code == 303
    enlace = client_for(app, "enlace.salud")
    token = csrf_token(enlace, f"/solicitudes/{request_id}")
    response = enlace.post(f"/solicitudes/{request_id}/comentarios", data={"csrf_token": token, "body": PUBLIC})
    assert response.status_code == 303
    with app.app_context():
        comments = db.session.execute(select(RequestComment).order_by(RequestComment.id)).scalars().all()
        assert [(c.body, c.is_internal) for c in comments] == [(INTERNAL, True), (PUBLIC, False)]


def test_internal_notes_are_shown_to_staff_only_on_the_page(app, make_request) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    add_comments(app, request_id)
    for username, sees in [("lider.ed", True), ("agente", True), ("enlace.salud", False), ("jefe.salud", False)]:
        page = client_for(app, username).get(f"/solicitudes/{request_id}").get_data(as_text=True)
        assert PUBLIC in page, username
        assert (INTERNAL in page) is sees, username
        assert ("Nota interna" in page) is sees, username


def test_only_staff_write_internal_notes(app, make_request) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    enlace = client_for(app, "enlace.salud")
    token = csrf_token(enlace, f"/solicitudes/{request_id}")
    response = enlace.post(
        f"/solicitudes/{request_id}/comentarios", data={"csrf_token": token, "body": INTERNAL, "is_internal": "y"}
    )
    assert response.status_code == 403
    assert "Solo el personal de la Secretaría escribe notas internas." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(RequestComment.id))).scalar_one() == 0


def test_internal_notes_are_shown_to_staff_only_in_the_api(app, make_request, api) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    add_comments(app, request_id)
    for username, expected in [
        ("lider.ed", [INTERNAL, PUBLIC]),
        ("agente", [INTERNAL, PUBLIC]),
        ("enlace.salud", [PUBLIC]),
        ("jefe.salud", [PUBLIC]),
    ]:
        detail = api(username, "GET", f"/api/v1/requests/{request_id}").get_json()
        assert "comments" in detail, f"the API detail has no comments: {sorted(detail)}"
        assert [c["body"] for c in detail["comments"]] == expected, username
    # reading as a non-staff user hides the notes in the response only, never in the database
    page = client_for(app, "lider.ed").get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert INTERNAL in page
    assert re.search(r"Nota interna", page)
