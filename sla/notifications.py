"""Who hears about a timer crossing a threshold, and the e-mails they get (SPEC §5).

- 75 % (``aviso``): whoever must act. For a step, the people who may decide it now
  (``tickets.services.decisions.step_deciders``: holders of the step's role for the request's
  dependency and their delegates); for ``atencion`` and ``solucion``, the service desk (``agente``),
  which owns the queue from reception to resolution (the approvers get their own step warnings).
- 100 % (``incumplimiento``): the same people, and the breach is escalated to every ``aprobador``.
- 150 % (``escalamiento``): every ``secretario``.

The requester is never among the recipients of a step notice (nobody decides a step of a request
they filed). One e-mail goes to each set of recipients per level and tick, listing its requests:
a decider with twenty overdue steps gets one message, not twenty. Recipients are resolved once
per (level, step kind, dependency, requester) in a tick, so a tick costs a few queries however
many notices it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal.clock import BOGOTA
from portal.db import DbSession
from portal.mail import OutgoingMail
from portal.models import Dependency, RoleAssignment, User
from portal.roles import Role
from sla.models import NoticeLevel, SlaMetric, SlaTimer
from tickets.models import AccessRequest, ApprovalStep, StepKind

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
        self._deciders: dict[tuple[StepKind, int], list[Person]] = {}

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

    def deciders(self, step_id: int, info: StepInfo) -> list[Person]:
        """Who may decide a step today: the same for every step of a kind in a dependency."""
        from tickets.services.decisions import step_deciders

        key = (info.kind, info.dependency_id)
        if key not in self._deciders:
            # step_deciders reads the step's kind and the request's dependency only: transient
            # stand-ins spare loading a request and a step
            request = AccessRequest(dependency_id=info.dependency_id, requester_id=info.requester_id)
            step = ApprovalStep(id=step_id, kind=info.kind)
            people = {p.id: p for p, _principal in step_deciders(self.session, request, step, self.today) if p.email}
            self._deciders[key] = [Person(p.id, p.username, p.email or "") for p in people.values()]
        return self._deciders[key]

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
