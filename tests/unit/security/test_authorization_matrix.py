"""Authorization matrix: every route × {anonymous, each role} × {object of its own dependency,
of another}, compared with the expected table in ``authz_expected.py``.

Routes come from ``app.url_map``, and the OpenAPI document must describe exactly the API rules
among them. Rows are keyed by method and URL rule (not by endpoint), so moving a view between
Python modules changes nothing, while a new route without a row fails here: add its row after
deciding who may use it. ``MATRIX_WRITE=1`` rewrites the table from what the code does now —
then read the diff as a permission review.

Outcomes: ``L`` asks to log in (302 to /ingresar, or 401 on the API), ``D`` denied (403),
``H`` hidden (404), ``O`` reached the action (any other answer: a page, a redirect after the
action, a 400/409/422 about the data). A 500 fails the test whatever the table says.
Non-GET routes run with CSRF checking off (it is tested elsewhere) on each principal's own copy
of the database, with empty bodies, so refusals come from permissions, not from missing data.
"""

from __future__ import annotations

import os
import pprint
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from tests.conftest import DEMO_PASSWORD, app_config

EXPECTED_FILE = Path(__file__).with_name("authz_expected.py")

#: One person per role (the demo accounts); "own" dependency is Salud, "other" Hacienda.
PRINCIPALS: dict[str, str | None] = {
    "anonimo": None,
    "enlace": "enlace.salud",
    "jefe": "jefe.salud",
    "aprobador": "lider.ed",
    "seguridad": "seguridad",
    "agente": "agente",
    "secretario": "secretario",
    "secretaria_tecnica": "st.mesa",
    "integrante": "integrante1",
    "control_interno": "control.interno",
    "admin": "admin",
}
OWN, OTHER = "SAL", "HAC"
#: URL variables that name an object belonging to a dependency: table and its dependency column.
SCOPED = {
    "dependency_id": ("dependencies", "id"),
    "request_id": ("access_requests", "dependency_id"),
    "initiative_id": ("initiatives", "dependency_id"),
    "designation_id": ("designations", "dependency_id"),
    "handover_id": ("handovers", "dependency_id"),
}
#: Other integer variables: the table whose first row stands in.
#: one principal's column (every route, twice where the object is scoped) takes a while on a busy machine
pytestmark = [pytest.mark.long, pytest.mark.timeout(900)]

TABLES = {
    "system_id": "target_systems",
    "session_id": "committee_sessions",
    "item_id": "agenda_items",
    "guest_id": "session_guests",
    "member_id": "committee_members",
    "acta_id": "committee_actas",
    "commitment_id": "committee_commitments",
    "attendance_id": "session_attendance",
    "document_id": "initiative_documents",
    "attachment_id": "request_attachments",
    "job_id": "provisioning_jobs",
    "task_id": "manual_tasks",
    "day_id": "calendar_days_off",
    "half_day_id": "calendar_half_days",
    "token_id": "api_tokens",
}
TEXT_VALUES = {
    "form_slug": "fo-m11-p2-05",
    "form_code": "FO-M11-P2-05",
    "key": "fo-m11-p2-05.crear.normal",
    "filename": "css/app.css",
}
#: Routes that end the principal's own session: run last.
SESSION_ENDING = ("/salir", "/cerrar-sesiones")


def _principal_order() -> list[str]:
    return list(PRINCIPALS)


def _rules(app: Flask) -> list[tuple[str, Any]]:
    rows = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rows.append((f"{method} {rule.rule}", rule))
    return sorted(rows, key=lambda r: (r[0].split(" ", 1)[0] != "GET", any(s in r[0] for s in SESSION_ENDING), r[0]))


def _first_id(table: str, where: str = "", **params: Any) -> int:
    from sqlalchemy import text

    if table not in db.metadata.tables:  # a table renamed since: any id is as good as none
        return 1
    value = db.session.execute(text(f"SELECT min(id) FROM {table} {where}"), params).scalar()
    return int(value) if value is not None else 1


def _values(app: Flask, scope: str) -> dict[str, Any]:
    """URL values for one run: objects of ``scope``'s dependency where the variable is scoped."""
    from portal.models import Dependency, User

    values: dict[str, Any] = dict(TEXT_VALUES)
    with app.app_context():
        dep_id = db.session.execute(select(Dependency.id).where(Dependency.code == scope)).scalar_one()
        for name, (table, column) in SCOPED.items():
            values[name] = dep_id if table == "dependencies" else _first_id(table, f"WHERE {column} = :d", d=dep_id)
        for name, table in TABLES.items():
            values[name] = _first_id(table)
        values["user_id"] = db.session.execute(select(User.id).where(User.username == "integrante5")).scalar_one()
        values["number"] = 1
    return values


