"""Who decides a step (SPEC §3, ``tickets.routing``): every step kind × every kind of excluded decider.

In each case the single holder of the step is excluded (filed the request, is its beneficiary,
decided another step, or is excluded and has a delegate — who may be excluded too). Each case is
decided by someone, and nobody is asked who cannot decide: the mail of the step, the "Por aprobar"
queue (SQL), the decide button and the decision service (Python) name exactly the same people.
"""

from __future__ import annotations

import email
import email.header
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import services as portal_services
from portal.clock import local_date
from portal.db import utcnow
from portal.errors import NotAllowed
from portal.extensions import db
from portal.models import User
from portal.roles import Role
from tests.unit.tickets.factories import (
    EMAIL_DOMAIN,
    decide,
    edge,
    fetch,
    file,
    get_user,
    make_person,
    request_data,
)
from tickets.models import RequestForm, RequestState, StepKind, StepState
from tickets.permissions import available_actions
from tickets.queries import Queue, QueueFilters, queue_query
from tickets.routing import Basis, step_routing
from tickets.services.admin import save_approval_policy
from tickets.services.decisions import Decision, current_step, decide_step, request_steps
from tickets.services.delegations import create_delegation
from tickets.services.filing import create_draft

#: the holder of each step kind in the demo data
HOLDER = {StepKind.JEFE: "jefe.salud", StepKind.SEGURIDAD: "seguridad", StepKind.APROBADOR: "lider.ed"}
#: an FO-M11-P2-13 chain in which another step comes before the one under test
CHAIN = {
    StepKind.JEFE: [StepKind.SEGURIDAD, StepKind.JEFE, StepKind.APROBADOR],
    StepKind.SEGURIDAD: [StepKind.JEFE, StepKind.SEGURIDAD, StepKind.APROBADOR],
    StepKind.APROBADOR: [StepKind.JEFE, StepKind.SEGURIDAD, StepKind.APROBADOR],
}
#: an eligible delegate of each holder, and the role that person holds (SPEC §3)
DELEGATE = {
    StepKind.JEFE: ("subdirector.salud", "Subdirector de Salud", "SAL", ()),
    StepKind.SEGURIDAD: ("seguridad2", "Segunda Persona de Seguridad", "TIC", ((Role.SEGURIDAD, None),)),
    StepKind.APROBADOR: ("secretario2", "Secretario Encargado", "TIC", ((Role.SECRETARIO, None),)),
}
ROLE_OF = {
    StepKind.JEFE: (Role.JEFE, "SAL"),
    StepKind.SEGURIDAD: (Role.SEGURIDAD, None),
    StepKind.APROBADOR: (Role.APROBADOR, None),
}
EXCLUSIONS = ["requester", "beneficiary", "decided_other", "delegate_of_excluded", "delegate_also_excluded"]


@dataclass
class Case:
    request_id: int
    excluded: list[str]
    basis: Basis


def grant(username: str, role: Role, dependency: str | None) -> None:
    dep = portal_services.find_dependency(db.session, dependency) if dependency else None
    portal_services.assign_role(db.session, actor=None, user=get_user(username), role=role, dependency=dep)
    db.session.commit()


def build_case(kind: StepKind, exclusion: str) -> Case:
    """A request whose current step is ``kind`` and whose only holder is excluded by ``exclusion``."""
    holder = HOLDER[kind]
    chain = CHAIN[kind]
    before = chain[: chain.index(kind)]
    edge(lambda: save_approval_policy(db.session, actor=get_user("admin"), form=RequestForm.ROLES, steps=chain))
    requester = "enlace.salud"
    overrides: dict[str, object] = {}
    excluded = [holder]
    deciders_of = {k: HOLDER[k] for k in StepKind}
    if exclusion == "requester":
        grant(holder, Role.ENLACE, "SAL")
        requester = holder
    elif exclusion == "beneficiary" or exclusion.startswith("delegate"):
        overrides = {"beneficiary_username": holder, "beneficiary_email": f"{holder}@{EMAIL_DOMAIN}"}
    elif exclusion == "decided_other":
        other = before[-1]
        grant(holder, *ROLE_OF[other])
        deciders_of[other] = holder
    if exclusion.startswith("delegate"):
        username, name, dependency, roles = DELEGATE[kind]
        make_person(username, name, dependency, *roles)
        today = local_date(utcnow())
        edge(
            lambda: create_delegation(
                db.session,
                actor=get_user(holder),
                delegator=get_user(holder),
                delegate=get_user(username),
                step_kind=kind,
                starts_on=today,
                ends_on=today,
                reason="Vacaciones",
                today=today,
            )
        )
        if exclusion == "delegate_also_excluded":
            grant(username, Role.ENLACE, "SAL")
            requester = username
            excluded.append(username)
    data = request_data(RequestForm.ROLES, **overrides)
    now = utcnow()
    request_id = edge(
        lambda: create_draft(db.session, actor=get_user(requester), data=data, email_domain=EMAIL_DOMAIN, today=local_date(now))
    ).id
    file(request_id, requester, now)
    for step_kind in before:
        decide(request_id, deciders_of[step_kind], "aprobar", now)
    basis = Basis.DELEGADO if exclusion == "delegate_of_excluded" else Basis.SUPLENCIA
    if exclusion == "delegate_of_excluded" and kind is StepKind.SEGURIDAD:
        basis = Basis.TITULAR  # a seguridad's delegate is a seguridad: they decide as titular
    return Case(request_id, excluded, basis)


