"""Closing the session in the room (``en_curso → realizada``): open votings, ties, untreated
initiatives, and the draft acta that follows (SPEC §6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from catalog import services
from catalog.models import InitiativeState
from committee.models import AgendaItem, CommitteeMember, CommitteeSession, SessionState
from committee.room.attendance import EARLY_OPENING
from committee.room.common import _is_voting_open, _lock_in_course, _require_secretariat
from committee.room.majority import quorum
from committee.room.models import AttendanceKind, ItemDecision, ItemOutcome, SessionAttendance
from committee.room.votes import NOT_TREATED, _count_votes, leave_tie_unbroken
from committee.sessions.agenda import agenda_items
from committee.sessions.common import CommitteeContext, audit_session, hora
from portal.db import DbSession
from portal.errors import WrongState
from portal.models import User


def _chair_present(session: DbSession, committee_session: CommitteeSession) -> bool:
    """Whether the chair is in the room now, in person (who breaks ties, seed Mesa §8)."""
    return (
        session.execute(
            select(SessionAttendance.id)
            .join(CommitteeMember, CommitteeMember.id == SessionAttendance.member_id)
            .where(
                SessionAttendance.session_id == committee_session.id,
                SessionAttendance.kind == AttendanceKind.INTEGRANTE,
                SessionAttendance.left_at.is_(None),
                CommitteeMember.is_chair.is_(True),
            )
        ).first()
        is not None
    )


def close_session(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    now: datetime,
    context: CommitteeContext | None = None,
) -> CommitteeSession:
    """Close the session (``en_curso → realizada``); its acta and the deadline to send it follow.

    Refused before 30 minutes ahead of its scheduled start, while a voting is open, or while a tie
    awaits a chair who is in the room. When the quorum is lost for good with a voting open, closing
    the session closes that voting without decision ("sin quórum": the room cannot decide, and the
    session must still end); a tie whose chair is not in the room stays without decision ("empate
    no dirimido"). An initiative on the agenda that was never voted is deferred ("No se trató en la
    sesión.") and may go on a later agenda.
    """
    _require_secretariat(actor)
    committee_session = _lock_in_course(session, committee_session.id, "cerrar")
    if now < committee_session.starts_at - EARLY_OPENING:
        raise WrongState(
            f"La {committee_session.label} está convocada para las {hora(committee_session.starts_at)}: "
            "no se cierra antes de su hora."
        )
    items = agenda_items(session, committee_session)
    decisions = {
        d.item_id: d
        for d in session.execute(
            select(ItemDecision).join(AgendaItem).where(AgendaItem.session_id == committee_session.id)
        ).scalars()
    }
    status = quorum(session, committee_session)
    chair_present = _chair_present(session, committee_session)
    unbroken = []
    for item in items:
        decision = decisions.get(item.id)
        if _is_voting_open(item, decision) and status.has_quorum:
            raise WrongState(f"La votación de «{item.title}» sigue abierta: ciérrela antes de cerrar la sesión.")
        if (
            decision is not None
            and decision.outcome is ItemOutcome.EMPATE
            and decision.casting_decision is None
            and decision.no_decision_reason is None
        ):
            if chair_present:
                raise WrongState(f"«{item.title}» terminó en empate: falta la decisión de quien preside.")
            unbroken.append(decision)
    before = committee_session.snapshot()
    for decision in unbroken:
        leave_tie_unbroken(session, committee_session, decision, actor=actor, now=now)
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
    from committee.actas.services import on_session_closed

    on_session_closed(session, committee_session, actor=actor, now=now, context=context)
    return committee_session
