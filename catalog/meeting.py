"""The committee in the room (SPEC §6, seed Mesa §8): installation, attendance, quorum, votes, closing.

"La Mesa … sesionará y deliberará con la mayoría de sus integrantes y las decisiones las tomará por
la mayoría de los integrantes asistentes … En caso de empate en la votación, el jefe de la Oficina
Asesora de Informática tomará la decisión" (seed Mesa §8). Quorum is more than half of the active
voting members, counted live: a member is in the room in person or through a delegate until its
departure is recorded. Guests and members without vote never count.

The technical secretariat installs and closes the session, keeps the attendance, writes the
deliberation and opens and closes each voting; a voting member present in person votes for itself,
and the secretariat records the votes given aloud (a delegate's, for one). Like every service
module, each function takes the session, the actor and ``now``, locks the committee session (so the
room's changes queue up), flushes, writes the audit event and raises ``NotAllowed``, ``WrongState``
or ``ValidationFailed``; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from catalog import services
from catalog.meeting_models import (
    AgendaVote,
    AttendanceKind,
    CommitteeDocument,
    ItemDecision,
    ItemOutcome,
    SessionAttendance,
    VoteChoice,
)
from catalog.models import (
    AgendaItem,
    AgendaItemKind,
    CommitteeMember,
    CommitteeSession,
    InitiativeState,
    SessionGuest,
    SessionState,
)
from catalog.sessions import CommitteeContext, agenda_items, audit_session, lock_session
from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.models import User
from portal.roles import Role
from portal.uploads import check_upload

#: Agenda items the committee votes on; the others are read, followed up or discussed.
VOTABLE_KINDS = frozenset({AgendaItemKind.INICIATIVA, AgendaItemKind.TEMA})
#: How early before the installation an arrival may be dated (people arrive before it starts).
EARLY_ARRIVAL = timedelta(hours=2)
DELEGATION_PURPOSE = "comunicacion_delegacion"
MAX_NOTES = 20_000
MAX_CASTING_NOTE = 2_000
NOT_TREATED = "No se trató en la sesión."

E = TypeVar("E", bound=StrEnum)


# ---------------------------------------------------------------- quorum


@dataclass(frozen=True)
class QuorumStatus:
    """Quorum "con la mayoría de sus integrantes" (seed Mesa §8): more than half of the voting members."""

    #: active voting members of the committee
    voting_members: int
    #: voting members in the room now, in person or by delegate
    present_voting: int
    #: ``voting_members // 2 + 1``
    required: int

    @property
    def has_quorum(self) -> bool:
        return self.voting_members > 0 and self.present_voting >= self.required

    @property
    def missing(self) -> int:
        return max(self.required - self.present_voting, 0)


def _quorum_status(voting_members: int, present_voting: int) -> QuorumStatus:
    return QuorumStatus(voting_members, present_voting, voting_members // 2 + 1)


def _present_voting_filter(committee_session_id: int) -> tuple[Any, ...]:
    return (
        SessionAttendance.session_id == committee_session_id,
        SessionAttendance.left_at.is_(None),
        CommitteeMember.is_voting.is_(True),
        CommitteeMember.is_active.is_(True),
    )


def quorum(session: DbSession, committee_session: CommitteeSession) -> QuorumStatus:
    """Voting members of the committee and those in the room now (one query)."""
    voting = (
        select(func.count(CommitteeMember.id))
        .where(CommitteeMember.is_active.is_(True), CommitteeMember.is_voting.is_(True))
        .scalar_subquery()
    )
    present = (
        select(func.count(SessionAttendance.id))
        .join(CommitteeMember, CommitteeMember.id == SessionAttendance.member_id)
        .where(*_present_voting_filter(committee_session.id))
        .scalar_subquery()
    )
    voting_members, present_voting = session.execute(select(voting, present)).one()
    return _quorum_status(int(voting_members), int(present_voting))


def _present_voting_ids(session: DbSession, committee_session_id: int) -> set[int]:
    return set(
        session.execute(
            select(CommitteeMember.id)
            .join(SessionAttendance, SessionAttendance.member_id == CommitteeMember.id)
            .where(*_present_voting_filter(committee_session_id))
        ).scalars()
    )


def _require_quorum(session: DbSession, committee_session: CommitteeSession, what: str) -> QuorumStatus:
    status = quorum(session, committee_session)
    if not status.has_quorum:
        raise WrongState(
            f"No hay quórum para {what}: hay {status.present_voting} de {status.voting_members} integrantes con voto "
            f"y se necesitan {status.required}."
        )
    return status


def outcome_of(present_voting: int, votes_for: int, votes_against: int) -> ItemOutcome:
    """The decision "por la mayoría de los integrantes asistentes" (seed Mesa §8, SPEC §6).

    Approved when the votes in favour exceed half of the voting members present, rejected when the
    votes against do; as many in favour as against (at least one each) is a tie the chair breaks;
    anything else (everybody abstaining included) leaves the item without a decision.
    """
    if votes_for * 2 > present_voting:
        return ItemOutcome.APROBADA
    if votes_against * 2 > present_voting:
        return ItemOutcome.RECHAZADA
    if votes_for == votes_against and votes_for > 0:
        return ItemOutcome.EMPATE
    return ItemOutcome.SIN_DECISION


# ---------------------------------------------------------------- helpers


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


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


def _lock_item(session: DbSession, committee_session: CommitteeSession, item_id: int) -> AgendaItem:
    item = session.execute(
        select(AgendaItem)
        .where(AgendaItem.id == item_id)
        .with_for_update(of=AgendaItem)
        .execution_options(populate_existing=True)
    ).scalar()
    if item is None or item.session_id != committee_session.id:
        raise WrongState("Ese punto no está en el orden del día de esta sesión.")
    return item


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


def _decision_of(session: DbSession, item: AgendaItem) -> ItemDecision | None:
    return session.execute(
        select(ItemDecision).where(ItemDecision.item_id == item.id).execution_options(populate_existing=True)
    ).scalar()


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


def _attendance_snapshot(attendance: SessionAttendance) -> dict[str, Any]:
    return {
        "asistencia": attendance.id,
        "tipo": attendance.kind.value,
        "integrante": attendance.member_id,
        "invitado": attendance.guest_id,
        "nombre": attendance.name,
        "cargo": attendance.position,
        "llegada": attendance.arrived_at,
        "salida": attendance.left_at,
    }


def _item_snapshot(item: AgendaItem) -> dict[str, Any]:
    return {"punto": item.id, "titulo": item.title}


def _decision_snapshot(decision: ItemDecision) -> dict[str, Any]:
    return {
        "integrantes_con_voto": decision.voting_members,
        "presentes_con_voto": decision.present_voting,
        "a_favor": decision.votes_for,
        "en_contra": decision.votes_against,
        "abstenciones": decision.abstentions,
        "sin_voto": decision.not_voted,
        "resultado": decision.outcome.value,
        "dirimente": decision.casting_decision.value if decision.casting_decision else None,
    }


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _counts_text(decision: ItemDecision) -> str:
    return (
        f"{decision.votes_for} a favor, {decision.votes_against} en contra, "
        f"{_plural(decision.abstentions, 'abstención', 'abstenciones')} y "
        f"{decision.not_voted} sin votar, de "
        f"{_plural(decision.present_voting, 'integrante con voto presente', 'integrantes con voto presentes')}"
    )


# ---------------------------------------------------------------- installing the session


def open_session(session: DbSession, committee_session: CommitteeSession, *, actor: User, now: datetime) -> CommitteeSession:
    """Install a convened session in the room (``convocada → en_curso``), on its day or later.

    The quorum is verified afterwards, with the attendance (seed Mesa §8: "al inicio de las
    reuniones se debe verificar la existencia de quórum"); without it nothing is deliberated or voted.
    """
    _require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    if committee_session.state is not SessionState.CONVOCADA:
        raise WrongState(
            f"La {committee_session.label} está {committee_session.state.label.lower()}: solo se instala una sesión convocada."
        )
    day = local_date(committee_session.starts_at)
    if local_date(now) < day:
        raise WrongState(f"La {committee_session.label} es el {day:%d/%m/%Y}: se instala ese día, no antes.")
    before = committee_session.snapshot()
    committee_session.state = SessionState.EN_CURSO
    committee_session.opened_at = now
    committee_session.updated_at = now
    session.flush()
    audit_session(session, committee_session, actor, "instalar", before)
    return committee_session


# ---------------------------------------------------------------- attendance


def _valid_email(value: str | None, errors: dict[str, list[str]]) -> str | None:
    cleaned = _clean(value)
    if cleaned is None:
        return None
    try:
        return validate_email(cleaned, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = ["El correo no es válido."]
        return None


def _text_field(value: str | None, field: str, errors: dict[str, list[str]], *, required: str | None) -> str | None:
    cleaned = _clean(value)
    if cleaned is None and required:
        errors[field] = [required]
    elif cleaned is not None and len(cleaned) > 200:
        errors[field] = ["Admite hasta 200 caracteres."]
    return cleaned


def record_attendance(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    kind: AttendanceKind,
    now: datetime,
    member_id: int | None = None,
    guest_id: int | None = None,
    name: str | None = None,
    position: str | None = None,
    email: str | None = None,
    communication: tuple[str, bytes] | None = None,
    arrived_at: datetime | None = None,
) -> SessionAttendance:
    """Put somebody on the listado de asistencia of a session in course (SPEC §6).

    ``integrante``: an active member in person. ``delegado``: somebody sent by an active member, with
    its name, position and the official communication (a PDF, checked by content); it counts for
    the member it represents. ``invitado``: a guest of the session's list (``guest_id``) or a
    person named here, with the organisation in ``position``; a guest never counts for quorum. A
    member appears once per session, in person or by delegate.
    """
    _require_secretariat(actor)
    kind = _coerce(AttendanceKind, kind, "kind", "Indique si asiste un integrante, un delegado o un invitado.")
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
    if kind is AttendanceKind.INVITADO:
        if member_id is not None:
            errors["member_id"] = ["Un invitado no ocupa un puesto del comité: regístrelo como integrante o delegado."]
        if guest_id is not None:
            guest = session.get(SessionGuest, guest_id)
            if guest is None or guest.session_id != committee_session.id:
                errors["guest_id"] = ["Esa persona no está en la lista de invitados de esta sesión."]
                guest = None
    else:
        member = session.get(CommitteeMember, member_id) if member_id is not None else None
        if member is None or not member.is_active:
            errors["member_id"] = ["Seleccione un integrante activo del comité."]
            member = None

    person_name: str | None
    person_position: str | None
    person_email: str | None
    checked = None
    if kind is AttendanceKind.INTEGRANTE:
        person_name = member.user.full_name if member else None
        person_position = member.position if member else None
        person_email = member.user.email if member else None
    elif kind is AttendanceKind.DELEGADO:
        person_name = _text_field(name, "name", errors, required="Escriba el nombre de la persona delegada.")
        person_position = _text_field(position, "position", errors, required="Escriba el cargo de la persona delegada.")
        person_email = _valid_email(email, errors)
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

    if member is not None:
        existing = session.execute(
            select(SessionAttendance).where(
                SessionAttendance.session_id == committee_session.id, SessionAttendance.member_id == member.id
            )
        ).scalar()
        if existing is not None:
            how = "en persona" if existing.kind is AttendanceKind.INTEGRANTE else f"por delegación en {existing.name}"
            raise WrongState(f"{member.user.full_name} ya está registrado en esta sesión ({how}).")
    if (
        guest is not None
        and session.execute(
            select(SessionAttendance.id).where(
                SessionAttendance.session_id == committee_session.id, SessionAttendance.guest_id == guest.id
            )
        ).scalar()
    ):
        raise WrongState(f"{guest.name} ya está registrado en esta sesión.")

    document = None
    if checked is not None:
        document = CommitteeDocument(
            session_id=committee_session.id,
            purpose=DELEGATION_PURPOSE,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            content=checked.content,
            uploaded_by_id=actor.id,
            uploaded_at=now,
        )
        session.add(document)
        session.flush()
    attendance = SessionAttendance(
        session_id=committee_session.id,
        kind=kind,
        member_id=member.id if member else None,
        guest_id=guest.id if guest else None,
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
    _audit(session, committee_session, actor, "asistencia.salida", _attendance_snapshot(attendance), before)
    return attendance


def record_return(
    session: DbSession, committee_session: CommitteeSession, attendance_id: int, *, actor: User, now: datetime
) -> SessionAttendance:
    """Somebody who left comes back to the room (the departure stays on the audit trail)."""
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, committee_session.id, "registrar regresos")
    attendance = _lock_attendance(session, committee_session, attendance_id)
    if attendance.left_at is None:
        raise WrongState(f"{attendance.name} está en la sesión: no hay salida que anular.")
    before = _attendance_snapshot(attendance)
    attendance.left_at = None
    session.flush()
    _audit(session, committee_session, actor, "asistencia.regreso", _attendance_snapshot(attendance), before)
    return attendance


# ---------------------------------------------------------------- deliberation and votes


def save_item_notes(session: DbSession, item: AgendaItem, *, actor: User, notes: str, now: datetime) -> AgendaItem:
    """Write the deliberation of an item (what was said), for the acta.

    "Sesionará y deliberará con la mayoría de sus integrantes" (seed Mesa §8): quorum is needed,
    except on the quorum verification item, which records whether there was any.
    """
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, item.session_id, "registrar la deliberación")
    item = _lock_item(session, committee_session, item.id)
    cleaned = _clean(notes)
    if cleaned is not None and len(cleaned) > MAX_NOTES:
        raise ValidationFailed(
            f"La deliberación admite hasta {MAX_NOTES} caracteres.", fields={"notes": [f"Máximo {MAX_NOTES} caracteres."]}
        )
    if item.kind is not AgendaItemKind.QUORUM:
        _require_quorum(session, committee_session, "deliberar")
    before = _item_snapshot(item) | {"notas": item.notes}
    item.notes = cleaned
    session.flush()
    _audit(session, committee_session, actor, "punto.deliberacion", _item_snapshot(item) | {"notas": item.notes}, before)
    return item


def open_voting(session: DbSession, item: AgendaItem, *, actor: User, now: datetime) -> AgendaItem:
    """Open the voting of an initiative or a topic; one voting at a time, with quorum."""
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, item.session_id, "abrir votaciones")
    item = _lock_item(session, committee_session, item.id)
    if item.kind not in VOTABLE_KINDS:
        raise WrongState(f"«{item.title}» no se somete a votación: se votan las iniciativas y los temas.")
    if item.voting_opened_at is not None:
        if _decision_of(session, item) is None:
            raise WrongState(f"La votación de «{item.title}» ya está abierta.")
        raise WrongState(f"La votación de «{item.title}» ya se cerró.")
    if item.initiative is not None and item.initiative.state is not InitiativeState.EN_AGENDA:
        raise WrongState(f"La iniciativa {item.initiative.code} está {item.initiative.state.label.lower()}: no se puede votar.")
    decided = set(
        session.execute(
            select(ItemDecision.item_id).join(AgendaItem).where(AgendaItem.session_id == committee_session.id)
        ).scalars()
    )
    other = next(
        (i for i in agenda_items(session, committee_session) if i.voting_opened_at is not None and i.id not in decided),
        None,
    )
    if other is not None:
        raise WrongState(f"Cierre primero la votación de «{other.title}».")
    _require_quorum(session, committee_session, "votar")
    item.voting_opened_at = now
    session.flush()
    _audit(session, committee_session, actor, "voto.apertura", _item_snapshot(item))
    return item


def _voter(
    session: DbSession, committee_session: CommitteeSession, actor: User, member_id: int | None
) -> tuple[CommitteeMember, SessionAttendance | None]:
    """The member whose vote is cast, and its attendance row (None when not registered)."""
    if member_id is None:
        member = session.execute(
            select(CommitteeMember).where(CommitteeMember.user_id == actor.id, CommitteeMember.is_active.is_(True))
        ).scalar()
        if member is None:
            raise NotAllowed("Solo votan los integrantes del comité.")
    else:
        member = session.get(CommitteeMember, member_id)
        if member is None or not member.is_active:
            raise ValidationFailed("Seleccione un integrante activo del comité.", fields={"member_id": ["No válido."]})
        if member.user_id != actor.id and not actor.has_role(Role.SECRETARIA_TECNICA):
            raise NotAllowed("Cada integrante vota por sí mismo; la secretaría técnica registra los votos dados de viva voz.")
    if not member.is_voting:
        raise NotAllowed(f"{member.user.full_name} participa con voz pero sin voto.")
    attendance = session.execute(
        select(SessionAttendance).where(
            SessionAttendance.session_id == committee_session.id, SessionAttendance.member_id == member.id
        )
    ).scalar()
    return member, attendance


def cast_vote(
    session: DbSession,
    item: AgendaItem,
    *,
    actor: User,
    choice: VoteChoice,
    now: datetime,
    member_id: int | None = None,
) -> AgendaVote:
    """A vote on the open voting of an item: ``a_favor``, ``en_contra`` or ``abstencion`` (SPEC §6).

    A voting member present in person votes for itself; the secretariat records the vote of a
    member present in person or by delegate (``member_id``). Quorum must hold at that moment. The
    vote may change until the voting closes (each change on the audit trail).
    """
    choice = _coerce(VoteChoice, choice, "choice", "El voto es a favor, en contra o abstención.")
    committee_session = _lock_in_course(session, item.session_id, "votar")
    item = _lock_item(session, committee_session, item.id)
    if not _is_voting_open(item, _decision_of(session, item)):
        raise WrongState(f"La votación de «{item.title}» no está abierta.")
    member, attendance = _voter(session, committee_session, actor, member_id)
    on_own_behalf = member.user_id == actor.id
    name = member.user.full_name
    if attendance is None or attendance.left_at is not None:
        raise WrongState(f"{name} no está presente en la sesión: solo votan los integrantes presentes.")
    if on_own_behalf and attendance.kind is AttendanceKind.DELEGADO:
        raise WrongState(
            f"{name} está representado por {attendance.name}: la secretaría técnica registra el voto de la delegación."
        )
    _require_quorum(session, committee_session, "votar")
    vote = session.execute(
        select(AgendaVote)
        .where(AgendaVote.item_id == item.id, AgendaVote.member_id == member.id)
        .execution_options(populate_existing=True)
    ).scalar()
    details = _item_snapshot(item) | {"integrante": member.id, "nombre": name}
    if vote is None:
        vote = AgendaVote(item_id=item.id, member_id=member.id, choice=choice, cast_by_id=actor.id, cast_at=now)
        session.add(vote)
        session.flush()
        _audit(session, committee_session, actor, "voto.emitido", details | {"voto": choice.value})
    elif vote.choice is not choice:
        before = details | {"voto": vote.choice.value}
        vote.choice = choice
        vote.cast_by_id = actor.id
        vote.cast_at = now
        session.flush()
        _audit(session, committee_session, actor, "voto.cambio", details | {"voto": choice.value}, before)
    return vote


def _apply_to_initiative(
    session: DbSession,
    committee_session: CommitteeSession,
    item: AgendaItem,
    *,
    actor: User,
    outcome: InitiativeState,
    note: str,
    now: datetime,
) -> None:
    if item.initiative is None:
        return
    services.record_outcome(
        session, item.initiative, actor=actor, outcome=outcome, note=note, now=now, committee_session=committee_session
    )


#: what the votes do to an initiative, and the note its history keeps (a tie waits for the chair)
INITIATIVE_AFTER = {
    ItemOutcome.APROBADA: (InitiativeState.APROBADA, "Aprobada: {counts}."),
    ItemOutcome.RECHAZADA: (InitiativeState.RECHAZADA, "Rechazada: {counts}."),
    ItemOutcome.SIN_DECISION: (InitiativeState.APLAZADA, "Sin decisión de la mayoría de los asistentes ({counts})."),
}
LOST_QUORUM = "Sin quórum para decidir: la sesión se cerró con la votación abierta ({counts})."


def _count_votes(
    session: DbSession,
    committee_session: CommitteeSession,
    item: AgendaItem,
    *,
    actor: User,
    status: QuorumStatus,
    now: datetime,
) -> ItemDecision:
    """Count the open voting of ``item`` as it stands and record its decision (without quorum: none)."""
    present = _present_voting_ids(session, committee_session.id)
    votes = session.execute(select(AgendaVote).where(AgendaVote.item_id == item.id)).scalars().all()
    counted = [v.choice for v in votes if v.member_id in present]
    votes_for, votes_against = counted.count(VoteChoice.A_FAVOR), counted.count(VoteChoice.EN_CONTRA)
    decision = ItemDecision(
        item_id=item.id,
        voting_members=status.voting_members,
        present_voting=len(present),
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=counted.count(VoteChoice.ABSTENCION),
        not_voted=len(present) - len(counted),
        outcome=outcome_of(len(present), votes_for, votes_against) if status.has_quorum else ItemOutcome.SIN_DECISION,
        closed_by_id=actor.id,
        closed_at=now,
    )
    session.add(decision)
    session.flush()
    _audit(
        session,
        committee_session,
        actor,
        "voto.cierre",
        _item_snapshot(item) | _decision_snapshot(decision) | {"quorum": status.has_quorum},
    )
    if decision.outcome in INITIATIVE_AFTER:
        state, note = INITIATIVE_AFTER[decision.outcome]
        note = note if status.has_quorum else LOST_QUORUM
        counts = _counts_text(decision)
        _apply_to_initiative(
            session, committee_session, item, actor=actor, outcome=state, note=note.format(counts=counts), now=now
        )
    return decision


def close_voting(session: DbSession, item: AgendaItem, *, actor: User, now: datetime) -> ItemDecision:
    """Close the voting and count it (SPEC §6, seed Mesa §8); the initiative follows the decision.

    Only the votes of the voting members present at the close count (a member who left takes its
    vote with it); a member present who did not vote counts as ``not_voted``, which weighs like an
    abstention against the majority of those present. A tie waits for the chair's casting decision.
    """
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, item.session_id, "cerrar votaciones")
    item = _lock_item(session, committee_session, item.id)
    if not _is_voting_open(item, _decision_of(session, item)):
        raise WrongState(f"La votación de «{item.title}» no está abierta.")
    status = _require_quorum(session, committee_session, "cerrar la votación")
    return _count_votes(session, committee_session, item, actor=actor, status=status, now=now)


def cast_deciding_vote(
    session: DbSession, item: AgendaItem, *, actor: User, decision: ItemOutcome, note: str | None, now: datetime
) -> ItemDecision:
    """The chair breaks a tie: "en caso de empate … el jefe de la Oficina Asesora de Informática
    tomará la decisión" (seed Mesa §8). Only the head of the IT office (role ``secretario``)."""
    if not actor.has_role(Role.SECRETARIO):
        raise NotAllowed("En caso de empate decide el jefe de la oficina TIC, que preside el comité.")
    decision = _coerce(ItemOutcome, decision, "decision", "La decisión dirimente es aprobar o rechazar.")
    if decision not in (ItemOutcome.APROBADA, ItemOutcome.RECHAZADA):
        raise ValidationFailed("La decisión dirimente es aprobar o rechazar.", fields={"decision": ["Valor no válido."]})
    cleaned = _clean(note)
    if cleaned is not None and len(cleaned) > MAX_CASTING_NOTE:
        raise ValidationFailed(
            f"La justificación admite hasta {MAX_CASTING_NOTE} caracteres.", fields={"note": ["Texto demasiado largo."]}
        )
    committee_session = _lock_in_course(session, item.session_id, "registrar la decisión dirimente")
    item = _lock_item(session, committee_session, item.id)
    decided = session.execute(
        select(ItemDecision)
        .where(ItemDecision.item_id == item.id)
        .with_for_update(of=ItemDecision)
        .execution_options(populate_existing=True)
    ).scalar()
    if decided is None or decided.outcome is not ItemOutcome.EMPATE:
        raise WrongState(f"«{item.title}» no terminó en empate: no hay decisión dirimente que tomar.")
    if decided.casting_decision is not None:
        raise WrongState(f"El empate de «{item.title}» ya se dirimió ({decided.casting_decision.label.lower()}).")
    before = _decision_snapshot(decided)
    decided.casting_decision = decision
    decided.casting_by_id = actor.id
    decided.casting_at = now
    decided.casting_note = cleaned
    session.flush()
    _audit(
        session,
        committee_session,
        actor,
        "voto.dirimente",
        _item_snapshot(item) | _decision_snapshot(decided) | {"nota": cleaned},
        _item_snapshot(item) | before,
    )
    outcome = InitiativeState.APROBADA if decision is ItemOutcome.APROBADA else InitiativeState.RECHAZADA
    text = f"Empate ({_counts_text(decided)}); decisión dirimente de quien preside: {decision.label.lower()}."
    _apply_to_initiative(
        session,
        committee_session,
        item,
        actor=actor,
        outcome=outcome,
        note=f"{text} {cleaned}" if cleaned else text,
        now=now,
    )
    return decided


# ---------------------------------------------------------------- closing the session


def close_session(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    now: datetime,
    context: CommitteeContext | None = None,
) -> CommitteeSession:
    """Close the session (``en_curso → realizada``); its acta and the deadline to send it follow.

    Refused while a voting is open or a tie awaits the chair. When the quorum is lost for good with
    a voting open, closing the session closes that voting without decision (the room cannot decide,
    and the session must still end). An initiative on the agenda that was never voted is deferred
    ("No se trató en la sesión.") and may go on a later agenda.
    """
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, committee_session.id, "cerrar")
    items = agenda_items(session, committee_session)
    decisions = {
        d.item_id: d
        for d in session.execute(
            select(ItemDecision).join(AgendaItem).where(AgendaItem.session_id == committee_session.id)
        ).scalars()
    }
    status = quorum(session, committee_session)
    for item in items:
        decision = decisions.get(item.id)
        if _is_voting_open(item, decision) and status.has_quorum:
            raise WrongState(f"La votación de «{item.title}» sigue abierta: ciérrela antes de cerrar la sesión.")
        if decision is not None and decision.outcome is ItemOutcome.EMPATE and decision.casting_decision is None:
            raise WrongState(f"«{item.title}» terminó en empate: falta la decisión de quien preside.")
    before = committee_session.snapshot()
    for item in items:
        if _is_voting_open(item, decisions.get(item.id)):
            decisions[item.id] = _count_votes(session, committee_session, item, actor=actor, status=status, now=now)
    deferred = []
    for item in items:
        initiative = item.initiative
        if item.id in decisions or initiative is None or initiative.state is not InitiativeState.EN_AGENDA:
            continue
        services.record_outcome(
            session,
            initiative,
            actor=actor,
            outcome=InitiativeState.APLAZADA,
            note=NOT_TREATED,
            now=now,
            committee_session=committee_session,
        )
        deferred.append(initiative.code)
    committee_session.state = SessionState.REALIZADA
    committee_session.closed_at = now
    committee_session.updated_at = now
    session.flush()
    audit_session(session, committee_session, actor, "cierre", before, aplazadas_sin_tratar=deferred)
    from catalog.actas import on_session_closed

    on_session_closed(session, committee_session, actor=actor, now=now, context=context)
    return committee_session


