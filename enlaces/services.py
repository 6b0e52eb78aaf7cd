"""Enlace TIC (or CIO) designations, the handover and coverage (SPEC §2, seed PR-M2-P6-01).

"Designar un servidor público enlace TIC" by administrative act; "en el evento que se haga cambio
de CIO o Enlace TIC, se debe hacer la transferencia de conocimiento y será responsabilidad del
encargado de la dependencia" (PR-M2-P6-01 §5.1 and §5.4). A new designation, in one transaction,
ends the previous one, moves the ``enlace`` role, reassigns the outgoing enlace's open requests,
opens the handover and prepares the drafts for review (``enlaces.succession``); one with a future
"rige a partir de" waits, ``programada``, for the daily task to do all that on its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import EllipsisType
from typing import Any

from sqlalchemy import func, select

from enlaces.models import ActType, Designation, DesignationStatus, Handover
from enlaces.permissions import can_designate
from enlaces.succession import end_previous, lock_dependency, scheduled, take_effect, vigente
from portal import services as portal_services
from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession
from portal.directory import Directory, DirectoryUnavailable
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import Dependency, User
from portal.roles import Role
from portal.uploads import CheckedFile


@dataclass(frozen=True)
class ActData:
    act_type: ActType
    act_number: str
    act_date: date
    effective_date: date


def resolve_person(session: DbSession, username: str, directory: Directory | None) -> User:
    """A person from the portal, or found in the directory and added to the portal."""
    username = username.strip().lower()
    user = portal_services.find_user(session, username)
    if user is not None:
        if not user.is_active:
            raise ValidationFailed("La persona está inactiva en el portal.", fields={"person": ["Persona inactiva."]})
        return user
    if directory is not None:
        conn = directory.service_connection()
        try:
            found = directory.find_person(conn, username)
        finally:
            conn.unbind()
        if found is not None:
            return portal_services.sync_directory_person(session, found[0])
    raise ValidationFailed(
        "No se encontró a esa persona en el portal ni en el directorio.", fields={"person": ["Usuario no encontrado."]}
    )


def _check_person(directory: Directory, person: User) -> None:
    """An account retired in the directory cannot be designated: it would get nothing done."""
    try:
        found = directory.find_accounts(username=person.username)
    except DirectoryUnavailable as exc:
        raise ValidationFailed(
            "No se pudo consultar el directorio; intente de nuevo en unos minutos.",
            fields={"person": ["No se pudo verificar en el directorio."]},
        ) from exc
    if any(a.is_retired for a in found):
        raise ValidationFailed(
            f"La cuenta de {person.full_name} está retirada en el directorio: solicite primero su activación "
            "(FO-M11-P2-05, activar) y designe después.",
            fields={"person": ["Cuenta retirada en el directorio."]},
        )


def designate(
    session: DbSession,
    *,
    actor: User,
    dependency: Dependency,
    person: User,
    act: ActData,
    act_file: CheckedFile,
    email_domain: str,
    now: datetime,
    directory: Directory,
    seen_current_id: int | EllipsisType | None = ...,
) -> Designation:
    """Designate ``person`` as the dependency's enlace; see the module docstring for what follows.

    A future "rige a partir de" is registered ``programada`` and takes effect on that date
    (``apply_due_designations``, the daily task). ``seen_current_id``: the designation in force the
    head saw (None: none); when another one was registered meanwhile this one is refused (409), so
    of two simultaneous designations exactly one wins.
    """
    if not can_designate(actor, dependency):
        raise NotAllowed("Solo el jefe de la dependencia (o un administrador) designa su enlace TIC.")
    if not act.act_number.strip():
        raise ValidationFailed("Indique el número del acto.", fields={"act_number": ["Obligatorio."]})
    today = local_date(now)
    if act.act_date > today:
        raise ValidationFailed("La fecha del acto no puede ser futura.", fields={"act_date": ["Fecha futura."]})
    if act.effective_date < act.act_date:
        raise ValidationFailed(
            "La designación no rige antes de la fecha del acto.", fields={"effective_date": ["Anterior al acto."]}
        )
    dependency = lock_dependency(session, dependency.id)
    previous = vigente(session, dependency.id)
    if not isinstance(seen_current_id, EllipsisType) and seen_current_id != (previous.id if previous else None):
        raise WrongState("Otra designación para esta dependencia se registró al mismo tiempo; recargue la página.")
    if previous is not None and previous.person_id == person.id:
        raise WrongState(f"{person.full_name} ya es el enlace vigente de {dependency.name}.")
    if previous is not None and act.effective_date < previous.effective_date:
        raise ValidationFailed(
            f"La nueva designación no puede regir antes que la vigente (desde el {previous.effective_date:%d/%m/%Y}).",
            fields={"effective_date": ["Anterior a la designación vigente."]},
        )
    waiting = scheduled(session, dependency.id)
    if waiting is not None:
        raise WrongState(
            f"Ya hay una designación programada para {dependency.name} desde el {waiting.effective_date:%d/%m/%Y}; "
            "revóquela antes de registrar otra."
        )
    _check_person(directory, person)
    future = act.effective_date > today
    designation = Designation(
        dependency_id=dependency.id,
        person_id=person.id,
        designated_by_id=actor.id,
        act_type=act.act_type,
        act_number=act.act_number.strip(),
        act_date=act.act_date,
        effective_date=act.effective_date,
        status=DesignationStatus.PROGRAMADA if future else DesignationStatus.VIGENTE,
        act_filename=act_file.filename,
        act_size=act_file.size,
        act_sha256=act_file.sha256,
        act_content=act_file.content,
        created_at=now,
    )
    if previous is not None and not future:
        end_previous(previous, act.effective_date)
        session.flush()
    session.add(designation)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="designacion.programar" if future else "designacion.crear",
        object_type="designacion",
        object_id=designation.id,
        before={"vigente": previous.id, "person": previous.person.username} if previous else None,
        after={
            "dependency": dependency.code,
            "person": person.username,
            "act": f"{act.act_type.value} {act.act_number}",
            "effective_date": act.effective_date.isoformat(),
            "sha256": act_file.sha256,
        },
    )
    if not future:
        take_effect(session, designation, previous, directory=directory, email_domain=email_domain, now=now)
    _notify(session, dependency, person, previous.person if previous else None, designation)
    return designation


def _notify(session: DbSession, dependency: Dependency, incoming: User, outgoing: User | None, designation: Designation) -> None:
    title = dependency.kind.liaison_title
    secretaria = session.execute(
        select(User).where(User.is_active_account.is_(True), User.role_assignments.any(role=Role.SECRETARIO))
    ).scalars()
    recipients = {u.email for u in (incoming, outgoing, *secretaria) if u is not None and u.email}
    if recipients:
        send_after_commit(
            session,
            OutgoingMail(
                to=tuple(sorted(recipients)),
                subject=f"Designación de {title}: {dependency.name}",
                template="enlaces/designation",
                context={
                    "dependency": dependency.name,
                    "title": title,
                    "incoming": incoming.full_name,
                    "outgoing": outgoing.full_name if outgoing else None,
                    "act": f"{designation.act_type.label} {designation.act_number}",
                    "effective": designation.effective_date.strftime("%d/%m/%Y"),
                    "dependency_id": dependency.id,
                },
            ),
        )


def revoke(session: DbSession, *, actor: User, designation: Designation, reason: str, now: datetime) -> Designation:
    """End a designation without replacement (``revocada``): the dependency is left uncovered. A
    scheduled one is withdrawn before it takes effect: nothing changes for the one in force."""
    dependency = lock_dependency(session, designation.dependency_id)
    if not can_designate(actor, dependency):
        raise NotAllowed("Solo el jefe de la dependencia (o un administrador) revoca la designación.")
    session.refresh(designation)
    if designation.status not in (DesignationStatus.VIGENTE, DesignationStatus.PROGRAMADA):
        raise WrongState("Solo se revoca una designación vigente o programada.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed(
            "Indique el motivo de la revocación (al menos 10 caracteres).", fields={"reason": ["Obligatorio."]}
        )
    was_scheduled = designation.status is DesignationStatus.PROGRAMADA
    designation.status = DesignationStatus.REVOCADA
    # a scheduled designation never began: it ends on the day it would have begun
    designation.end_date = designation.effective_date if was_scheduled else local_date(now)
    designation.end_reason = reason
    if not was_scheduled:
        person = designation.person
        for assignment in list(person.role_assignments):
            if assignment.role == Role.ENLACE and assignment.dependency_id == dependency.id:
                person.role_assignments.remove(assignment)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="designacion.revocar",
        object_type="designacion",
        object_id=designation.id,
        after={"reason": reason, "gap": not was_scheduled, "scheduled": was_scheduled},
    )
    return designation


def removal_pending(session: DbSession, handover: Handover) -> str | None:
    """Why the handover cannot close yet: the outgoing enlace's privileges are not removed."""
    if handover.removal_request_id is None:
        return None
    from tickets.models import AccessRequest, RequestState

    request = session.get(AccessRequest, handover.removal_request_id)
    if request is None or request.state in (RequestState.RESUELTA, RequestState.CERRADA):
        return None
    return (
        f"La solicitud {request.label} que retira los privilegios del enlace saliente está "
        f"{request.state.label.lower()}: la transferencia se cierra cuando esté resuelta."
    )


