"""SQL per page: every main page and API list costs a known number of queries, whatever the
number of requests, steps, comments or roles (issue 16). A regression fails here.

Budgets: a request's page (web or API) at most ``REQUEST_PAGE``, a list at most ``LIST``; the
home page and the ANS report are fixed sets of aggregates, held to what they cost today.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.listing import COUNT_LIMIT
from tests.unit.tickets.factories import get_user
from tests.unit.tickets.test_queue_queries import bulk_requests, client_for
from tickets.models import RequestForm, RequestState
from tickets.services.decisions import Decision, decide_step
from tickets.services.filing import add_comment

#: the request with its steps and history, who decides the current step (one query for holders,
#: delegations and secretarios), the provisioning jobs and tasks, the ANS timers with the calendar
REQUEST_PAGE = 8
LIST = 5
HOME = 14
ANS_REPORT = 16


def statements_for(app: Flask, client: Any, path: str, headers: dict[str, str] | None = None) -> tuple[list[str], Any]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path, headers=headers or {})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.status_code)
    return statements, response


def assert_within(statements: list[str], budget: int, path: str) -> None:
    listing = "\n".join(
        s.split("FROM")[0][:80] + " FROM" + s.split("FROM")[1][:60] if "FROM" in s else s[:80] for s in statements
    )
    assert len(statements) <= budget, f"{path}: {len(statements)} queries, budget {budget}:\n{listing}"


def busy_request(app: Flask, make_request: Any, comments: int) -> int:
    """A role change (three steps) signed by the jefe, with many comments: a request with history."""
    request_id = make_request(form=RequestForm.ROLES, state=RequestState.EN_APROBACION)
    with app.app_context():
        from tickets.models import AccessRequest

        access_request = db.session.get(AccessRequest, request_id)
        assert access_request is not None
        for i in range(comments):
            add_comment(
                db.session, access_request, actor=get_user("enlace.salud"), body=f"Nota {i}", internal=False, now=utcnow()
            )
        db.session.commit()
    return request_id


@pytest.mark.parametrize("username", ["lider.ed", "seguridad", "jefe.salud", "enlace.salud", "agente", "secretario"])
def test_a_request_page_costs_at_most_the_budget_with_any_history(app, make_request, username: str) -> None:
    small = make_request(form=RequestForm.ROLES, state=RequestState.EN_APROBACION)
    big = busy_request(app, make_request, comments=30)
    with app.app_context():
        from tickets.services.common import load_request_page

        access_request = load_request_page(db.session, big)
        assert access_request is not None
        decide_step(
            db.session, access_request, actor=get_user("seguridad"), decision=Decision.APROBAR, comment=None, now=utcnow()
        )
        db.session.commit()
    client = client_for(app, username)
    for request_id in (small, big):
        path = f"/solicitudes/{request_id}"
        statements, response = statements_for(app, client, path)
        assert "Nota 29" in response.get_data(as_text=True) or request_id == small
        assert_within(statements, REQUEST_PAGE, path)


@pytest.mark.parametrize("queue", ["todas", "por_aprobar", "mias"])
def test_a_list_costs_at_most_the_budget(app, queue: str) -> None:
    username = "enlace.salud" if queue == "mias" else "lider.ed"
    client = client_for(app, username)
    with app.app_context():
        bulk_requests(120, 0)
    for per_page in (10, 100):
        path = f"/solicitudes?bandeja={queue}&por_pagina={per_page}&page=2"
        statements, _response = statements_for(app, client, path)
        assert_within(statements, LIST, path)


def test_the_api_list_and_a_request_cost_at_most_the_budget(app, make_request, api_token) -> None:
    request_id = busy_request(app, make_request, comments=10)
    with app.app_context():
        bulk_requests(60, 100)
    headers = {"Authorization": f"Bearer {api_token('lider.ed')}"}
    api = app.test_client()
    api.get("/api/v1/requests", headers=headers)  # a token's "last used" is written once a minute
    for path in (
        "/api/v1/requests?page=1",
        "/api/v1/requests?queue=todas&per_page=25&page=2",
        "/api/v1/requests?queue=por_aprobar",
    ):
        statements, _response = statements_for(app, api, path, headers)
        assert_within(statements, LIST, path)
    statements, response = statements_for(app, api, f"/api/v1/requests/{request_id}", headers)
    assert len(response.get_json()["comments"]) == 10
    assert_within(statements, REQUEST_PAGE, "/api/v1/requests/<id>")


def test_home_and_ans_report_cost_a_fixed_number_of_queries(app) -> None:
    client = client_for(app, "secretario")
    with app.app_context():
        bulk_requests(50, 100)
    statements, _response = statements_for(app, client, "/")
    assert_within(statements, HOME, "/")
    today = local_date(utcnow())
    path = f"/ans/informes?desde={today.replace(day=1).isoformat()}&hasta={today.isoformat()}"
    statements, _response = statements_for(app, client, path)
    assert_within(statements, ANS_REPORT, path)


def test_a_long_list_stops_counting_and_still_pages(app, api_token) -> None:
    with app.app_context():
        bulk_requests(COUNT_LIMIT + 30, 0)
    client = client_for(app, "lider.ed")
    statements, response = statements_for(app, client, "/solicitudes?bandeja=todas&por_pagina=25&page=2")
    page = response.get_data(as_text=True)
    assert "Más de 1.000 solicitudes" in page
    assert 'rel="next"' in page and "page=3" in page
    assert len(re.findall(r'<tr data-request="\d+">', page)) == 25
    assert_within(statements, LIST, "/solicitudes")
    last = client.get("/solicitudes?bandeja=todas&por_pagina=200&page=6").get_data(as_text=True)
    assert len(re.findall(r'<tr data-request="\d+">', last)) == COUNT_LIMIT + 30 - 1000
    assert 'rel="next"' not in last

    api = app.test_client()
    headers = {"Authorization": f"Bearer {api_token('lider.ed')}"}
    body = api.get("/api/v1/requests?queue=todas&per_page=200&page=5", headers=headers).get_json()
    assert (body["total"], body["total_is_exact"], body["has_next"], len(body["items"])) == (COUNT_LIMIT, False, True, 200)
    body = api.get("/api/v1/requests?queue=todas&per_page=200&page=6", headers=headers).get_json()
    assert (body["total_is_exact"], body["has_next"], len(body["items"])) == (False, False, 30)
