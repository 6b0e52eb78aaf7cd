"""Delegations: an approver hands their approvals to someone else for a date range (vacations)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from portal.audit import record_event
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed
from portal.models import User
from portal.roles import Role
from tickets.models import (
    Delegation,
)
from tickets.services.common import clean


def active_delegations(session: DbSession, delegator_ids: Iterable[int], today: date) -> list[Delegation]:
    ids = list(delegator_ids)
    if not ids:
        return []
    return list(
        session.execute(
            select(Delegation).where(
                Delegation.delegator_id.in_(ids),
                Delegation.revoked_at.is_(None),
                Delegation.starts_on <= today,
                Delegation.ends_on >= today,
            )
        ).scalars()
    )


def create_delegation(
    session: DbSession,
    *,
    actor: User,
    delegator: User,
    delegate: User,
    starts_on: date,
    ends_on: date,
    reason: str | None,
    today: date,
) -> Delegation:
    """An approver (or an admin for them) hands their approvals to someone for a date range."""
    if actor.id != delegator.id and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo el aprobador o un administrador registran su delegación.")
    if not delegator.has_role(Role.JEFE, Role.SEGURIDAD, Role.APROBADOR):
        raise ValidationFailed("Solo delega quien aprueba pasos de solicitudes.", fields={"delegator": ["No es aprobador."]})
    if delegate.id == delegator.id:
        raise ValidationFailed("No puede delegarse a sí mismo.", fields={"delegate_id": ["Elija a otra persona."]})
    if ends_on < starts_on or ends_on < today:
        raise ValidationFailed(
            "El rango de fechas no es válido.", fields={"ends_on": ["Debe ser posterior al inicio y no estar en el pasado."]}
        )
    delegation = Delegation(
        delegator_id=delegator.id, delegate_id=delegate.id, starts_on=starts_on, ends_on=ends_on, reason=clean(reason)
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
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return delegation