# ---------------------------------------------------------------- the live page


@dataclass(frozen=True)
class ItemRoom:
    """An agenda item as the room sees it: its votes so far and, once closed, its decision."""

    item: AgendaItem
    #: every vote cast, including those of members who have left (not counted while they are out)
    votes: tuple[AgendaVote, ...]
    decision: ItemDecision | None
    votes_for: int
    votes_against: int
    abstentions: int
    #: voting members in the room who have not voted yet
    not_voted: tuple[CommitteeMember, ...]

    @property
    def is_votable(self) -> bool:
        return self.item.kind in VOTABLE_KINDS

    @property
    def is_voting_open(self) -> bool:
        return _is_voting_open(self.item, self.decision)

    @property
    def awaits_casting(self) -> bool:
        return (
            self.decision is not None and self.decision.outcome is ItemOutcome.EMPATE and self.decision.casting_decision is None
        )

    def vote_of(self, member_id: int) -> AgendaVote | None:
        return next((v for v in self.votes if v.member_id == member_id), None)


@dataclass(frozen=True)
class RoomState:
    """What the live page of a session shows."""

    committee_session: CommitteeSession
    #: the listado de asistencia in order of arrival (those who left included, with ``left_at``)
    attendance: tuple[SessionAttendance, ...]
    quorum: QuorumStatus
    items: tuple[ItemRoom, ...]
    #: active voting members not in the room now (never arrived, or left)
    absent_voting: tuple[CommitteeMember, ...]
    #: active members (with or without vote) not on the attendance list yet: who may still be registered
    not_registered: tuple[CommitteeMember, ...]

    @property
    def open_item(self) -> ItemRoom | None:
        return next((i for i in self.items if i.is_voting_open), None)

    @property
    def pending_ties(self) -> tuple[ItemRoom, ...]:
        return tuple(i for i in self.items if i.awaits_casting)


