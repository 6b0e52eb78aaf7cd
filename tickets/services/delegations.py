"""Delegations (SPEC §3): an approver hands the steps of one kind to an eligible delegate for a
date range (vacations), and may end it early.

Eligible delegates, by step kind: for ``jefe``, an active person of the same dependency; for
``aprobador``, a holder of ``aprobador`` or ``secretario``; for ``seguridad``, another
``seguridad``. Never an account whose only roles are ``control_interno`` or ``integrante``
(Control Interno reads and never decides, SPEC §1). The picker offers only eligible people
(``eligible_delegates``) and ``create_delegation`` refuses the rest with the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import or_, select

from portal.audit import record_event
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import RoleAssignment, User
from portal.roles import Role
from tickets.models import Delegation, StepKind
from tickets.services.common import clean

#: Roles that never make someone a delegate on their own (SPEC §3).
NON_DECIDING_ROLES = frozenset({Role.CONTROL_INTERNO, Role.INTEGRANTE})
#: Which roles may receive a delegation of each step kind (``jefe``: anyone of the dependency).
DELEGATE_ROLES = {
    StepKind.APROBADOR: (Role.APROBADOR, Role.SECRETARIO),
    StepKind.SEGURIDAD: (Role.SEGURIDAD,),
}


def delegable_kinds(user: User) -> list[StepKind]:
    """The step kinds ``user`` decides as holder, hence may delegate."""
    kinds = []
    if user.scoped_dependency_ids(Role.JEFE):
        kinds.append(StepKind.JEFE)
    if user.has_role(Role.SEGURIDAD):
        kinds.append(StepKind.SEGURIDAD)
    if user.has_role(Role.APROBADOR):
        kinds.append(StepKind.APROBADOR)
    return kinds


def _belongs_to(person: User, dependency_ids: set[int]) -> bool:
    if person.dependency_id in dependency_ids:
        return True
    return any(a.dependency_id in dependency_ids for a in person.role_assignments if a.dependency_id)


def eligibility_problem(delegator: User, delegate: User, kind: StepKind) -> str | None:
    """Why ``delegate`` may not receive ``delegator``'s steps of ``kind``, or None (SPEC §3)."""
    if delegate.id == delegator.id:
        return "No puede delegarse a sí mismo."
    if not delegate.is_active:
        return f"{delegate.full_name} no tiene una cuenta activa."
    if delegate.roles and delegate.roles <= NON_DECIDING_ROLES:
        return (
            f"{delegate.full_name} no puede recibir delegaciones: Control Interno y los integrantes del comité "
            "no deciden solicitudes."
        )
    if kind is StepKind.JEFE:
        if not _belongs_to(delegate, delegator.scoped_dependency_ids(Role.JEFE)):
            return f"La firma del jefe solo se delega en una persona de la misma dependencia; {delegate.full_name} no lo es."
        return None
    if not delegate.has_role(*DELEGATE_ROLES[kind]):
        wanted = " o ".join(r.label for r in DELEGATE_ROLES[kind])
        return f"El paso «{kind.label}» solo se delega en quien tiene el rol {wanted}."
    return None


def eligible_delegates(session: DbSession, delegator: User, kind: StepKind) -> list[User]:
    """The people the picker offers for ``kind``: exactly those ``create_delegation`` accepts."""
    query = select(User).where(User.is_active_account.is_(True), User.id != delegator.id)
    if kind is StepKind.JEFE:
        deps = sorted(delegator.scoped_dependency_ids(Role.JEFE))
        scoped = select(RoleAssignment.user_id).where(RoleAssignment.dependency_id.in_(deps))
        query = query.where(or_(User.dependency_id.in_(deps), User.id.in_(scoped)))
    else:
        holders = select(RoleAssignment.user_id).where(RoleAssignment.role.in_(DELEGATE_ROLES[kind]))
        query = query.where(User.id.in_(holders))
    people = session.execute(query.order_by(User.full_name, User.id)).scalars().unique()
    return [p for p in people if eligibility_problem(delegator, p, kind) is None]


