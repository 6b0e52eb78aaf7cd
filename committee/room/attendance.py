"""Installing the session and keeping its listado de asistencia (SPEC §6): arrivals of members,
delegates, guests and the heads who must attend, departures and returns, each kept as a movement
with its time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from committee.members import active_members
from committee.models import CommitteeDocument, CommitteeMember, CommitteeSession, SessionGuest, SessionState
from committee.room.common import _audit, _coerce, _lock_in_course, _require_secretariat
from committee.room.heads import headed_dependency
from committee.room.models import AttendanceKind, AttendanceMovement, MovementKind, SessionAttendance
from committee.sessions.agenda import agenda_items
from committee.sessions.common import audit_session, hora, lock_session
from portal.clock import BOGOTA
from portal.db import DbSession
from portal.errors import ValidationFailed, WrongState
from portal.models import StoredFile, User
from portal.text import optional_text
from portal.uploads import check_upload

#: How early before the installation an arrival may be dated (people arrive before it starts).
EARLY_ARRIVAL = timedelta(hours=2)
#: How early before its scheduled start a session may be installed.
EARLY_OPENING = timedelta(minutes=30)
DELEGATION_PURPOSE = "comunicacion_delegacion"


def _movement(
    session: DbSession, attendance: SessionAttendance, kind: MovementKind, at: datetime, actor: User
) -> AttendanceMovement:
    movement = AttendanceMovement(
        session_id=attendance.session_id, attendance_id=attendance.id, kind=kind, at=at, recorded_by_id=actor.id
    )
    session.add(movement)
    session.flush()
    return movement


def _lock_attendance(session: DbSession, committee_session: CommitteeSession, attendance_id: int) -> SessionAttendance:
    attendance = session.execute(
        select(SessionAttendance)
        .where(SessionAttendance.id == attendance_id)
        .with_for_update(of=SessionAttendance)
        .execution_options(populate_existing=True)
    ).scalar()
    if attendance is None or attendance.session_id != committee_session.id:
        raise WrongState("Esa persona no está en el listado de asistencia de esta sesión.")
    return attendance


def _attendance_snapshot(attendance: SessionAttendance) -> dict[str, Any]:
    return {
        "asistencia": attendance.id,
        "tipo": attendance.kind.value,
        "integrante": attendance.member_id,
        "invitado": attendance.guest_id,
        "cuenta": attendance.user_id,
        "dependencia": attendance.dependency_id,
        "nombre": attendance.name,
        "cargo": attendance.position,
        "llegada": attendance.arrived_at,
        "salida": attendance.left_at,
    }


# ---------------------------------------------------------------- installing the session


def open_session(session: DbSession, committee_session: CommitteeSession, *, actor: User, now: datetime) -> CommitteeSession:
    """Install a convened session in the room (``convocada → en_curso``), from 30 minutes before its
    scheduled start: members were convened to that date and time (SPEC §6).

    The quorum is verified afterwards, with the attendance (seed Mesa §8: "al inicio de las
    reuniones se debe verificar la existencia de quórum"); without it nothing is deliberated or voted.
    """
    _require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    if committee_session.state is not SessionState.CONVOCADA:
        raise WrongState(
            f"La {committee_session.label} está {committee_session.state.label.lower()}: solo se instala una sesión convocada."
        )
    earliest = committee_session.starts_at - EARLY_OPENING
    if now < earliest:
        raise WrongState(
            f"La {committee_session.label} está convocada para el {committee_session.starts_at.astimezone(BOGOTA):%d/%m/%Y} "
            f"a las {hora(committee_session.starts_at)}: se instala desde las {hora(earliest)}, no antes."
        )
    before = committee_session.snapshot()
    committee_session.state = SessionState.EN_CURSO
    committee_session.opened_at = now
    committee_session.updated_at = now
    session.flush()
    audit_session(session, committee_session, actor, "instalar", before)
    return committee_session


# ---------------------------------------------------------------- attendance


def _valid_email(value: str | None, errors: dict[str, list[str]]) -> str | None:
    cleaned = optional_text(value)
    if cleaned is None:
        return None
    try:
        return validate_email(cleaned, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = ["El correo no es válido."]
        return None


def _text_field(value: str | None, field: str, errors: dict[str, list[str]], *, required: str | None) -> str | None:
    cleaned = optional_text(value)
    if cleaned is None and required:
        errors[field] = [required]
    elif cleaned is not None and len(cleaned) > 200:
        errors[field] = ["Admite hasta 200 caracteres."]
    return cleaned


def _account(session: DbSession, user_id: int | None, errors: dict[str, list[str]]) -> User | None:
    """The portal account of a delegate or a head: active, and not holding an active seat."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active_account:
        errors["user_id"] = ["Seleccione una persona con cuenta activa en el portal."]
        return None
    if any(m.user_id == user.id for m in active_members(session)):
        errors["user_id"] = [f"{user.full_name} es integrante del comité: regístrelo como integrante."]
        return None
    return user


def _check_not_registered(
    session: DbSession,
    committee_session: CommitteeSession,
    member: CommitteeMember | None,
    guest: SessionGuest | None,
    user: User | None,
) -> None:
    """A member, a guest of the list or a person with an account appears once per session."""
    rows = session.execute(select(SessionAttendance).where(SessionAttendance.session_id == committee_session.id)).scalars()
    for existing in rows:
        if member is not None and existing.member_id == member.id:
            how = "en persona" if existing.kind is AttendanceKind.INTEGRANTE else f"por delegación en {existing.name}"
            raise WrongState(f"{member.user.full_name} ya está registrado en esta sesión ({how}).")
        if guest is not None and existing.guest_id == guest.id:
            raise WrongState(f"{guest.name} ya está registrado en esta sesión.")
        if user is not None and existing.user_id == user.id:
            raise WrongState(f"{user.full_name} ya está registrado en esta sesión ({existing.kind.label.lower()}).")


def record_attendance(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    kind: AttendanceKind,
    now: datetime,
    member_id: int | None = None,
    guest_id: int | None = None,
    user_id: int | None = None,
    name: str | None = None,
    position: str | None = None,
    email: str | None = None,
    communication: tuple[str, bytes] | None = None,
    arrived_at: datetime | None = None,
) -> SessionAttendance:
    """Put somebody on the listado de asistencia of a session in course (SPEC §6).

    ``integrante``: an active member in person. ``delegado``: somebody sent by an active member, with
    its name, position and the official communication (a PDF, checked by content); it counts for
    the member it represents, and with its portal account (``user_id``) votes for the member and
    signs the acta in its place. ``invitado``: a guest of the session's list (``guest_id``) or a
    person named here, with the organisation in ``position``; a guest never counts for quorum.
    ``jefe``: the head (``user_id``) of a dependency with an initiative on the agenda, who must
    attend (seed Mesa §3); never counts for quorum. A member appears once per session, in person or
    by delegate; so does a person with an account.
    """
    _require_secretariat(actor)
    kind = _coerce(AttendanceKind, kind, "kind", "Indique si asiste un integrante, un delegado, un invitado o un jefe.")
    committee_session = _lock_in_course(session, committee_session.id, "registrar asistencia")
    errors: dict[str, list[str]] = {}
    arrival = arrived_at or now
    if arrival.tzinfo is None:
        errors["arrived_at"] = ["Indique la hora con su zona horaria."]
    elif arrival > now:
        errors["arrived_at"] = ["La hora de llegada no puede ser futura."]
    elif committee_session.opened_at is not None and arrival < committee_session.opened_at - EARLY_ARRIVAL:
        errors["arrived_at"] = ["La hora de llegada es muy anterior a la instalación de la sesión."]

    member: CommitteeMember | None = None
    guest: SessionGuest | None = None
    account: User | None = None
    dependency = None
    if kind in (AttendanceKind.INVITADO, AttendanceKind.JEFE):
        if member_id is not None:
            errors["member_id"] = ["Solo un integrante o su delegado ocupan un puesto del comité."]
    else:
        member = session.get(CommitteeMember, member_id) if member_id is not None else None
        if member is None or not member.is_active:
            errors["member_id"] = ["Seleccione un integrante activo del comité."]
            member = None
    if kind is AttendanceKind.INVITADO and guest_id is not None:
        guest = session.get(SessionGuest, guest_id)
        if guest is None or guest.session_id != committee_session.id:
            errors["guest_id"] = ["Esa persona no está en la lista de invitados de esta sesión."]
            guest = None
    if kind in (AttendanceKind.DELEGADO, AttendanceKind.JEFE):
        account = _account(session, user_id, errors)
    elif user_id is not None:
        errors["user_id"] = ["Solo se indica la cuenta de un delegado o de un jefe de dependencia."]
    if kind is AttendanceKind.JEFE and account is not None:
        dependency = headed_dependency(session, agenda_items(session, committee_session), account)
        if dependency is None:
            errors["user_id"] = [f"{account.full_name} no es jefe de una dependencia con iniciativas en el orden del día."]
    elif kind is AttendanceKind.JEFE and "user_id" not in errors:
        errors["user_id"] = ["Seleccione al jefe de la dependencia."]

    person_name: str | None
    person_position: str | None
    person_email: str | None
    checked = None
    if kind is AttendanceKind.INTEGRANTE:
        person_name = member.user.full_name if member else None
        person_position = member.position if member else None
        person_email = member.user.email if member else None
    elif kind is AttendanceKind.JEFE:
        person_name = account.full_name if account else None
        person_position = f"Jefe de {dependency.name}" if dependency else None
        person_email = account.email if account else None
    elif kind is AttendanceKind.DELEGADO:
        person_name = _text_field(
            name or (account.full_name if account else None), "name", errors, required="Escriba el nombre de la persona delegada."
        )
        person_position = _text_field(position, "position", errors, required="Escriba el cargo de la persona delegada.")
        person_email = _valid_email(email, errors) or (account.email if account else None)
        if communication is None:
            errors["communication"] = ["Adjunte la comunicación oficial de la delegación (PDF)."]
        else:
            try:
                checked = check_upload(*communication)
            except ValidationFailed as exc:
                errors["communication"] = [exc.message]
    elif guest_id is not None:
        person_name = guest.name if guest else None
        person_position = guest.organization if guest else None
        person_email = guest.email if guest else None
    else:
        person_name = _text_field(name, "name", errors, required="Escriba el nombre del invitado.")
        person_position = _text_field(position, "position", errors, required=None)
        person_email = _valid_email(email, errors)
    if errors:
        raise ValidationFailed("Revise los datos de la asistencia.", fields=errors)
    _check_not_registered(session, committee_session, member, guest, account)

    document = None
    if checked is not None:
        document = CommitteeDocument(
            session_id=committee_session.id,
            purpose=DELEGATION_PURPOSE,
            **StoredFile.fields_of(checked, uploaded_by=actor, uploaded_at=now),
        )
        session.add(document)
        session.flush()
    attendance = SessionAttendance(
        session_id=committee_session.id,
        kind=kind,
        member_id=member.id if member else None,
        guest_id=guest.id if guest else None,
        user_id=account.id if account else None,
        dependency_id=dependency.id if dependency else None,
        name=person_name or "",
        position=person_position,
        email=person_email,
        communication_id=document.id if document else None,
        arrived_at=arrival,
        recorded_by_id=actor.id,
        created_at=now,
    )
    session.add(attendance)
    session.flush()
    _movement(session, attendance, MovementKind.LLEGADA, arrival, actor)
    after = _attendance_snapshot(attendance)
    if document is not None:
        after["comunicacion"] = {"documento": document.filename, "sha256": document.sha256, "bytes": document.size}
    _audit(session, committee_session, actor, "asistencia.registro", after)
    return attendance


def record_departure(
    session: DbSession, committee_session: CommitteeSession, attendance_id: int, *, actor: User, now: datetime
) -> SessionAttendance:
    """Somebody leaves the room: from now on a voting member no longer counts for quorum or votes."""
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, committee_session.id, "registrar salidas")
    attendance = _lock_attendance(session, committee_session, attendance_id)
    if attendance.left_at is not None:
        raise WrongState(f"La salida de {attendance.name} ya está registrada.")
    if now < attendance.arrived_at:
        raise ValidationFailed("La salida no puede ser anterior a la llegada.", fields={"left_at": ["Hora no válida."]})
    before = _attendance_snapshot(attendance)
    attendance.left_at = now
    session.flush()
    _movement(session, attendance, MovementKind.SALIDA, now, actor)
    _audit(session, committee_session, actor, "asistencia.salida", _attendance_snapshot(attendance), before)
    return attendance


def record_return(
    session: DbSession, committee_session: CommitteeSession, attendance_id: int, *, actor: User, now: datetime
) -> SessionAttendance:
    """Somebody who left comes back to the room (the departure stays among the movements)."""
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, committee_session.id, "registrar regresos")
    attendance = _lock_attendance(session, committee_session, attendance_id)
    if attendance.left_at is None:
        raise WrongState(f"{attendance.name} está en la sesión: no hay salida que anular.")
    before = _attendance_snapshot(attendance)
    attendance.left_at = None
    session.flush()
    _movement(session, attendance, MovementKind.REGRESO, now, actor)
    _audit(session, committee_session, actor, "asistencia.regreso", _attendance_snapshot(attendance), before)
    return attendance
