"""Access that ends by itself (SPEC §3, §4): roles granted until a date, contractors' accounts at
the end of their contract.

A daily task (and ``flask provisioning expire --now``) warns the dependency 5 business days before
the end, and on the day files an automatic request, approved by the portal itself, that removes
the roles or retires the account through the normal provisioning path, so it shows in the
request's history, the audit trail and the reports. The removal happens in the directory; nothing
grants the role again unless a person files a new request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from portal import services as portal_services
from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession
from portal.mail import OutgoingMail, send_after_commit
from portal.models import RoleAssignment, User
from portal.roles import Role
from tickets.models import AccessRequest, LinkType, RequestAction, RequestEvent, RequestForm, RequestState

SYSTEM_USERNAME = "mesatic.sistema"
WARNING_BUSINESS_DAYS = 5
DONE_STATES = (RequestState.RESUELTA, RequestState.CERRADA)


@dataclass
class ExpiryReport:
    warned: list[str] = field(default_factory=list)
    filed: list[str] = field(default_factory=list)


def system_user(session: DbSession) -> User:
    """The portal's own account, requester of automatic requests; it cannot log in."""
    user = portal_services.find_user(session, SYSTEM_USERNAME)
    if user is None:
        user = User(username=SYSTEM_USERNAME, full_name="Mesa TIC (automático)", is_active_account=False)
        session.add(user)
        session.flush()
    return user


def _end_date(request: AccessRequest) -> date | None:
    if request.form is RequestForm.ROLES:
        return request.roles_end_date
    return request.contract_end_date


def _candidates(session: DbSession, until: date) -> list[AccessRequest]:
    """Resolved grants that end on or before ``until`` and were not ended yet."""
    ender = aliased(AccessRequest)
    already_ended = exists().where(ender.origin_request_id == AccessRequest.id)
    roles = and_(
        AccessRequest.form == RequestForm.ROLES,
        AccessRequest.roles_end_date.is_not(None),
        AccessRequest.roles_end_date <= until,
    )
    contracts = and_(
        AccessRequest.action.in_([RequestAction.CREAR, RequestAction.ACTIVAR]),
        AccessRequest.link_type == LinkType.CONTRATISTA,
        AccessRequest.contract_end_date.is_not(None),
        AccessRequest.contract_end_date <= until,
    )
    return list(
        session.execute(
            select(AccessRequest)
            .where(AccessRequest.state.in_(DONE_STATES), or_(roles, contracts), ~already_ended)
            .order_by(AccessRequest.id)
        ).scalars()
    )


def _superseded(session: DbSession, request: AccessRequest) -> bool:
    """A later request retired the account or extended the contract: nothing to end."""
    later = session.execute(
        select(AccessRequest).where(
            AccessRequest.id != request.id,
            AccessRequest.system_id == request.system_id,
            AccessRequest.beneficiary_username == request.beneficiary_username,
            AccessRequest.state.in_(DONE_STATES),
            AccessRequest.resolved_at > request.resolved_at,
        )
    ).scalars()
    for other in later:
        if other.action is RequestAction.RETIRAR:
            return True
        if request.form is not RequestForm.ROLES and other.action in (RequestAction.CREAR, RequestAction.ACTIVAR):
            return True  # re-activated with a new contract end: that request's date rules
    return False


def _warn(session: DbSession, request: AccessRequest, end: date, now: datetime) -> None:
    people = session.execute(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.is_active_account.is_(True),
            RoleAssignment.dependency_id == request.dependency_id,
            RoleAssignment.role.in_([Role.JEFE, Role.ENLACE]),
        )
    ).scalars()
    recipients = tuple(sorted({p.email for p in people if p.email}))
    what = (
        f"los roles {', '.join(request.roles_to_add)} de {request.beneficiary_name}"
        if request.form is RequestForm.ROLES
        else f"la cuenta de {request.beneficiary_name} (fin del contrato)"
    )
    if recipients:
        send_after_commit(
            session,
            OutgoingMail(
                to=recipients,
                subject=f"Acceso por vencer el {end.strftime('%d/%m/%Y')}: {request.beneficiary_name}",
                template="tickets/expiry_warning",
                context={"what": what, "end": end.strftime("%d/%m/%Y"), "number": request.number, "request_id": request.id},
            ),
        )
    request.expiry_warned_at = now
    record_event(
        session,
        actor=None,
        action="vencimiento.aviso",
        object_type="solicitud",
        object_id=request.id,
        after={"end": end.isoformat(), "to": list(recipients)},
    )


def _file_ending(session: DbSession, request: AccessRequest, now: datetime) -> AccessRequest:
    from tickets.provisioning import plan_provisioning
    from tickets.services.filing import next_number

    roles = request.form is RequestForm.ROLES
    ending = AccessRequest(
        number=next_number(session, local_date(now).year),
        form=RequestForm.ROLES if roles else RequestForm.CREACION,
        action=RequestAction.MODIFICAR_ROLES if roles else RequestAction.RETIRAR,
        state=RequestState.APROBADA,
        system_id=request.system_id,
        requester_id=system_user(session).id,
        dependency_id=request.dependency_id,
        beneficiary_user_id=request.beneficiary_user_id,
        beneficiary_name=request.beneficiary_name,
        beneficiary_document_type=request.beneficiary_document_type,
        beneficiary_document=request.beneficiary_document,
        beneficiary_email=request.beneficiary_email,
        beneficiary_position=request.beneficiary_position,
        beneficiary_username=request.beneficiary_username,
        link_type=request.link_type,
        contract_end_date=request.contract_end_date,
        justification=(
            f"Vencimiento de los roles concedidos por {request.number} ({request.roles_end_date:%d/%m/%Y})."
            if roles
            else f"Fin del contrato ({request.contract_end_date:%d/%m/%Y}) registrado en {request.number}."
        ),
        roles_to_remove=list(request.roles_to_add) if roles else [],
        is_automatic=True,
        origin_request_id=request.id,
        filed_at=now,
        approved_at=now,
        created_at=now,
    )
    session.add(ending)
    session.flush()
    session.add(
        RequestEvent(
            request_id=ending.id, at=now, kind="vencimiento_automatico", to_state=ending.state.value, note=ending.justification
        )
    )
    session.add(RequestEvent(request_id=request.id, at=now, kind="vencimiento", note=f"Acceso terminado por {ending.number}."))
    record_event(
        session,
        actor=None,
        action="solicitud.vencimiento_automatico",
        object_type="solicitud",
        object_id=ending.id,
        after=ending.snapshot() | {"origin": request.number},
    )
    plan_provisioning(session, ending, now)
    return ending


def expire_access(session: DbSession, *, now: datetime, add_business_days: Callable[[date, int], date]) -> ExpiryReport:
    """Warn 5 business days before; on the end date file the automatic removal (once each)."""
    today = local_date(now)
    horizon = add_business_days(today, WARNING_BUSINESS_DAYS)
    report = ExpiryReport()
    for request in _candidates(session, horizon):
        if _superseded(session, request):
            continue
        end = _end_date(request)
        if end is None:
            continue
        if end <= today:
            ending = _file_ending(session, request, now)
            report.filed.append(ending.number or "")
        elif request.expiry_warned_at is None:
            _warn(session, request, end, now)
            report.warned.append(request.number or "")
    session.flush()
    return report
