"""Login, logout, sessions and rate limiting through the real form (demo directory)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.demo import DEMO_ACCOUNTS
from portal.extensions import db
from portal.models import AuditEvent, User
from portal.roles import Role
from portal.views import DASHBOARD_PANELS
from tests.conftest import csrf_token, login


@pytest.mark.parametrize("username", ["admin", *DEMO_ACCOUNTS])
def test_each_demo_account_logs_in_and_sees_its_dashboard(client, username):
    response = login(client, username)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    roles = [Role.ADMIN] if username == "admin" else [role for role, _dep in DEMO_ACCOUNTS[username]]
    for role in roles:
        assert role.label in page
        for panel in DASHBOARD_PANELS[role]:
            assert f'data-panel="{panel.key}"' in page


def test_wrong_password_is_refused_with_a_spanish_message(client, app):
    response = login(client, "jefe.salud", "incorrecta")
    assert response.status_code == 401
    assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous
    with app.app_context():
        failed = db.session.execute(select(AuditEvent).where(AuditEvent.action == "sesion.ingreso_fallido")).scalars().all()
        assert [e.object_id for e in failed] == ["jefe.salud"]


@pytest.mark.parametrize("username", ["*)(uid=*))(|(uid=*", "*", "admin)(|(uid=*", "jefe.salud)(uid=*"])
def test_filter_injection_logs_nobody_in_and_does_not_error(client, username):
    response = login(client, username, "Demo2026!")
    assert response.status_code == 401
    assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_empty_password_never_reaches_an_anonymous_bind(client):
    token = csrf_token(client, "/ingresar")
    response = client.post("/ingresar", data={"username": "jefe.salud", "password": "", "csrf_token": token})
    assert response.status_code == 400
    assert "Escriba su contraseña." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/ingresar", data={"username": "jefe.salud", "password": "Demo2026!"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_first_login_creates_the_portal_user_from_the_directory(client, app):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "jefe.salud")).scalar_one()
        assert user.directory_dn == "uid=jefe.salud,ou=people,dc=demo,dc=gov,dc=co"
        assert user.password_hash is None  # directory users have no password in the portal
        assert user.last_login_at is None
    login(client, "jefe.salud")
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "jefe.salud")).scalar_one()
        assert user.last_login_at is not None


def test_local_admin_password_is_stored_with_scrypt(app):
    with app.app_context():
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        assert admin.password_hash.startswith("scrypt:")
        assert "Demo2026!" not in admin.password_hash


def test_logout_needs_post_with_csrf(login_as, client):
    login_as("agente")
    assert client.get("/salir").status_code == 405
    assert client.post("/salir").status_code == 400
    token = csrf_token(client, "/")
    assert client.post("/salir", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_rate_limit_per_user_and_address_answers_429_in_spanish(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per 15 minutes")
    client = app.test_client()
    for _ in range(3):
        assert login(client, "jefe.salud", "mala").status_code == 401
    blocked = login(client, "jefe.salud", "Demo2026!")
    assert blocked.status_code == 429
    assert "Demasiados intentos fallidos. Espere 15 minutos" in blocked.get_data(as_text=True)
    assert 890 <= int(blocked.headers["Retry-After"]) <= 900
    # the rest of the office, behind the same address, still logs in
    assert login(client, "agente", "Demo2026!").status_code == 302


def test_successful_logins_do_not_count_towards_the_limit(make_app):
    app = make_app(LOGIN_RATE_LIMIT="2 per 15 minutes")
    client = app.test_client()
    for _ in range(4):
        assert login(client, "agente").status_code == 302
        token = csrf_token(client, "/")
        client.post("/salir", data={"csrf_token": token})


def test_idle_session_expires(make_app):
    app = make_app()
    client = app.test_client()
    assert login(client, "agente").status_code == 302
    with client.session_transaction() as sess:
        sess["last_seen"] = sess["last_seen"] - app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() - 1
    response = client.get("/")
    assert response.status_code == 302
    assert "/ingresar" in response.headers["Location"]
    assert "inactividad" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(client):
    response = login(client, "agente")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
