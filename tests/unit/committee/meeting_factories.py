"""A committee in the room, built through the real services and committed like a request handler.

Call inside an application context. ``nine_voting_members()`` seats the heads of Salud and Hacienda
next to the seven voting members of the demo committee (quorum: 5). ``held_session()`` programs a
session for ``SESSION_DAY`` with initiatives on its agenda, convenes it on ``NOW``, installs it at
``ROOM_NOW`` (9:00 in Bogotá on the session's day) and registers who is present in person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from catalog.models import InitiativeState
from committee import members
from committee.models import AgendaItem, AgendaItemKind, CommitteeMember, CommitteeSession
from committee.room import services as meeting
from committee.room.models import AgendaVote, AttendanceKind, ItemDecision, SessionAttendance, VoteChoice
from committee.sessions import agenda
from committee.sessions import services as sessions
from portal.extensions import db
from tests.unit.catalog.factories import NOW, convene, dependency_id, make_initiative, make_session, user

#: 9:00 in Bogotá on SESSION_DAY (20 March 2026)
ROOM_NOW = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)
#: the nine voting members once ``nine_voting_members()`` ran, the chair first
NINE = (
    "secretario",
    "integrante1",
    "integrante2",
    "seguridad",
    "integrante3",
    "integrante4",
    "integrante5",
    "jefe.salud",
    "jefe.hacienda",
)
SECRETARIAT = "st.mesa"
#: the smallest document that is a PDF by its content
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"


def at(minutes: int) -> datetime:
    """``minutes`` after the installation of the held session."""
    return ROOM_NOW + timedelta(minutes=minutes)


def member_id(username: str) -> int:
    found = db.session.execute(
        select(CommitteeMember.id).where(CommitteeMember.user_id == user(username).id, CommitteeMember.is_active.is_(True))
    ).scalar()
    assert found is not None, username
    return found


def nine_voting_members() -> dict[str, int]:
    """Seat the heads of Salud and Hacienda as voting members: 9 with vote. Returns username -> member id."""
    seated = {m.user.username for m in members.active_members(db.session)}
    for username, code, position in (
        ("jefe.salud", "SAL", "Secretario de Salud"),
        ("jefe.hacienda", "HAC", "Secretaria de Hacienda"),
    ):
        if username not in seated:
            members.save_committee_member(
                db.session,
                actor=None,
                data=members.MemberData(user_id=user(username).id, position=position, dependency_id=dependency_id(code)),
            )
    db.session.commit()
    return {username: member_id(username) for username in NINE}


def committee_session(session_id: int) -> CommitteeSession:
    return db.session.execute(
        select(CommitteeSession).where(CommitteeSession.id == session_id).execution_options(populate_existing=True)
    ).scalar_one()


def item(item_id: int) -> AgendaItem:
    return db.session.execute(
        select(AgendaItem).where(AgendaItem.id == item_id).execution_options(populate_existing=True)
    ).scalar_one()


@dataclass(frozen=True)
class Held:
    session_id: int
    #: initiative id of each initiative on the agenda, in order
    initiatives: tuple[int, ...]
    #: the agenda item of each initiative, in the same order
    items: tuple[int, ...]
    #: username -> attendance id of those registered by ``held_session``
    attendance: dict[str, int]
    #: id of each guest on the session's list, in order
    guests: tuple[int, ...] = ()


def attend(session_id: int, username: str, *, now: datetime = ROOM_NOW) -> int:
    """Register a member present in person; returns the attendance id."""
    row = meeting.record_attendance(
        db.session,
        committee_session(session_id),
        actor=user(SECRETARIAT),
        kind=AttendanceKind.INTEGRANTE,
        member_id=member_id(username),
        now=now,
    )
    db.session.commit()
    return row.id


def leave(session_id: int, attendance_id: int, *, now: datetime) -> None:
    meeting.record_departure(db.session, committee_session(session_id), attendance_id, actor=user(SECRETARIAT), now=now)
    db.session.commit()


def held_session(
    present: Iterable[str] = NINE,
    *,
    initiatives: Sequence[str] = ("SAL",),
    topics: Sequence[str] = (),
    guests: Sequence[tuple[str, str, str | None]] = (),
) -> Held:
    """A session in course with the given members present in person, initiatives (by dependency code)
    and topics on its agenda, and guests ``(name, email, organisation)`` on its list."""
    session_id = make_session()
    initiative_ids = tuple(make_initiative(InitiativeState.EN_AGENDA, code, session_id=session_id) for code in initiatives)
    for title in topics:
        agenda.add_topic(db.session, committee_session(session_id), actor=user(SECRETARIAT), title=title, now=NOW)
    guest_ids = tuple(
        sessions.add_guest(
            db.session, committee_session(session_id), actor=user(SECRETARIAT), name=name, email=email, organization=org, now=NOW
        ).id
        for name, email, org in guests
    )
    db.session.commit()
    convene(session_id, NOW)
    meeting.open_session(db.session, committee_session(session_id), actor=user(SECRETARIAT), now=ROOM_NOW)
    db.session.commit()
    attendance = {username: attend(session_id, username) for username in present}
    items = agenda.agenda_items(db.session, committee_session(session_id))
    by_initiative = {i.initiative_id: i.id for i in items if i.kind is AgendaItemKind.INICIATIVA}
    return Held(session_id, initiative_ids, tuple(by_initiative[i] for i in initiative_ids), attendance, guest_ids)


def open_vote(item_id: int, *, now: datetime = ROOM_NOW, without_head: bool = True) -> None:
    """Open the voting of an item; by default confirming, if need be, that the head of the initiative's
    dependency is not in the room (the rule of the heads has its own tests)."""
    meeting.open_voting(db.session, item(item_id), actor=user(SECRETARIAT), now=now, without_head=without_head)
    db.session.commit()


def vote(item_id: int, username: str, choice: VoteChoice, *, now: datetime = ROOM_NOW) -> AgendaVote:
    """``username`` votes for itself."""
    cast = meeting.cast_vote(db.session, item(item_id), actor=user(username), choice=choice, now=now)
    db.session.commit()
    return cast


def close_vote(item_id: int, *, now: datetime = ROOM_NOW) -> ItemDecision:
    decision = meeting.close_voting(db.session, item(item_id), actor=user(SECRETARIAT), now=now)
    db.session.commit()
    return decision


def attendance_row(attendance_id: int) -> SessionAttendance:
    return db.session.execute(
        select(SessionAttendance).where(SessionAttendance.id == attendance_id).execution_options(populate_existing=True)
    ).scalar_one()
