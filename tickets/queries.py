"""Read side of access requests: the queues with their filters, search, sorting and pagination.

A queue page costs the same number of SQL queries whatever the number of rows it shows: the
system, requester and dependency come joined, the current step's kind as a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, or_, select, union_all

from portal.clock import BOGOTA
from portal.models import Dependency, User
from portal.roles import Role
from tickets.models import (
    APPROVAL_STATES,
    AccessRequest,
    ApprovalStep,
    RequestAction,
    RequestForm,
    RequestState,
    StepKind,
    StepState,
    TargetSystem,
)
from tickets.permissions import ALL_REQUESTS_ROLES, active_delegations_to, pending_for_clause, visibility_clause
from tickets.provisioning_models import JobState, ProvisioningJob

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


SORTS: dict[str, tuple[Any, ...]] = {
    "recientes": (AccessRequest.filed_at.desc().nulls_last(), AccessRequest.id.desc()),
    "antiguas": (AccessRequest.filed_at.asc().nulls_last(), AccessRequest.id.asc()),
    "numero": (AccessRequest.number.asc().nulls_last(), AccessRequest.id.asc()),
    "estado": (AccessRequest.state.asc(), AccessRequest.id.desc()),
}


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
    now = now or datetime.combine(today, time.max, BOGOTA)
    conditions: list[ColumnElement[bool]] = [visibility_clause(user)]
    if queue is Queue.MINE:
        conditions.append(AccessRequest.requester_id == user.id)
    elif queue is Queue.TO_APPROVE:
        conditions = [pending_for_clause(session, user, today)]
    elif queue is Queue.DEPENDENCY:
        deps = user.scoped_dependency_ids(Role.JEFE) | user.scoped_dependency_ids(Role.ENLACE)
        conditions.append(AccessRequest.dependency_id.in_(deps))
        conditions.append(AccessRequest.state != RequestState.BORRADOR)
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
    return select(AccessRequest).where(*conditions).order_by(*SORTS.get(filters.sort, SORTS["recientes"]))


def with_pending_step_kind(query: Select[tuple[AccessRequest]]) -> Select[tuple[AccessRequest, StepKind | None, bool]]:
    """``query``'s rows with the kind of their current step (None outside approval) and whether a
    provisioning job of theirs failed, in the same query."""
    kind = (
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
    failed = exists().where(ProvisioningJob.request_id == AccessRequest.id, ProvisioningJob.state == JobState.FALLIDO)
    return query.add_columns(case((AccessRequest.state.in_(APPROVAL_STATES), kind), else_=None), failed)


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
