"""Deliberation, votes, the chair's casting decision and the closing of the session (SPEC §6, seed
Mesa §8); the initiatives on the agenda follow the decisions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from catalog import services
from catalog.models import InitiativeState
from committee.models import AgendaItem, AgendaItemKind, CommitteeMember, CommitteeSession
from committee.room.common import VOTABLE_KINDS, _audit, _coerce, _is_voting_open, _lock_in_course, _require_secretariat
from committee.room.heads import head_status
from committee.room.majority import QuorumStatus, _present_voting_ids, _require_quorum, outcome_of
from committee.room.models import (
    AgendaVote,
    AttendanceKind,
    ItemDecision,
    ItemOutcome,
    NoDecisionReason,
    SessionAttendance,
    VoteChoice,
)
from committee.sessions.agenda import agenda_items
from committee.sessions.common import hora
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.models import User
from portal.roles import Role
from portal.text import optional_text

MAX_NOTES = 20_000
MIN_CASTING_NOTE = 10
MAX_CASTING_NOTE = 2_000
NOT_TREATED = "No se trató en la sesión."


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


def _decision_of(session: DbSession, item: AgendaItem) -> ItemDecision | None:
    return session.execute(
        select(ItemDecision).where(ItemDecision.item_id == item.id).execution_options(populate_existing=True)
    ).scalar()


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
        "sin_decision_por": decision.no_decision_reason.value if decision.no_decision_reason else None,
        "presentes": [p["member_id"] for p in decision.present_at_close],
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


# ---------------------------------------------------------------- deliberation and votes


def save_item_notes(session: DbSession, item: AgendaItem, *, actor: User, notes: str, now: datetime) -> AgendaItem:
    """Write the deliberation of an item (what was said), for the acta.

    "Sesionará y deliberará con la mayoría de sus integrantes" (seed Mesa §8): quorum is needed,
    except on the quorum verification item, which records whether there was any.
    """
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, item.session_id, "registrar la deliberación")
    item = _lock_item(session, committee_session, item.id)
    cleaned = optional_text(notes)
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


def open_voting(session: DbSession, item: AgendaItem, *, actor: User, now: datetime, without_head: bool = False) -> AgendaItem:
    """Open the voting of an initiative or a topic; one voting at a time, with quorum.

    An initiative's dependency head must attend (seed Mesa §3): with the head out of the room the
    voting opens only when the secretariat confirms voting without the head (``without_head``),
    which the item keeps for the acta; otherwise ``WrongState``.
    """
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
    attendance = (
        session.execute(select(SessionAttendance).where(SessionAttendance.session_id == committee_session.id)).scalars().all()
    )
    head = head_status(session, item, attendance)
    details = _item_snapshot(item)
    if head is not None and not head.is_present:
        if not without_head:
            raise WrongState(
                f"El jefe de {head.dependency.name} ({head.names}) debe asistir a la votación de la iniciativa de su dependencia "
                "y no está en la sala: regístrelo como presente, o confirme que se vota sin su presencia."
            )
        item.head_absence_confirmed_by_id = actor.id
        item.head_absence_confirmed_at = now
        details |= {"sin_jefe": head.names, "confirmado_por": actor.id}
    item.voting_opened_at = now
    session.flush()
    _audit(session, committee_session, actor, "voto.apertura", details)
    return item


def _voter(
    session: DbSession, committee_session: CommitteeSession, actor: User, member_id: int | None
) -> tuple[CommitteeMember, SessionAttendance | None, bool]:
    """The member whose vote is cast, its attendance row (None when not registered), and whether the
    actor casts it as its own: the member itself, or the delegate registered with its account."""
    rows = session.execute(select(SessionAttendance).where(SessionAttendance.session_id == committee_session.id)).scalars().all()
    as_delegate = next((a for a in rows if a.kind is AttendanceKind.DELEGADO and a.user_id == actor.id), None)
    if member_id is None:
        member = session.execute(
            select(CommitteeMember).where(CommitteeMember.user_id == actor.id, CommitteeMember.is_active.is_(True))
        ).scalar()
        if member is None and as_delegate is not None:
            member = as_delegate.member
        if member is None:
            raise NotAllowed("Solo votan los integrantes del comité y sus delegados.")
    else:
        member = session.get(CommitteeMember, member_id)
        if member is None or not member.is_active:
            raise ValidationFailed("Seleccione un integrante activo del comité.", fields={"member_id": ["No válido."]})
        delegate_of = as_delegate is not None and as_delegate.member_id == member.id
        if member.user_id != actor.id and not delegate_of and not actor.has_role(Role.SECRETARIA_TECNICA):
            raise NotAllowed("Cada integrante vota por sí mismo; la secretaría técnica registra los votos dados de viva voz.")
    if not member.is_voting:
        raise NotAllowed(f"{member.user.full_name} participa con voz pero sin voto.")
    attendance = next((a for a in rows if a.member_id == member.id), None)
    if attendance is not None and attendance.kind is AttendanceKind.DELEGADO:
        own = attendance.user_id == actor.id
    else:
        own = member.user_id == actor.id
    return member, attendance, own


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

    A voting member present in person votes from its own device, and so does the delegate of a
    member when registered with its portal account; the secretariat records the votes given aloud
    (``member_id``) only for members who have not voted themselves: a member's own vote is changed
    only by that member (``WrongState`` otherwise). Quorum must hold at that moment. A vote may
    change until the voting closes (each change on the audit trail).
    """
    choice = _coerce(VoteChoice, choice, "choice", "El voto es a favor, en contra o abstención.")
    committee_session = _lock_in_course(session, item.session_id, "votar")
    item = _lock_item(session, committee_session, item.id)
    if not _is_voting_open(item, _decision_of(session, item)):
        raise WrongState(f"La votación de «{item.title}» no está abierta.")
    member, attendance, own = _voter(session, committee_session, actor, member_id)
    name = member.user.full_name
    if attendance is None or attendance.left_at is not None:
        raise WrongState(f"{name} no está presente en la sesión: solo votan los integrantes presentes.")
    if member.user_id == actor.id and attendance.kind is AttendanceKind.DELEGADO:
        raise WrongState(f"{name} está representado por {attendance.name}: vota la delegación.")
    _require_quorum(session, committee_session, "votar")
    vote = session.execute(
        select(AgendaVote)
        .where(AgendaVote.item_id == item.id, AgendaVote.member_id == member.id)
        .execution_options(populate_existing=True)
    ).scalar()
    if vote is not None and vote.is_own_vote and not own:
        raise WrongState(
            f"{name} votó desde su propio dispositivo ({vote.choice.label.lower()}): solo {name} puede cambiar su voto."
        )
    details = _item_snapshot(item) | {"integrante": member.id, "nombre": name, "voto_propio": own}
    if vote is None:
        vote = AgendaVote(item_id=item.id, member_id=member.id, choice=choice, cast_by_id=actor.id, cast_at=now, is_own_vote=own)
        session.add(vote)
        session.flush()
        _audit(session, committee_session, actor, "voto.emitido", details | {"voto": choice.value})
    elif vote.choice is not choice or vote.is_own_vote is not own:
        before = details | {"voto": vote.choice.value, "voto_propio": vote.is_own_vote, "registro": vote.cast_by_id}
        vote.choice = choice
        vote.cast_by_id = actor.id
        vote.cast_at = now
        vote.is_own_vote = own
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


