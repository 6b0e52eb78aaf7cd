"""Admins keep the approval policies and the systems catalogue; filed requests keep their chain."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from tests.conftest import csrf_token
from tickets.models import ApprovalPolicy, RequestForm, TargetSystem


def test_admin_changes_a_policy_and_new_filings_follow_it(app, login_as):
    client = login_as("admin")
    token = csrf_token(client, "/administracion/politicas/fo-m11-p2-12")
    response = client.post(
        "/administracion/politicas/fo-m11-p2-12",
        data={"step1": "jefe", "step2": "seguridad", "step3": "aprobador", "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.execute(select(ApprovalPolicy).where(ApprovalPolicy.form == RequestForm.CLAVE)).scalar_one()
        assert policy.steps == ["jefe", "seguridad", "aprobador"]
    assert "Jefe de la dependencia → Seguridad de la información → Líder de economía digital" in client.get(
        "/administracion/politicas"
    ).get_data(as_text=True)


def test_policy_must_end_with_the_approver(app, login_as):
    client = login_as("admin")
    token = csrf_token(client, "/administracion/politicas/fo-m11-p2-05")
    response = client.post(
        "/administracion/politicas/fo-m11-p2-05", data={"step1": "aprobador", "step2": "jefe", "step3": "", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "El último paso debe ser el del líder de economía digital." in response.get_data(as_text=True)
    with app.app_context():
        policy = db.session.execute(select(ApprovalPolicy).where(ApprovalPolicy.form == RequestForm.CREACION)).scalar_one()
        assert policy.steps == ["jefe", "aprobador"]


def test_admin_adds_a_system_with_its_role_map(app, login_as):
    client = login_as("admin")
    token = csrf_token(client, "/administracion/sistemas/nuevo")
    response = client.post(
        "/administracion/sistemas/nuevo",
        data={
            "code": "gestion-tributaria",
            "name": "Gestión tributaria",
            "connector": "ldap",
            "role_map": "consulta = cn=tributaria-consulta,ou=groups,dc=demo,dc=gov,dc=co\nliquidador = cn=tributaria-liq,ou=groups,dc=demo,dc=gov,dc=co",
            "is_active": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        system = db.session.execute(select(TargetSystem).where(TargetSystem.code == "gestion-tributaria")).scalar_one()
        assert system.role_map["liquidador"] == "cn=tributaria-liq,ou=groups,dc=demo,dc=gov,dc=co"


def test_bad_group_dn_and_manual_without_instructions_are_refused(app, login_as):
    client = login_as("admin")
    token = csrf_token(client, "/administracion/sistemas/nuevo")
    response = client.post(
        "/administracion/sistemas/nuevo",
        data={"code": "x", "name": "X", "connector": "ldap", "role_map": "consulta = no es un dn", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "no es un DN válido" in response.get_data(as_text=True)
    response = client.post(
        "/administracion/sistemas/nuevo",
        data={"code": "y", "name": "Y", "connector": "manual", "role_map": "consulta = Z_CONS", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "Describa qué hace la mesa de servicio" in response.get_data(as_text=True)


def test_only_admin_reaches_the_catalogue(login_as):
    client = login_as("secretario")
    assert client.get("/administracion/sistemas").status_code == 403
    assert client.get("/administracion/politicas").status_code == 403
