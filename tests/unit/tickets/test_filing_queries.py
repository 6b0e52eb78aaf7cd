"""SQL of a filing through the API (issue 16: 30 filings per second with 8 clients): creating a
draft and filing it costs a fixed number of statements, whatever the number of approvers, roles
and delegations. The chain filing writes is used as written (routing, ANS timers, e-mail), not read
back; the ANS timers it starts are written with one INSERT, their notices with another.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from portal import services as portal_services
from portal.extensions import db
from portal.models import User
from portal.roles import Role
from tests.unit.tickets.factories import dependency_id, get_user, system_id, today_local
from tests.unit.tickets.test_api_requests import BODY
from tickets.models import Delegation, StepKind

#: On SQLite, as the unit tests run: create (token, checks, draft, history, audit, the draft read
#: back) and submit (token, the request with its chain, the lock, the chain, history, ANS timers,
#: routing, number, audit, mail, the request read back). SQLite writes the chain's and the timers'
#: rows one INSERT each (PostgreSQL: one for all), and the tests send the mail at the commit.
CREATE = 13
SUBMIT = 29


def add_people(n: int) -> None:
    """``n`` more jefes of Salud, seguridad officers and aprobadores, each with a delegation to
    the next and the enlace role of Salud as well: routing has many people to weigh."""
    salud = portal_services.find_dependency(db.session, "SAL")
    people = []
    for i in range(n):
        user = User(username=f"carga{i}", full_name=f"Persona de carga {i}", email=f"carga{i}@valledelcauca.gov.co")
        db.session.add(user)
        db.session.flush()
        for role, scope in ((Role.JEFE, salud), (Role.SEGURIDAD, None), (Role.APROBADOR, None), (Role.ENLACE, salud)):
            portal_services.assign_role(db.session, actor=None, user=user, role=role, dependency=scope)
        people.append(user)
    today = today_local()
    for delegator, delegate in pairwise(people):
        for kind in StepKind:
            db.session.add(
                Delegation(
                    delegator_id=delegator.id,
                    delegate_id=delegate.id,
                    step_kind=kind,
                    starts_on=today - timedelta(days=1),
                    ends_on=today + timedelta(days=10),
                )
            )
    db.session.commit()


def file_one(app: Flask, api: Any, n: int) -> tuple[list[str], list[str]]:
    """The statements of ``POST /api/v1/requests`` and of its ``/submit``, for a fresh beneficiary."""
    with app.app_context():
        body = BODY | {
            "dependency_id": dependency_id("SAL"),
            "system_id": system_id(),
            "beneficiary_username": f"nueva.persona{n}",
            "beneficiary_email": f"nueva.persona{n}@valledelcauca.gov.co",
            "beneficiary_document": f"{1144556600 + n}",
        }
        engine = db.engine
    create: list[str] = []
    submit: list[str] = []
    sink = create

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sink.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        created = api("enlace.salud", "POST", "/api/v1/requests", json=body)
        assert created.status_code == 201, created.get_json()
        sink = submit
        filed = api("enlace.salud", "POST", f"/api/v1/requests/{created.get_json()['id']}/submit")
        assert filed.status_code == 200, filed.get_json()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert filed.get_json()["state"] == "radicada"
    assert filed.get_json()["number"].startswith("SOL-")
    return create, submit


def starting(statements: list[str], prefix: str) -> int:
    return sum(1 for s in statements if " ".join(s.split()).startswith(prefix))


@pytest.mark.parametrize("people", [0, 15])
def test_filing_through_the_api_costs_the_same_statements_whatever_the_approvers(app, api, people: int) -> None:
    api("enlace.salud", "GET", "/api/v1/me")  # the token's first use is written once
    file_one(app, api, 0)  # caches warmed (calendar, policies), as in a running worker
    with app.app_context():
        add_people(people)
        assert get_user("enlace.salud").is_active_account
    create, submit = file_one(app, api, 1)
    assert len(create) <= CREATE, "\n".join(create)
    assert len(submit) <= SUBMIT, "\n".join(submit)
    # the chain just written is not read back, and the ANS timers go in together
    assert starting(submit, "INSERT INTO sla_pending_notices") == 1
    assert starting(submit, "SELECT approval_steps.") == 0, "\n".join(submit)


def test_people_do_not_add_statements(app, api) -> None:
    api("enlace.salud", "GET", "/api/v1/me")
    file_one(app, api, 0)
    few = file_one(app, api, 1)
    with app.app_context():
        add_people(15)
    many = file_one(app, api, 2)
    assert (len(many[0]), len(many[1])) == (len(few[0]), len(few[1]))
