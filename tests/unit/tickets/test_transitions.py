"""The state machine of access requests as a matrix: transition × state × actor (SPEC §3).

Each cell is either allowed — the request reaches the expected state, and one ``RequestEvent`` and
one ``AuditEvent`` ``solicitud.*`` are written in the same transaction (a rollback takes all three
back) — or refused with ``NotAllowed`` (wrong person) or ``WrongState`` (wrong state), writing
nothing. The expected outcomes are written down here, not derived from the code under test.

When both a wrong person and a wrong state apply, the code decides as follows (see PRECEDENCE):
the requester's transitions (edit, submit, cancel, close) and the role-gated ones (the Secretario's
exception, start of execution, resolution) check the person first, so a wrong person always gets
``NotAllowed``; a decision on a step checks the state first, so outside the approval chain anyone
gets ``WrongState``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal import create_app
from portal.clock import local_date
from portal.db import utcnow
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.extensions import db
from portal.models import User
from tests.conftest import app_config
from tests.unit.tickets.factories import (
    EMAIL_DOMAIN,
    EXCEPTION_REASON,
    REASON,
    build_request,
    decide,
    directory,
    fetch,
    get_user,
    last_ids,
    written_since,
)
from tickets.models import AccessRequest, RequestForm, RequestState
from tickets.services.decisions import Decision, apply_exception, decide_step, request_steps
from tickets.services.execution import close_request, resolve_request, start_execution
from tickets.services.filing import cancel_request, data_from_request, submit_request, update_draft

S = RequestState
REQUESTER = "enlace.salud"
ACTORS = (
    "enlace.salud",
    "enlace.hacienda",
    "jefe.salud",
    "jefe.hacienda",
    "seguridad",
    "lider.ed",
    "secretario",
    "agente",
    "admin",
    "control.interno",
)
TRANSITIONS = (
    "editar",
    "radicar",
    "aprobar",
    "rechazar",
    "devolver",
    "excepcion",
    "cancelar",
    "iniciar_ejecucion",
    "resolver",
    "cerrar",
)

#: transition -> state -> actor -> the state the request reaches. Every other cell is refused.
#: The matrix request is an FO-M11-P2-05 of Salud filed by enlace.salud; in ``en_aprobacion`` the
#: jefe has signed and the aprobador's step is current.
ALLOWED: dict[str, dict[RequestState, dict[str, RequestState]]] = {
    "editar": {S.BORRADOR: {REQUESTER: S.BORRADOR}, S.DEVUELTA: {REQUESTER: S.DEVUELTA}},
    "radicar": {S.BORRADOR: {REQUESTER: S.RADICADA}, S.DEVUELTA: {REQUESTER: S.RADICADA}},
    "aprobar": {S.RADICADA: {"jefe.salud": S.EN_APROBACION}, S.EN_APROBACION: {"lider.ed": S.APROBADA}},
    "rechazar": {S.RADICADA: {"jefe.salud": S.RECHAZADA}, S.EN_APROBACION: {"lider.ed": S.RECHAZADA}},
    "devolver": {S.RADICADA: {"jefe.salud": S.DEVUELTA}, S.EN_APROBACION: {"lider.ed": S.DEVUELTA}},
    "excepcion": {S.RADICADA: {"secretario": S.APROBADA}, S.EN_APROBACION: {"secretario": S.APROBADA}},
    "cancelar": {
        S.BORRADOR: {REQUESTER: S.CANCELADA},
        S.RADICADA: {REQUESTER: S.CANCELADA},
        S.EN_APROBACION: {REQUESTER: S.CANCELADA},
        S.DEVUELTA: {REQUESTER: S.CANCELADA},
    },
    "iniciar_ejecucion": {S.APROBADA: {"agente": S.EN_EJECUCION}},
    "resolver": {S.EN_EJECUCION: {"agente": S.RESUELTA}},
    "cerrar": {S.RESUELTA: {REQUESTER: S.CERRADA, "agente": S.CERRADA}},
}

#: Which check comes first when both the person and the state are wrong: "person" means a wrong
#: person gets NotAllowed in every state; "state" means a wrong state gives WrongState to anyone.
PRECEDENCE = {
    "editar": "person",
    "radicar": "person",
    "aprobar": "state",
    "rechazar": "state",
    "devolver": "state",
    "excepcion": "person",
    "cancelar": "person",
    "iniciar_ejecucion": "person",
    "resolver": "person",
    "cerrar": "person",
}
#: For the "person first" transitions: who passes the person check at all.
WHO = {
    "editar": {REQUESTER},
    "radicar": {REQUESTER},
    "excepcion": {"secretario"},
    "cancelar": {REQUESTER},
    "iniciar_ejecucion": {"agente"},
    "resolver": {"agente"},
    "cerrar": {REQUESTER, "agente"},
}


def _outcome(transition: str, state: RequestState, actor: str) -> RequestState | type[Exception]:
    allowed = ALLOWED[transition].get(state, {})
    if actor in allowed:
        return allowed[actor]
    if PRECEDENCE[transition] == "person":
        return NotAllowed if actor not in WHO[transition] else WrongState
    return WrongState if state not in ALLOWED[transition] else NotAllowed


EXPECTED: dict[tuple[str, RequestState, str], RequestState | type[Exception]] = {
    (t, s, a): _outcome(t, s, a) for t in TRANSITIONS for s in RequestState for a in ACTORS
}

AUDIT_ACTIONS = {
    "editar": "solicitud.editar",
    "radicar": "solicitud.radicar",
    "aprobar": "solicitud.paso_aprobado",
    "rechazar": "solicitud.paso_rechazado",
    "devolver": "solicitud.paso_devuelto",
    "excepcion": "solicitud.excepcion_secretario",
    "cancelar": "solicitud.cancelar",
    "iniciar_ejecucion": "solicitud.iniciar_ejecucion",
    "resolver": "solicitud.resolver",
    "cerrar": "solicitud.cerrar",
}
EVENT_KINDS = {
    "editar": "editada",
    "radicar": "radicada",
    "aprobar": "paso_aprobado",
    "rechazar": "paso_rechazado",
    "devolver": "paso_devuelto",
    "excepcion": "excepcion_secretario",
    "cancelar": "cancelada",
    "iniciar_ejecucion": "en_ejecucion",
    "resolver": "resuelta",
    "cerrar": "cerrada",
}


def test_the_table_is_what_the_spec_says() -> None:
    """A few cells spelled out, so the rules above can be checked against SPEC §3 at a glance."""
    assert sum(1 for v in EXPECTED.values() if isinstance(v, RequestState)) == 20
    assert EXPECTED[("aprobar", S.RADICADA, "admin")] is NotAllowed  # admin decides nothing
    assert EXPECTED[("aprobar", S.CERRADA, "admin")] is WrongState  # state first for decisions
    assert EXPECTED[("cancelar", S.CERRADA, "jefe.salud")] is NotAllowed  # person first elsewhere
    assert EXPECTED[("cancelar", S.APROBADA, REQUESTER)] is WrongState  # approved: too late
    assert EXPECTED[("excepcion", S.DEVUELTA, "secretario")] is WrongState
    assert EXPECTED[("cerrar", S.RESUELTA, "control.interno")] is NotAllowed  # reads, changes nothing


# ---------------------------------------------------------------- one database for the whole matrix


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory, demo_sqlite_template: Any) -> Iterator[tuple[Flask, dict[Any, int]]]:
    """One request per state (and per step of FO-M11-P2-13), built once; each cell rolls back."""
    base = tmp_path_factory.mktemp("matrix")
    shutil.copy(demo_sqlite_template, base / "app.sqlite")
    app = create_app(app_config(base, f"sqlite:///{base / 'app.sqlite'}"))
    with app.app_context():
        ids: dict[Any, int] = {state: build_request(RequestForm.CREACION, state) for state in RequestState}
        ids["13:jefe"] = build_request(RequestForm.ROLES, S.RADICADA)
        ids["13:seguridad"] = build_request(RequestForm.ROLES, S.EN_APROBACION)
        ids["13:aprobador"] = build_request(RequestForm.ROLES, S.EN_APROBACION)
        decide(ids["13:aprobador"], "seguridad")
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def run(transition: str, request: AccessRequest, actor: User, now: datetime) -> Any:
    session = db.session
    if transition == "editar":
        data = data_from_request(request)
        data.justification = "Se corrige la justificación con el cargo exacto del beneficiario."
        return update_draft(session, request, actor=actor, data=data, email_domain=EMAIL_DOMAIN, today=local_date(now))
    if transition == "radicar":
        return submit_request(session, request, actor=actor, email_domain=EMAIL_DOMAIN, now=now, directory=directory())
    if transition in ("aprobar", "rechazar", "devolver"):
        comment = None if transition == "aprobar" else REASON
        return decide_step(session, request, actor=actor, decision=Decision(transition), comment=comment, now=now)
    if transition == "excepcion":
        return apply_exception(session, request, actor=actor, justification=EXCEPTION_REASON, now=now)
    if transition == "cancelar":
        return cancel_request(session, request, actor=actor, reason="Ya no se necesita.", now=now)
    if transition == "iniciar_ejecucion":
        return start_execution(session, request, actor=actor, now=now)
    if transition == "resolver":
        return resolve_request(session, request, actor=actor, note="Acceso concedido.", now=now)
    assert transition == "cerrar"
    return close_request(session, request, actor=actor, now=now)


def state_of(request_id: int) -> RequestState:
    return db.session.execute(select(AccessRequest.state).where(AccessRequest.id == request_id)).scalar_one()


def check_cell(app: Flask, request_id: int, transition: str, actor_name: str, expected: Any) -> None:
    with app.app_context():
        try:
            request = fetch(request_id)
            before_state, label = request.state, request.number or f"Borrador {request.id}"
            actor = get_user(actor_name)
            marks = last_ids()
            if isinstance(expected, RequestState):
                run(transition, request, actor, utcnow())
                assert state_of(request_id) is expected
                events, audits = written_since(marks)
                # approving the last step also plans provisioning (its own audit events, SPEC §4)
                audits = [a for a in audits if a.action.startswith("solicitud.")]
                kind = "radicada_de_nuevo" if (transition, before_state) == ("radicar", S.DEVUELTA) else EVENT_KINDS[transition]
                assert [(e.request_id, e.kind, e.actor_id, e.to_state) for e in events] == [
                    (request_id, kind, actor.id, expected.value)
                ]
                assert [(a.action, a.object_type, a.object_id, a.actor_id) for a in audits] == [
                    (AUDIT_ACTIONS[transition], "solicitud", str(request_id), actor.id)
                ]
                assert audits[0].after["state"] == expected.value
                # the same transaction: one rollback takes the change, its history and its audit back
                db.session.rollback()
                assert state_of(request_id) is before_state
                assert written_since(marks) == ([], [])
            else:
                with pytest.raises(expected) as refused:
                    run(transition, request, actor, utcnow())
                assert type(refused.value) is expected
                message = refused.value.message
                if expected is WrongState:
                    assert message.startswith(f"La solicitud {label} está ") and "no se puede" in message
                else:
                    assert message and message[0].isupper() and message.endswith(".")
                assert written_since(marks) == ([], [])
                assert state_of(request_id) is before_state
        finally:
            db.session.rollback()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("state", list(RequestState), ids=[s.value for s in RequestState])
@pytest.mark.parametrize("transition", TRANSITIONS)
def test_transition_matrix(matrix, transition: str, state: RequestState, actor: str) -> None:
    app, ids = matrix
    check_cell(app, ids[state], transition, actor, EXPECTED[(transition, state, actor)])


#: FO-M11-P2-13: jefe → seguridad → aprobador; each step only for its own decider.
ROLES_STEPS = {"13:jefe": ("jefe.salud", S.EN_APROBACION), "13:seguridad": ("seguridad", S.EN_APROBACION)}
ROLES_STEPS["13:aprobador"] = ("lider.ed", S.APROBADA)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("step", list(ROLES_STEPS))
def test_roles_chain_each_step_only_for_its_decider(matrix, step: str, actor: str) -> None:
    app, ids = matrix
    decider, reached = ROLES_STEPS[step]
    check_cell(app, ids[step], "aprobar", actor, reached if actor == decider else NotAllowed)


def test_refusing_or_returning_needs_a_reason(matrix) -> None:
    app, ids = matrix
    with app.app_context():
        try:
            marks = last_ids()
            for decision in (Decision.RECHAZAR, Decision.DEVOLVER):
                with pytest.raises(ValidationFailed) as refused:
                    decide_step(
                        db.session,
                        fetch(ids[S.RADICADA]),
                        actor=get_user("jefe.salud"),
                        decision=decision,
                        comment="no",
                        now=utcnow(),
                    )
                assert refused.value.fields == {"comment": ["El motivo es obligatorio."]}
            assert written_since(marks) == ([], [])
        finally:
            db.session.rollback()


def test_a_returned_request_filed_again_starts_a_new_round(make_request, app) -> None:
    request_id = make_request(state=S.DEVUELTA)
    with app.app_context():
        number = fetch(request_id).number
        submit_request(
            db.session,
            fetch(request_id),
            actor=get_user(REQUESTER),
            email_domain=EMAIL_DOMAIN,
            now=utcnow(),
            directory=directory(),
        )
        db.session.commit()
        request = fetch(request_id)
        assert (request.state, request.number, request.round) == (S.RADICADA, number, 2)
        chain = request_steps(db.session, request, current_round_only=False)
        assert [(s.round, s.kind.value, s.state.value) for s in chain] == [
            (1, "jefe", "devuelto"),
            (1, "aprobador", "anulado"),
            (2, "jefe", "pendiente"),
            (2, "aprobador", "pendiente"),
        ]


@pytest.mark.parametrize(
    ("filed_at", "number"),
    [
        (datetime(2026, 12, 31, 15, 0, tzinfo=UTC), "SOL-2026-00002"),  # 10:00 on 31 December in Bogotá
        (datetime(2027, 1, 1, 2, 0, tzinfo=UTC), "SOL-2026-00002"),  # still 21:00 on 31 December in Bogotá
        (datetime(2027, 1, 1, 6, 0, tzinfo=UTC), "SOL-2027-00001"),  # 01:00 on 1 January in Bogotá
    ],
    ids=["afternoon", "evening-in-bogota-new-year-in-utc", "new-year-in-bogota"],
)
def test_numbers_are_consecutive_within_the_year_of_bogota(app, filed_at: datetime, number: str) -> None:
    """SOL-YYYY-NNNNN counts per year of the entity's calendar (days are Bogotá days, SPEC §5)."""
    with app.app_context():
        first = build_request(state=S.RADICADA, now=datetime(2026, 6, 1, 15, 0, tzinfo=UTC))
        assert fetch(first).number == "SOL-2026-00001"
        request_id = build_request(state=S.RADICADA, now=filed_at)
        request = fetch(request_id)
        assert request.number == number
        assert str(local_date(request.filed_at).year) == number[4:8]


