"""Dependency scoping and role checks, enforced on the server for pages and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import services
from portal.extensions import db
from portal.models import Dependency, User


def dependency_id(app, code: str) -> int:
    with app.app_context():
        return db.session.execute(select(Dependency.id).where(Dependency.code == code)).scalar_one()


def api_token(app, username: str) -> str:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        token, _row = services.issue_api_token(db.session, actor=None, user=user, name="test")
        db.session.commit()
        return token


@pytest.mark.parametrize("username", ["enlace.salud", "jefe.salud"])
def test_scoped_user_gets_403_on_another_dependency_page(app, login_as, username):
    client = login_as(username)
    response = client.get(f"/dependencias/{dependency_id(app, 'HAC')}")
    assert response.status_code == 403
    assert "No tiene permiso" in response.get_data(as_text=True)
    assert client.get(f"/dependencias/{dependency_id(app, 'SAL')}").status_code == 200


def test_scoped_user_lists_only_its_dependency(login_as):
    page = login_as("enlace.hacienda").get("/dependencias").get_data(as_text=True)
    assert "Secretaría de Hacienda" in page
    assert "Secretaría de Salud" not in page


@pytest.mark.parametrize("username", ["admin", "secretario", "control.interno", "lider.ed", "agente"])
def test_entity_wide_roles_see_every_dependency(app, login_as, username):
    client = login_as(username)
    page = client.get("/dependencias").get_data(as_text=True)
    assert "Secretaría de Hacienda" in page and "Secretaría de Salud" in page
    assert client.get(f"/dependencias/{dependency_id(app, 'HAC')}").status_code == 200


def test_api_applies_the_same_scope(app, client):
    token = api_token(app, "enlace.salud")
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/dependencies", headers=headers).get_json()
    assert [d["code"] for d in listed] == ["SAL"]
    refused = client.get(f"/api/v1/dependencies/{dependency_id(app, 'HAC')}", headers=headers)
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["title"] == "Acceso denegado"


@pytest.mark.parametrize("username", ["jefe.salud", "secretario", "control.interno"])
def test_only_admin_edits_dependencies(app, login_as, username):
    client = login_as(username)
    assert client.get(f"/dependencias/{dependency_id(app, 'SAL')}/editar").status_code == 403
    assert client.post("/dependencias/nueva", data={"code": "X", "name": "X", "kind": "oficina"}).status_code in (400, 403)


def test_admin_creates_a_dependency_through_the_form_and_it_is_audited(app, login_as):
    from tests.conftest import csrf_token

    client = login_as("admin")
    token = csrf_token(client, "/dependencias/nueva")
    response = client.post(
        "/dependencias/nueva",
        data={
            "code": "TUR",
            "name": "Secretaría de Turismo",
            "kind": "secretaria",
            "head_id": "0",
            "is_active": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        dep = db.session.execute(select(Dependency).where(Dependency.code == "TUR")).scalar_one()
        assert dep.name == "Secretaría de Turismo"
        from portal.models import AuditEvent

        event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        assert (event.action, event.actor_name, event.after["code"]) == ("dependencia.crear", "admin", "TUR")


def test_duplicate_dependency_code_is_a_field_error_and_nothing_is_saved(app, login_as):
    from tests.conftest import csrf_token

    client = login_as("admin")
    token = csrf_token(client, "/dependencias/nueva")
    response = client.post(
        "/dependencias/nueva",
        data={"code": "sal", "name": "Otra", "kind": "secretaria", "head_id": "0", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "Código repetido." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Dependency).where(Dependency.name == "Otra")).scalar() is None


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/dependencias")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ingresar")


def test_role_scope_is_guarded_by_the_database(app):
    from sqlalchemy.exc import IntegrityError

    from portal.models import RoleAssignment

    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "agente")).scalar_one()
        db.session.add(RoleAssignment(user_id=user.id, role="enlace", dependency_id=None))
        with pytest.raises(IntegrityError):
            db.session.commit()
