"""Who hears about a timer crossing a threshold, and the e-mails they get (SPEC §5).

- 75 % (``aviso``): whoever must act. For a step, the people who may decide it now
  (``tickets.routing``: the holders of the step's role not excluded by the request, their
  delegates — so during a delegation the delegate gets it with a copy to the delegator —, or
  the secretario by suplencia); for ``atencion`` and ``solucion``, the service desk (``agente``),
  which owns the queue from reception to resolution (the approvers get their own step warnings).
- 100 % (``incumplimiento``): the same people, and the breach is escalated to every ``aprobador``.
- 150 % (``escalamiento``): every ``secretario``.

The requester is never among the recipients of a step notice (nobody decides a step of a request
they filed), nor anyone else the request excludes from deciding it. One e-mail goes to each set of
recipients per level and tick, listing its requests: a decider with twenty overdue steps gets one
message, not twenty. The candidates of a step kind are loaded once per (kind, dependency) and the
requests and steps of the claimed notices in two queries, so a tick costs a few queries however
many notices it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from portal.clock import BOGOTA
from portal.db import DbSession
from portal.mail import OutgoingMail
from portal.models import Dependency, RoleAssignment, User
from portal.roles import Role
from sla.models import NoticeLevel, SlaMetric, SlaTimer
from tickets.models import AccessRequest, ApprovalStep, StepKind

if TYPE_CHECKING:
    from tickets.routing import Candidates, Conflicts

#: how many requests one e-mail lists; the rest are counted and found in the ANS report
MAX_LISTED = 50


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    email: str


@dataclass(frozen=True)
class StepInfo:
    kind: StepKind
    dependency_id: int
    requester_id: int
    request_id: int


def local_text(instant: datetime) -> str:
    """``13/07/2026 10:05 a. m.`` in Bogotá (SPEC §8 formats)."""
    text = instant.astimezone(BOGOTA).strftime("%d/%m/%Y %I:%M %p")
    return text.replace("AM", "a. m.").replace("PM", "p. m.")


class Recipients:
    """Resolves and caches who gets each notice during one tick."""

    def __init__(self, session: DbSession, today: date) -> None:
        self.session = session
        self.today = today
        self._roles: dict[Role, list[Person]] = {}
        self._candidates: dict[tuple[StepKind, int], Candidates] = {}
        self._conflicts: dict[int, Conflicts] = {}
        self._deciders: dict[int, list[Person]] = {}

    def with_role(self, role: Role) -> list[Person]:
        if role not in self._roles:
            rows = self.session.execute(
                select(User.id, User.username, User.email)
                .join(RoleAssignment, RoleAssignment.user_id == User.id)
                .where(RoleAssignment.role == role, User.is_active_account.is_(True), User.email.is_not(None))
                .order_by(User.id)
                .distinct()
            ).all()
            self._roles[role] = [Person(r.id, r.username, r.email) for r in rows]
        return self._roles[role]

    def prefetch(self, request_ids: set[int]) -> None:
        """Load the requests of the claimed step notices and their steps, two queries in all."""
        from tickets.routing import conflicts_of

        wanted = sorted(request_ids - set(self._conflicts))
        if not wanted:
            return
        requests = self.session.execute(
            select(
                AccessRequest.id,
                AccessRequest.round,
                AccessRequest.requester_id,
                AccessRequest.beneficiary_user_id,
                AccessRequest.beneficiary_username,
                AccessRequest.beneficiary_email,
            ).where(AccessRequest.id.in_(wanted))
        ).all()
        decided: dict[int, list[Any]] = {}
        for step in self.session.execute(
            select(
                ApprovalStep.request_id,
                ApprovalStep.round,
                ApprovalStep.state,
                ApprovalStep.decided_by_id,
                ApprovalStep.on_behalf_of_id,
            ).where(ApprovalStep.request_id.in_(wanted), ApprovalStep.decided_by_id.is_not(None))
        ):
            decided.setdefault(step.request_id, []).append(step)
        for request in requests:
            self._conflicts[request.id] = conflicts_of(request, decided.get(request.id, []))

    def deciders(self, step_id: int, info: StepInfo) -> list[Person]:
        """Who may decide the step today (``tickets.routing``), with the request's own exclusions."""
        from tickets.routing import load_candidates, route

        if step_id not in self._deciders:
            key = (info.kind, info.dependency_id)
            if key not in self._candidates:
                self._candidates[key] = load_candidates(self.session, info.kind, info.dependency_id, self.today)
            self.prefetch({info.request_id})
            routing = route(self._candidates[key], self._conflicts[info.request_id])
            self._deciders[step_id] = [
                Person(d.person.id, d.person.username, d.person.email) for d in routing.deciders if d.person.email
            ]
        return self._deciders[step_id]

    def resolve(self, level: NoticeLevel, step_id: int | None, info: StepInfo | None) -> tuple[Person, ...]:
        """The recipients of a notice: see the module's rules."""
        if level is NoticeLevel.ESCALAMIENTO:
            people = self.with_role(Role.SECRETARIO)
        else:
            if step_id is not None and info is not None:
                responsible = [p for p in self.deciders(step_id, info) if p.id != info.requester_id]
            else:
                responsible = self.with_role(Role.AGENTE)
            people = responsible + (self.with_role(Role.APROBADOR) if level is NoticeLevel.INCUMPLIMIENTO else [])
        unique = {p.id: p for p in people if info is None or p.id != info.requester_id}
        return tuple(sorted(unique.values(), key=lambda p: p.id))


def listed_items(session: DbSession, timer_ids: list[int]) -> dict[int, dict[str, object]]:
    """What an e-mail shows of each listed timer (at most ``MAX_LISTED`` per e-mail), in one query."""
    if not timer_ids:
        return {}
    rows = session.execute(
        select(
            SlaTimer.id,
            SlaTimer.metric,
            SlaTimer.target_seconds,
            SlaTimer.due_at,
            AccessRequest.id,
            AccessRequest.number,
            AccessRequest.form,
            Dependency.name,
            ApprovalStep.kind,
        )
        .join(AccessRequest, AccessRequest.id == SlaTimer.request_id)
        .join(Dependency, Dependency.id == AccessRequest.dependency_id)
        .outerjoin(ApprovalStep, ApprovalStep.id == SlaTimer.step_id)
        .where(SlaTimer.id.in_(timer_ids))
    ).all()
    items: dict[int, dict[str, object]] = {}
    for timer_id, metric, target_seconds, due_at, request_id, number, form, dependency, kind in rows:
        label = SlaMetric(metric).label
        items[timer_id] = {
            "request_id": request_id,
            "number": number,
            "form": form.value,
            "dependency": dependency,
            "metric": f"{label}: {StepKind(kind).label}" if kind is not None else label,
            "target_hours": f"{target_seconds / 3600:g}",
            "due": local_text(due_at),
        }
    return items


def notice_mail(level: NoticeLevel, recipients: tuple[Person, ...], items: list[dict[str, object]], total: int) -> OutgoingMail:
    return OutgoingMail(
        to=tuple(p.email for p in recipients),
        subject=f"{level.subject} ({total})",
        template=f"sla/{level.value}",
        context={"items": items, "total": total, "hidden": max(total - len(items), 0)},
    )
