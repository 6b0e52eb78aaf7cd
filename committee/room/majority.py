"""Quorum "con la mayoría de sus integrantes" and decisions "por la mayoría de los integrantes asistentes"
(seed Mesa §8), counted live from the attendance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from committee.models import CommitteeMember, CommitteeSession
from committee.room.models import ItemOutcome, SessionAttendance
from portal.db import DbSession
from portal.errors import WrongState


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
