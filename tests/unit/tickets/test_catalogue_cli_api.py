"""Systems and approval policies from the command line and the API, as from the web form (issue 15:
an operator sets the portal up without the administration pages)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import Dependency, User
from tickets.models import ApprovalPolicy, Connector, RequestForm, TargetSystem

GROUP = "cn=tributaria-consulta,ou=groups,dc=demo,dc=gov,dc=co"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return dict(response.get_json())


def _system(app, code: str) -> TargetSystem | None:  # type: ignore[no-untyped-def]
    with app.app_context():
        system = db.session.execute(select(TargetSystem).where(TargetSystem.code == code)).scalar()
        if system is not None:
            db.session.expunge(system)
        return system


def test_cli_creates_a_system_and_refuses_a_duplicate_or_invalid_one(app) -> None:
    runner = app.test_cli_runner()
    args = [
        "systems",
        "create",
        "tributaria",
        "--name",
        "Gestión tributaria",
        "--connector",
        "ldap",
        "--role",
        f"consulta={GROUP}",
    ]
    created = runner.invoke(args=args)
    assert created.exit_code == 0, created.output
    system = _system(app, "tributaria")
    assert system is not None and system.connector is Connector.LDAP and system.role_map == {"consulta": GROUP}

    again = runner.invoke(args=args)
    assert again.exit_code != 0
    assert "Ya existe un sistema con el código tributaria" in again.output

    bad_dn = runner.invoke(
        args=["systems", "create", "otro", "--name", "Otro", "--connector", "ldap", "--role", "consulta=no es un dn"]
    )
    assert bad_dn.exit_code != 0 and "no es un DN válido" in bad_dn.output
    manual = runner.invoke(
        args=["systems", "create", "planillas", "--name", "Planillas", "--connector", "manual", "--role", "consulta=Z_CONS"]
    )
    assert manual.exit_code != 0 and "Describa qué hace la mesa de servicio" in manual.output
    assert _system(app, "otro") is None and _system(app, "planillas") is None


def test_cli_updates_a_system_and_lists_it(app) -> None:
    runner = app.test_cli_runner()
    runner.invoke(
        args=["systems", "create", "nomina", "--name", "Nómina", "--connector", "manual", "--instructions", "Crear en el ERP."]
    )
    result = runner.invoke(args=["systems", "update", "nomina", "--inactive", "--role", "liquidador=NOM_LIQ"])
    assert result.exit_code == 0, result.output
    system = _system(app, "nomina")
    assert system is not None and not system.is_active and system.role_map == {"liquidador": "NOM_LIQ"}
    assert system.instructions == "Crear en el ERP."
    listing = runner.invoke(args=["systems", "list"])
    assert "nomina" in listing.output and "liquidador = NOM_LIQ" in listing.output
    missing = runner.invoke(args=["systems", "update", "no-existe", "--name", "X"])
    assert missing.exit_code != 0 and "No existe el sistema no-existe" in missing.output


def test_cli_sets_a_policy_that_ends_with_the_approver(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["policies", "set", "FO-M11-P2-12", "jefe", "seguridad", "aprobador"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["policies", "set", "FO-M11-P2-12", "aprobador", "jefe"])
    assert refused.exit_code != 0 and "El último paso debe ser el del líder de economía digital" in refused.output
    unknown = runner.invoke(args=["policies", "set", "FO-X", "aprobador"])
    assert unknown.exit_code != 0 and "FO-M11-P2-05" in unknown.output
    with app.app_context():
        policy = db.session.execute(select(ApprovalPolicy).where(ApprovalPolicy.form == RequestForm.CLAVE)).scalar_one()
        assert policy.steps == ["jefe", "seguridad", "aprobador"]
    assert "FO-M11-P2-12\tjefe → seguridad → aprobador" in runner.invoke(args=["policies", "list"]).output


def test_api_creates_reads_and_changes_systems(app, api) -> None:
    body = {"code": "tributaria", "name": "Gestión tributaria", "connector": "ldap", "role_map": {"consulta": GROUP}}
    created = api("admin", "POST", "/api/v1/systems", json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    system_id = created.get_json()["id"]
    assert api("control.interno", "GET", f"/api/v1/systems/{system_id}").get_json()["role_map"] == {"consulta": GROUP}
    assert "tributaria" in [s["code"] for s in api("control.interno", "GET", "/api/v1/systems").get_json()]

    duplicate = _problem(api("admin", "POST", "/api/v1/systems", json=body), 409)
    assert "code" in duplicate["errors"]
    invalid = _problem(
        api("admin", "POST", "/api/v1/systems", json=body | {"code": "otro", "role_map": {"consulta": "no es un dn"}}), 422
    )
    assert "role_map" in invalid["errors"]
    malformed = _problem(api("admin", "POST", "/api/v1/systems", json={"code": "x"}), 400)
    assert {"name", "connector"} <= set(malformed["errors"])

    changed = api("admin", "PUT", f"/api/v1/systems/{system_id}", json=body | {"name": "Tributaria", "is_active": False})
    assert changed.status_code == 200 and changed.get_json()["is_active"] is False
    other = api("admin", "POST", "/api/v1/systems", json=body | {"code": "otro"}).get_json()["id"]
    _problem(api("admin", "PUT", f"/api/v1/systems/{other}", json=body), 409)
    _problem(api("admin", "GET", "/api/v1/systems/999999"), 404)


def test_api_policies(app, api) -> None:
    listed = api("control.interno", "GET", "/api/v1/approval-policies").get_json()
    assert {"form": "FO-M11-P2-05", "steps": ["jefe", "aprobador"]} in listed
    changed = api("admin", "PUT", "/api/v1/approval-policies/FO-M11-P2-05", json={"steps": ["jefe", "seguridad", "aprobador"]})
    assert changed.status_code == 200 and changed.get_json()["steps"] == ["jefe", "seguridad", "aprobador"]
    _problem(api("admin", "PUT", "/api/v1/approval-policies/FO-M11-P2-05", json={"steps": ["aprobador", "jefe"]}), 422)
    _problem(api("admin", "PUT", "/api/v1/approval-policies/FO-M11-P2-05", json={"steps": ["aprobador", "aprobador"]}), 422)
    _problem(api("admin", "PUT", "/api/v1/approval-policies/FO-X", json={"steps": ["aprobador"]}), 404)


def test_only_admin_changes_and_control_interno_only_reads(app, api) -> None:
    body = {"code": "x", "name": "X", "connector": "manual", "instructions": "A mano."}
    _problem(api("control.interno", "POST", "/api/v1/systems", json=body), 403)
    _problem(api("control.interno", "PUT", "/api/v1/approval-policies/FO-M11-P2-05", json={"steps": ["aprobador"]}), 403)
    _problem(api("enlace.salud", "GET", "/api/v1/systems"), 403)
    _problem(api(None, "GET", "/api/v1/approval-policies"), 401)
    assert _system(app, "x") is None


def test_grant_jefe_with_a_dependency_makes_them_its_head(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "grant", "enlace.hacienda", "jefe", "--dependency", "SAL"])
    assert result.exit_code == 0, result.output
    assert "Jefe de SAL: enlace.hacienda (antes: jefe.salud)" in result.output
    with app.app_context():
        salud = db.session.execute(select(Dependency).where(Dependency.code == "SAL")).scalar_one()
        head = db.session.get(User, salud.head_id)
        assert head is not None and head.username == "enlace.hacienda"
    other = runner.invoke(args=["users", "grant", "enlace.hacienda", "agente"])
    assert other.exit_code == 0 and "Jefe de" not in other.output
    missing = runner.invoke(args=["users", "grant", "enlace.hacienda", "jefe"])
    assert missing.exit_code != 0
