"""Who may see and act on access requests (SPEC §1, §3).

The service functions enforce every rule; the functions here answer the same questions without
changing anything, for queues and for the actions a page offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, false, inspect, or_, select, true

from portal.db import DbSession
from portal.errors import NotAllowed
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
    StepKind,
    StepState,
)
from tickets.services.decisions import acting_for, current_step, separation_problem

#: Roles that see every request of the entity.
ALL_REQUESTS_ROLES = frozenset({Role.APROBADOR, Role.AGENTE, Role.SECRETARIO, Role.CONTROL_INTERNO, Role.ADMIN, Role.SEGURIDAD})
STAFF_ROLES = ALL_REQUESTS_ROLES


def is_staff(user: User) -> bool:
    return bool(user.roles & STAFF_ROLES)


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


def can_view_request(session: DbSession, user: User, request: AccessRequest, today: date | None = None) -> bool:
    if _visible(session, user, request):
        return True
    # a delegate from another dependency sees what it must decide
    if today is not None and request.state in APPROVAL_STATES:
        step = current_step(session, request)
        if step is not None:
            try:
                acting_for(session, request, step, user, today)
            except NotAllowed:
                return False
            return True
    return False


def pending_for_clause(session: DbSession, user: User, today: date) -> ColumnElement[bool]:
    """Requests whose current step ``user`` may decide, themselves or as an active delegate.

    The current step is the first pending step of the current round; it must be of a kind the
    user (or someone who delegated to them) decides. Separation of duties is checked on decision.
    """
    principals = [user] + [d.delegator for d in active_delegations_to(session, user, today)]
    jefe_deps: set[int] = set()
    kinds: set[StepKind] = set()
    for person in principals:
        jefe_deps |= person.scoped_dependency_ids(Role.JEFE)
        if person.has_role(Role.SEGURIDAD):
            kinds.add(StepKind.SEGURIDAD)
        if person.has_role(Role.APROBADOR):
            kinds.add(StepKind.APROBADOR)
    first_pending_kind = (
        select(ApprovalStep.kind)
        .where(
            ApprovalStep.request_id == AccessRequest.id,
            ApprovalStep.round == AccessRequest.round,
            ApprovalStep.state == StepState.PENDIENTE,
        )
        .order_by(ApprovalStep.position)
        .limit(1)
        .correlate(AccessRequest)
        .scalar_subquery()
    )
    conditions = []
    if jefe_deps:
        conditions.append(and_(first_pending_kind == StepKind.JEFE, AccessRequest.dependency_id.in_(jefe_deps)))
    if kinds:
        conditions.append(first_pending_kind.in_(kinds))
    if not conditions:
        return false()
    return and_(AccessRequest.state.in_(APPROVAL_STATES), AccessRequest.requester_id != user.id, or_(*conditions))


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
    exception: bool = False
    cancel: bool = False
    execute: bool = False
    resolve: bool = False
    close: bool = False
    comment: bool = False
    internal_note: bool = False
    attach: bool = False


def available_actions(session: DbSession, user: User, request: AccessRequest, today: date) -> Actions:
    """What the page offers ``user``; the services check all of it again on submit."""
    is_requester = user.id == request.requester_id
    decide = False
    on_behalf: User | None = None
    if request.state in APPROVAL_STATES and not is_requester:  # nobody decides what they filed
        step = current_step(session, request)
        if step is not None:
            try:
                on_behalf = acting_for(session, request, step, user, today)
                decide = separation_problem(session, request, [user] + ([on_behalf] if on_behalf else [])) is None
            except NotAllowed:
                decide = False
    closed = request.state in (RequestState.CERRADA, RequestState.CANCELADA, RequestState.RECHAZADA)
    return Actions(
        edit=is_requester and request.state in EDITABLE_STATES,
        submit=is_requester and request.state in EDITABLE_STATES,
        decide=decide,
        decide_on_behalf_of=on_behalf if decide else None,
        exception=user.has_role(Role.SECRETARIO)
        and request.state in APPROVAL_STATES
        and separation_problem(session, request, [user], one_step_each=False) is None,
        cancel=is_requester and request.state in CANCELLABLE_STATES,
        execute=user.has_role(Role.AGENTE) and request.state is RequestState.APROBADA,
        resolve=user.has_role(Role.AGENTE) and request.state is RequestState.EN_EJECUCION,
        close=(is_requester or user.has_role(Role.AGENTE)) and request.state is RequestState.RESUELTA,
        comment=not closed or is_staff(user),
        internal_note=is_staff(user),
        attach=(is_requester or user.has_role(Role.AGENTE)) and not closed,
    )
