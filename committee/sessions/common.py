"""What the session services share: the committee's context, locking a session, who may change it, its audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from babel.dates import format_date, format_time
from sqlalchemy import select

from committee.models import (
    OPEN_SESSION_STATES,
    AgendaItemKind,
    CommitteeSession,
    SessionState,
)
from config.committee import CommitteeRules
from config.profiles import PROFILES, Profile
from portal.audit import record_event
from portal.clock import BOGOTA
from portal.db import DbSession
from portal.errors import NotAllowed, WrongState
from portal.models import User
from portal.roles import Role

#: Fixed items of every orden del día (SPEC §6): the quorum first, other business last, the rest between.
OPENING_ITEMS = (AgendaItemKind.QUORUM, AgendaItemKind.ACTA_ANTERIOR, AgendaItemKind.COMPROMISOS)


FIXED_KINDS = frozenset({*OPENING_ITEMS, AgendaItemKind.VARIOS})


@dataclass(frozen=True)
class CommitteeContext:
    """What the services need to know about the entity (built by the edge from the profile)."""

    committee_name: str
    entity_name: str
    email_domain: str
    rules: CommitteeRules
    #: the entity's profile, for the documents' institutional header (by the entity's name if not given)
    profile: Profile | None = None

    @property
    def documents_profile(self) -> Profile:
        """The profile the committee's documents are printed with."""
        found = self.profile or next((p for p in PROFILES.values() if p.entity_name == self.entity_name), None)
        if found is None:
            raise ValueError(f"no profile for {self.entity_name!r}: build the context with its profile")
        return found


def require_secretariat(actor: User) -> None:
    if not actor.has_role(Role.SECRETARIA_TECNICA):
        raise NotAllowed("Las sesiones, el orden del día y las convocatorias son de la secretaría técnica del comité.")


def lock_session(session: DbSession, session_id: int) -> CommitteeSession:
    committee_session = session.execute(
        select(CommitteeSession)
        .where(CommitteeSession.id == session_id)
        .with_for_update(of=CommitteeSession)
        .execution_options(populate_existing=True)
    ).scalar()
    if committee_session is None:
        raise WrongState("La sesión no existe.")
    return committee_session


def require_open(committee_session: CommitteeSession, what: str) -> None:
    if committee_session.state not in OPEN_SESSION_STATES:
        raise WrongState(f"La {committee_session.label} está {committee_session.state.label.lower()}: no se puede {what}.")


def audit_session(
    session: DbSession, committee_session: CommitteeSession, actor: User, action: str, before: dict[str, Any] | None, **extra: Any
) -> None:
    record_event(
        session,
        actor=actor,
        action=f"sesion.{action}",
        object_type="sesion_comite",
        object_id=committee_session.id,
        before=before,
        after=committee_session.snapshot() | extra,
    )


def mark_changed(committee_session: CommitteeSession) -> None:
    """After the convocation, any change asks for an updated invitation."""
    if committee_session.state is SessionState.CONVOCADA:
        committee_session.has_unsent_changes = True


def local_instant(day: date, at: time) -> datetime:
    """A Bogotá wall-clock time as a UTC instant."""
    return datetime.combine(day, at, tzinfo=BOGOTA).astimezone(UTC)


def _plain(text: str) -> str:
    """CLDR puts no-break spaces in "a. m."; plain text for e-mail and calendars uses ordinary ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def fecha_larga(instant: datetime) -> str:
    return _plain(format_date(instant.astimezone(BOGOTA), "full", locale="es_CO"))


def hora(instant: datetime) -> str:
    return _plain(format_time(instant.astimezone(BOGOTA), "h:mm a", locale="es_CO"))
