"""The request forms in one round (issue 17): every error of a submission at once with a summary
that links to each field, a cédula typed with dots or spaces stored bare, a role of another
system refused by name on the server.
"""

from __future__ import annotations

import html
import re

from tests.unit.tickets.factories import fetch
from tests.unit.tickets.test_validation import BASE, ROLES_BASE, counts, feedback, post_form


def summary_links(page: str) -> dict[str, str]:
    """The error summary's entries: the field each one links to → its text."""
    box = re.search(r'<div id="resumen-errores"[^>]*data-error-summary[^>]*>(.*?)</div>', page, re.S)
    assert box, "a refused form shows a summary of its errors at the top"
    return {
        target: html.unescape(text).strip()
        for target, text in re.findall(r'<a href="#([^"]+)" class="alert-link">(.*?)</a>', box.group(1), re.S)
    }


def test_every_error_of_a_submission_is_shown_at_once_with_a_linked_summary(app, login_as) -> None:
    client = login_as("enlace.salud")
    # three mistakes of different kinds: a malformed cédula and a foreign e-mail (checked by format)
    # and a missing justification (checked only when filing)
    data = BASE | {"beneficiary_document": "11A", "beneficiary_email": "maria@gmail.com", "justification": ""}
    response = post_form(app, client, "FO-M11-P2-05", data, submit=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    shown = feedback(page)
    expected = {
        "beneficiary_document": "La cédula de ciudadanía lleva de 5 a 10 dígitos (puede escribirla con puntos).",
        "beneficiary_email": "Debe ser un correo institucional (@valledelcauca.gov.co).",
        "justification": "Escriba la justificación de la solicitud.",
    }
    for message in expected.values():
        assert message in shown
    links = summary_links(page)
    assert set(links) == set(expected)
    for name, message in expected.items():
        assert links[name].endswith(message)
        assert f'id="{name}"' in page  # the link lands on the field
    assert "Revise los campos marcados: hay 3 errores." in page
    assert page.index("resumen-errores") < page.index("data-request-form")
    assert counts(app) == (0, 0)


def test_a_cedula_with_dots_or_spaces_is_accepted_and_stored_with_digits_only(app, login_as) -> None:
    client = login_as("enlace.salud")
    for typed in ("1.144.556.677", "1 144 556 677", " 1144.556 677 "):
        response = post_form(app, client, "FO-M11-P2-05", BASE | {"beneficiary_document": typed}, submit=False)
        assert response.status_code == 302, feedback(response.get_data(as_text=True))
        request_id = int(re.search(r"/solicitudes/(\d+)", response.headers["Location"]).group(1))
        with app.app_context():
            assert fetch(request_id).beneficiary_document == "1144556677", typed

    filed = post_form(app, client, "FO-M11-P2-05", BASE | {"beneficiary_document": "1.144.556.677"}, submit=True)
    assert filed.status_code == 302, feedback(filed.get_data(as_text=True))
    request_id = int(re.search(r"/solicitudes/(\d+)", filed.headers["Location"]).group(1))
    with app.app_context():
        request = fetch(request_id)
        assert (request.number is not None, request.beneficiary_document) == (True, "1144556677")


def test_a_role_of_another_system_is_refused_by_name(app, login_as) -> None:
    """ "contabilidad" is a role of SAP; the request is for the institutional directory."""
    client = login_as("enlace.salud")
    response = post_form(app, client, "FO-M11-P2-13", ROLES_BASE | {"roles_to_add": ["contabilidad"]}, submit=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Roles que no existen en el sistema Directorio institucional (cuenta de red y correo): contabilidad" in feedback(page)
    assert counts(app) == (0, 0)
    # the page lists each system's roles apart, so the enlace sees which belong to which
    assert re.search(r'data-system="\d+">\s*<legend[^>]*>Roles de SAP \(sin conector\)</legend>', page)

    # the same role for the system it belongs to is accepted
    with app.app_context():
        from tests.unit.tickets.factories import system_id

        sap = system_id("sap")
    accepted = post_form(
        app, client, "FO-M11-P2-13", ROLES_BASE | {"roles_to_add": ["contabilidad"], "system_id": sap}, submit=False
    )
    assert accepted.status_code == 302, feedback(accepted.get_data(as_text=True))
