"""The heads who must attend: "en los eventos que una Secretaría o Dependencia postule iniciativas o
proyectos se hará necesario que el secretario o jefe de dependencia asista obligatoriamente a la
sesión" (seed Mesa §3).

For each initiative on the agenda, the head of its dependency (its recorded head, else whoever holds
``jefe`` for it) must be in the room when its voting opens: recorded as a head (attendance kind
``jefe``) or, when the head holds a seat, as a member in person. Voting without the head needs the
secretariat's confirmation, which the item keeps and the acta prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from catalog.services import dependency_heads
from committee.models import AgendaItem
from committee.room.models import AttendanceKind, SessionAttendance
from portal.db import DbSession
from portal.models import Dependency, User


@dataclass(frozen=True)
class HeadStatus:
    """The head an initiative's voting waits for, and whether the head is in the room now."""

    dependency: Dependency
    #: who may attend as head: the recorded head, or the holders of ``jefe`` for the dependency
    heads: tuple[User, ...]
    #: the head's attendance while in the room (as head, or as a member in person), else None
    present: SessionAttendance | None

    @property
    def is_present(self) -> bool:
        return self.present is not None

    @property
    def names(self) -> str:
        return " o ".join(u.full_name for u in self.heads) or f"sin jefe registrado para {self.dependency.name}"


def head_attendance(attendance: Sequence[SessionAttendance], heads: Sequence[User]) -> SessionAttendance | None:
    """The attendance of one of ``heads`` in the room now, as head or as a member in person."""
    ids = {u.id for u in heads}
    for row in attendance:
        if row.left_at is not None:
            continue
        if row.kind is AttendanceKind.JEFE and row.user_id in ids:
            return row
        if row.kind is AttendanceKind.INTEGRANTE and row.member is not None and row.member.user_id in ids:
            return row
    return None


def head_status(session: DbSession, item: AgendaItem, attendance: Sequence[SessionAttendance]) -> HeadStatus | None:
    """The head the voting of ``item`` waits for (None for an item that is not an initiative)."""
    if item.initiative is None:
        return None
    dependency = item.initiative.dependency
    heads = tuple(dependency_heads(session, dependency))
    return HeadStatus(dependency, heads, head_attendance(attendance, heads))


def headed_dependency(session: DbSession, items: Sequence[AgendaItem], user: User) -> Dependency | None:
    """The dependency with an initiative on the agenda that ``user`` heads, if any."""
    for item in items:
        if item.initiative is not None and user in dependency_heads(session, item.initiative.dependency):
            return item.initiative.dependency
    return None
