"""``flask setup check``: each component that does not work is named in Spanish with what to
revise, and the command exits non-zero (issue 15: the operator's first command)."""

from __future__ import annotations

from pathlib import Path

from portal import create_app
from portal.setup_check import check_secrets
from tests.conftest import app_config
from tests.fixtures.services import free_port

PEOPLE_WITHOUT_MAIL = """dn: ou=people,dc=demo,dc=gov,dc=co
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=demo,dc=gov,dc=co
objectClass: organizationalUnit
ou: groups

""" + "\n".join(
    f"dn: uid=persona{i},ou=people,dc=demo,dc=gov,dc=co\nobjectClass: inetOrgPerson\nuid: persona{i}\ncn: Persona {i}\n"
    f"sn: {i}\ntitle: Profesional\n"
    for i in range(3)
)


def _check(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["setup", "check"])


def test_a_working_environment_passes(app) -> None:
    result = _check(app)
    assert result.exit_code == 0, result.output
    assert "[ok]     Base de datos: sqlite responde; el esquema está al día." in result.output
    assert "[ok]     Directorio: la cuenta de servicio entra" in result.output
    assert "[FALLA]" not in result.output
    assert result.output.rstrip().endswith("Entorno listo.")


def test_each_component_that_fails_is_named_and_the_exit_code_says_so(make_app) -> None:
    app = make_app(
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",
        LDAP_URL=f"ldap://127.0.0.1:{free_port()}",
        LDAP_TIMEOUT=2,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=free_port(),
    )
    result = _check(app)
    assert result.exit_code == 1
    assert "[FALLA]  Broker: no responde" in result.output and "Revise CELERY_BROKER_URL." in result.output
    assert "[FALLA]  Directorio: la cuenta de servicio no pudo entrar" in result.output and "LDAP_BIND_DN" in result.output
    assert "[FALLA]  Correo: el servidor 127.0.0.1:" in result.output and "Revise MAIL_SERVER y MAIL_PORT." in result.output
    assert "[ok]     Base de datos" in result.output
    assert "3 comprobaciones fallaron" in result.output


def test_a_database_that_does_not_answer(tmp_path: Path) -> None:
    app = create_app(app_config(tmp_path, f"postgresql+psycopg://mesatic@127.0.0.1:{free_port()}/mesatic"))
    result = _check(app)
    assert result.exit_code == 1
    assert "[FALLA]  Base de datos: no responde" in result.output and "Revise DATABASE_URL." in result.output
    assert "1 comprobación falló" in result.output


def test_an_empty_database_asks_for_the_migrations_without_failing(tmp_path: Path) -> None:
    app = create_app(app_config(tmp_path, f"sqlite:///{tmp_path / 'vacia.sqlite'}"))
    result = _check(app)
    assert result.exit_code == 0, result.output
    assert "[aviso]  Migraciones: el esquema no está al día: ejecute flask db upgrade" in result.output


def test_attributes_the_service_account_cannot_see_fail_the_check(make_app, tmp_path: Path) -> None:
    ldif = tmp_path / "sin_correo.ldif"
    ldif.write_text(PEOPLE_WITHOUT_MAIL, encoding="utf-8")
    result = _check(make_app(LDAP_DEMO_LDIF=str(ldif), LDAP_DEMO_STATE=str(tmp_path / "sin_correo.json")))
    assert result.exit_code == 1
    assert "[FALLA]  Directorio: la cuenta de servicio no ve mail en la mayoría de las personas: revise las ACL" in result.output


def test_production_secrets_and_cookies(app_ctx) -> None:
    weak = check_secrets(
        {"PORTAL_ENV": "production", "SECRET_KEY": "corta", "AUDIT_HMAC_KEY": "a" * 64, "SESSION_COOKIE_SECURE": False}
    )
    assert [c.ok for c in weak] == [False]
    assert "SECRET_KEY es demasiado corta (mínimo 32 caracteres)." in weak[0].message
    assert "AUDIT_HMAC_KEY" not in weak[0].message
    assert "SESSION_COOKIE_SECURE está apagado" in weak[0].message
    strong = check_secrets(
        {"PORTAL_ENV": "production", "SECRET_KEY": "s" * 64, "AUDIT_HMAC_KEY": "a" * 64, "SESSION_COOKIE_SECURE": True}
    )
    assert [c.ok for c in strong] == [True]
