"""Hostile input is a 400/404/422 with a Spanish message, never a 500 (portal.hygiene)."""

from __future__ import annotations

import json

import pytest

from portal.hygiene import MAX_JSON_DEPTH, json_depth_exceeds
from tests.conftest import csrf_token

HUGE = str(2**63)


def test_nul_in_the_anonymous_login_form_is_a_400_in_spanish(client):
    token = csrf_token(client, "/ingresar")
    response = client.post("/ingresar", data={"username": "jefe\x00.salud", "password": "x", "csrf_token": token})
    assert response.status_code == 400
    assert "caracteres de control no permitidos" in response.get_data(as_text=True)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x0b"])
def test_control_characters_in_query_arguments_are_refused(client, login_as, char):
    login_as("control.interno")
    assert client.get("/auditoria", query_string={"verificar": f"a{char}b"}).status_code == 400


def test_tab_and_line_breaks_are_allowed(client, login_as):
    login_as("control.interno")
    assert client.get("/auditoria", query_string={"x": "a\tb\r\nc"}).status_code == 200


def test_invalid_utf8_in_the_query_string_is_refused(client, login_as):
    login_as("control.interno")
    assert client.get("/auditoria?x=%C3%28").status_code == 400


@pytest.mark.parametrize("path", [f"/dependencias/{HUGE}", "/dependencias/2147483648", f"/solicitudes/{HUGE}9"])
def test_huge_integers_in_urls_are_404(client, login_as, path):
    login_as("admin")
    assert client.get(path).status_code == 404


def test_huge_page_number_is_a_400(client, login_as):
    login_as("control.interno")
    response = client.get(f"/auditoria?page={HUGE}")
    assert response.status_code == 400
    assert "fuera del rango permitido" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", [str(2**62), "1000001", "-9223372036854775807"])
def test_a_page_number_whose_offset_would_overflow_is_a_400(client, login_as, page):
    login_as("control.interno")
    assert client.get(f"/auditoria?page={page}").status_code == 400


def test_huge_page_number_in_the_api_is_a_problem(app, bearer):
    response = app.test_client().get(f"/api/v1/requests?page={HUGE}", headers=bearer("lider.ed"))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def _post_json(app, headers, body: str):
    return app.test_client().post("/api/v1/dependencies", data=body, headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize(
    "body",
    [
        '{"code": "X1", "name": "a\\u0000b", "kind": "oficina"}',
        '{"code": "X1", "name": "a\\ud800b", "kind": "oficina"}',
        '{"code": "X1", "name": "ok", "kind": "oficina", "head_id": ' + HUGE + "}",
        '{"code": "X1", "name": "ok", "kind": "oficina", "head_id": 1' + "0" * 5000 + "}",
        '{"code": "X1", "name": "ok", "kind": "oficina", "head_id": 1e999}',
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 40 + "1" + "}" * 40,
    ],
    ids=["nul", "lone-surrogate", "int-2^63", "int-5000-digits", "infinity", "depth-100000", "depth-40"],
)
def test_hostile_json_bodies_are_400_problems(app, bearer, body):
    response = _post_json(app, bearer("admin"), body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


def test_a_valid_json_body_still_passes(app, bearer):
    body = json.dumps({"code": "X1", "name": "Oficina «nueva»\tcon tabulador", "kind": "oficina"})
    assert _post_json(app, bearer("admin"), body).status_code == 201


def test_depth_counting_ignores_brackets_inside_strings():
    assert not json_depth_exceeds(json.dumps({"x": "[" * 1000}).encode())
    assert json_depth_exceeds(("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)).encode())
    assert not json_depth_exceeds(("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH).encode())


def test_a_form_with_a_nul_byte_is_refused_before_the_view(client, login_as):
    login_as("admin")
    token = csrf_token(client, "/dependencias/nueva")
    response = client.post(
        "/dependencias/nueva", data={"code": "X1", "name": "a\x00b", "kind": "oficina", "head_id": "0", "csrf_token": token}
    )
    assert response.status_code == 400