# ---------------------------------------------------------------- the same refusals through the API

API_REFUSALS = [
    # (who, endpoint, state the request is in, body, status)
    ("lider.ed", "decision", S.RADICADA, {"decision": "aprobar"}, 403),  # the jefe's step
    ("enlace.salud", "decision", S.RADICADA, {"decision": "aprobar"}, 403),  # the requester
    ("enlace.hacienda", "decision", S.RADICADA, {"decision": "aprobar"}, 403),  # another dependency
    ("jefe.salud", "decision", S.APROBADA, {"decision": "aprobar"}, 409),
    ("lider.ed", "decision", S.DEVUELTA, {"decision": "rechazar", "comment": REASON}, 409),
    ("jefe.salud", "cancel", S.RADICADA, {}, 403),
    ("enlace.salud", "cancel", S.APROBADA, {}, 409),
    ("lider.ed", "exception", S.RADICADA, {"justification": EXCEPTION_REASON}, 403),
    ("secretario", "exception", S.DEVUELTA, {"justification": EXCEPTION_REASON}, 409),
    ("enlace.salud", "submit", S.EN_APROBACION, None, 409),
    ("enlace.hacienda", "submit", S.BORRADOR, None, 403),
]


@pytest.fixture(scope="module")
def matrix_api(matrix) -> Any:
    """``call(username, method, path, json=None)`` on the matrix application, with personal tokens."""
    app, _ids = matrix
    tokens: dict[str, str] = {}
    client = app.test_client()

    def call(username: str, method: str, path: str, **kwargs: Any) -> Any:
        if username not in tokens:
            tokens[username] = app.test_cli_runner().invoke(args=["users", "token", username]).output.strip()
        return client.open(path, method=method, headers={"Authorization": f"Bearer {tokens[username]}"}, **kwargs)

    return call


@pytest.mark.parametrize(("who", "endpoint", "state", "body", "status"), API_REFUSALS)
def test_api_refusals_are_problem_json(matrix, matrix_api, who, endpoint, state, body, status) -> None:
    """Refusals change nothing, so they run on the matrix's requests."""
    app, ids = matrix
    request_id = ids[state]
    response = matrix_api(who, "POST", f"/api/v1/requests/{request_id}/{endpoint}", json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status
    with app.app_context():
        request = fetch(request_id)
        assert request.state is state
    if status == 409:
        assert problem["title"] == "Estado no válido para esta acción"
        assert f"La solicitud {request.number or f'Borrador {request_id}'} está" in problem["detail"]
