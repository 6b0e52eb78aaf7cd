"""Building blocks for the tests of access requests (SPEC §3): lookups, valid request data, and
``build_request``, which drives the real service functions from a draft to a wanted state,
committing after each transition as a request handler would. Everything here needs an
application context; the fixtures in ``conftest.py`` wrap it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from portal.clock import local_date
from portal.db import utcnow
from portal.directory import Directory, DirectorySettings
from portal.extensions import db
from portal.models import AuditEvent, Dependency, RoleAssignment, User
from portal.roles import Role
from tickets.models import (
    AccessRequest,
    DocumentType,
    LinkType,
    RequestAction,
    RequestEvent,
    RequestForm,
    RequestState,
    TargetSystem,
)
from tickets.services.decisions import Decision, decide_step
from tickets.services.execution import close_request, resolve_request, start_execution
from tickets.services.filing import RequestData, cancel_request, create_draft, submit_request

EMAIL_DOMAIN = "valledelcauca.gov.co"

#: Who files for each dependency of the demo data.
ENLACES = {"SAL": "enlace.salud", "HAC": "enlace.hacienda"}
#: The default approval chains (config/approval.py), as step kinds in order.
CHAINS = {
    RequestForm.CREACION: ("jefe", "aprobador"),
    RequestForm.CLAVE: ("jefe", "aprobador"),
    RequestForm.ROLES: ("jefe", "seguridad", "aprobador"),
}
#: The form's action and roles a valid request of each form carries by default.
FORM_DEFAULTS: dict[RequestForm, dict[str, Any]] = {
    RequestForm.CREACION: {"action": RequestAction.CREAR, "roles_to_add": ["correo"]},
    RequestForm.CLAVE: {"action": RequestAction.DESBLOQUEAR},
    RequestForm.ROLES: {"action": RequestAction.MODIFICAR_ROLES, "roles_to_add": ["gestion-documental"]},
}
BENEFICIARY: dict[str, Any] = {
    "beneficiary_name": "María Fernanda Rojas Peña",
    "beneficiary_document_type": DocumentType.CC,
    "beneficiary_document": "1144556677",
    "beneficiary_email": "maria.rojas@valledelcauca.gov.co",
    "beneficiary_position": "Profesional universitaria",
    "beneficiary_username": "maria.rojas",
    "link_type": LinkType.PLANTA,
    "justification": "Ingresa a la Secretaría de Salud y necesita cuenta de red y correo.",
}
REASON = "Falta adjuntar el formato firmado por el jefe."
EXCEPTION_REASON = "Emergencia sanitaria: el acceso se necesita hoy mismo."


# ---------------------------------------------------------------- lookups (need an app context)


def get_user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def add_to_directory(username: str, full_name: str, dependency: str | None = None, password: str = "Demo2026!") -> None:
    """An account in the test application's demo directory (so the person can log in)."""
    conn = directory().service_connection()
    try:
        attributes = {
            "uid": username,
            "cn": full_name,
            "sn": full_name.split()[-1],
            "mail": f"{username}@{EMAIL_DOMAIN}",
            "userPassword": password,
        }
        if dependency:
            attributes["ou"] = dependency
        assert conn.add(f"uid={username},{directory().settings.users_dn}", ["inetOrgPerson"], attributes), conn.result
    finally:
        conn.unbind()


def make_person(username: str, full_name: str, dependency: str | None = None, *roles: tuple[Role, str | None]) -> User:
    """A person of ``dependency`` in the directory and the portal, holding ``roles``; committed."""
    from portal import services as portal_services

    add_to_directory(username, full_name, dependency)
    user = User(
        username=username,
        full_name=full_name,
        email=f"{username}@{EMAIL_DOMAIN}",
        dependency_id=dependency_id(dependency) if dependency else None,
    )
    db.session.add(user)
    db.session.flush()
    for role, scope in roles:
        dep = portal_services.find_dependency(db.session, scope) if scope else None
        portal_services.assign_role(db.session, actor=None, user=user, role=role, dependency=dep)
    db.session.commit()
    return user


def directory() -> Directory:
    """The test application's directory (the demo one, or slapd in integration tests)."""
    from flask import current_app

    return Directory(DirectorySettings.from_config(current_app.config))


def dependency_id(code: str) -> int:
    return db.session.execute(select(Dependency.id).where(Dependency.code == code)).scalar_one()


def system_id(code: str = "directorio") -> int:
    return db.session.execute(select(TargetSystem.id).where(TargetSystem.code == code)).scalar_one()


def jefe_of(code: str) -> str:
    """The username of the (first) jefe of a dependency."""
    return db.session.execute(
        select(User.username)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.JEFE, RoleAssignment.dependency_id == dependency_id(code))
        .order_by(User.id)
        .limit(1)
    ).scalar_one()


