"""Degrade, don't fail (issue 15): with Redis down people still log in; with PostgreSQL down
pages say so in Spanish with a 503 and the API answers problem+json 503, and both recover alone."""

from __future__ import annotations

from pathlib import Path

from portal import create_app
from portal.services import TOKEN_PREFIX
from tests.conftest import app_config, login, migrate_and_load_demo
from tests.fixtures.services import Postgres, Redis, Slapd


def test_redis_stopped_the_local_admin_and_a_directory_user_log_in(
    tmp_path: Path, pg_database: str, slapd_server: Slapd, redis_server: Redis
):
    app = create_app(app_config(tmp_path, pg_database, RATELIMIT_STORAGE_URI=redis_server.url, **slapd_server.env()))
    migrate_and_load_demo(app)
    with redis_server.stopped():
        for username in ("admin", "jefe.salud"):
            client = app.test_client()
            response = login(client, username)
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            assert client.get("/").status_code == 200


def test_database_stopped_gives_a_spanish_503_and_recovers_without_a_restart(pg_app, postgres_server: Postgres):
    client = pg_app.test_client()
    assert login(client, "admin").status_code == 302
    with postgres_server.stopped():
        page = client.get("/")
        assert page.status_code == 503 and page.headers["Retry-After"]
        assert "Servicio no disponible" in page.get_data(as_text=True)
        api = client.get("/api/v1/requests", headers={"Authorization": f"Bearer {TOKEN_PREFIX}no-importa"})
        assert api.status_code == 503 and api.mimetype == "application/problem+json"
        assert api.headers["Retry-After"] and api.get_json()["status"] == 503
    assert client.get("/").status_code == 200
