"""The queues: constant SQL per page, filters, sorting, pagination and scoping (SPEC §1, §3).

Most tests read one data set built once for the module (eight requests through the services);
the query-count test builds 200 rows with bulk inserts that respect the model's constraints.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, insert

from portal import create_app
from portal.clock import BOGOTA, local_date
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import app_config, login
from tests.unit.tickets.factories import (
    EXCEPTION_REASON,
    build_request,
    dependency_id,
    fetch,
    get_user,
    make_person,
    system_id,
)
from tickets.models import (
    AccessRequest,
    ApprovalStep,
    DocumentType,
    LinkType,
    Priority,
    RequestAction,
    RequestForm,
    RequestState,
    StepKind,
    StepState,
)
from tickets.services.decisions import apply_exception
from tickets.services.delegations import create_delegation


def bogota(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given in Bogotá local time (March 2026), as the UTC instant the services take."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BOGOTA).astimezone(UTC)


#: letter -> (form, state, dependency, filed at, data). A is filed at 23:30 in Bogotá on the 5th,
#: which is already the 6th in UTC: date filters count Bogotá days.
DATASET: dict[str, tuple[RequestForm, RequestState, str, datetime, dict[str, Any]]] = {
    "A": (RequestForm.CREACION, RequestState.RADICADA, "SAL", bogota(5, 23, 30), {"beneficiary_name": "Ana Lucía Beltrán"}),
    "B": (
        RequestForm.ROLES,
        RequestState.EN_APROBACION,
        "SAL",
        bogota(6, 10),
        {"beneficiary_name": "Bernardo Cifuentes", "system": "sap", "roles_to_add": ["consulta"]},
    ),
    "C": (
        RequestForm.CLAVE,
        RequestState.RADICADA,
        "HAC",
        bogota(7, 9),
        {"beneficiary_name": "Carolina Duarte", "beneficiary_document": "1000000003"},
    ),
    "D": (
        RequestForm.CREACION,
        RequestState.EN_APROBACION,
        "SAL",
        bogota(8, 9),
        {"beneficiary_name": "Daniel Echeverry", "action": RequestAction.ACTIVAR, "roles_to_add": []},
    ),
    "E": (RequestForm.CREACION, RequestState.BORRADOR, "SAL", bogota(9, 9), {"beneficiary_name": "Elena Franco"}),
    "F": (RequestForm.ROLES, RequestState.RADICADA, "HAC", bogota(10, 9), {"beneficiary_name": "Fabián Gómez"}),
    "G": (RequestForm.ROLES, RequestState.RADICADA, "SAL", bogota(11, 9), {"beneficiary_name": "Gloria Hoyos"}),
    "H": (RequestForm.CREACION, RequestState.EN_APROBACION, "HAC", bogota(12, 9), {"beneficiary_name": "Hugo Ibarra"}),
}
FILED = set(DATASET) - {"E"}


@pytest.fixture(scope="module")
def queues(tmp_path_factory: pytest.TempPathFactory, demo_sqlite_template: Any) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """The data set, F approved by the Secretario's exception, and two delegations running today:
    jefe.salud → subdirector.salud (jefe steps) and lider.ed → secretario (aprobador steps)."""
    base = tmp_path_factory.mktemp("queues")
    shutil.copy(demo_sqlite_template, base / "app.sqlite")
    app = create_app(app_config(base, f"sqlite:///{base / 'app.sqlite'}"))
    with app.app_context():
        ids: dict[str, Any] = {}
        for letter, (form, state, dep, filed_at, data) in DATASET.items():
            ids[letter] = build_request(form, state, dep, now=filed_at, **data)
        apply_exception(
            db.session, fetch(ids["F"]), actor=get_user("secretario"), justification=EXCEPTION_REASON, now=bogota(10, 12)
        )
        today = local_date(utcnow())
        make_person("subdirector.salud", "Subdirector de Salud", "SAL")
        for delegator, delegate, kind in (
            ("jefe.salud", "subdirector.salud", StepKind.JEFE),
            ("lider.ed", "secretario", StepKind.APROBADOR),
        ):
            create_delegation(
                db.session,
                actor=get_user(delegator),
                delegator=get_user(delegator),
                delegate=get_user(delegate),
                step_kind=kind,
                starts_on=today,
                ends_on=today + timedelta(days=5),
                reason="Vacaciones",
                today=today,
            )
        db.session.commit()
        ids["numbers"] = {letter: fetch(ids[letter]).number for letter in DATASET}
        ids["SAL"], ids["HAC"] = dependency_id("SAL"), dependency_id("HAC")
        ids["sap"] = system_id("sap")
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def rows(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-request="(\d+)">', page)]


def letters(ids: dict[str, Any], found: list[int]) -> list[str]:
    by_id = {ids[letter]: letter for letter in DATASET}
    return [by_id[i] for i in found]


def client_for(app: Flask, username: str) -> Any:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def api_items(app: Flask, username: str, query: str) -> Any:
    token = app.test_cli_runner().invoke(args=["users", "token", username]).output.strip()
    return app.test_client().get(f"/api/v1/requests?{query}", headers={"Authorization": f"Bearer {token}"})


#: (web query, API query, expected letters) for lider.ed's "todas" queue
FILTERS = [
    ("", "", FILED),
    ("estado=radicada", "state=radicada", {"A", "C", "G"}),
    ("estado=aprobada", "state=aprobada", {"F"}),
    ("formato=FO-M11-P2-13", "form=FO-M11-P2-13", {"B", "F", "G"}),
    ("accion=desbloquear", "action=desbloquear", {"C"}),
    ("accion=activar", "action=activar", {"D"}),
    ("dependencia={HAC}", "dependency_id={HAC}", {"C", "F", "H"}),
    ("sistema={sap}", "system_id={sap}", {"B"}),
    ("desde=2026-03-05&hasta=2026-03-05", "filed_from=2026-03-05&filed_to=2026-03-05", {"A"}),
    ("desde=2026-03-06&hasta=2026-03-06", "filed_from=2026-03-06&filed_to=2026-03-06", {"B"}),
    ("desde=2026-03-07&hasta=2026-03-10", "filed_from=2026-03-07&filed_to=2026-03-10", {"C", "D", "F"}),
    ("hasta=2026-03-06", "filed_to=2026-03-06", {"A", "B"}),
    ("q={C_number}", "q={C_number}", {"C"}),
    ("q=1000000003", "q=1000000003", {"C"}),
    ("q=ana+luc%C3%ADa", "q=ana+luc%C3%ADa", {"A"}),
    ("q=hoyos", "q=hoyos", {"G"}),
    ("q=100%25", "q=100%25", set()),
    ("excepcion=1", "exception_only=true", {"F"}),
    ("estado=radicada&dependencia={SAL}&formato=FO-M11-P2-05", "state=radicada&dependency_id={SAL}&form=FO-M11-P2-05", {"A"}),
]


def fill(query: str, ids: dict[str, Any]) -> str:
    return query.format(HAC=ids["HAC"], SAL=ids["SAL"], sap=ids["sap"], C_number=ids["numbers"]["C"])


@pytest.mark.parametrize(("web", "api", "expected"), FILTERS, ids=[f[0] or "sin-filtro" for f in FILTERS])
def test_filters_in_the_page_and_the_api(queues, web: str, api: str, expected: set[str]) -> None:
    app, ids = queues
    page = client_for(app, "lider.ed").get("/solicitudes?bandeja=todas&" + fill(web, ids)).get_data(as_text=True)
    assert set(letters(ids, rows(page))) == expected
    response = api_items(app, "lider.ed", "queue=todas&" + fill(api, ids))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {letter for letter in letters(ids, [i["id"] for i in body["items"]])} == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("recientes", ["H", "G", "F", "D", "C", "B", "A"]),
        ("antiguas", ["A", "B", "C", "D", "F", "G", "H"]),
        ("numero", ["A", "B", "C", "D", "F", "G", "H"]),
        # state values in alphabetical order: aprobada, en_aprobacion, radicada (newest id first)
        ("estado", ["F", "H", "D", "B", "G", "C", "A"]),
    ],
)
def test_sorting(queues, sort: str, expected: list[str]) -> None:
    app, ids = queues
    page = client_for(app, "lider.ed").get(f"/solicitudes?bandeja=todas&orden={sort}").get_data(as_text=True)
    assert letters(ids, rows(page)) == expected
    body = api_items(app, "lider.ed", f"queue=todas&sort={sort}").get_json()
    assert letters(ids, [i["id"] for i in body["items"]]) == expected


#: (user, queue, letters shown). Scoped users only ever see their dependency; "por_aprobar" holds
#: the requests whose current step is the user's (or their delegator's).
SCOPES = [
    ("enlace.hacienda", "mias", {"C", "F", "H"}),
    ("enlace.hacienda", "dependencia", {"C", "F", "H"}),
    ("enlace.salud", "mias", {"A", "B", "D", "E", "G"}),
    ("enlace.salud", "dependencia", {"A", "B", "D", "G"}),
    ("jefe.salud", "por_aprobar", {"A", "G"}),
    ("jefe.salud", "dependencia", {"A", "B", "D", "G"}),
    ("seguridad", "por_aprobar", {"B"}),
    ("lider.ed", "por_aprobar", {"D", "H"}),
    ("jefe.hacienda", "por_aprobar", {"C"}),
    ("subdirector.salud", "por_aprobar", {"A", "G"}),  # delegate of jefe.salud
    ("secretario", "por_aprobar", {"D", "H"}),  # delegate of lider.ed
    ("control.interno", "todas", FILED),
]


@pytest.mark.parametrize(("username", "queue", "expected"), SCOPES, ids=[f"{u}-{q}" for u, q, _ in SCOPES])
def test_queue_scoping(queues, username: str, queue: str, expected: set[str]) -> None:
    app, ids = queues
    client = client_for(app, username)
    response = client.get(f"/solicitudes?bandeja={queue}")
    assert response.status_code == 200
    assert set(letters(ids, rows(response.get_data(as_text=True)))) == expected
    body = api_items(app, username, f"queue={queue}").get_json()
    assert {letter for letter in letters(ids, [i["id"] for i in body["items"]])} == expected
    if username == "enlace.hacienda":
        # asking for Salud explicitly shows nothing
        filtered = client.get(f"/solicitudes?bandeja={queue}&dependencia={ids['SAL']}").get_data(as_text=True)
        assert rows(filtered) == []
        assert api_items(app, username, f"queue={queue}&dependency_id={ids['SAL']}").get_json()["items"] == []


def test_a_scoped_user_gets_no_other_queue_nor_other_dependencies_requests(queues) -> None:
    app, ids = queues
    client = client_for(app, "enlace.hacienda")
    assert client.get("/solicitudes?bandeja=todas").status_code == 403
    assert client.get("/solicitudes?bandeja=por_aprobar").status_code == 403
    assert client.get(f"/solicitudes/{ids['A']}").status_code == 403
    assert api_items(app, "enlace.hacienda", "queue=todas").status_code == 403


# ---------------------------------------------------------------- SQL per page


def bulk_requests(count: int, start: int) -> None:
    """``count`` requests at the aprobador step (jefe signed), alternating dependency and system."""
    now = utcnow()
    year = local_date(now).year
    deps = [dependency_id("SAL"), dependency_id("HAC")]
    requesters = {deps[0]: get_user("enlace.salud").id, deps[1]: get_user("enlace.hacienda").id}
    jefes = {deps[0]: get_user("jefe.salud").id, deps[1]: get_user("jefe.hacienda").id}
    systems = [system_id("directorio"), system_id("sap")]
    rows_: list[dict[str, Any]] = []
    for i in range(start, start + count):
        dep = deps[i % 2]
        rows_.append(
            {
                "number": f"SOL-{year}-{i + 1:05d}",
                "form": RequestForm.CREACION,
                "action": RequestAction.CREAR,
                "state": RequestState.EN_APROBACION,
                "priority": Priority.NORMAL,
                "system_id": systems[i % 2],
                "requester_id": requesters[dep],
                "dependency_id": dep,
                "beneficiary_name": f"Persona {i:03d}",
                "beneficiary_document_type": DocumentType.CC,
                "beneficiary_document": f"{20000000 + i}",
                "beneficiary_email": f"persona{i}@valledelcauca.gov.co",
                "beneficiary_position": "Técnico administrativo",
                "link_type": LinkType.PLANTA,
                "justification": "Ingreso a la planta de personal de la dependencia.",
                "roles_to_add": [],
                "roles_to_remove": [],
                "round": 1,
                "created_at": now,
                "updated_at": now,
                "filed_at": now - timedelta(minutes=i),
            }
        )
    new_ids = db.session.execute(insert(AccessRequest).returning(AccessRequest.id), rows_).scalars().all()
    steps: list[dict[str, Any]] = []
    for request_id, row in zip(new_ids, rows_, strict=True):
        steps.append(
            {
                "request_id": request_id,
                "round": 1,
                "position": 1,
                "kind": StepKind.JEFE,
                "state": StepState.APROBADO,
                "decided_by_id": jefes[row["dependency_id"]],
                "decided_at": now,
                "started_at": now,
            }
        )
        steps.append(
            {
                "request_id": request_id,
                "round": 1,
                "position": 2,
                "kind": StepKind.APROBADOR,
                "state": StepState.PENDIENTE,
                "started_at": now,
            }
        )
    db.session.execute(insert(ApprovalStep), steps)
    db.session.commit()


def queries_for(app: Flask, client: Any, path: str) -> tuple[int, str]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


@pytest.mark.parametrize("queue", ["todas", "por_aprobar"])
def test_a_queue_page_costs_the_same_queries_for_10_and_200_requests(app, queue: str) -> None:
    client = client_for(app, "lider.ed")
    path = f"/solicitudes?bandeja={queue}&por_pagina="
    with app.app_context():
        bulk_requests(10, 0)
    with_10, page = queries_for(app, client, path + "10")  # full pages both times: each counts the list
    assert len(rows(page)) == 10
    with app.app_context():
        bulk_requests(190, 10)
    with_200, page = queries_for(app, client, path + "200")
    assert len(rows(page)) == 200
    assert "Persona 000" in page and "Persona 199" in page
    assert with_10 > 0
    assert with_200 == with_10, f"{with_10} queries for 10 requests, {with_200} for 200"


def test_pagination(app) -> None:
    with app.app_context():
        bulk_requests(60, 0)
    client = client_for(app, "lider.ed")
    pages = [rows(client.get(f"/solicitudes?bandeja=todas&por_pagina=25&page={n}").get_data(as_text=True)) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [25, 25, 10, 0]
    assert len({i for p in pages for i in p}) == 60
    first = client.get("/solicitudes?bandeja=todas&por_pagina=25").get_data(as_text=True)
    assert "page=3" in first and 'aria-current="page">1<' in first
    assert len(rows(client.get("/solicitudes?bandeja=todas&por_pagina=7").get_data(as_text=True))) == 25  # not a page size

    token = app.test_cli_runner().invoke(args=["users", "token", "lider.ed"]).output.strip()
    api = app.test_client()
    body = api.get("/api/v1/requests?queue=todas&per_page=50&page=2", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (60, 2, 50, 10)
    bad = api.get("/api/v1/requests?queue=todas&per_page=7", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400 and "per_page" in bad.get_json()["errors"]


def test_overdue_filter_shows_requests_with_an_ans_timer_past_due(app, make_request, login_as):
    from datetime import timedelta

    from sqlalchemy import update

    from portal.db import utcnow
    from sla.models import SlaTimer

    late = make_request(state=RequestState.RADICADA)
    on_time = make_request(state=RequestState.RADICADA)
    with app.app_context():
        db.session.execute(update(SlaTimer).where(SlaTimer.request_id == late).values(due_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    page = login_as("lider.ed").get("/solicitudes?bandeja=todas&vencidas=1").get_data(as_text=True)
    assert f'data-request="{late}"' in page
    assert f'data-request="{on_time}"' not in page
