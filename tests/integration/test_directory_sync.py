"""`flask directory import` and `reconcile` against the real slapd, including an outage."""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import Dependency, User
from tests.conftest import app_config
from tests.fixtures.services import Slapd


def _snapshot(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.execute(select(User.username, User.full_name, User.email, User.is_active_account)).all()
        deps = db.session.execute(select(func.count(Dependency.id))).scalar_one()
        db.session.remove()
        return sorted(rows), deps


def test_import_reads_everyone_and_is_rerunnable(pg_app):
    runner = pg_app.test_cli_runner()
    first = runner.invoke(args=["directory", "import"])
    assert first.exit_code == 0, first.output
    with pg_app.app_context():
        perez = db.session.execute(select(User).where(User.username == "perez.test")).scalar_one()
        assert perez.full_name == "Pérez (contratista) *"
        db.session.remove()
    before = _snapshot(pg_app)
    second = runner.invoke(args=["directory", "import"])
    assert second.exit_code == 0
    assert "nuevas 0; actualizadas 0" in second.output
    assert _snapshot(pg_app) == before


def test_directory_down_import_and_reconcile_change_nothing_and_say_why(pg_app, slapd_server):
    runner = pg_app.test_cli_runner()
    before = _snapshot(pg_app)
    with slapd_server.stopped():
        imported = runner.invoke(args=["directory", "import"])
        reconciled = runner.invoke(args=["directory", "reconcile"])
    assert imported.exit_code != 0 and "No se importó nada" in imported.output
    assert reconciled.exit_code != 0 and "No se concilió" in reconciled.output
    assert _snapshot(pg_app) == before  # nobody was disabled or removed


def test_directory_that_answers_only_partly_is_not_read_as_people_leaving(pg_app, slapd_server):
    """A paused server (accepts, never answers) times out mid-listing: nothing changes."""
    pg_app.config["LDAP_TIMEOUT"] = 2
    before = _snapshot(pg_app)
    with slapd_server.paused():
        result = pg_app.test_cli_runner().invoke(args=["directory", "import"])
    assert result.exit_code != 0
    assert _snapshot(pg_app) == before


def test_reconcile_table_and_csv(pg_app, slapd_server, tmp_path):
    slapd_server.ensure_member("sap-consulta", "jefe.hacienda")
    path = tmp_path / "conciliacion.csv"
    result = pg_app.test_cli_runner().invoke(args=["directory", "reconcile", "--csv", str(path)])
    assert result.exit_code == 0, result.output
    assert "sin solicitud que lo respalde" in result.output  # the test tree's memberships have no request behind them
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {"sistema", "rol", "usuario", "concedido", "en_directorio", "estado"} <= set(rows[0])
    assert any(r["usuario"] == "jefe.hacienda" and r["rol"] == "sap-consulta" and r["en_directorio"] == "sí" for r in rows)


SERVICES_DN = "ou=servicios,dc=demo,dc=gov,dc=co"
FULL_ACCOUNT = f"cn=portal,{SERVICES_DN}"
RESTRICTED_ACCOUNT = f"cn=restringida,{SERVICES_DN}"


class AclSlapd(Slapd):
    """The test tree with two service accounts: one reads everything, the ACL hides ``mail`` and
    ``title`` from the other (as a directory administrator may do without telling anyone)."""

    def _config(self) -> str:
        hide = f"""access to attrs=mail,title
    by dn.exact="{RESTRICTED_ACCOUNT}" none
    by users read
    by * none
"""
        return super()._config().replace("access to *\n", hide + "access to *\n", 1)

    def service_env(self, dn: str) -> dict[str, str]:
        return {**self.env(), "LDAP_BIND_DN": dn}


@pytest.fixture(scope="module")
def acl_slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclSlapd]:
    server = AclSlapd(tmp_path_factory.mktemp("slapd-acl"))
    server.start()
    try:
        accounts = "\n".join(
            f"dn: {dn}\nchangetype: add\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
            f"cn: {dn.split(',')[0][3:]}\nuserPassword: {server.bind_password}\n"
            for dn in (FULL_ACCOUNT, RESTRICTED_ACCOUNT)
        )
        server.modify(
            f"dn: {SERVICES_DN}\nchangetype: add\nobjectClass: organizationalUnit\nou: servicios\n\n{accounts}\n"
            "dn: ou=dependencias,dc=demo,dc=gov,dc=co\nchangetype: add\nobjectClass: organizationalUnit\nou: dependencias\n\n"
            "dn: ou=CUL,ou=dependencias,dc=demo,dc=gov,dc=co\nchangetype: add\nobjectClass: organizationalUnit\nou: CUL\n"
            # description: Secretaría de Cultura
            "description:: U2VjcmV0YXLDrWEgZGUgQ3VsdHVyYQ==\n\n"
            "dn: uid=gestor.cultura,ou=people,dc=demo,dc=gov,dc=co\nchangetype: add\nobjectClass: inetOrgPerson\n"
            "uid: gestor.cultura\ncn: Gestor Cultura\nsn: Cultura\nmail: gestor.cultura@valledelcauca.gov.co\n"
            "title: Gestor cultural\nou: CUL\n\n"
            # integrante5's mail leaves the directory's answer (one entry of many): unknown, not empty
            "dn: uid=integrante5,ou=people,dc=demo,dc=gov,dc=co\nchangetype: modify\ndelete: mail\n"
        )
        yield server
    finally:
        server.stop()


def test_import_against_an_acl_hiding_mail_changes_nothing_and_says_why(tmp_path, pg_demo_database, acl_slapd):
    app = create_app(app_config(tmp_path, pg_demo_database, **acl_slapd.service_env(RESTRICTED_ACCOUNT)))
    before = _snapshot(app)
    with app.app_context():
        assert db.session.execute(select(User.email).where(User.username == "jefe.salud")).scalar_one()
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["directory", "import"])
    assert result.exit_code != 0
    assert "No se importó nada" in result.output
    assert "mail falta en" in result.output and "title falta en" in result.output
    assert "ACL" in result.output
    assert _snapshot(app) == before  # nobody lost an e-mail, no dependency was created
    with app.app_context():
        db.engine.dispose()


def test_import_keeps_what_one_entry_omits_and_names_dependencies_from_the_directory(tmp_path, pg_demo_database, acl_slapd):
    app = create_app(app_config(tmp_path, pg_demo_database, **acl_slapd.service_env(FULL_ACCOUNT)))
    result = app.test_cli_runner().invoke(args=["directory", "import"])
    assert result.exit_code == 0, result.output
    assert "dependencias nuevas: CUL" in result.output
    with app.app_context():
        member = db.session.execute(select(User).where(User.username == "integrante5")).scalar_one()
        assert member.email == "integrante5@valledelcauca.gov.co"  # absent from the answer: kept
        culture = db.session.execute(select(Dependency).where(Dependency.code == "CUL")).scalar_one()
        assert culture.name == "Secretaría de Cultura"
        gestor = db.session.execute(select(User).where(User.username == "gestor.cultura")).scalar_one()
        assert gestor.dependency_id == culture.id
        db.session.remove()
        db.engine.dispose()