def _ordered(members: Iterable[CommitteeMember]) -> tuple[CommitteeMember, ...]:
    return tuple(sorted(members, key=lambda m: (not m.is_chair, not m.is_voting, m.is_technical_secretariat, m.id)))


def room_state(session: DbSession, committee_session: CommitteeSession) -> RoomState:
    """The session in the room in a constant number of queries, however many attend or vote."""
    attendance = tuple(
        session.execute(
            select(SessionAttendance)
            .where(SessionAttendance.session_id == committee_session.id)
            .order_by(SessionAttendance.arrived_at, SessionAttendance.id)
        )
        .unique()
        .scalars()
    )
    members = session.execute(select(CommitteeMember).where(CommitteeMember.is_active.is_(True))).unique().scalars().all()
    items = agenda_items(session, committee_session)
    votes = (
        session.execute(
            select(AgendaVote)
            .join(AgendaItem, AgendaItem.id == AgendaVote.item_id)
            .where(AgendaItem.session_id == committee_session.id)
            .order_by(AgendaVote.id)
        )
        .unique()
        .scalars()
        .all()
    )
    decisions = {
        d.item_id: d
        for d in session.execute(
            select(ItemDecision)
            .join(AgendaItem, AgendaItem.id == ItemDecision.item_id)
            .where(AgendaItem.session_id == committee_session.id)
        )
        .unique()
        .scalars()
    }
    voting = [m for m in members if m.is_voting]
    registered = {a.member_id for a in attendance if a.member_id is not None}
    present = {a.member_id for a in attendance if a.member_id is not None and a.left_at is None}
    present_voting = [m for m in voting if m.id in present]
    status = _quorum_status(len(voting), len(present_voting))
    by_item: dict[int, list[AgendaVote]] = {}
    for vote in votes:
        by_item.setdefault(vote.item_id, []).append(vote)
    rooms = []
    for item in items:
        item_votes = by_item.get(item.id, [])
        counted = {v.member_id: v.choice for v in item_votes if v.member_id in present}
        choices = list(counted.values())
        rooms.append(
            ItemRoom(
                item=item,
                votes=tuple(item_votes),
                decision=decisions.get(item.id),
                votes_for=choices.count(VoteChoice.A_FAVOR),
                votes_against=choices.count(VoteChoice.EN_CONTRA),
                abstentions=choices.count(VoteChoice.ABSTENCION),
                not_voted=_ordered(m for m in present_voting if m.id not in counted),
            )
        )
    return RoomState(
        committee_session=committee_session,
        attendance=attendance,
        quorum=status,
        items=tuple(rooms),
        absent_voting=_ordered(m for m in voting if m.id not in present),
        not_registered=_ordered(m for m in members if m.id not in registered),
    )
