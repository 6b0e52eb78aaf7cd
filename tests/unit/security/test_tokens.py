"""API tokens: a name and an expiry, revocable by the owner (page) and the administrator (CLI),
last use recorded at most once a minute."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal import services
from portal.db import utcnow
from portal.extensions import db
from portal.models import ApiToken, AuditEvent
from tests.conftest import csrf_token


def _issue(app, username: str = "agente", **kwargs):
    with app.app_context():
        user = services.find_user(db.session, username)
        token, row = services.issue_api_token(db.session, actor=None, user=user, name="prueba", **kwargs)
        db.session.commit()
        return token, row.id


def _me(app, token: str) -> int:
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_token_expires_after_ninety_days_by_default(app):
    token, token_id = _issue(app)
    with app.app_context():
        row = db.session.get(ApiToken, token_id)
        assert timedelta(days=89, hours=23) < row.expires_at - row.created_at <= timedelta(days=90)
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _me(app, token) == 401


def test_the_cli_issues_with_a_name_and_days_lists_and_revokes(app):
    runner = app.test_cli_runner()
    token = runner.invoke(args=["users", "token", "agente", "--name", "tablero", "--days", "7"]).output.strip()
    assert _me(app, token) == 200
    listing = runner.invoke(args=["users", "tokens", "agente"])
    assert listing.exit_code == 0 and "tablero" in listing.output and "vigente" in listing.output
    assert token not in listing.output
    prefix = token[:11]
    assert prefix in listing.output
    revoked = runner.invoke(args=["users", "revoke-token", prefix])
    assert revoked.exit_code == 0, revoked.output
    assert _me(app, token) == 401
    assert "revocado" in runner.invoke(args=["users", "tokens", "agente"]).output
    again = runner.invoke(args=["users", "revoke-token", prefix])
    assert again.exit_code != 0 and "ya estaba revocado" in again.output
    with app.app_context():
        actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.action.like("token.%"))).scalars().all()
        assert actions[-2:] == ["token.emitir", "token.revocar"]


def test_last_use_is_written_at_most_once_a_minute(app):
    token, token_id = _issue(app)
    for _ in range(3):
        assert _me(app, token) == 200
    with app.app_context():
        first = db.session.get(ApiToken, token_id).last_used_at
        assert first is not None
        user, touched = services.user_for_token(db.session, token, now=first + timedelta(seconds=30))
        assert user is not None and not touched
        user, touched = services.user_for_token(db.session, token, now=first + timedelta(seconds=61))
        assert touched
        db.session.commit()
        assert db.session.get(ApiToken, token_id).last_used_at == first + timedelta(seconds=61)


def test_the_owner_issues_sees_and_revokes_tokens_on_a_page(app, login_as):
    client = login_as("jefe.salud")
    page = client.get("/cuenta/tokens")
    assert page.status_code == 200 and "No tiene tokens." in page.get_data(as_text=True)
    created = client.post(
        "/cuenta/tokens", data={"name": "Tablero de la oficina", "days": "30", "csrf_token": csrf_token(client, "/cuenta/tokens")}
    )
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    body = created.get_data(as_text=True)
    token = re.search(r"data-new-token>(mtic_[^<]+)<", body).group(1)
    assert _me(app, token) == 200
    listing = client.get("/cuenta/tokens").get_data(as_text=True)
    assert "Tablero de la oficina" in listing and token not in listing and "Nunca" not in listing
    with app.app_context():
        token_id = db.session.execute(select(ApiToken.id).where(ApiToken.name == "Tablero de la oficina")).scalar_one()
    revoked = client.post(f"/cuenta/tokens/{token_id}/revocar", data={"csrf_token": csrf_token(client, "/cuenta/tokens")})
    assert revoked.status_code == 303
    assert _me(app, token) == 401
    assert "Revocado" in client.get("/cuenta/tokens").get_data(as_text=True)


def test_nobody_revokes_someone_elses_token_from_the_page(app, login_as):
    _token, token_id = _issue(app, "agente")
    client = login_as("jefe.salud")
    response = client.post(f"/cuenta/tokens/{token_id}/revocar", data={"csrf_token": csrf_token(client, "/cuenta/tokens")})
    assert response.status_code == 404


def test_the_page_refuses_a_validity_beyond_the_maximum(app, login_as):
    client = login_as("agente")
    response = client.post(
        "/cuenta/tokens", data={"name": "x", "days": "5000", "csrf_token": csrf_token(client, "/cuenta/tokens")}
    )
    assert response.status_code == 422 and "Entre 1 y 365 días." in response.get_data(as_text=True)