def fetch(request_id: int) -> AccessRequest:
    """The request as the database has it now (nothing stale from earlier in the test)."""
    db.session.expire_all()
    return db.session.execute(
        select(AccessRequest).where(AccessRequest.id == request_id).execution_options(populate_existing=True)
    ).scalar_one()


def last_ids() -> tuple[int, int]:
    """Highest RequestEvent and AuditEvent ids, to find what a call wrote."""
    return (
        db.session.execute(select(func.coalesce(func.max(RequestEvent.id), 0))).scalar_one(),
        db.session.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one(),
    )


def written_since(marks: tuple[int, int]) -> tuple[list[RequestEvent], list[AuditEvent]]:
    events = db.session.execute(select(RequestEvent).where(RequestEvent.id > marks[0]).order_by(RequestEvent.id)).scalars()
    audits = db.session.execute(select(AuditEvent).where(AuditEvent.id > marks[1]).order_by(AuditEvent.id)).scalars()
    return list(events), list(audits)


def request_data(
    form: RequestForm = RequestForm.CREACION, dependency: str = "SAL", system: str = "directorio", **overrides: Any
) -> RequestData:
    values: dict[str, Any] = dict(BENEFICIARY) | FORM_DEFAULTS[form] | overrides
    return RequestData(form=form, system_id=system_id(system), dependency_id=dependency_id(dependency), **values)


def edge(call: Callable[[], Any]) -> Any:
    """Run one service call the way a request handler does: commit, or roll back and re-raise.

    Provisioning jobs planned by a final approval stay in the outbox (not dispatched), as when
    the worker has not picked them up yet, so an ``aprobada`` request stays ``aprobada``.
    """
    try:
        result = call()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return result


# ---------------------------------------------------------------- transitions used by the factory


def file(request_id: int, requester: str, now: datetime) -> None:
    edge(
        lambda: submit_request(
            db.session, fetch(request_id), actor=get_user(requester), email_domain=EMAIL_DOMAIN, now=now, directory=directory()
        )
    )


def decide(request_id: int, username: str, decision: str = "aprobar", now: datetime | None = None) -> None:
    comment = None if decision == "aprobar" else REASON
    edge(
        lambda: decide_step(
            db.session,
            fetch(request_id),
            actor=get_user(username),
            decision=Decision(decision),
            comment=comment,
            now=now or utcnow(),
        )
    )


def build_request(
    form: RequestForm = RequestForm.CREACION,
    state: RequestState = RequestState.RADICADA,
    dependency: str = "SAL",
    requester: str | None = None,
    *,
    now: datetime | None = None,
    deciders: Mapping[str, str] | None = None,
    **data_overrides: Any,
) -> int:
    """Create a valid request and take it to ``state`` through the services (needs an app context).

    ``en_aprobacion`` means the first step (jefe) approved; ``devuelta`` and ``rechazada`` are decided
    by the jefe; ``cancelada`` is cancelled by the requester after filing; ``cerrada`` is closed by
    the requester. ``deciders`` overrides who decides each step kind.
    """
    now = now or utcnow()
    requester = requester or ENLACES[dependency]
    who = {"jefe": jefe_of(dependency), "seguridad": "seguridad", "aprobador": "lider.ed"} | dict(deciders or {})
    data = request_data(form, dependency, **data_overrides)
    request_id: int = edge(
        lambda: create_draft(db.session, actor=get_user(requester), data=data, email_domain=EMAIL_DOMAIN, today=local_date(now))
    ).id
    if state is RequestState.BORRADOR:
        return request_id
    file(request_id, requester, now)
    chain = CHAINS[form]
    if state is RequestState.DEVUELTA:
        decide(request_id, who[chain[0]], "devolver", now)
    elif state is RequestState.RECHAZADA:
        decide(request_id, who[chain[0]], "rechazar", now)
    elif state is RequestState.CANCELADA:
        edge(
            lambda: cancel_request(db.session, fetch(request_id), actor=get_user(requester), reason="Ya no se necesita.", now=now)
        )
    elif state is RequestState.EN_APROBACION:
        decide(request_id, who[chain[0]], "aprobar", now)
    elif state in (RequestState.APROBADA, RequestState.EN_EJECUCION, RequestState.RESUELTA, RequestState.CERRADA):
        for kind in chain:
            decide(request_id, who[kind], "aprobar", now)
    if state in (RequestState.EN_EJECUCION, RequestState.RESUELTA, RequestState.CERRADA):
        edge(lambda: start_execution(db.session, fetch(request_id), actor=get_user("agente"), now=now))
    if state in (RequestState.RESUELTA, RequestState.CERRADA):
        edge(lambda: resolve_request(db.session, fetch(request_id), actor=get_user("agente"), note="Cuenta creada.", now=now))
    if state is RequestState.CERRADA:
        edge(lambda: close_request(db.session, fetch(request_id), actor=get_user(requester), now=now))
    reached = fetch(request_id).state
    assert reached is state, f"factory reached {reached}, not {state}"
    return request_id


def today_local() -> date:
    return local_date(utcnow())