def step_mail_recipients(mail_dir: Path, number: str, kind: StepKind) -> set[str]:
    subject = f"Solicitud {number} por aprobar: {kind.label}"
    found: set[str] = set()
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_text(encoding="utf-8").split("-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip().encode("utf-8"))
            if str(email.header.make_header(email.header.decode_header(message["Subject"]))) == subject:
                found |= {a.strip() for a in str(message["To"]).split(",")}
    return found


@pytest.mark.parametrize("exclusion", EXCLUSIONS)
@pytest.mark.parametrize("kind", list(StepKind), ids=[k.value for k in StepKind])
def test_every_step_is_decided_by_someone_and_nobody_is_asked_who_cannot(app, tmp_path, kind, exclusion) -> None:
    with app.app_context():
        case = build_case(kind, exclusion)
        request = fetch(case.request_id)
        step = current_step(db.session, request)
        assert step is not None and step.kind is kind
        today = local_date(utcnow())
        routing = step_routing(db.session, request, step, today)
        deciders = {d.person.username for d in routing.deciders}
        assert deciders, "nobody may decide the step"
        assert {d.basis for d in routing.deciders} == {case.basis}
        assert not deciders & set(case.excluded)
        assert {e.person.username for e in routing.excluded} >= set(case.excluded)

        # the same people everywhere: the step's mail, the queue (SQL), the page's button
        mailed = step_mail_recipients(tmp_path / "mail", request.number, kind)
        assert mailed == {get_user(u).email for u in deciders}
        everyone = db.session.execute(select(User).where(User.is_active_account.is_(True))).scalars().all()
        for person in everyone:
            queue = queue_query(db.session, person, Queue.TO_APPROVE, QueueFilters(), today)
            in_queue = case.request_id in {r.id for r in db.session.execute(queue).scalars().unique()}
            may = available_actions(db.session, person, fetch(case.request_id), today).decide
            assert in_queue == may == (person.username in deciders), person.username

        # an excluded holder is refused with the reason, and writes nothing
        for username in case.excluded:
            with pytest.raises(NotAllowed):
                decide_step(
                    db.session,
                    fetch(case.request_id),
                    actor=get_user(username),
                    decision=Decision.APROBAR,
                    comment=None,
                    now=utcnow(),
                )
            db.session.rollback()

        # and someone who may decide does
        chosen = sorted(deciders)[0]
        decided = edge(
            lambda: decide_step(
                db.session, fetch(case.request_id), actor=get_user(chosen), decision=Decision.APROBAR, comment=None, now=utcnow()
            )
        )
        assert decided.state is StepState.APROBADO
        assert decided.is_suplencia is (case.basis is Basis.SUPLENCIA)
        request = fetch(case.request_id)
        assert request.is_exception is False
        assert request.state in (RequestState.EN_APROBACION, RequestState.APROBADA)


def test_the_jefe_as_beneficiary_is_decided_by_suplencia_and_not_counted_as_an_exception(app, tmp_path, api) -> None:
    """enlace.salud files FO-M11-P2-12 for jefe.salud: the jefe is never asked; the secretario decides
    by suplencia, which is no exception in any list or in the ANS report."""
    from datetime import timedelta

    from sla.reports.assembly import build_report
    from sla.reports.queries import ReportFilters
    from tests.conftest import csrf_token, login
    from tests.unit.tickets.factories import build_request

    with app.app_context():
        request_id = build_request(
            RequestForm.CLAVE,
            RequestState.RADICADA,
            beneficiary_name="Andrés Mejía Castro",
            beneficiary_username="jefe.salud",
            beneficiary_email="jefe.salud@valledelcauca.gov.co",
        )
        number = fetch(request_id).number
        assert step_mail_recipients(tmp_path / "mail", number, StepKind.JEFE) == {"secretario@valledelcauca.gov.co"}

    jefe = app.test_client()
    login(jefe, "jefe.salud")
    assert f'data-request="{request_id}"' not in jefe.get("/solicitudes?bandeja=por_aprobar").get_data(as_text=True)
    page = jefe.get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert "acc-decidir" not in page
    token = csrf_token(jefe, f"/solicitudes/{request_id}")
    assert jefe.post(f"/solicitudes/{request_id}/decidir", data={"csrf_token": token, "decision": "aprobar"}).status_code == 403

    secretario = app.test_client()
    login(secretario, "secretario")
    assert f'data-request="{request_id}"' in secretario.get("/solicitudes?bandeja=por_aprobar").get_data(as_text=True)
    page = secretario.get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert 'data-decider="secretario" data-basis="suplencia"' in page
    assert (
        "Jorge Salazar Henao, por suplencia (Secretario de las TIC): Andrés Mejía Castro es el beneficiario de la solicitud."
        in page
    )
    assert "Andrés Mejía Castro no decide este paso: es el beneficiario de la solicitud." in page
    token = csrf_token(secretario, f"/solicitudes/{request_id}")
    assert (
        secretario.post(f"/solicitudes/{request_id}/decidir", data={"csrf_token": token, "decision": "aprobar"}).status_code
        == 303
    )

    with app.app_context():
        decide(request_id, "lider.ed")
        request = fetch(request_id)
        assert (request.state, request.is_exception) == (RequestState.APROBADA, False)
        steps = {s.kind: s for s in request_steps(db.session, request)}
        assert (steps[StepKind.JEFE].decided_by.username, steps[StepKind.JEFE].is_suplencia) == ("secretario", True)
        assert not steps[StepKind.APROBADOR].is_suplencia
        today = local_date(utcnow())
        report = build_report(db.session, ReportFilters(today - timedelta(days=1), today + timedelta(days=1)), utcnow())
        assert (report.exception_count, report.exceptions) == (0, [])
    lider = app.test_client()
    login(lider, "lider.ed")
    assert f'data-request="{request_id}"' not in lider.get("/solicitudes?bandeja=todas&excepcion=1").get_data(as_text=True)
    assert "Suplencia" in lider.get(f"/solicitudes/{request_id}").get_data(as_text=True)
    detail = api("lider.ed", "GET", f"/api/v1/requests/{request_id}").get_json()
    assert detail["is_exception"] is False
    assert [(s["kind"], s["decided_by"], s["is_suplencia"]) for s in detail["approval_chain"]] == [
        ("jefe", "secretario", True),
        ("aprobador", "lider.ed", False),
    ]


def test_ans_notices_of_a_suplencia_step_go_to_the_secretario_not_to_the_excluded_jefe(app, tmp_path) -> None:
    from datetime import timedelta

    from sla import services as sla_services
    from tests.unit.tickets.factories import build_request

    with app.app_context():
        build_request(
            RequestForm.CLAVE,
            RequestState.RADICADA,
            beneficiary_name="Andrés Mejía Castro",
            beneficiary_username="jefe.salud",
            beneficiary_email="jefe.salud@valledelcauca.gov.co",
        )
        sla_services.tick(db.session, utcnow() + timedelta(days=30))
        db.session.commit()
    notices = []
    for path in (tmp_path / "mail").glob("*.log"):
        for chunk in path.read_text(encoding="utf-8").split("-" * 79):
            if chunk.strip():
                message = email.message_from_bytes(chunk.strip().encode("utf-8"))
                subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
                if subject.startswith("ANS"):
                    notices.append(str(message["To"]))
    assert notices, "no ANS notice was sent"
    assert not any("jefe.salud@" in to for to in notices)
    assert any("secretario@" in to for to in notices)
