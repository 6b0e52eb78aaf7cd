"""`flask directory import` and `reconcile` against the real slapd, including an outage."""

from __future__ import annotations

import csv

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Dependency, User


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
