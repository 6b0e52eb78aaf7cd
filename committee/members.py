"""The committee's seats (seed Mesa §3): who sits, with or without vote, who chairs, who keeps the secretariat.

Like every service module: takes the session and the actor, flushes, audits, raises ``NotAllowed`` or
``ValidationFailed``; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from committee.models import CommitteeMember
from portal.audit import record_event
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed
from portal.models import Dependency, User
from portal.roles import Role
from portal.text import optional_text


@dataclass
class MemberData:
    user_id: int
    position: str
    is_voting: bool = True
    dependency_id: int | None = None
    is_chair: bool = False
    is_technical_secretariat: bool = False
    is_active: bool = True


def active_members(session: DbSession) -> list[CommitteeMember]:
    """The committee today: the chair first, then the voting members, then the others."""
    members = session.execute(select(CommitteeMember).where(CommitteeMember.is_active.is_(True))).scalars().all()
    return sorted(members, key=lambda m: (not m.is_chair, not m.is_voting, m.is_technical_secretariat, m.id))


def save_committee_member(
    session: DbSession, *, actor: User | None, data: MemberData, member: CommitteeMember | None = None
) -> CommitteeMember:
    """Create or change a seat of the committee (``admin``; ``actor=None`` for the demo loader).

    The chair is the head of the IT office (role ``secretario``), votes and breaks ties (seed Mesa §8);
    the technical secretariat holds the role ``secretaria_tecnica`` (seed Mesa §6).
    """
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador configura los integrantes del comité.")
    errors: dict[str, list[str]] = {}
    user = session.get(User, data.user_id)
    if user is None or not user.is_active_account:
        errors["user_id"] = ["Seleccione una persona con cuenta activa."]
    position = optional_text(data.position)
    if position is None:
        errors["position"] = ["Escriba el cargo que ocupa en el comité."]
    if data.dependency_id is not None and session.get(Dependency, data.dependency_id) is None:
        errors["dependency_id"] = ["Seleccione una dependencia."]
    if data.is_chair and not data.is_voting:
        errors["is_voting"] = ["Quien preside vota: tiene el voto dirimente."]
    if user is not None and data.is_chair and not user.has_role(Role.SECRETARIO):
        errors["is_chair"] = ["Preside el jefe de la oficina TIC (rol Secretario de las TIC)."]
    if user is not None and data.is_technical_secretariat and not user.has_role(Role.SECRETARIA_TECNICA):
        errors["is_technical_secretariat"] = ["La persona debe tener el rol de secretaría técnica del comité."]
    if data.is_active and user is not None:
        others = [m for m in active_members(session) if m is not member]
        if data.is_chair and any(m.is_chair for m in others):
            errors.setdefault("is_chair", []).append("Ya hay quien preside: quite primero esa marca.")
        if any(m.user_id == user.id for m in others):
            errors.setdefault("user_id", []).append("Esa persona ya ocupa un puesto activo en el comité.")
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    before = member.snapshot() if member is not None else None
    if member is None:
        member = CommitteeMember(user_id=data.user_id, position=position or "")
        session.add(member)
    member.user_id = data.user_id
    member.position = position or ""
    member.is_voting = data.is_voting
    member.dependency_id = data.dependency_id
    member.is_chair = data.is_chair
    member.is_technical_secretariat = data.is_technical_secretariat
    member.is_active = data.is_active
    session.flush()
    record_event(
        session,
        actor=actor,
        action="comite.integrante_crear" if before is None else "comite.integrante_modificar",
        object_type="integrante_comite",
        object_id=member.id,
        before=before,
        after=member.snapshot(),
    )
    return member
