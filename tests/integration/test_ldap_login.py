"""Login against a real OpenLDAP slapd with the ppolicy overlay (fixture tree, lockout after 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.directory import AuthStatus, Directory, DirectorySettings
from portal.extensions import db
from portal.models import User
from tests.conftest import app_config, login
from tests.fixtures.services import free_port


@pytest.fixture
def ldap_app(make_app, slapd_server):
    return make_app(**slapd_server.env())


def test_right_password_logs_in_and_reaches_the_dashboard(ldap_app):
    client = ldap_app.test_client()
    response = login(client, "jefe.salud", "Demo2026!")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Jefe de dependencia" in page
    with ldap_app.app_context():
        user = db.session.execute(select(User).where(User.username == "jefe.salud")).scalar_one()
        assert user.directory_dn.startswith("uid=jefe.salud,")


def test_wrong_password_fails(ldap_app):
    client = ldap_app.test_client()
    response = login(client, "enlace.hacienda", "Incorrecta1!")
    assert response.status_code == 401
    assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_account_locked_by_ppolicy_gets_a_clear_message(make_app, slapd_server):
    app = make_app(LOGIN_RATE_LIMIT="50 per minute", **slapd_server.env())
    client = app.test_client()
    slapd_server.unlock_user("bloqueado.test")
    try:
        for _ in range(3):  # pwdMaxFailure: 3
            assert login(client, "bloqueado.test", "mala-clave").status_code == 401
        assert slapd_server.read_entry(slapd_server.user_dn("bloqueado.test")).get("pwdAccountLockedTime")
        response = login(client, "bloqueado.test", "Demo2026!")  # the right password no longer helps
        assert response.status_code == 401
        text = response.get_data(as_text=True)
        assert "Su cuenta está bloqueada por intentos fallidos" in text
        assert "FO-M11-P2-12" in text
        assert client.get("/").status_code == 302
    finally:
        slapd_server.unlock_user("bloqueado.test")


def test_account_disabled_in_the_directory_cannot_log_in(make_app, slapd_server):
    app = make_app(**slapd_server.env())
    dn = slapd_server.user_dn("integrante5")
    slapd_server.modify(f"dn: {dn}\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n")
    try:
        response = login(app.test_client(), "integrante5", "Demo2026!")
        assert response.status_code == 401
        # ppolicy refuses every bind of a disabled account, so the portal cannot tell a right
        # password from a wrong one: it says what it says to a wrong password (no disclosure)
        assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True)
        assert "inactiva" not in response.get_data(as_text=True)
    finally:
        slapd_server.unlock_user("integrante5")


@pytest.mark.parametrize("username", ["*)(uid=*))(|(uid=*", "*", "jefe.salud)(|(uid=*", "\\2a", "jefe.salud\x00"])
def test_filter_injection_neither_logs_in_nor_errors(ldap_app, username):
    client = ldap_app.test_client()
    response = login(client, username, "Demo2026!")
    assert response.status_code in (400, 401)
    assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True) or response.status_code == 400
    assert client.get("/").status_code == 302


def test_special_characters_in_names_are_found_by_an_escaped_filter(slapd_server, tmp_path):
    settings = DirectorySettings.from_config(app_config(tmp_path, "sqlite://", **slapd_server.env()) | {"LDAP_TIMEOUT": 5})
    result = Directory(settings).authenticate("perez.test", "Demo2026!")
    assert result.status is AuthStatus.OK
    assert result.person is not None and result.person.full_name == "Pérez (contratista) *"


def test_directory_down_is_reported_not_read_as_bad_password(make_app):
    app = make_app(LDAP_URL=f"ldap://127.0.0.1:{free_port()}", LDAP_TIMEOUT=2)
    response = login(app.test_client(), "jefe.salud", "Demo2026!")
    assert response.status_code == 503
    assert "El directorio institucional no responde" in response.get_data(as_text=True)
