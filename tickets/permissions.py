"""Who may see and act on access requests (SPEC §1, §3).

The service functions enforce every rule; the functions here answer the same questions without
changing anything, for queues and for the actions a page offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, false, inspect, or_, select, true

from portal.db import DbSession
from portal.models import User
from portal.roles import Role
from tickets.models import (
    APPROVAL_STATES,
    CANCELLABLE_STATES,
    EDITABLE_STATES,
    AccessRequest,
    ApprovalStep,
    Delegation,
    RequestState,
)
from tickets.routing import Basis, Decider, Routing, step_routing
from tickets.routing import pending_for_clause as routing_pending_for_clause
from tickets.services.decisions import current_step, exception_problem

#: Roles that see every request of the entity.
ALL_REQUESTS_ROLES = frozenset({Role.APROBADOR, Role.AGENTE, Role.SECRETARIO, Role.CONTROL_INTERNO, Role.ADMIN, Role.SEGURIDAD})
STAFF_ROLES = ALL_REQUESTS_ROLES


#: Roles that only read (SPEC §1): someone holding nothing else writes nothing on a request.
READ_ONLY_ROLES = frozenset({Role.CONTROL_INTERNO, Role.INTEGRANTE, Role.SECRETARIA_TECNICA})


def is_staff(user: User) -> bool:
    return bool(user.roles & STAFF_ROLES)


def can_comment(user: User) -> bool:
    """Control Interno reads everything and writes nothing: no comments, no notes (SPEC §1)."""
    return not (user.has_role(Role.CONTROL_INTERNO) and user.roles <= READ_ONLY_ROLES)


def visibility_clause(user: User) -> ColumnElement[bool]:
    """SQL condition for the requests ``user`` may see (used by every list and the detail page)."""
    if user.roles & ALL_REQUESTS_ROLES:
        return true()
    dependency_ids = user.scoped_dependency_ids(Role.ENLACE) | user.scoped_dependency_ids(Role.JEFE)
    decided = exists().where(
        ApprovalStep.request_id == AccessRequest.id,
        or_(ApprovalStep.decided_by_id == user.id, ApprovalStep.on_behalf_of_id == user.id),
    )
    return or_(
        AccessRequest.requester_id == user.id,
        AccessRequest.dependency_id.in_(dependency_ids) if dependency_ids else false(),
        decided,
    )


def _visible(session: DbSession, user: User, request: AccessRequest) -> bool:
    """``visibility_clause`` for one request: in Python when its steps are loaded, else in SQL."""
    if user.roles & ALL_REQUESTS_ROLES:
        return True
    if "steps" in inspect(request).unloaded:
        query = select(AccessRequest.id).where(AccessRequest.id == request.id, visibility_clause(user))
        return session.execute(query).scalar() is not None
    dependency_ids = user.scoped_dependency_ids(Role.ENLACE) | user.scoped_dependency_ids(Role.JEFE)
    return (
        request.requester_id == user.id
        or request.dependency_id in dependency_ids
        or any(user.id in (s.decided_by_id, s.on_behalf_of_id) for s in request.steps)
    )


def can_view_request(
    session: DbSession, user: User, request: AccessRequest, today: date | None = None, *, routing: Routing | None = None
) -> bool:
    """``routing``: the current step's, when the caller already has it (the request page)."""
    if _visible(session, user, request):
        return True
    # a delegate from another dependency sees what it must decide
    if today is not None and request.state in APPROVAL_STATES:
        if routing is not None:
            return routing.decider(user) is not None
        step = current_step(session, request)
        if step is not None:
            return step_routing(session, request, step, today).decider(user) is not None
    return False


def pending_for_clause(session: DbSession, user: User, today: date) -> ColumnElement[bool]:
    """Requests whose current step ``user`` may decide today: as titular, as an active delegate, or
    as the secretario by suplencia (``tickets.routing``, the same rules as the decision service)."""
    return routing_pending_for_clause(user, active_delegations_to(session, user, today), today)


def active_delegations_to(session: DbSession, user: User, today: date) -> list[Delegation]:
    return list(
        session.execute(
            select(Delegation).where(
                Delegation.delegate_id == user.id,
                Delegation.revoked_at.is_(None),
                Delegation.starts_on <= today,
                Delegation.ends_on >= today,
            )
        ).scalars()
    )


@dataclass(frozen=True)
class Actions:
    edit: bool = False
    submit: bool = False
    decide: bool = False
    decide_on_behalf_of: User | None = None
    decide_as_suplencia: bool = False
    exception: bool = False
    cancel: bool = False
    execute: bool = False
    resolve: bool = False
    close: bool = False
    comment: bool = False
    internal_note: bool = False
    attach: bool = False


def available_actions(
    session: DbSession, user: User, request: AccessRequest, today: date, *, routing: Routing | None = None
) -> Actions:
    """What the page offers ``user``; the services check all of it again on submit. ``routing``: the
    current step's, when the caller already has it."""
    is_requester = user.id == request.requester_id
    decider: Decider | None = None
    if request.state in APPROVAL_STATES:
        if routing is None:
            step = current_step(session, request)
            routing = step_routing(session, request, step, today) if step is not None else None
        decider = routing.decider(user) if routing is not None else None
    closed = request.state in (RequestState.CERRADA, RequestState.CANCELADA, RequestState.RECHAZADA)
    return Actions(
        edit=is_requester and request.state in EDITABLE_STATES,
        submit=is_requester and request.state in EDITABLE_STATES,
        decide=decider is not None,
        decide_on_behalf_of=decider.on_behalf_of if decider else None,
        decide_as_suplencia=decider is not None and decider.basis is Basis.SUPLENCIA,
        exception=user.has_role(Role.SECRETARIO)
        and request.state in APPROVAL_STATES
        and exception_problem(request, user) is None,
        cancel=is_requester and request.state in CANCELLABLE_STATES,
        execute=user.has_role(Role.AGENTE) and request.state is RequestState.APROBADA,
        resolve=user.has_role(Role.AGENTE) and request.state is RequestState.EN_EJECUCION,
        close=(is_requester or user.has_role(Role.AGENTE)) and request.state is RequestState.RESUELTA,
        comment=can_comment(user) and (not closed or is_staff(user)),
        internal_note=can_comment(user) and is_staff(user),
        attach=(is_requester or user.has_role(Role.AGENTE)) and not closed,
    )