def _url(rule: Any, values: dict[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter and converter.startswith("any("):
            return converter[4:].split(",")[0].strip(" )")
        return str(values.get(name, 1))

    return re.sub(r"<(?:([^:<>]+):)?([a-z_]+)>", replace, rule.rule)


def _outcome(status: int, location: str) -> str:
    if status >= 500:
        return "E"
    if status == 401 or (status in (301, 302, 303) and "/ingresar" in location):
        return "L"
    return {403: "D", 404: "H"}.get(status, "O")


def _seed(app: Flask) -> None:
    """One access request (through the API) and one initiative per dependency, by its enlace."""
    from portal import services
    from tests.unit.security.conftest import make_initiative

    client = app.test_client()
    for code, enlace in ((OWN, "enlace.salud"), (OTHER, "enlace.hacienda")):
        with app.app_context():  # requests run outside it: Flask-Login keeps the user in ``g``
            system_id = _first_id("target_systems")
            user = services.find_user(db.session, enlace)
            token, _row = services.issue_api_token(db.session, actor=None, user=user, name="matriz")
            db.session.commit()
            dep_id = services.find_dependency(db.session, code).id
        response = client.post(
            "/api/v1/requests",
            json={"form": "FO-M11-P2-12", "action": "desbloquear", "system_id": system_id, "dependency_id": dep_id},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        make_initiative(app, dependency=code, enlace=enlace)


@pytest.fixture(scope="session")
def seeded_template(demo_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database with one request and one initiative per dependency, once per worker."""
    base = tmp_path_factory.mktemp("matrix")
    path = base / "seeded.sqlite"
    shutil.copy(demo_sqlite_template, path)
    app = create_app(app_config(base, f"sqlite:///{path}"))
    _seed(app)
    with app.app_context():
        db.engine.dispose()
    return path


def _run_principal(name: str, username: str | None, template: Path, workdir: Path) -> dict[str, str]:
    db_file = workdir / f"{name}.sqlite"
    shutil.copy(template, db_file)
    app = create_app(app_config(workdir / name, f"sqlite:///{db_file}", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False))
    client = app.test_client()
    headers: dict[str, str] = {}
    if username is not None:
        response = client.post("/ingresar", data={"username": username, "password": DEMO_PASSWORD})  # CSRF is off here
        assert response.status_code == 302, username
        from portal import services

        with app.app_context():
            token, _row = services.issue_api_token(
                db.session, actor=None, user=services.find_user(db.session, username), name="m"
            )
            db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
    own, other = _values(app, OWN), _values(app, OTHER)
    results: dict[str, str] = {}
    for key, rule in _rules(app):
        method = key.split(" ", 1)[0]
        scoped = any(arg in SCOPED for arg in rule.arguments)
        cells = []
        for values in (own, other) if scoped else (own,):
            url = _url(rule, values)
            kwargs: dict[str, Any] = {"headers": headers} if url.startswith("/api/") else {}
            if url.startswith("/api/") and method != "GET":
                kwargs["json"] = {}
            response = client.open(url, method=method, **kwargs)
            cells.append(_outcome(response.status_code, response.headers.get("Location", "")))
            response.close()
        results[key] = "".join(cells)
    with app.app_context():
        db.engine.dispose()
    return results


def _write_column(name: str, column: dict[str, str]) -> None:
    """``MATRIX_WRITE=1``: put what the code does now for ``name`` in its column of the table
    (rows of routes gone are dropped, a new route's other columns read ``?`` until theirs run)."""
    order = list(PRINCIPALS)
    expected: dict[str, str] = {}
    if EXPECTED_FILE.exists():
        namespace: dict[str, Any] = {}
        exec(EXPECTED_FILE.read_text(encoding="utf-8"), namespace)
        expected = namespace["EXPECTED"]
    table = {}
    for key, cells in column.items():
        row = expected.get(key, " ".join("?" for _ in order)).split(" ")
        row[order.index(name)] = cells
        table[key] = " ".join(row)
    EXPECTED_FILE.write_text(
        '"""Expected outcomes per route, in the order of PRINCIPALS (see test_authorization_matrix.py)."""\n\n'
        f"PRINCIPALS = {order!r}\n\nEXPECTED = {pprint.pformat(table, width=130, sort_dicts=True)}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("name", list(PRINCIPALS))
def test_each_route_answers_the_principal_as_expected(name: str, seeded_template: Path, tmp_path: Path) -> None:
    """One principal's column: no 500, one row per route, each cell as the table says.

    One test per principal, so the workers share the matrix."""
    observed = _run_principal(name, PRINCIPALS[name], seeded_template, tmp_path)
    if os.environ.get("MATRIX_WRITE"):
        _write_column(name, observed)
    from tests.unit.security.authz_expected import EXPECTED
    from tests.unit.security.authz_expected import PRINCIPALS as ORDER

    assert ORDER == list(PRINCIPALS)
    errors = {key: cells for key, cells in observed.items() if "E" in cells}
    assert not errors, errors
    assert sorted(set(observed) - set(EXPECTED)) == [], "new routes: decide who may use them and add their rows"
    assert sorted(set(EXPECTED) - set(observed)) == [], "rows of routes that no longer exist"
    column = ORDER.index(name)
    differences = {
        key: (EXPECTED[key].split(" ")[column], cells)
        for key, cells in observed.items()
        if EXPECTED[key].split(" ")[column] != cells
    }
    assert not differences, pprint.pformat(differences, width=130)
    if name == "anonimo":
        _assert_anonymous_is_never_let_in(observed)


def test_the_openapi_document_describes_every_api_rule(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        method.upper() + " " + re.sub(r"{([a-z_]+)}", r"<\1>", path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "delete", "patch")
    }
    actual = {
        method + " " + re.sub(r"<(?:[^:<>]+:)?([a-z_]+)>", r"<\1>", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert documented == actual


def _assert_anonymous_is_never_let_in(observed: dict[str, str]) -> None:
    """Every route but the public ones asks an anonymous visitor to log in."""
    public = {
        "GET /ingresar",
        "POST /ingresar",
        "GET /privacidad",
        "GET /catalogo-publico",
        # probes for the load balancer and the orchestrator: they say only "up" or "not ready"
        "GET /healthz",
        "GET /livez",
        "GET /readyz",
        "GET /static/<path:filename>",
    }
    public |= {"GET /api/v1/openapi.json"}
    leaks = {key: cells for key, cells in observed.items() if key not in public and cells.strip("LH")}
    assert not leaks, leaks
