"""Read side of access requests: the queues with their filters, search, sorting and pagination.

A queue page costs the same number of SQL queries whatever the number of rows it shows: the
system, requester and dependency come joined, the current step's kind as a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, not_, or_, select, union_all
from sqlalchemy.orm import aliased

from portal.clock import BOGOTA
from portal.models import Dependency, RoleAssignment, User
from portal.roles import Role
from tickets.models import (
    APPROVAL_STATES,
    AccessRequest,
    Delegation,
    RequestAction,
    RequestForm,
    RequestState,
    StepKind,
    TargetSystem,
)
from tickets.permissions import ALL_REQUESTS_ROLES, active_delegations_to, pending_for_clause, visibility_clause
from tickets.provisioning_models import JobState, ProvisioningJob
from tickets.routing import _role_clause as role_clause
from tickets.routing import _row_excluded as row_excluded
from tickets.routing import current_kind_sql

PAGE_SIZES = (10, 25, 50, 100, 200)


class Queue(StrEnum):
    MINE = "mias"
    TO_APPROVE = "por_aprobar"
    DEPENDENCY = "dependencia"
    ALL = "todas"

    @property
    def label(self) -> str:
        return {
            "mias": "Mis solicitudes",
            "por_aprobar": "Por aprobar",
            "dependencia": "Solicitudes de la dependencia",
            "todas": "Todas las solicitudes",
        }[self.value]


#: The orders a queue offers, by the key in ``?orden=``; anything else is refused (never raw text
#: in ORDER BY). Each one ends with the id, so pages never overlap. On PostgreSQL each reads the
#: order of an index (``ix_access_requests_*_recent``, ``ix_access_requests_priority_recent``,
#: the unique index on ``number``), forwards or backwards; "vence" needs the ANS timers (below).
SORTS: dict[str, tuple[Any, ...]] = {
    "recientes": (AccessRequest.filed_at.desc().nulls_last(), AccessRequest.id.desc()),
    "antiguas": (AccessRequest.filed_at.asc().nulls_first(), AccessRequest.id.asc()),
    "numero": (AccessRequest.number.asc().nulls_last(), AccessRequest.id.asc()),
    "-numero": (AccessRequest.number.desc().nulls_first(), AccessRequest.id.desc()),
    "estado": (AccessRequest.state.asc(), AccessRequest.filed_at.desc().nulls_last(), AccessRequest.id.desc()),
    "-estado": (AccessRequest.state.desc(), AccessRequest.filed_at.asc().nulls_first(), AccessRequest.id.asc()),
    # "alta" sorts before "normal"; the newest first inside each priority
    "prioridad": (AccessRequest.priority.asc(), AccessRequest.filed_at.desc().nulls_last(), AccessRequest.id.desc()),
    "-prioridad": (AccessRequest.priority.desc(), AccessRequest.filed_at.asc().nulls_first(), AccessRequest.id.asc()),
    "vence": (),
    "-vence": (),
}
DEFAULT_SORT = "recientes"


def sort_key(raw: str | None) -> str:
    """The sort asked for in the URL when it is one of ``SORTS``, else the default."""
    return raw if raw in SORTS else DEFAULT_SORT


@dataclass
class QueueFilters:
    state: RequestState | None = None
    form: RequestForm | None = None
    action: RequestAction | None = None
    dependency_id: int | None = None
    system_id: int | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    exception_only: bool = False
    overdue_only: bool = False
    text: str | None = None
    sort: str = "recientes"


def queues_for(session, user: User, today: date) -> list[Queue]:  # type: ignore[no-untyped-def]
    """The queues a user has; a delegate gets "por aprobar" while the delegation is active, the
    secretario for the steps that fall to them by suplencia."""
    queues = []
    if user.has_role(Role.ENLACE):
        queues.append(Queue.MINE)
    if user.has_role(Role.JEFE, Role.SEGURIDAD, Role.APROBADOR, Role.SECRETARIO) or active_delegations_to(session, user, today):
        queues.append(Queue.TO_APPROVE)
    if user.has_role(Role.JEFE, Role.ENLACE):
        queues.append(Queue.DEPENDENCY)
    if user.roles & ALL_REQUESTS_ROLES:
        queues.append(Queue.ALL)
    return queues


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, BOGOTA)


def queue_query(
    session, user: User, queue: Queue, filters: QueueFilters, today: date, now: datetime | None = None
) -> Select[tuple[AccessRequest]]:  # type: ignore[no-untyped-def]
    """The requests of ``queue`` that ``user`` may see, filtered and sorted (``SORTS``).

    Each queue's own condition implies ``visibility_clause`` (one's own requests, one's
    dependencies' requests, the steps one may decide, every request for the roles that see them
    all), so the visibility test is not repeated: its "decided a step" branch would read every
    step of the entity on each page.
    """
    now = now or datetime.combine(today, time.max, BOGOTA)
    conditions: list[ColumnElement[bool]]
    if queue is Queue.MINE:
        conditions = [AccessRequest.requester_id == user.id]
    elif queue is Queue.TO_APPROVE:
        conditions = [pending_for_clause(session, user, today)]
    elif queue is Queue.DEPENDENCY:
        deps = user.scoped_dependency_ids(Role.JEFE) | user.scoped_dependency_ids(Role.ENLACE)
        conditions = [AccessRequest.dependency_id.in_(deps), AccessRequest.state != RequestState.BORRADOR]
    else:
        conditions = [visibility_clause(user)]
    if queue is not Queue.MINE:
        conditions.append(or_(AccessRequest.state != RequestState.BORRADOR, AccessRequest.requester_id == user.id))
    if filters.state:
        conditions.append(AccessRequest.state == filters.state)
    if filters.form:
        conditions.append(AccessRequest.form == filters.form)
    if filters.action:
        conditions.append(AccessRequest.action == filters.action)
    if filters.dependency_id:
        conditions.append(AccessRequest.dependency_id == filters.dependency_id)
    if filters.system_id:
        conditions.append(AccessRequest.system_id == filters.system_id)
    if filters.filed_from:
        conditions.append(AccessRequest.filed_at >= _local_day_start(filters.filed_from))
    if filters.filed_to:
        conditions.append(AccessRequest.filed_at < _local_day_start(filters.filed_to + timedelta(days=1)))
    if filters.exception_only:
        conditions.append(AccessRequest.is_exception.is_(True))
    if filters.overdue_only:
        from sla.models import SlaTimer

        conditions.append(
            exists().where(SlaTimer.request_id == AccessRequest.id, SlaTimer.stopped_at.is_(None), SlaTimer.due_at < now)
        )
    if filters.text:
        pattern = "%" + filters.text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                func.lower(AccessRequest.number).like(pattern, escape="\\"),
                func.lower(AccessRequest.beneficiary_name).like(pattern, escape="\\"),
                func.lower(AccessRequest.beneficiary_document).like(pattern, escape="\\"),
                func.lower(AccessRequest.beneficiary_username).like(pattern, escape="\\"),
                func.lower(AccessRequest.justification).like(pattern, escape="\\"),
            )
        )
    return select(AccessRequest).where(*conditions).order_by(*_order_by(sort_key(filters.sort)))


def _running_due() -> Any:
    """The request's ANS due time (its ``solucion`` timer) while the clock runs or is paused;
    None for a draft and once the request is solved."""
    from sla.models import SlaTimer

    return _running_timer(SlaTimer.due_at)


def _running_timer(column: Any) -> Any:
    """``column`` of the request's running ``solucion`` timer, looked up per row
    (``uq_sla_timers_request_metric``): a scalar sub-query, not a join, which would let the
    planner read every running timer for a page of 25, nor EXISTS, which it may turn into a
    hash of every paused timer."""
    from sla.models import SlaMetric, SlaTimer

    return (
        select(column)
        .where(
            SlaTimer.request_id == AccessRequest.id,
            SlaTimer.metric == SlaMetric.SOLUCION,
            SlaTimer.step_id.is_(None),
            SlaTimer.stopped_at.is_(None),
        )
        .correlate(AccessRequest)
        .scalar_subquery()
    )


def _order_by(sort: str) -> tuple[Any, ...]:
    if sort == "vence":
        return (_running_due().asc().nulls_last(), AccessRequest.id.asc())
    if sort == "-vence":
        return (_running_due().desc().nulls_last(), AccessRequest.id.desc())
    return SORTS[sort]


@dataclass(frozen=True)
class QueueRow:
    """One line of a queue: the request and what the list shows beside it."""

    request: AccessRequest
    #: the kind of the current approval step (None outside approval)
    pending_kind: StepKind | None
    #: a provisioning job of the request failed
    has_failed: bool
    #: the ANS (``solucion``) due time while the request is open, in UTC
    due_at: datetime | None
    #: the ANS clock is paused (the request was returned)
    is_paused: bool
    #: the first person who may decide the current step (``tickets.routing``'s order: a titular,
    #: else an excluded titular's delegate, else the secretario by suplencia)
    decider_name: str | None


def queue_rows(query: Select[tuple[AccessRequest]], today: date) -> Select[Any]:
    """``query``'s rows with the columns of ``QueueRow`` after the request, in the same query:
    the page costs one statement whatever the number of rows, steps, holders or delegations."""
    return query.add_columns(*_queue_columns(today))


@lru_cache(maxsize=2)
def _queue_columns(today: date) -> tuple[Any, ...]:
    """The added columns, built once a day: building them (a dozen
    aliased users and assignments per step kind) cost more CPU than the rest of a queue page.
    SQL expressions are immutable, so every request of the day shares them."""
    from sla.models import SlaTimer

    kind = current_kind_sql()
    in_approval = AccessRequest.state.in_(APPROVAL_STATES)
    failed = exists().where(ProvisioningJob.request_id == AccessRequest.id, ProvisioningJob.state == JobState.FALLIDO)
    paused_at = _running_timer(SlaTimer.paused_at)
    decider = case(*((kind == k, func.coalesce(*_deciders_sql(k, today))) for k in StepKind), else_=None)
    return (
        case((in_approval, kind), else_=None),
        failed,
        _running_due(),
        paused_at.is_not(None),
        case((in_approval, decider), else_=None),
    )


def as_queue_row(row: Any) -> QueueRow:
    return QueueRow(*row)


def _deciders_sql(kind: StepKind, today: date) -> tuple[Any, Any, Any]:
    """The name of the first titular, of the first rescuing delegate, of the first suplente."""
    holder, assignment, delegate = aliased(User), aliased(RoleAssignment), aliased(User)
    titular = (
        select(holder.full_name)
        .join(assignment, assignment.user_id == holder.id)
        .where(holder.is_active_account.is_(True), role_clause(assignment, kind), not_(row_excluded(holder)))
        .order_by(holder.id)
        .limit(1)
        .correlate(AccessRequest)
        .scalar_subquery()
    )
    holder2, assignment2 = aliased(User), aliased(RoleAssignment)
    rescuer = (
        select(delegate.full_name)
        .select_from(Delegation)
        .join(holder2, holder2.id == Delegation.delegator_id)
        .join(assignment2, assignment2.user_id == holder2.id)
        .join(delegate, delegate.id == Delegation.delegate_id)
        .where(
            Delegation.step_kind == kind,
            Delegation.revoked_at.is_(None),
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
            holder2.is_active_account.is_(True),
            role_clause(assignment2, kind),
            delegate.is_active_account.is_(True),
            not_(row_excluded(delegate)),
        )
        .order_by(Delegation.id)
        .limit(1)
        .correlate(AccessRequest)
        .scalar_subquery()
    )
    substitute, assignment3 = aliased(User), aliased(RoleAssignment)
    suplente = (
        select(substitute.full_name)
        .join(assignment3, assignment3.user_id == substitute.id)
        .where(substitute.is_active_account.is_(True), assignment3.role == Role.SECRETARIO, not_(row_excluded(substitute)))
        .order_by(substitute.id)
        .limit(1)
        .correlate(AccessRequest)
        .scalar_subquery()
    )
    return titular, rescuer, suplente


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def filter_choices(session) -> tuple[list[Choice], list[Choice]]:  # type: ignore[no-untyped-def]
    """The dependencies and the systems a queue filters by, by name, in one query."""
    rows = session.execute(
        union_all(
            select(literal("dependency").label("what"), Dependency.id, Dependency.name),
            select(literal("system").label("what"), TargetSystem.id, TargetSystem.name),
        ).order_by("what", "name")
    ).all()
    dependencies = [Choice(row.id, row.name) for row in rows if row.what == "dependency"]
    systems = [Choice(row.id, row.name) for row in rows if row.what == "system"]
    return dependencies, systems
