"""Uploads are PDFs by content and parse, without active content; downloads of any name work."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from portal.downloads import content_disposition
from portal.errors import ValidationFailed
from portal.uploads import check_upload


def pdf_with(*objects: bytes) -> bytes:
    """A PDF whose catalogue is object 1, with the given extra objects (2, 3, …) and a real xref."""
    bodies = [b"<< /Type /Catalog " + (b"/OpenAction 2 0 R " if objects else b"") + b">>", *objects]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_real_pdf_is_accepted():
    assert check_upload("acto.pdf", real_pdf()).content_type == "application/pdf"
    assert check_upload("acto.pdf", pdf_with()).content_type == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        b"junk before %PDF-1.4\n" + real_pdf(),
        b"%PDF-1.4 but nothing else",
        b"%PDF-" + b"\x00" * 5000,
        b"MZ\x90\x00" + real_pdf(),
    ],
    ids=["header-not-first", "does-not-parse", "zeros", "executable"],
)
def test_what_is_not_a_parseable_pdf_is_refused(content):
    with pytest.raises(ValidationFailed, match="no es un documento válido"):
        check_upload("acto.pdf", content)


@pytest.mark.parametrize(
    "extra",
    [
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
        b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"<< /S /Launch /F (calc.exe) >>",
        b"<< /Type /Filespec /F (a.exe) /EF << /F 3 0 R >> /Ext << /EmbeddedFile 3 0 R >> >>",
        b"<< /Names << /EmbeddedFiles << /Names [] >> >> >>",
    ],
    ids=["javascript", "javascript-hex-escaped", "launch", "embedded-file", "embedded-files"],
)
def test_a_pdf_with_active_content_is_refused(extra):
    with pytest.raises(ValidationFailed, match="contenido activo"):
        check_upload("acto.pdf", pdf_with(extra))


def test_a_pdf_with_an_attachment_made_by_pypdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("nota.txt", b"hola")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ValidationFailed, match="contenido activo"):
        check_upload("acto.pdf", buffer.getvalue())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("resolucion.pdf", 'attachment; filename="resolucion.pdf"'),
        ("Resolución 012.pdf", "attachment; filename=\"Resolucion 012.pdf\"; filename*=UTF-8''Resoluci%C3%B3n%20012.pdf"),
        ("Ελλάδα.pdf", "attachment; filename=\".pdf\"; filename*=UTF-8''%CE%95%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1.pdf"),
        ('a"b\r\nX-Evil: 1.pdf', 'attachment; filename="abX-Evil: 1.pdf"'),
    ],
)
def test_content_disposition(name, expected):
    assert content_disposition(name) == expected
    assert content_disposition(name).encode("latin-1")


def test_a_document_with_a_non_latin1_name_downloads(app, login_as):
    """Uploaded through the real page, downloaded back with its name intact (RFC 5987)."""
    from catalog.models import InitiativeDocument
    from portal.extensions import db
    from tests.conftest import csrf_token
    from tests.unit.security.conftest import make_initiative

    initiative_id = make_initiative(app)
    client = login_as("enlace.salud")
    token = csrf_token(client, f"/iniciativas/{initiative_id}")
    name = "Estudio técnico – Ελλάδα 😀.pdf"
    uploaded = client.post(
        f"/iniciativas/{initiative_id}/documentos",
        data={"csrf_token": token, "file": (io.BytesIO(real_pdf()), name)},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303, uploaded.get_data(as_text=True)[:500]
    with app.app_context():
        document_id = db.session.query(InitiativeDocument.id).order_by(InitiativeDocument.id.desc()).scalar()
    response = client.get(f"/iniciativas/{initiative_id}/documentos/{document_id}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")
    assert "filename*=UTF-8''Estudio%20t%C3%A9cnico%20%E2%80%93%20" in disposition
