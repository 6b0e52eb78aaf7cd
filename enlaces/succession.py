"""The change of enlace (SPEC §2; seed PR-M2-P6-01 §5.4): what a designation sets off when it takes
effect — the previous designation ends, the ``enlace`` role moves, the outgoing enlace's open
requests are reassigned, the drafts are prepared (``enlaces.drafts``) and the handover opens —, at
once or, for a future "rige a partir de", on its date through the daily task.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from enlaces.models import Designation, DesignationStatus, Handover
from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession
from portal.directory import Directory, DirectoryUnavailable
from portal.errors import WrongState
from portal.models import Dependency, RoleAssignment, User
from portal.roles import Role

HANDOVER_ITEMS = (
    ("solicitudes", "Solicitudes de acceso abiertas entregadas al nuevo enlace"),
    ("iniciativas", "Iniciativas y proyectos TIC de la dependencia explicados al nuevo enlace"),
    ("documentos", "Documentos, archivos y publicaciones a cargo del enlace entregados (portal web, SUIT, datos abiertos)"),
    ("credenciales", "Credenciales del enlace saliente retiradas y las del entrante solicitadas"),
)


def vigente(session: DbSession, dependency_id: int) -> Designation | None:
    return session.execute(
        select(Designation).where(Designation.dependency_id == dependency_id, Designation.status == DesignationStatus.VIGENTE)
    ).scalar()


def scheduled(session: DbSession, dependency_id: int) -> Designation | None:
    """The designation registered with a future date for the dependency, if any."""
    return session.execute(
        select(Designation).where(Designation.dependency_id == dependency_id, Designation.status == DesignationStatus.PROGRAMADA)
    ).scalar()


def role_holder(session: DbSession, dependency: Dependency, *, exclude: User) -> User | None:
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


def lock_dependency(session: DbSession, dependency_id: int) -> Dependency:
    dependency = session.execute(select(Dependency).where(Dependency.id == dependency_id).with_for_update(of=Dependency)).scalar()
    if dependency is None:
        raise WrongState("La dependencia no existe.")
    return dependency


def move_enlace_role(session: DbSession, *, actor: User, dependency: Dependency, outgoing: User | None, incoming: User) -> None:
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


def reassign_requests(
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


def end_previous(previous: Designation, on: date) -> None:
    previous.status = DesignationStatus.REEMPLAZADA
    previous.end_date = on
    previous.end_reason = "Reemplazada por una nueva designación."


def take_effect(
    session: DbSession,
    designation: Designation,
    previous: Designation | None,
    *,
    directory: Directory,
    email_domain: str,
    now: datetime,
) -> None:
    """What a designation in force sets off: the role moves, the outgoing enlace's open requests
    are reassigned, the drafts are prepared and the handover opens. Attributed to the head who
    designated, also when the daily task applies a scheduled designation."""
    from enlaces.drafts import prepare_drafts

    dependency = session.get(Dependency, designation.dependency_id)
    assert dependency is not None
    head = designation.designated_by
    person = designation.person
    outgoing = previous.person if previous is not None else role_holder(session, dependency, exclude=person)
    move_enlace_role(session, actor=head, dependency=dependency, outgoing=outgoing, incoming=person)
    moved = (
        reassign_requests(session, actor=head, outgoing=outgoing, incoming=person, dependency=dependency, now=now)
        if outgoing
        else []
    )
    drafts = prepare_drafts(
        session,
        designation=designation,
        outgoing=outgoing,
        incoming=person,
        directory=directory,
        email_domain=email_domain,
        today=local_date(now),
    )
    handover = None
    if outgoing is not None:
        notes = {
            "solicitudes": ", ".join(moved) or "Sin solicitudes abiertas.",
            "credenciales": " ".join(
                [f"Borradores preparados: {len(drafts.request_ids)} (revíselos y radíquelos).", *drafts.notes]
            ),
        }
        handover = Handover(
            dependency_id=dependency.id,
            designation_id=designation.id,
            previous_designation_id=previous.id if previous else None,
            removal_request_id=drafts.removal_request_id,
            created_at=now,
            checklist=[{"key": k, "label": label, "done": False, "note": notes.get(k, "")} for k, label in HANDOVER_ITEMS],
        )
        session.add(handover)
        session.flush()
    record_event(
        session,
        actor=head,
        action="designacion.rige",
        object_type="designacion",
        object_id=designation.id,
        after={
            "reassigned": moved,
            "drafts": drafts.request_ids,
            "handover": handover.id if handover else None,
        },
    )


def apply_due_designations(
    session: DbSession, *, directory: Directory, email_domain: str, now: datetime
) -> tuple[list[int], list[str]]:
    """Put in force the scheduled designations whose date has come (the daily task and
    ``flask enlaces tick``): (designations applied, problems left for the next run)."""
    today = local_date(now)
    due = (
        session.execute(
            select(Designation.id)
            .where(Designation.status == DesignationStatus.PROGRAMADA, Designation.effective_date <= today)
            .order_by(Designation.effective_date, Designation.id)
        )
        .scalars()
        .all()
    )
    applied: list[int] = []
    problems: list[str] = []
    for designation_id in due:
        designation = session.get(Designation, designation_id)
        assert designation is not None
        lock_dependency(session, designation.dependency_id)
        session.refresh(designation)
        if designation.status is not DesignationStatus.PROGRAMADA:
            continue
        previous = vigente(session, designation.dependency_id)
        try:
            with session.begin_nested():
                if previous is not None:
                    end_previous(previous, designation.effective_date)
                    session.flush()
                designation.status = DesignationStatus.VIGENTE
                session.flush()
                take_effect(session, designation, previous, directory=directory, email_domain=email_domain, now=now)
        except DirectoryUnavailable as exc:
            session.expire_all()
            problems.append(f"{designation.dependency.code}: el directorio no respondió ({exc}); queda programada.")
            continue
        applied.append(designation.id)
    return applied, problems
