"""Separation of duties, delegations and the Secretario's exception (SPEC §3 "Rules").

Nobody decides a step of a request they filed or of which they are the beneficiary; one person
decides at most one step of a request; all of it holds for ``admin`` too. A delegate decides for
the approver only inside the delegation's dates, and both names are recorded.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal import services as portal_services
from portal.clock import local_date
from portal.db import utcnow
from portal.errors import NotAllowed, ValidationFailed
from portal.extensions import db
from portal.models import AuditEvent
from portal.roles import Role
from tests.conftest import login
from tests.unit.tickets.factories import (
    EXCEPTION_REASON,
    build_request,
    fetch,
    get_user,
    last_ids,
    make_person,
    written_since,
)
from tickets.models import RequestEvent, RequestForm, RequestState, StepKind, StepState
from tickets.permissions import available_actions
from tickets.services.decisions import Decision, apply_exception, decide_step, request_steps
from tickets.services.delegations import create_delegation, end_delegation

FILED_IT = "Nadie puede aprobar una solicitud que radicó."
BENEFICIARY = "Nadie puede aprobar una solicitud de la que es beneficiario."
ONE_STEP = "Una misma persona decide como máximo un paso de cada solicitud."


def grant(username: str, role: Role, dependency: str | None = None) -> None:
    """Give a role the way ``flask users grant`` does (no acting admin)."""
    dep = portal_services.find_dependency(db.session, dependency) if dependency else None
    portal_services.assign_role(db.session, actor=None, user=get_user(username), role=role, dependency=dep)
    db.session.commit()


def approve(request_id: int, username: str):  # type: ignore[no-untyped-def]
    step = decide_step(
        db.session, fetch(request_id), actor=get_user(username), decision=Decision.APROBAR, comment=None, now=utcnow()
    )
    db.session.commit()
    return step


def refused(request_id: int, username: str, message: str) -> None:
    """``username`` may not approve the current step, for ``message``; nothing is written."""
    marks = last_ids()
    request = fetch(request_id)
    assert not available_actions(db.session, get_user(username), request, local_date(utcnow())).decide
    with pytest.raises(NotAllowed) as error:
        decide_step(db.session, request, actor=get_user(username), decision=Decision.APROBAR, comment=None, now=utcnow())
    db.session.rollback()
    assert error.value.message == message
    assert written_since(marks) == ([], [])


def test_admin_holding_every_approver_role_still_decides_one_step_and_never_its_own(app, users) -> None:
    with app.app_context():
        grant("admin", Role.APROBADOR)
        grant("admin", Role.JEFE, "SAL")
        grant("admin", Role.ENLACE, "SAL")
        assert users["admin"].roles == {Role.ADMIN, Role.APROBADOR, Role.JEFE, Role.ENLACE}

        # a request of Salud filed by someone else: admin signs as jefe, then may not approve too
        other = build_request(state=RequestState.RADICADA)
        assert approve(other, "admin").decided_by_id == users["admin"].id
        refused(other, "admin", ONE_STEP)
        approve(other, "lider.ed")
        assert fetch(other).state is RequestState.APROBADA

        # a request admin filed as enlace: no step of it is theirs, even holding both roles
        own = build_request(state=RequestState.RADICADA, requester="admin")
        refused(own, "admin", FILED_IT)
        approve(own, "jefe.salud")
        refused(own, "admin", FILED_IT)


def test_an_enlace_who_is_also_jefe_cannot_sign_their_own_request(app) -> None:
    with app.app_context():
        grant("enlace.salud", Role.JEFE, "SAL")
        request_id = build_request(state=RequestState.RADICADA)
        refused(request_id, "enlace.salud", FILED_IT)
        approve(request_id, "jefe.salud")
        assert fetch(request_id).state is RequestState.EN_APROBACION


@pytest.mark.parametrize(
    "beneficiary",
    [
        {"beneficiary_username": "lider.ed"},
        {"beneficiary_username": "juliana.cardenas", "beneficiary_email": "Lider.ED@valledelcauca.gov.co"},
    ],
    ids=["by-username", "by-email"],
)
def test_the_beneficiary_cannot_approve_nor_excuse_their_own_request(app, beneficiary) -> None:
    with app.app_context():
        # an unlock (FO-M11-P2-12): a creation for an existing account is refused at filing
        request_id = build_request(RequestForm.CLAVE, state=RequestState.EN_APROBACION, **beneficiary)
        refused(request_id, "lider.ed", BENEFICIARY)
        assert fetch(request_id).state is RequestState.EN_APROBACION

        grant("secretario", Role.JEFE, "HAC")  # irrelevant role: the rule is about the person
        mine = build_request(RequestForm.CLAVE, state=RequestState.RADICADA, beneficiary_username="secretario")
        with pytest.raises(NotAllowed) as error:
            apply_exception(db.session, fetch(mine), actor=get_user("secretario"), justification=EXCEPTION_REASON, now=utcnow())
        db.session.rollback()
        assert error.value.message == BENEFICIARY


def test_one_person_decides_at_most_one_step(app) -> None:
    with app.app_context():
        grant("jefe.salud", Role.APROBADOR)
        request_id = build_request(state=RequestState.RADICADA)
        approve(request_id, "jefe.salud")
        refused(request_id, "jefe.salud", ONE_STEP)
        approve(request_id, "lider.ed")
        steps = request_steps(db.session, fetch(request_id))
        assert [(s.kind.value, s.decided_by.username) for s in steps] == [("jefe", "jefe.salud"), ("aprobador", "lider.ed")]


def test_a_delegated_decision_counts_for_the_approver_replaced(app) -> None:
    """jefe.salud delegates the jefe step to a person of Salud who is also an aprobador: once they
    sign the jefe step for the jefe, they have used their one step of the request."""
    with app.app_context():
        make_person("subdirector.salud", "Subdirector de Salud", "SAL", (Role.APROBADOR, None))
        today = local_date(utcnow())
        create_delegation(
            db.session,
            actor=get_user("jefe.salud"),
            delegator=get_user("jefe.salud"),
            delegate=get_user("subdirector.salud"),
            step_kind=StepKind.JEFE,
            starts_on=today,
            ends_on=today,
            reason="Comisión de servicios",
            today=today,
        )
        db.session.commit()
        request_id = build_request(state=RequestState.RADICADA)
        step = approve(request_id, "subdirector.salud")
        assert (step.decided_by.username, step.on_behalf_of.username) == ("subdirector.salud", "jefe.salud")
        refused(request_id, "subdirector.salud", ONE_STEP)


def delegate(
    delegator: str, to: str, starts: int, ends: int, *, today_offset: int = 0, kind: StepKind = StepKind.APROBADOR
) -> int:
    """A delegation of ``kind`` from ``starts`` to ``ends`` days from today (registered on a day ``today_offset`` away)."""
    today = local_date(utcnow())
    delegation = create_delegation(
        db.session,
        actor=get_user(delegator),
        delegator=get_user(delegator),
        delegate=get_user(to),
        step_kind=kind,
        starts_on=today + timedelta(days=starts),
        ends_on=today + timedelta(days=ends),
        reason="Vacaciones",
        today=today + timedelta(days=today_offset),
    )
    db.session.commit()
    return delegation.id


def test_a_delegate_decides_for_the_approver_and_both_names_are_recorded(app, api) -> None:
    with app.app_context():
        delegate("lider.ed", "secretario", 0, 5)
        request_id = build_request(state=RequestState.EN_APROBACION)
        assert available_actions(db.session, get_user("secretario"), fetch(request_id), local_date(utcnow())).decide
        marks = last_ids()
        step = approve(request_id, "secretario")
        assert (step.kind.value, step.state, step.is_suplencia) == ("aprobador", StepState.APROBADO, False)
        assert (step.decided_by.username, step.on_behalf_of.username) == ("secretario", "lider.ed")
        events, audits = written_since(marks)
        assert [(e.kind, e.actor.username, e.on_behalf_of.username) for e in events] == [
            ("paso_aprobado", "secretario", "lider.ed")
        ]
        # the final approval also plans provisioning, audited on its own (SPEC §4)
        audits = [a for a in audits if a.action.startswith("solicitud.")]
        assert [(a.action, a.actor_name, a.before["on_behalf_of"], a.before["basis"]) for a in audits] == [
            ("solicitud.paso_aprobado", "secretario", "lider.ed", "delegado")
        ]
        assert fetch(request_id).state is RequestState.APROBADA

    enlace = app.test_client()
    login(enlace, "enlace.salud")
    page = enlace.get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert re.search(r'data-step="aprobador".*?Jorge Salazar Henao en nombre de Juliana Cárdenas Mora', page, re.S)
    chain = api("enlace.salud", "GET", f"/api/v1/requests/{request_id}").get_json()["approval_chain"]
    assert [(s["kind"], s["decided_by"], s["on_behalf_of"]) for s in chain] == [
        ("jefe", "jefe.salud", None),
        ("aprobador", "secretario", "lider.ed"),
    ]


@pytest.mark.parametrize(
    ("starts", "ends", "today_offset", "revoked"),
    [(1, 5, 0, False), (-10, -1, -20, False), (0, 5, 0, True)],
    ids=["not-yet", "ended", "revoked"],
)
def test_a_delegation_outside_its_dates_gives_no_power(app, starts, ends, today_offset, revoked) -> None:
    from tickets.models import Delegation

    with app.app_context():
        delegation_id = delegate("lider.ed", "secretario", starts, ends, today_offset=today_offset)
        if revoked:
            end_delegation(
                db.session, db.session.get(Delegation, delegation_id), actor=get_user("lider.ed"), reason=None, now=utcnow()
            )
            db.session.commit()
        request_id = build_request(state=RequestState.EN_APROBACION)
        refused(request_id, "secretario", "Este paso (Líder de economía digital) no le corresponde.")
        approve(request_id, "lider.ed")


# ---------------------------------------------------------------- the Secretario's exception


@pytest.mark.parametrize("justification", [None, "", "   ", "Urgente"])
def test_the_exception_needs_a_justification(app, justification) -> None:
    with app.app_context():
        request_id = build_request(state=RequestState.EN_APROBACION)
        marks = last_ids()
        with pytest.raises(ValidationFailed) as error:
            apply_exception(
                db.session, fetch(request_id), actor=get_user("secretario"), justification=justification, now=utcnow()
            )
        db.session.rollback()
        assert error.value.status == 422
        assert error.value.message == "La excepción requiere una justificación (al menos 10 caracteres)."
        assert error.value.fields == {"justification": ["La justificación es obligatoria."]}
        assert written_since(marks) == ([], [])
        assert fetch(request_id).is_exception is False


def test_the_exception_without_justification_is_422_in_the_api_and_refused_in_the_ui(app, make_request, api) -> None:
    request_id = make_request(state=RequestState.RADICADA)
    response = api("secretario", "POST", f"/api/v1/requests/{request_id}/exception", json={"justification": "  "})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == {"justification": ["La justificación es obligatoria."]}

    from tests.conftest import csrf_token

    secretario = app.test_client()
    login(secretario, "secretario")
    token = csrf_token(secretario, f"/solicitudes/{request_id}")
    response = secretario.post(f"/solicitudes/{request_id}/excepcion", data={"justification": "", "csrf_token": token})
    assert response.status_code == 303
    page = secretario.get(response.headers["Location"]).get_data(as_text=True)
    assert "La excepción requiere una justificación" in page
    with app.app_context():
        assert fetch(request_id).state is RequestState.RADICADA


@pytest.mark.parametrize(
    ("form", "state", "skipped"),
    [
        (RequestForm.CREACION, RequestState.RADICADA, ["jefe", "aprobador"]),
        (RequestForm.ROLES, RequestState.EN_APROBACION, ["seguridad", "aprobador"]),
    ],
    ids=["all-steps", "remaining-steps"],
)
def test_the_exception_approves_every_pending_step_and_is_flagged(app, make_request, api, form, state, skipped) -> None:
    request_id = make_request(form=form, state=state)
    other_id = make_request()
    with app.app_context():
        marks = last_ids()
        apply_exception(db.session, fetch(request_id), actor=get_user("secretario"), justification=EXCEPTION_REASON, now=utcnow())
        db.session.commit()
        request = fetch(request_id)
        assert (request.state, request.is_exception, request.exception_justification) == (
            RequestState.APROBADA,
            True,
            EXCEPTION_REASON,
        )
        assert request.exception_by_id == get_user("secretario").id
        steps = request_steps(db.session, request)
        assert [s.kind.value for s in steps if s.state is StepState.EXCEPCION] == skipped
        assert all(
            s.decided_by.username == "secretario" and s.comment == EXCEPTION_REASON for s in steps if s.kind.value in skipped
        )
        assert all(s.state is StepState.APROBADO for s in steps if s.kind.value not in skipped)
        events = db.session.query(RequestEvent).filter(RequestEvent.id > marks[0]).all()
        audits = db.session.query(AuditEvent).filter(AuditEvent.id > marks[1]).all()
        assert [e.kind for e in events] == ["excepcion_secretario"]
        assert [a.action for a in audits if a.action.startswith("solicitud.")] == ["solicitud.excepcion_secretario"]

    lider = app.test_client()
    login(lider, "lider.ed")
    page = lider.get("/solicitudes?bandeja=todas").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-request="(\d+)">(.*?)</tr>', page, re.S))
    assert "Excepción" in rows[str(request_id)]
    assert "Excepción" not in rows[str(other_id)]
    only = lider.get("/solicitudes?bandeja=todas&excepcion=1").get_data(as_text=True)
    assert re.findall(r'<tr data-request="(\d+)">', only) == [str(request_id)]
    assert "Excepción del Secretario" in lider.get(f"/solicitudes/{request_id}").get_data(as_text=True)

    items = api("lider.ed", "GET", "/api/v1/requests?queue=todas").get_json()["items"]
    assert {i["id"]: i["is_exception"] for i in items} == {request_id: True, other_id: False}
    detail = api("lider.ed", "GET", f"/api/v1/requests/{request_id}").get_json()
    assert detail["is_exception"] is True and detail["exception_justification"] == EXCEPTION_REASON
    flagged = api("lider.ed", "GET", "/api/v1/requests?queue=todas&exception_only=true").get_json()["items"]
    assert [i["id"] for i in flagged] == [request_id]


def test_the_exception_is_offered_only_to_the_secretario_in_the_chain(app) -> None:
    with app.app_context():
        request_id = build_request(state=RequestState.RADICADA)
        today = local_date(utcnow())
        request = fetch(request_id)
        assert available_actions(db.session, get_user("secretario"), request, today).exception
        for username in ("lider.ed", "admin", "jefe.salud", "enlace.salud"):
            assert not available_actions(db.session, get_user(username), request, today).exception
        returned = fetch(build_request(state=RequestState.DEVUELTA))
        assert not available_actions(db.session, get_user("secretario"), returned, today).exception
