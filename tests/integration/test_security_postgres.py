"""Security checks that need PostgreSQL: the append-only audit table, NUL bytes, int4 overflow."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal import services
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import csrf_token


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor_name = 'intruso' WHERE id = (SELECT min(id) FROM audit_events)",
        "DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)",
        "TRUNCATE audit_events",
    ],
    ids=["update", "delete", "truncate"],
)
def test_the_audit_table_refuses_update_delete_and_truncate(pg_app, statement):
    with pg_app.app_context():
        before = db.session.execute(select(db.func.count(AuditEvent.id))).scalar_one()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.execute(select(db.func.count(AuditEvent.id))).scalar_one() == before
    assert pg_app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_appending_still_works(pg_app):
    with pg_app.app_context():
        user = services.find_user(db.session, "agente")
        services.issue_api_token(db.session, actor=None, user=user, name="x")
        db.session.commit()
    assert pg_app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_a_nul_byte_in_the_anonymous_login_form_is_a_400(pg_app):
    client = pg_app.test_client()
    token = csrf_token(client, "/ingresar")
    response = client.post("/ingresar", data={"username": "agente\x00", "password": "x\x00", "csrf_token": token})
    assert response.status_code == 400
    assert "caracteres de control" in response.get_data(as_text=True)


def _admin_headers(app) -> dict[str, str]:
    with app.app_context():
        token, _row = services.issue_api_token(db.session, actor=None, user=services.find_user(db.session, "admin"), name="t")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_nul_byte_in_json_is_a_400(pg_app):
    response = pg_app.test_client().post(
        "/api/v1/dependencies", json={"code": "X1", "name": "a\x00b", "kind": "oficina"}, headers=_admin_headers(pg_app)
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_an_integer_beyond_a_32_bit_column_is_a_422(pg_app):
    response = pg_app.test_client().post(
        "/api/v1/dependencies",
        json={"code": "X1", "name": "Nueva", "kind": "oficina", "head_id": 3_000_000_000},
        headers=_admin_headers(pg_app),
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
