"""What every part of the room shares: the votable items, who may conduct the session, the session
locked in course, the state of an item's voting and the audit trail.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from committee.models import AgendaItem, AgendaItemKind, CommitteeSession, SessionState
from committee.room.models import ItemDecision
from committee.sessions.common import lock_session
from portal.audit import record_event
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.models import User
from portal.roles import Role

#: Agenda items the committee votes on; the others are read, followed up or discussed.
VOTABLE_KINDS = frozenset({AgendaItemKind.INICIATIVA, AgendaItemKind.TEMA})


E = TypeVar("E", bound=StrEnum)


def _require_secretariat(actor: User) -> None:
    if not actor.has_role(Role.SECRETARIA_TECNICA):
        raise NotAllowed("La conducción de la sesión (asistencia, deliberación y votaciones) es de la secretaría técnica.")


def _coerce(enum: type[E], value: Any, field: str, message: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise ValidationFailed(message, fields={field: ["Valor no válido."]}) from None


def _lock_in_course(session: DbSession, committee_session_id: int, what: str) -> CommitteeSession:
    committee_session = lock_session(session, committee_session_id)
    if committee_session.state is not SessionState.EN_CURSO:
        raise WrongState(f"La {committee_session.label} está {committee_session.state.label.lower()}: no se puede {what}.")
    return committee_session


def _is_voting_open(item: AgendaItem, decision: ItemDecision | None) -> bool:
    return item.voting_opened_at is not None and decision is None


def _audit(
    session: DbSession,
    committee_session: CommitteeSession,
    actor: User,
    action: str,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    """Every event of the room goes on the session's trail."""
    record_event(
        session,
        actor=actor,
        action=action,
        object_type="sesion_comite",
        object_id=committee_session.id,
        before=before,
        after=after,
    )
