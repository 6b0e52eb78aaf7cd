"""Stored files go back to the browser with their exact name and a sandboxing policy."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.downloads import send_stored_file


@pytest.mark.parametrize(
    ("filename", "as_attachment", "disposition"),
    [
        ("FO-M11-P2-05 firmado.pdf", True, 'attachment; filename="FO-M11-P2-05 firmado.pdf"'),
        ("acta.pdf", False, "inline; filename=acta.pdf"),
        ('el "acta".pdf', True, 'attachment; filename="el \\"acta\\".pdf"'),
        ("Resolución 0456.pdf", False, "inline; filename=\"Resolucion 0456.pdf\"; filename*=UTF-8''Resoluci%C3%B3n%200456.pdf"),
        ("acta – v2.pdf", True, "attachment; filename=\"acta  v2.pdf\"; filename*=UTF-8''acta%20%E2%80%93%20v2.pdf"),
    ],
)
def test_the_name_is_kept_in_the_header(filename: str, as_attachment: bool, disposition: str) -> None:
    with Flask(__name__).test_request_context():
        response = send_stored_file(b"%PDF-1.4", filename=filename, mimetype="application/pdf", as_attachment=as_attachment)
        try:
            assert response.headers["Content-Disposition"] == disposition
            assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
            assert response.mimetype == "application/pdf"
            response.direct_passthrough = False
            assert response.get_data() == b"%PDF-1.4"
        finally:
            response.close()