def _present_at_close(session: DbSession, committee_session_id: int, present: set[int]) -> list[dict[str, Any]]:
    """Who was in the room with vote: each member, and its delegate when represented."""
    rows = session.execute(
        select(SessionAttendance).where(
            SessionAttendance.session_id == committee_session_id, SessionAttendance.member_id.in_(sorted(present))
        )
    ).scalars()
    found = sorted((a for a in rows if a.member is not None), key=lambda a: _member_rank(a.member))
    return [
        {
            "member_id": a.member_id,
            "name": a.member.user.full_name if a.member else a.name,
            "position": a.member.position if a.member else "",
            "delegate": a.name if a.kind is AttendanceKind.DELEGADO else None,
        }
        for a in found
    ]


def _member_rank(member: CommitteeMember | None) -> tuple[bool, bool, bool, int]:
    if member is None:
        return (True, True, True, 0)
    return (not member.is_chair, not member.is_voting, member.is_technical_secretariat, member.id)


def _count_votes(
    session: DbSession,
    committee_session: CommitteeSession,
    item: AgendaItem,
    *,
    actor: User,
    status: QuorumStatus,
    now: datetime,
) -> ItemDecision:
    """Count the open voting of ``item`` as it stands and record its decision with who was present
    (without quorum: none)."""
    present = _present_voting_ids(session, committee_session.id)
    votes = session.execute(select(AgendaVote).where(AgendaVote.item_id == item.id)).scalars().all()
    counted = [v.choice for v in votes if v.member_id in present]
    votes_for, votes_against = counted.count(VoteChoice.A_FAVOR), counted.count(VoteChoice.EN_CONTRA)
    outcome = outcome_of(len(present), votes_for, votes_against) if status.has_quorum else ItemOutcome.SIN_DECISION
    reason = None
    if outcome is ItemOutcome.SIN_DECISION:
        reason = NoDecisionReason.SIN_MAYORIA if status.has_quorum else NoDecisionReason.SIN_QUORUM
    decision = ItemDecision(
        item_id=item.id,
        voting_members=status.voting_members,
        present_voting=len(present),
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=counted.count(VoteChoice.ABSTENCION),
        not_voted=len(present) - len(counted),
        outcome=outcome,
        no_decision_reason=reason,
        closed_by_id=actor.id,
        closed_at=now,
        present_at_close=_present_at_close(session, committee_session.id, present),
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


def _chair_in_room(session: DbSession, committee_session: CommitteeSession, actor: User) -> None:
    """The chair breaks a tie from the room: in person, and not recorded as having left."""
    seat = session.execute(
        select(CommitteeMember).where(
            CommitteeMember.user_id == actor.id, CommitteeMember.is_chair.is_(True), CommitteeMember.is_active.is_(True)
        )
    ).scalar()
    if seat is None:
        raise NotAllowed("En caso de empate decide el jefe de la oficina TIC, que preside el comité.")
    attendance = session.execute(
        select(SessionAttendance).where(
            SessionAttendance.session_id == committee_session.id, SessionAttendance.member_id == seat.id
        )
    ).scalar()
    if attendance is None or attendance.kind is not AttendanceKind.INTEGRANTE:
        raise WrongState(f"{actor.full_name} no está registrado en la sesión: quien preside dirime el empate en la sala.")
    if attendance.left_at is not None:
        raise WrongState(
            f"{actor.full_name} salió de la sesión a las {hora(attendance.left_at)}: no puede dirimir el empate; "
            "si no regresa, el punto queda sin decisión al cerrar la sesión."
        )


def cast_deciding_vote(
    session: DbSession, item: AgendaItem, *, actor: User, decision: ItemOutcome, note: str | None, now: datetime
) -> ItemDecision:
    """The chair breaks a tie: "en caso de empate … el jefe de la Oficina Asesora de Informática
    tomará la decisión" (seed Mesa §8). Only the head of the IT office who chairs (role
    ``secretario``), present in the room, with the reason of the decision (SPEC §6: mandatory)."""
    if not actor.has_role(Role.SECRETARIO):
        raise NotAllowed("En caso de empate decide el jefe de la oficina TIC, que preside el comité.")
    decision = _coerce(ItemOutcome, decision, "decision", "La decisión dirimente es aprobar o rechazar.")
    if decision not in (ItemOutcome.APROBADA, ItemOutcome.RECHAZADA):
        raise ValidationFailed("La decisión dirimente es aprobar o rechazar.", fields={"decision": ["Valor no válido."]})
    cleaned = optional_text(note)
    if cleaned is None or len(cleaned) < MIN_CASTING_NOTE:
        raise ValidationFailed(
            "La decisión dirimente se registra con su motivo.",
            fields={"note": [f"Escriba el motivo de la decisión (al menos {MIN_CASTING_NOTE} caracteres)."]},
        )
    if len(cleaned) > MAX_CASTING_NOTE:
        raise ValidationFailed(
            f"El motivo admite hasta {MAX_CASTING_NOTE} caracteres.", fields={"note": ["Texto demasiado largo."]}
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
    _chair_in_room(session, committee_session, actor)
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
    text = f"Empate ({_counts_text(decided)}); decisión dirimente de quien preside: {decision.label.lower()}. {cleaned}"
    _apply_to_initiative(session, committee_session, item, actor=actor, outcome=outcome, note=text, now=now)
    return decided


def leave_tie_unbroken(
    session: DbSession, committee_session: CommitteeSession, decision: ItemDecision, *, actor: User, now: datetime
) -> None:
    """A tie the chair cannot break (not in the room when the session closes) stays without decision;
    an initiative is deferred."""
    before = _decision_snapshot(decision)
    decision.no_decision_reason = NoDecisionReason.EMPATE_NO_DIRIMIDO
    session.flush()
    item = decision.item
    _audit(
        session, committee_session, actor, "voto.empate_no_dirimido", _item_snapshot(item) | _decision_snapshot(decision), before
    )
    _apply_to_initiative(
        session,
        committee_session,
        item,
        actor=actor,
        outcome=InitiativeState.APLAZADA,
        note=f"Empate no dirimido ({_counts_text(decision)}): quien preside no estaba en la sala al cerrar la sesión.",
        now=now,
    )
