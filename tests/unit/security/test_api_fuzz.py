"""API fuzzing with schemathesis against /api/v1/openapi.json, as three roles.

Every operation gets generated requests (valid and invalid data) as the enlace of Salud, the
aprobador and the administrator: no answer may be a 5xx, and every answer must conform to the
document (status code documented, content type, body schema — errors are problem+json).
``FUZZ_EXAMPLES`` sets the examples per operation and role (default 3, about a minute here);
``make fuzz`` runs the long version.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from portal import create_app, services
from portal.extensions import db
from tests.conftest import app_config

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
ROLES = {"enlace": "enlace.salud", "aprobador": "lider.ed", "admin": "admin"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_app(demo_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("fuzz")
    path = base / "fuzz.sqlite"
    shutil.copy(demo_sqlite_template, path)
    app = create_app(app_config(base, f"sqlite:///{path}", RATELIMIT_ENABLED=False))
    tokens = {}
    with app.app_context():
        for role, username in ROLES.items():
            token, _row = services.issue_api_token(
                db.session, actor=None, user=services.find_user(db.session, username), name="fuzz"
            )
            tokens[role] = token
        db.session.commit()
    app.config["FUZZ_TOKENS"] = tokens
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def operations(fuzz_app):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(fuzz_app, operations, role: str) -> None:  # type: ignore[no-untyped-def]
    """Each operation, with hypothesis driving schemathesis' strategies (the schemathesis pytest
    plugin does not run under this pytest)."""
    headers = {"Authorization": f"Bearer {fuzz_app.config['FUZZ_TOKENS'][role]}"}
    failures = []
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)


def test_api_as_the_enlace(fuzz_app, operations):  # type: ignore[no-untyped-def]
    _fuzz(fuzz_app, operations, "enlace")


def test_api_as_the_aprobador(fuzz_app, operations):  # type: ignore[no-untyped-def]
    _fuzz(fuzz_app, operations, "aprobador")


def test_api_as_the_administrator(fuzz_app, operations):  # type: ignore[no-untyped-def]
    _fuzz(fuzz_app, operations, "admin")
