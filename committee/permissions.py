"""Who may see and act on the committee's sessions and members (SPEC §1, §6)."""

from __future__ import annotations

from collections.abc import Iterable

from catalog.models import AGENDA_CANDIDATE_STATES, Initiative
from committee.models import OPEN_SESSION_STATES, CommitteeSession
from committee.room.models import SessionAttendance
from portal.models import User
from portal.roles import Role

#: See the committee's sessions, agendas and convocations.
COMMITTEE_READERS = frozenset(
    {Role.SECRETARIA_TECNICA, Role.SECRETARIO, Role.INTEGRANTE, Role.CONTROL_INTERNO, Role.ADMIN, Role.APROBADOR}
)


def can_manage_sessions(user: User) -> bool:
    """Sessions, agenda, guests and convocations are the technical secretariat's (seed Mesa §6)."""
    return user.has_role(Role.SECRETARIA_TECNICA)


def can_view_sessions(user: User) -> bool:
    return bool(user.roles & COMMITTEE_READERS)


def can_view_room(user: User, attendance: Iterable[SessionAttendance]) -> bool:
    """The room of a session and its acta: the committee's readers, and whoever the attendance names
    by account — a delegate (who votes and signs for its member) or a head who must attend."""
    return can_view_sessions(user) or any(a.user_id == user.id for a in attendance)


def can_edit_session(user: User, committee_session: CommitteeSession) -> bool:
    return can_manage_sessions(user) and committee_session.state in OPEN_SESSION_STATES


def can_manage_members(user: User) -> bool:
    return user.has_role(Role.ADMIN)


def can_put_on_agenda(user: User, initiative: Initiative) -> bool:
    return can_manage_sessions(user) and initiative.state in AGENDA_CANDIDATE_STATES