def _overlapping(session: DbSession, delegator: User, kind: StepKind, starts_on: date, ends_on: date) -> Sequence[Delegation]:
    return (
        session.execute(
            select(Delegation).where(
                Delegation.delegator_id == delegator.id,
                Delegation.step_kind == kind,
                Delegation.revoked_at.is_(None),
                Delegation.starts_on <= ends_on,
                Delegation.ends_on >= starts_on,
            )
        )
        .scalars()
        .all()
    )


def create_delegation(
    session: DbSession,
    *,
    actor: User,
    delegator: User,
    delegate: User,
    step_kind: StepKind,
    starts_on: date,
    ends_on: date,
    reason: str | None,
    today: date,
) -> Delegation:
    """An approver (or an admin for them) hands their steps of one kind to an eligible delegate for a
    date range; the delegate is mailed."""
    if actor.id != delegator.id and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo el aprobador o un administrador registran su delegación.")
    if step_kind not in delegable_kinds(delegator):
        raise ValidationFailed(
            f"{delegator.full_name} no decide pasos «{step_kind.label}»: no puede delegarlos.",
            fields={"delegate": ["No es titular de ese paso."]},
        )
    problem = eligibility_problem(delegator, delegate, step_kind)
    if problem:
        raise ValidationFailed(problem, fields={"delegate": [problem]})
    if ends_on < starts_on or ends_on < today:
        raise ValidationFailed(
            "El rango de fechas no es válido.", fields={"ends_on": ["Debe ser posterior al inicio y no estar en el pasado."]}
        )
    if _overlapping(session, delegator, step_kind, starts_on, ends_on):
        raise ValidationFailed(
            f"Ya hay una delegación de «{step_kind.label}» en esas fechas; termínela antes de registrar otra.",
            fields={"starts_on": ["Se cruza con otra delegación."]},
        )
    delegation = Delegation(
        delegator_id=delegator.id,
        delegate_id=delegate.id,
        step_kind=step_kind,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=clean(reason),
    )
    session.add(delegation)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="delegacion.crear",
        object_type="delegacion",
        object_id=delegation.id,
        after={
            "delegator": delegator.username,
            "delegate": delegate.username,
            "step_kind": step_kind.value,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    _mail_delegate(session, delegation, delegator, delegate, ended=None)
    return delegation


def end_delegation(session: DbSession, delegation: Delegation, *, actor: User, reason: str | None, now: datetime) -> Delegation:
    """The delegator (or an admin) ends a delegation before its last day; audited, the delegate mailed."""
    delegation = session.execute(
        select(Delegation)
        .where(Delegation.id == delegation.id)
        .with_for_update(of=Delegation)
        .execution_options(populate_existing=True)
    ).scalar_one()
    if actor.id != delegation.delegator_id and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo quien delegó o un administrador terminan la delegación.")
    if delegation.revoked_at is not None:
        raise WrongState("La delegación ya estaba terminada.")
    reason = clean(reason) or "Terminada antes de tiempo por quien delegó."
    delegation.revoked_at = now
    delegation.revoked_by_id = actor.id
    delegation.revoke_reason = reason[:300]
    session.flush()
    record_event(
        session,
        actor=actor,
        action="delegacion.terminar",
        object_type="delegacion",
        object_id=delegation.id,
        before={"ends_on": delegation.ends_on.isoformat()},
        after={"revoked_at": now.isoformat(), "reason": delegation.revoke_reason},
    )
    _mail_delegate(session, delegation, delegation.delegator, delegation.delegate, ended=delegation.revoke_reason)
    return delegation


def _mail_delegate(session: DbSession, delegation: Delegation, delegator: User, delegate: User, *, ended: str | None) -> None:
    if not delegate.email:
        return
    send_after_commit(
        session,
        OutgoingMail(
            to=(delegate.email,),
            subject=(
                f"Delegación terminada: {delegation.step_kind.label}"
                if ended
                else f"{delegator.full_name} le delegó sus aprobaciones: {delegation.step_kind.label}"
            ),
            template="tickets/delegation",
            context={
                "delegator": delegator.full_name,
                "step": delegation.step_kind.label,
                "starts_on": delegation.starts_on.strftime("%d/%m/%Y"),
                "ends_on": delegation.ends_on.strftime("%d/%m/%Y"),
                "reason": delegation.reason,
                "ended": ended,
            },
        ),
    )
