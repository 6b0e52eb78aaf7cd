"""What one request's page shows, read in a fixed number of queries (issue 16).

The steps come with the request and are passed down; who decides the current step is one query
(``tickets.routing.load_candidates``); the provisioning jobs and manual tasks are one; the ANS
timers carry the calendar's revision. The page states at the top whose signature it waits for and
until when (issue 17), from the same routing and timers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from portal.db import DbSession
from portal.i18n import due_phrase
from tickets.models import AccessRequest, ApprovalStep, RequestState, StepKind, StepState
from tickets.provisioning_models import ManualTask, ProvisioningJob
from tickets.routing import Basis, Decider, Routing, step_routing
from tickets.services.decisions import current_step, request_steps


@dataclass(frozen=True)
class ReturnNote:
    """Why the request came back to its requester: the step that returned it."""

    by: str
    at: datetime | None
    reason: str


@dataclass
class RequestPage:
    request: AccessRequest
    chain: list[ApprovalStep]
    current: ApprovalStep | None
    routing: Routing | None
    jobs: list[ProvisioningJob] = field(default_factory=list)
    tasks: list[ManualTask] = field(default_factory=list)
    sla_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current_due_at(self) -> datetime | None:
        """When the current step's ANS timer falls due (None when paused or without timer)."""
        if self.current is None:
            return None
        for row in self.sla_rows:
            if row["step_id"] == self.current.id and row["stopped_at"] is None:
                return row["due_at"]  # type: ignore[no-any-return]
        return None

    @property
    def return_note(self) -> ReturnNote | None:
        """The reason of the return, while the request is ``devuelta``."""
        if self.request.state is not RequestState.DEVUELTA:
            return None
        returned = [s for s in self.chain if s.state is StepState.DEVUELTO]
        if not returned:
            return None
        step = returned[-1]
        by = step.decided_by.full_name if step.decided_by else step.kind.label
        return ReturnNote(by=by, at=step.decided_at, reason=step.comment or _("sin motivo registrado"))


def load_provisioning(session: DbSession, request: AccessRequest) -> tuple[list[ProvisioningJob], list[ManualTask]]:
    """The request's provisioning jobs and manual tasks in one query: both hang off the request
    row (one system per request, so a handful of each); the request itself is already loaded."""
    rows = session.execute(
        select(ProvisioningJob, ManualTask)
        .select_from(AccessRequest)
        .outerjoin(ProvisioningJob, ProvisioningJob.request_id == AccessRequest.id)
        .outerjoin(ManualTask, ManualTask.request_id == AccessRequest.id)
        .where(AccessRequest.id == request.id)
        .options(lazyload(ProvisioningJob.request), lazyload(ManualTask.request))
        .order_by(ProvisioningJob.id, ManualTask.id)
    ).all()
    jobs = {job.id: job for job, _task in rows if job is not None}
    tasks = {task.id: task for _job, task in rows if task is not None}
    return [jobs[i] for i in sorted(jobs)], [tasks[i] for i in sorted(tasks)]


def current_routing(session: DbSession, request: AccessRequest, today: date) -> tuple[ApprovalStep | None, Routing | None]:
    """The current step and who decides it (titular, delegate or suplencia), from the loaded steps."""
    current = current_step(session, request)
    return current, (step_routing(session, request, current, today) if current is not None else None)


def build_request_page(
    session: DbSession,
    request: AccessRequest,
    *,
    now: datetime,
    today: date,
    current: ApprovalStep | None,
    routing: Routing | None,
) -> RequestPage:
    from sla.services import request_sla_summary

    jobs, tasks = load_provisioning(session, request) if request.approved_at is not None else ([], [])
    return RequestPage(
        request=request,
        chain=request_steps(session, request, current_round_only=False),
        current=current,
        routing=routing,
        jobs=jobs,
        tasks=tasks,
        sla_rows=request_sla_summary(session, request, now) if request.filed_at is not None else [],
    )


def decider_title(decider: Decider, kind: StepKind, request: AccessRequest, approver_title: str, secretary_title: str) -> str:
    """What the decider is for this step, in the words of the page: "Jefe de la dependencia,
    Secretaría de Salud", "por delegación de …", "Secretario de las TIC, por suplencia"."""
    if kind is StepKind.JEFE:
        role = _("Jefe de la dependencia, %(dependency)s", dependency=request.dependency.name)
    elif kind is StepKind.APROBADOR:
        role = approver_title
    else:
        role = kind.label
    if decider.basis is Basis.DELEGADO and decider.on_behalf_of is not None:
        return _("por delegación de %(name)s, %(role)s", name=decider.on_behalf_of.full_name, role=role)
    if decider.basis is Basis.SUPLENCIA:
        return _("%(title)s, por suplencia", title=secretary_title)
    return role


def waiting_for(page: RequestPage, now: datetime, approver_title: str, secretary_title: str) -> str | None:
    """The line at the top of the page: whose signature the request waits for, and until when.

    "Espera la firma de Juliana Cárdenas Mora (Jefe de la dependencia, Secretaría de Salud) — vence
    el lunes 14 de diciembre a las 12:00 m." The time ends in its own period ("p. m.", "m."),
    so the sentence gets none of its own.
    """
    if page.routing is None or page.current is None:
        return None
    deciders = page.routing.deciders
    if not deciders:
        return _("Nadie puede firmar el paso «%(step)s» por ahora.", step=page.routing.kind.label)
    names = _(" o de ").join(
        f"{d.person.full_name} ({decider_title(d, page.routing.kind, page.request, approver_title, secretary_title)})"
        for d in deciders
    )
    due = page.current_due_at
    if due is None:
        return _("Espera la firma de %(names)s.", names=names)
    if due < now:
        return _("Espera la firma de %(names)s — venció %(due)s", names=names, due=due_phrase(due))
    return _("Espera la firma de %(names)s — vence %(due)s", names=names, due=due_phrase(due))