def complete_handover(session: DbSession, *, actor: User, handover: Handover, notes: dict[str, str], now: datetime) -> Handover:
    """The head confirms every item of the knowledge transfer, once the FO-M11-P2-13 removing the
    outgoing enlace's groups is resolved."""
    if not can_designate(actor, handover.dependency):
        raise NotAllowed("Solo el jefe de la dependencia confirma la transferencia de conocimiento.")
    session.refresh(handover)
    if handover.is_completed:
        raise WrongState("La transferencia ya fue completada.")
    pending = removal_pending(session, handover)
    if pending:
        raise WrongState(pending)
    checklist: list[dict[str, Any]] = []
    missing = []
    for item in handover.checklist:
        note = (notes.get(item["key"]) or item.get("note") or "").strip()
        done = item["key"] in notes
        if not done:
            missing.append(item["label"])
        checklist.append({**item, "done": done, "note": note})
    if missing:
        raise ValidationFailed("Confirme todos los puntos de la transferencia.", fields={"checklist": missing})
    handover.checklist = checklist
    handover.is_completed = True
    handover.completed_at = now
    handover.completed_by_id = actor.id
    session.flush()
    record_event(
        session,
        actor=actor,
        action="transferencia.completar",
        object_type="transferencia",
        object_id=handover.id,
        after={"checklist": checklist},
    )
    return handover


@dataclass(frozen=True)
class CoverageRow:
    dependency: Dependency
    designation: Designation | None
    open_handovers: int

    @property
    def covered(self) -> bool:
        return self.designation is not None


def coverage(session: DbSession) -> list[CoverageRow]:
    """Every active dependency with its vigente enlace (or none) and its open handovers: 3 queries."""
    dependencies = (
        session.execute(select(Dependency).where(Dependency.is_active.is_(True)).order_by(Dependency.name)).scalars().all()
    )
    current = {
        d.dependency_id: d
        for d in session.execute(select(Designation).where(Designation.status == DesignationStatus.VIGENTE)).scalars()
    }
    open_counts: dict[int, int] = {
        dependency_id: count
        for dependency_id, count in session.execute(
            select(Handover.dependency_id, func.count()).where(Handover.is_completed.is_(False)).group_by(Handover.dependency_id)
        )
    }
    return [CoverageRow(d, current.get(d.id), int(open_counts.get(d.id, 0))) for d in dependencies]
