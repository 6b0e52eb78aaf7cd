"""Shared fixtures: applications on a migrated database, logged-in clients, helpers.

Tests under ``tests/unit`` get the ``unit`` marker, ``tests/integration`` ``integration`` and
``tests/browser`` ``browser``; a test file outside those folders is a collection error, so nothing is
silently left out of ``make test``. Real services come from ``tests/fixtures/services.py``.

``make test`` spreads the test files over three pytest-xdist workers (``--dist loadfile``: a file's
tests run in one worker, in order; some files share a fixture built for the file, and some
integration files stop and restart the directory in an order their tests rely on), longest first
(``RUN_ORDER``). Session fixtures run once per worker, so a worker that gets
integration or browser tests starts its own slapd, PostgreSQL, Redis and Chromium on free ports in
its own temporary directory; nothing is shared between workers but the demo SQLite template.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import sqlite3
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

from portal import create_app

pytest_plugins = ["tests.fixtures.services", "tests.fixtures.stack"]

TESTS_DIR = Path(__file__).resolve().parent
SUITES = ("unit", "integration", "browser")
DEMO_PASSWORD = "Demo2026!"


class MisplacedTestFile(pytest.File):
    """A test file outside the three suites: reported as a collection error, which fails the run."""

    def collect(self) -> Iterator[pytest.Item]:
        raise self.CollectError(
            f"{self.path.relative_to(TESTS_DIR.parent)}: tests live under tests/unit, tests/integration or tests/browser"
        )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.match("test_*.py") and file_path.relative_to(TESTS_DIR).parts[0] not in SUITES:
        return MisplacedTestFile.from_parent(parent, path=file_path)
    return None


#: the order in which the workers are handed the test files: the files marked ``long`` (each takes
#: minutes), then integration, browser and unit files, each in collection order
RUN_ORDER = ("long", "integration", "browser", "unit")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its suite and hand the longest files to the workers first.

    ``make test`` runs whole files per worker in this order (``--no-loadscope-reorder``): a long
    file started when the other workers are nearly done would leave them idle until it ends."""
    for item in items:
        relative = Path(str(item.path)).relative_to(TESTS_DIR)
        suite = relative.parts[0]
        if suite in SUITES:
            item.add_marker(suite)

    def rank(item: pytest.Item) -> int:
        return next(index for index, name in enumerate(RUN_ORDER) if item.get_closest_marker(name) or name == "unit")

    items.sort(key=rank)  # stable: each file keeps its tests together and in order


#: Short retries and leases so fault tests finish in minutes (production: 30 s doubling to 30 min,
#: 8 attempts, 5 min lease, 60 s grace); 20 attempts up to 10 s apart outlast a one-minute outage.
FAST_PROVISIONING = {
    "PROVISIONING_BACKOFF_SECONDS": 1.0,
    "PROVISIONING_BACKOFF_MAX_SECONDS": 10.0,
    "PROVISIONING_MAX_ATTEMPTS": 20,
    "PROVISIONING_LEASE_SECONDS": 8.0,
    "PROVISIONING_GRACE_SECONDS": 2.0,
}


def app_config(tmp_path: Path, database_url: str, **overrides: Any) -> dict[str, Any]:
    """Configuration for a test application: its own instance folder, mail folder and database."""
    config: dict[str, Any] = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": True,
        "MAIL_FILE_PATH": str(tmp_path / "mail"),
        "MAIL_SERVER": None,
        "LDAP_URL": "mock://demo",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PORTAL_PROFILE": "valle",
        **FAST_PROVISIONING,
    }
    config.update(overrides)
    return config


def migrate_and_load_demo(app: Flask) -> None:
    from flask_migrate import upgrade

    from portal.demo import load_demo
    from portal.extensions import db

    with app.app_context():
        upgrade()
        load_demo(db.session)
        db.session.commit()
        db.engine.dispose()


_SERVER_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection: Any, _record: Any) -> None:
    """Test databases are thrown away: SQLite need not wait for the disk on every commit, as the
    PostgreSQL test cluster runs with ``fsync = off``."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@event.listens_for(Engine, "engine_connect")
def _remember_server_engines(connection: Any) -> None:
    """An engine that reached a PostgreSQL server is remembered so the test that used it empties
    its pool (``_close_the_test_s_server_connections``)."""
    if connection.engine.dialect.name != "sqlite":
        _SERVER_ENGINES.add(connection.engine)


@pytest.fixture(autouse=True)
def _close_the_test_s_server_connections() -> Iterator[None]:
    """Close the PostgreSQL connections left in the pools of the engines a test used.

    A test's database is dropped when it ends; a pooled connection to it, collected later, warns
    that it was never closed, and the warning fails whatever test happens to run then. Disposing
    of the pools here keeps the warning (and any real leak inside one test) with the test that
    caused it; an engine that outlives the test (a module's application) opens new connections
    when next used, as the pool no longer pings a connection before lending it.
    """
    yield
    for engine in list(_SERVER_ENGINES):
        engine.dispose()
    _SERVER_ENGINES.clear()


@pytest.fixture(scope="session")
def demo_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated from empty and loaded with the demo data, copied for each test.

    Built once per run: with pytest-xdist the workers share the run's base temporary directory,
    the first worker that needs the file builds it and the others wait for it on a lock.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / "demo-template.sqlite"
    with (root / "demo-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            base = tmp_path_factory.mktemp("template")
            built = base / "template.sqlite"
            migrate_and_load_demo(create_app(app_config(base, f"sqlite:///{built}")))
            os.replace(built, path)
    return path


@pytest.fixture
def make_app(tmp_path: Path, demo_sqlite_template: Path):  # type: ignore[no-untyped-def]
    """Build an application on a fresh copy of the demo database, with configuration overrides."""

    def factory(**overrides: Any) -> Flask:
        db_file = tmp_path / "app.sqlite"
        if not db_file.exists():
            shutil.copy(demo_sqlite_template, db_file)
        return create_app(app_config(tmp_path, f"sqlite:///{db_file}", **overrides))

    return factory


@pytest.fixture
def app(make_app) -> Flask:  # type: ignore[no-untyped-def]
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> Any:
    """Log in through the real form (CSRF included) and return the response."""
    token = csrf_token(client, "/ingresar")
    return client.post("/ingresar", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(client: FlaskClient):  # type: ignore[no-untyped-def]
    def do(username: str, password: str = DEMO_PASSWORD) -> FlaskClient:
        response = login(client, username, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app
