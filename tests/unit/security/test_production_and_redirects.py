"""Production start-up guards, private mail files, and client-given redirect targets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from config import build_config
from portal import create_app
from portal.mail import OutgoingMail, queue_mail
from portal.redirects import safe_next
from tests.conftest import app_config, csrf_token, login

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "s" * 64,
    "AUDIT_HMAC_KEY": "a" * 64,
    "OUTBOX_KEY": "A" * 43 + "=",
    "LDAP_URL": "ldaps://ldap.entidad.gov.co",
    "MAIL_SERVER": "smtp.entidad.gov.co",
}


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "OUTBOX_KEY", "LDAP_URL", "MAIL_SERVER", "MAIL_FILE_DIR", "PORTAL_ENV"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_complete_production_configuration_starts(tmp_path, clean_env):
    cfg = build_config(tmp_path, dict(PRODUCTION))
    assert cfg["AUDIT_HMAC_KEY"] == "a" * 64 and cfg["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"LDAP_URL": None}, "LDAP_URL"),
        ({"LDAP_URL": "mock://demo"}, "LDAP_URL"),
        ({"AUDIT_HMAC_KEY": None}, "AUDIT_HMAC_KEY"),
        ({"OUTBOX_KEY": None}, "OUTBOX_KEY"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"MAIL_SERVER": None}, "MAIL_SERVER"),
    ],
)
def test_production_refuses_to_start_without(tmp_path, clean_env, change, message):
    config = {k: v for k, v in {**PRODUCTION, **change}.items() if v is not None}
    with pytest.raises(RuntimeError, match=message):
        build_config(tmp_path, config)


def test_production_without_smtp_starts_only_with_an_explicit_mail_directory(tmp_path, clean_env):
    config = {k: v for k, v in PRODUCTION.items() if k != "MAIL_SERVER"}
    clean_env.setenv("MAIL_FILE_DIR", str(tmp_path / "correo"))
    assert build_config(tmp_path, config)["MAIL_FILE_PATH"] == str(tmp_path / "correo")


def test_the_environment_counts_as_explicit(tmp_path, clean_env):
    for name, value in PRODUCTION.items():
        clean_env.setenv(name, value)
    assert build_config(tmp_path)["LDAP_URL"] == "ldaps://ldap.entidad.gov.co"


def test_outside_production_the_audit_key_is_derived_and_stable(tmp_path, clean_env):
    first = build_config(tmp_path)["AUDIT_HMAC_KEY"]
    assert first == build_config(tmp_path)["AUDIT_HMAC_KEY"] and first != build_config(tmp_path)["SECRET_KEY"]


def test_demo_load_refuses_to_run_in_production(tmp_path, clean_env):
    config = app_config(tmp_path, f"sqlite:///{tmp_path / 'p.sqlite'}", **{**PRODUCTION, "MAIL_SERVER": None})
    clean_env.setenv("MAIL_FILE_DIR", str(tmp_path / "correo"))
    app = create_app(config)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "producción" in result.output


def test_mail_files_are_private(app):
    with app.app_context():
        queue_mail(OutgoingMail(to=("a@example.gov.co",), subject="Prueba", template="test"))
    mail_dir = Path(app.config["MAIL_FILE_PATH"])
    files = list(mail_dir.glob("*.log"))
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/ingresar",
        "/\\evil.example",
        "/\\/evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/ok\r\nLocation: //evil.example",
        "/%0d%0aSet-Cookie:x",
        "",
        None,
    ],
)
def test_only_same_origin_paths_are_redirect_targets(target):
    expected = "/%0d%0aSet-Cookie:x" if target == "/%0d%0aSet-Cookie:x" else "/inicio"
    assert safe_next(target, "/inicio") == expected


def test_same_origin_paths_are_kept():
    assert safe_next("/solicitudes?bandeja=mias", "/") == "/solicitudes?bandeja=mias"


@pytest.mark.parametrize("next_value", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_login_never_sends_to_another_site(client, next_value):
    token = csrf_token(client, "/ingresar")
    response = client.post(
        "/ingresar", query_string={"next": next_value}, data={"username": "agente", "password": "Demo2026!", "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_returns_to_the_page_asked_for(client):
    asked = client.get("/auditoria?verificar=1")
    assert asked.status_code == 302
    location = asked.headers["Location"]
    token = csrf_token(client, location)
    response = client.post(location, data={"username": "control.interno", "password": "Demo2026!", "csrf_token": token})
    assert response.headers["Location"] == "/auditoria?verificar=1"


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        ("http://localhost//evil.example", "/"),
        ("http://localhost/\\evil.example", "/"),
        ("https://evil.example/solicitudes", "/"),
        ("javascript://localhost/%0aalert(1)", "/"),
        ("http://localhost/solicitudes/3?x=1", "/solicitudes/3?x=1"),
    ],
)
def test_going_back_to_the_referer_stays_on_this_site(app, referer, expected):
    """A refused form goes back to the Referer (portal.errors): only to a page of this site."""
    from portal.redirects import safe_referrer

    with app.test_request_context("/", headers={"Referer": referer}):
        assert safe_referrer("/") == expected


def test_login_page_says_how_to_wait_when_throttled(make_app):
    app = make_app(LOGIN_RATE_LIMIT="2 per minute", LOGIN_ADDRESS_RATE_LIMIT="4 per hour")
    client = app.test_client()
    for _ in range(2):
        assert login(client, "jefe.salud", "mala").status_code == 401
    refused = login(client, "jefe.salud", "Demo2026!")
    assert refused.status_code == 429 and "Espere 1 minuto" in refused.get_data(as_text=True)
    for _ in range(2):
        assert login(client, "agente", "mala").status_code == 401
    office = login(client, "secretario", "Demo2026!")  # the address tier is full now
    assert office.status_code == 429 and "Espere 60 minutos" in office.get_data(as_text=True)
    other_address = app.test_client()
    other_address.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert login(other_address, "jefe.salud", "Demo2026!").status_code == 302


def test_refused_attempts_are_audited(make_app):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import AuditEvent

    app = make_app(LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    login(client, "jefe.salud", "mala")
    login(client, "jefe.salud", "Demo2026!")
    with app.app_context():
        event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "sesion.ingreso_rechazado")).scalar_one()
        assert event.object_id == "jefe.salud" and event.after["limite"] == "usuario"
