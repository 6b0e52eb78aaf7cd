"""The pool pings no busy connection (issue 16), yet a PostgreSQL restart costs a person nothing:
a signed-in page read right after it, and any request after a quiet spell, get a 200."""

from __future__ import annotations

from sqlalchemy import select

from portal import create_app, services
from portal.extensions import db
from portal.models import User
from tests.conftest import app_config, login
from tests.fixtures.services import Postgres


def test_a_signed_in_page_right_after_a_restart_is_served(pg_app, postgres_server: Postgres):
    client = pg_app.test_client()
    assert login(client, "admin").status_code == 302
    assert client.get("/").status_code == 200  # its connection goes back to the pool
    postgres_server.restart()
    assert client.get("/").status_code == 200


def test_after_a_quiet_spell_a_restart_costs_the_api_nothing(tmp_path, pg_demo_database, slapd_server, postgres_server: Postgres):
    app = create_app(app_config(tmp_path, pg_demo_database, DATABASE_POOL_PING_AFTER_IDLE_SECONDS=0, **slapd_server.env()))
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "jefe.salud")).scalar_one()
        token, _row = services.issue_api_token(db.session, actor=None, user=user, name="reinicio")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        postgres_server.restart()
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
