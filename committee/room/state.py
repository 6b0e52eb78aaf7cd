"""The live page of a session in the room: attendance, quorum, each item's votes and decision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from committee.models import AgendaItem, CommitteeMember, CommitteeSession
from committee.room.common import VOTABLE_KINDS, _is_voting_open
from committee.room.heads import HeadStatus, head_status
from committee.room.majority import QuorumStatus, _quorum_status
from committee.room.models import AgendaVote, ItemDecision, ItemOutcome, SessionAttendance, VoteChoice
from committee.sessions.agenda import agenda_items
from portal.db import DbSession


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
    #: an initiative: the head of its dependency, who must attend (seed Mesa §3), and whether in the room
    head: HeadStatus | None = None

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

    def delegate_seat(self, user_id: int) -> CommitteeMember | None:
        """The member a user represents in the room as its delegate (registered with its account)."""
        return next(
            (a.member for a in self.attendance if a.kind.value == "delegado" and a.user_id == user_id and a.left_at is None),
            None,
        )

    @property
    def open_item(self) -> ItemRoom | None:
        return next((i for i in self.items if i.is_voting_open), None)

    @property
    def pending_ties(self) -> tuple[ItemRoom, ...]:
        return tuple(i for i in self.items if i.awaits_casting)


def _ordered(members: Iterable[CommitteeMember]) -> tuple[CommitteeMember, ...]:
    return tuple(sorted(members, key=lambda m: (not m.is_chair, not m.is_voting, m.is_technical_secretariat, m.id)))


def room_state(session: DbSession, committee_session: CommitteeSession) -> RoomState:
    """The session in the room in a constant number of queries however many attend or vote (plus
    one per initiative whose dependency has no recorded head)."""
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
                head=head_status(session, item, attendance),
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
