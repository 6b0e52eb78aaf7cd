"""Enlace TIC (or CIO) designations, the handover and coverage (SPEC §2, seed PR-M2-P6-01).

"Designar un servidor público enlace TIC" by administrative act; "en el evento que se haga cambio
de CIO o Enlace TIC, se debe hacer la transferencia de conocimiento y será responsabilidad del
encargado de la dependencia" (PR-M2-P6-01 §5.1 and §5.4). A new designation, in one transaction:
ends the previous one, moves the ``enlace`` role, reassigns the outgoing enlace's open requests,
opens the handover, and prepares the FO-M11-P2-05 and FO-M11-P2-13 drafts for review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from enlaces.models import ActType, Designation, DesignationStatus, Handover
from enlaces.permissions import can_designate
from portal import services as portal_services
from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession
from portal.directory import Directory
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import Dependency, RoleAssignment, User
from portal.roles import Role
from portal.uploads import CheckedFile

HANDOVER_ITEMS = (
    ("solicitudes", "Solicitudes de acceso abiertas entregadas al nuevo enlace"),
    ("iniciativas", "Iniciativas y proyectos TIC de la dependencia explicados al nuevo enlace"),
    ("documentos", "Documentos, archivos y publicaciones a cargo del enlace entregados (portal web, SUIT, datos abiertos)"),
    ("credenciales", "Credenciales del enlace saliente retiradas y las del entrante solicitadas"),
)


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


def vigente(session: DbSession, dependency_id: int) -> Designation | None:
    return session.execute(
        select(Designation).where(Designation.dependency_id == dependency_id, Designation.status == DesignationStatus.VIGENTE)
    ).scalar()


def _role_holder(session: DbSession, dependency: Dependency, *, exclude: User) -> User | None:
    """Whoever holds the ``enlace`` role without a designation on record (e.g. before the portal)."""
    return (
        session.execute(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == Role.ENLACE, RoleAssignment.dependency_id == dependency.id, User.id != exclude.id)
            .order_by(RoleAssignment.created_at)
        )
        .scalars()
        .first()
    )


def _lock_dependency(session: DbSession, dependency_id: int) -> Dependency:
    dependency = session.execute(select(Dependency).where(Dependency.id == dependency_id).with_for_update(of=Dependency)).scalar()
    if dependency is None:
        raise WrongState("La dependencia no existe.")
    return dependency


def _move_enlace_role(session: DbSession, *, actor: User, dependency: Dependency, outgoing: User | None, incoming: User) -> None:
    if outgoing is not None and outgoing.id != incoming.id:
        for assignment in list(outgoing.role_assignments):
            if assignment.role == Role.ENLACE and assignment.dependency_id == dependency.id:
                outgoing.role_assignments.remove(assignment)
        record_event(
            session,
            actor=actor,
            action="rol.retirar",
            object_type="usuario",
            object_id=outgoing.id,
            before={"rol": "enlace", "dependencia": dependency.code},
            after={"motivo": "designación de nuevo enlace"},
        )
    if not any(a.role == Role.ENLACE and a.dependency_id == dependency.id for a in incoming.role_assignments):
        incoming.role_assignments.append(RoleAssignment(role=Role.ENLACE, dependency_id=dependency.id))
        record_event(
            session,
            actor=actor,
            action="rol.asignar",
            object_type="usuario",
            object_id=incoming.id,
            after={"rol": "enlace", "dependencia": dependency.code, "motivo": "designación"},
        )
    session.flush()
    session.expire(incoming, ["role_assignments"])


def _reassign_requests(
    session: DbSession, *, actor: User, outgoing: User, incoming: User, dependency: Dependency, now: datetime
) -> list[str]:
    from tickets.models import EDITABLE_STATES, OPEN_STATES, AccessRequest, RequestEvent

    requests = (
        session.execute(
            select(AccessRequest).where(
                AccessRequest.requester_id == outgoing.id,
                AccessRequest.dependency_id == dependency.id,
                AccessRequest.state.in_(OPEN_STATES | EDITABLE_STATES),
            )
        )
        .scalars()
        .all()
    )
    for request in requests:
        request.requester_id = incoming.id
        session.add(
            RequestEvent(
                request_id=request.id,
                at=now,
                actor_id=actor.id,
                kind="reasignada",
                note=f"De {outgoing.full_name} a {incoming.full_name} por cambio de enlace TIC.",
            )
        )
        record_event(
            session,
            actor=actor,
            action="solicitud.reasignar",
            object_type="solicitud",
            object_id=request.id,
            before={"requester": outgoing.username},
            after={"requester": incoming.username},
        )
    session.flush()
    return [r.label for r in requests]


def _prepare_drafts(
    session: DbSession, *, dependency: Dependency, outgoing: User | None, incoming: User, email_domain: str, today: date
) -> list[int]:
    """FO-M11-P2-05 for the new enlace's credentials; FO-M11-P2-13 removing the outgoing one's roles."""
    from tickets.directory_sync import granted_memberships
    from tickets.models import RequestAction, RequestForm, TargetSystem
    from tickets.services import filing as ticket_services

    system = (
        session.execute(
            select(TargetSystem)
            .where(TargetSystem.is_active.is_(True), TargetSystem.connector == "ldap")
            .order_by(TargetSystem.id)
        )
        .scalars()
        .first()
    )
    if system is None:
        return []

    def institutional(email: str | None) -> str | None:
        return email if email and email.lower().endswith("@" + email_domain) else None

    drafts = [
        ticket_services.RequestData(
            form=RequestForm.CREACION,
            action=RequestAction.CREAR,
            system_id=system.id,
            dependency_id=dependency.id,
            beneficiary_name=incoming.full_name,
            beneficiary_email=institutional(incoming.email),
            beneficiary_position=incoming.position or "Enlace TIC",
            beneficiary_username=incoming.username,
            justification=f"Credenciales del enlace TIC designado para {dependency.name}.",
        )
    ]
    if outgoing is not None and outgoing.id != incoming.id:
        granted = granted_memberships(session, system)
        roles = sorted(role for (username, role), ok in granted.items() if ok and username == outgoing.username.lower())
        drafts.append(
            ticket_services.RequestData(
                form=RequestForm.ROLES,
                action=RequestAction.MODIFICAR_ROLES,
                system_id=system.id,
                dependency_id=dependency.id,
                beneficiary_name=outgoing.full_name,
                beneficiary_email=institutional(outgoing.email),
                beneficiary_position=outgoing.position,
                beneficiary_username=outgoing.username,
                roles_to_remove=roles,
                justification=f"Retiro de los privilegios del enlace TIC saliente de {dependency.name}.",
            )
        )
    created = []
    for data in drafts:
        request = ticket_services.create_draft(session, actor=incoming, data=data, email_domain=email_domain, today=today)
        created.append(request.id)
    return created


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
) -> Designation:
    """Designate ``person`` as the dependency's enlace; see the module docstring for what follows."""
    if not can_designate(actor, dependency):
        raise NotAllowed("Solo el jefe de la dependencia (o un administrador) designa su enlace TIC.")
    if not act.act_number.strip():
        raise ValidationFailed("Indique el número del acto.", fields={"act_number": ["Obligatorio."]})
    if act.act_date > local_date(now):
        raise ValidationFailed("La fecha del acto no puede ser futura.", fields={"act_date": ["Fecha futura."]})
    if act.effective_date < act.act_date:
        raise ValidationFailed(
            "La designación no rige antes de la fecha del acto.", fields={"effective_date": ["Anterior al acto."]}
        )
    dependency = _lock_dependency(session, dependency.id)
    previous = vigente(session, dependency.id)
    if previous is not None and previous.person_id == person.id:
        raise WrongState(f"{person.full_name} ya es el enlace vigente de {dependency.name}.")
    if previous is not None:
        previous.status = DesignationStatus.REEMPLAZADA
        previous.end_date = act.effective_date
        previous.end_reason = "Reemplazada por una nueva designación."
        session.flush()
    designation = Designation(
        dependency_id=dependency.id,
        person_id=person.id,
        designated_by_id=actor.id,
        act_type=act.act_type,
        act_number=act.act_number.strip(),
        act_date=act.act_date,
        effective_date=act.effective_date,
        status=DesignationStatus.VIGENTE,
        act_filename=act_file.filename,
        act_size=act_file.size,
        act_sha256=act_file.sha256,
        act_content=act_file.content,
        created_at=now,
    )
    session.add(designation)
    try:
        session.flush()
    except IntegrityError as exc:  # another designation for this dependency won the race
        raise WrongState("Otra designación para esta dependencia se registró al mismo tiempo; recargue la página.") from exc
    outgoing = previous.person if previous is not None else _role_holder(session, dependency, exclude=person)
    _move_enlace_role(session, actor=actor, dependency=dependency, outgoing=outgoing, incoming=person)
    moved = (
        _reassign_requests(session, actor=actor, outgoing=outgoing, incoming=person, dependency=dependency, now=now)
        if outgoing
        else []
    )
    draft_ids = _prepare_drafts(
        session, dependency=dependency, outgoing=outgoing, incoming=person, email_domain=email_domain, today=local_date(now)
    )
    handover = None
    if outgoing is not None:
        notes = {
            "solicitudes": ", ".join(moved) or "Sin solicitudes abiertas.",
            "credenciales": f"Borradores preparados: {len(draft_ids)} (revíselos y radíquelos).",
        }
        handover = Handover(
            dependency_id=dependency.id,
            designation_id=designation.id,
            previous_designation_id=previous.id if previous else None,
            created_at=now,
            checklist=[{"key": k, "label": label, "done": False, "note": notes.get(k, "")} for k, label in HANDOVER_ITEMS],
        )
        session.add(handover)
        session.flush()
    record_event(
        session,
        actor=actor,
        action="designacion.crear",
        object_type="designacion",
        object_id=designation.id,
        before={"vigente": previous.id, "person": previous.person.username} if previous else None,
        after={
            "dependency": dependency.code,
            "person": person.username,
            "act": f"{act.act_type.value} {act.act_number}",
            "sha256": act_file.sha256,
            "reassigned": moved,
            "drafts": draft_ids,
            "handover": handover.id if handover else None,
        },
    )
    _notify(session, dependency, person, outgoing, designation)
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
    """End a designation without replacement (``revocada``): the dependency is left uncovered."""
    dependency = _lock_dependency(session, designation.dependency_id)
    if not can_designate(actor, dependency):
        raise NotAllowed("Solo el jefe de la dependencia (o un administrador) revoca la designación.")
    session.refresh(designation)
    if designation.status is not DesignationStatus.VIGENTE:
        raise WrongState("Solo se revoca una designación vigente.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed(
            "Indique el motivo de la revocación (al menos 10 caracteres).", fields={"reason": ["Obligatorio."]}
        )
    designation.status = DesignationStatus.REVOCADA
    designation.end_date = local_date(now)
    designation.end_reason = reason
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
        after={"reason": reason, "gap": True},
    )
    return designation


def complete_handover(session: DbSession, *, actor: User, handover: Handover, notes: dict[str, str], now: datetime) -> Handover:
    """The head confirms every item of the knowledge transfer."""
    if not can_designate(actor, handover.dependency):
        raise NotAllowed("Solo el jefe de la dependencia confirma la transferencia de conocimiento.")
    session.refresh(handover)
    if handover.is_completed:
        raise WrongState("La transferencia ya fue completada.")
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
