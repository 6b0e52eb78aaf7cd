"""API messages in Spanish (SPEC §8): marshmallow's field errors ("Missing data for required field.",
"Longer than maximum length 4000.", "Must be one of: …") come back in Spanish in the problem+json of
every endpoint, the committee's and the others'."""

from __future__ import annotations

from typing import Any

from tests.unit.catalog.factories import make_session


def field_errors(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["detail"] == "Hay campos con errores."
    errors: dict[str, Any] = body["errors"]
    return errors


def test_the_committees_field_errors_are_in_spanish(app, api) -> None:
    with app.app_context():
        session_id = make_session()
    errors = field_errors(api("st.mesa", "POST", "/api/v1/committee/sessions", json={"extraordinary_reason": "x" * 4001}))
    assert errors["kind"] == errors["day"] == ["Este dato es obligatorio."]
    assert errors["extraordinary_reason"] == ["Admite hasta 4000 caracteres."]

    errors = field_errors(
        api("st.mesa", "POST", f"/api/v1/committee/sessions/{session_id}/attendance", json={"kind": "otro", "member_id": "uno"})
    )
    assert errors["kind"] == ["Debe ser uno de estos valores: integrante, delegado, invitado, jefe."]
    assert errors["member_id"] == ["Debe ser un número entero."]

    errors = field_errors(api("st.mesa", "GET", "/api/v1/committee/plan?year=1800"))
    assert errors["year"] == ["Debe estar entre 2000 y 2100."]
    errors = field_errors(api("st.mesa", "POST", f"/api/v1/committee/sessions/{session_id}/guests", json={"nombre": "Ana"}))
    assert errors["nombre"] == ["Campo desconocido."] and errors["email"] == ["Este dato es obligatorio."]


def test_the_other_domains_field_errors_are_in_spanish(api) -> None:
    errors = field_errors(
        api("enlace.salud", "POST", "/api/v1/initiatives", json={"dependency_id": None, "title": "t" * 201, "enablers": ["nube"]})
    )
    assert errors["dependency_id"] == ["Este dato no puede ser nulo."]
    assert errors["title"] == ["Admite hasta 200 caracteres."]
    assert errors["description"] == ["Este dato es obligatorio."]
    assert any(message.startswith("Debe ser uno de estos valores:") for message in errors["enablers"]["0"])
