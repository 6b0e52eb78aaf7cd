"""API plumbing: tokens, problem+json errors, the OpenAPI document, /healthz."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from portal.extensions import db
from portal.models import ApiToken


def cli_token(app, username: str) -> str:
    result = app.test_cli_runner().invoke(args=["users", "token", username])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_cli_token_authenticates_and_is_stored_hashed(app, client):
    token = cli_token(app, "jefe.salud")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json()["username"] == "jefe.salud"
    assert me.get_json()["roles"] == [{"role": "jefe", "dependency": "SAL"}]
    with app.app_context():
        rows = db.session.execute(select(ApiToken)).scalars().all()
        assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
        assert all(token not in (r.prefix + r.token_hash) for r in rows)
        assert rows[0].last_used_at is not None


def test_missing_or_bad_token_is_401_problem_json(client):
    for headers in ({}, {"Authorization": "Bearer mtic_nope"}, {"Authorization": "Basic x"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == 401 and body["title"] == "Autenticación requerida"


def test_session_cookie_does_not_authenticate_the_api(login_as):
    client = login_as("admin")
    assert client.get("/api/v1/me").status_code == 401


def test_invalid_body_is_400_with_field_errors(app, client):
    token = cli_token(app, "admin")
    response = client.post(
        "/api/v1/dependencies", json={"code": "bad code!", "kind": "planeta"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert set(errors) == {"code", "kind", "name"}


def test_domain_validation_error_is_422(app, client):
    token = cli_token(app, "admin")
    response = client.post(
        "/api/v1/dependencies",
        json={"code": "SAL", "name": "Duplicada", "kind": "secretaria"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Ya existe una dependencia con ese código."


def test_admin_creates_a_dependency_through_the_api(app, client):
    token = cli_token(app, "admin")
    response = client.post(
        "/api/v1/dependencies",
        json={"code": "TUR", "name": "Secretaría de Turismo", "kind": "secretaria"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert response.get_json()["code"] == "TUR"


def test_non_admin_cannot_create_dependencies(app, client):
    token = cli_token(app, "secretario")
    response = client.post(
        "/api/v1/dependencies",
        json={"code": "TUR", "name": "Turismo", "kind": "secretaria"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403


def test_unknown_api_path_is_404_problem_json(client):
    response = client.get("/api/v1/no-existe")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_openapi_document_is_generated_from_the_code(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/dependencies", "/api/v1/dependencies/{dependency_id}"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_healthz_reports_database_broker_and_directory(client):
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "directory"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_503_when_the_directory_is_down(make_app):
    from tests.fixtures.services import free_port

    app = make_app(LDAP_URL=f"ldap://127.0.0.1:{free_port()}", LDAP_TIMEOUT=1)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["directory"]["ok"] is False
