"""Held sessions written straight into the tables (not through ``committee.room``), and their actas.

Call inside an application context. ``held_session()`` programs a session on ``day`` with one
initiative on its agenda, then records what happened in the room as rows: who came (members in
person, a delegate with its communication, a guest), the deliberation notes, the closed voting of
the initiative and of a tie settled by the chair, and the session ``realizada``. ``close()`` runs
``committee.actas.versions.on_session_closed`` as ``close_session`` does, and commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from catalog.models import InitiativeState
from committee import tick as mesa_tick
from committee.actas import services as actas
from committee.actas.models import CommitteeActa, CommitteeDeadline, DeadlineKind
from committee.models import (
    AgendaItem,
    AgendaItemKind,
    CommitteeDocument,
    CommitteeMember,
    CommitteeSession,
    SessionGuest,
    SessionState,
)
from committee.room.models import AgendaVote, AttendanceKind, ItemDecision, ItemOutcome, SessionAttendance, VoteChoice
from portal.extensions import db
from tests.unit.catalog.factories import context, make_initiative, make_session, user

BOGOTA = ZoneInfo("America/Bogota")
#: voting members present in person by default (6 of the 7 voting members: quorum)
PRESENT = ("secretario", "integrante1", "integrante2", "seguridad", "control.interno", "st.mesa")
#: the member represented by a delegate by default
DELEGATED = "integrante3"
#: in-person members who must approve for an express approval (the secretariat does not)
APPROVERS = ("secretario", "integrante1", "integrante2", "seguridad", "control.interno")
SECRETARIAT = "st.mesa"


def bogota(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A Bogotá wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BOGOTA).astimezone(UTC)


def member_of(username: str) -> CommitteeMember:
    found = db.session.execute(
        select(CommitteeMember).where(CommitteeMember.user_id == user(username).id, CommitteeMember.is_active.is_(True))
    ).scalar()
    assert found is not None, username
    return found


def session_row(session_id: int) -> CommitteeSession:
    return db.session.execute(
        select(CommitteeSession).where(CommitteeSession.id == session_id).execution_options(populate_existing=True)
    ).scalar_one()


def acta_row(acta_id: int) -> CommitteeActa:
    return db.session.execute(
        select(CommitteeActa).where(CommitteeActa.id == acta_id).execution_options(populate_existing=True)
    ).scalar_one()


def deadlines_of(acta_id: int, kind: DeadlineKind | None = None) -> list[CommitteeDeadline]:
    query = select(CommitteeDeadline).where(CommitteeDeadline.acta_id == acta_id)
    if kind is not None:
        query = query.where(CommitteeDeadline.kind == kind)
    return list(
        db.session.execute(query.order_by(CommitteeDeadline.id).execution_options(populate_existing=True)).scalars().unique()
    )


def deadline_of(acta_id: int, kind: DeadlineKind) -> CommitteeDeadline:
    found = deadlines_of(acta_id, kind)
    assert found, kind
    return found[-1]


@dataclass(frozen=True)
class Held:
    session_id: int
    initiative_item_id: int
    tie_item_id: int
    opened_at: datetime
    closed_at: datetime


def held_session(
    day: date = date(2026, 3, 20),
    *,
    opened: time = time(9),
    closed: time = time(11),
    present: Sequence[str] = PRESENT,
    delegated: str | None = DELEGATED,
    with_votes: bool = True,
    programmed_at: datetime | None = None,
) -> Held:
    """A session held on ``day`` (Bogotá) and closed, with its facts recorded as rows."""
    programmed_at = programmed_at or datetime.combine(day - timedelta(days=10), time(12), tzinfo=UTC)
    session_id = make_session(day=day, now=programmed_at)
    initiative_id = make_initiative(InitiativeState.EN_AGENDA, session_id=session_id, now=programmed_at)
    s = session_row(session_id)
    secretariat = user(SECRETARIAT)
    opened_at = bogota(day.year, day.month, day.day, opened.hour, opened.minute)
    closed_at = bogota(day.year, day.month, day.day, closed.hour, closed.minute)
    guest = SessionGuest(session_id=session_id, name="Ana Invitada", email="ana@ejemplo.co", organization="MinTIC")
    db.session.add(guest)
    db.session.flush()
    for minute, username in enumerate(present):
        member = member_of(username)
        db.session.add(
            SessionAttendance(
                session_id=session_id,
                kind=AttendanceKind.INTEGRANTE,
                member_id=member.id,
                name=member.user.full_name,
                arrived_at=opened_at + timedelta(minutes=minute),
                recorded_by_id=secretariat.id,
            )
        )
    if delegated:
        content = b"%PDF-1.4\n%%EOF\n"
        document = CommitteeDocument(
            session_id=session_id,
            purpose="comunicacion_delegacion",
            filename="delegacion.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_by_id=secretariat.id,
        )
        db.session.add(document)
        db.session.flush()
        db.session.add(
            SessionAttendance(
                session_id=session_id,
                kind=AttendanceKind.DELEGADO,
                member_id=member_of(delegated).id,
                name="Pedro Delegado",
                position="Profesional universitario",
                communication_id=document.id,
                arrived_at=opened_at + timedelta(minutes=20),
                recorded_by_id=secretariat.id,
            )
        )
    db.session.add(
        SessionAttendance(
            session_id=session_id,
            kind=AttendanceKind.INVITADO,
            guest_id=guest.id,
            name=guest.name,
            position=None,
            arrived_at=opened_at + timedelta(minutes=30),
            left_at=opened_at + timedelta(minutes=60),
            recorded_by_id=secretariat.id,
        )
    )
    items = list(db.session.execute(select(AgendaItem).where(AgendaItem.session_id == session_id)).scalars())
    initiative_item = next(i for i in items if i.initiative_id == initiative_id)
    initiative_item.notes = "La Secretaría de Salud presentó la iniciativa."
    tie_item = AgendaItem(session_id=session_id, position=100, kind=AgendaItemKind.TEMA, title="Política de copias de seguridad")
    db.session.add(tie_item)
    db.session.flush()
    if with_votes:
        voters = [u for u in present if member_of(u).is_voting] + ([delegated] if delegated else [])
        _decide(initiative_item, {u: VoteChoice.A_FAVOR for u in voters}, closed_at, present_voting=len(voters))
        half = len(voters) // 2
        choices = {u: (VoteChoice.A_FAVOR if i < half else VoteChoice.EN_CONTRA) for i, u in enumerate(voters[: 2 * half])}
        _decide(tie_item, choices, closed_at, present_voting=len(voters), casting=ItemOutcome.APROBADA)
    s.state = SessionState.EN_CURSO
    s.opened_at = opened_at
    db.session.flush()
    s.state = SessionState.REALIZADA
    s.closed_at = closed_at
    db.session.commit()
    return Held(session_id, initiative_item.id, tie_item.id, opened_at, closed_at)


def _decide(
    item: AgendaItem,
    choices: dict[str, VoteChoice],
    at: datetime,
    *,
    present_voting: int,
    casting: ItemOutcome | None = None,
) -> ItemDecision:
    secretariat = user(SECRETARIAT)
    for username, choice in choices.items():
        db.session.add(AgendaVote(item_id=item.id, member_id=member_of(username).id, choice=choice, cast_by_id=secretariat.id))
    votes_for = sum(1 for c in choices.values() if c is VoteChoice.A_FAVOR)
    against = sum(1 for c in choices.values() if c is VoteChoice.EN_CONTRA)
    outcome = (
        ItemOutcome.APROBADA
        if 2 * votes_for > present_voting
        else ItemOutcome.EMPATE
        if votes_for == against
        else ItemOutcome.SIN_DECISION
    )
    decision = ItemDecision(
        item_id=item.id,
        voting_members=7,
        present_voting=present_voting,
        votes_for=votes_for,
        votes_against=against,
        abstentions=0,
        not_voted=present_voting - votes_for - against,
        outcome=outcome,
        closed_by_id=secretariat.id,
        closed_at=at,
    )
    if casting is not None and outcome is ItemOutcome.EMPATE:
        decision.casting_decision = casting
        decision.casting_by_id = user("secretario").id
        decision.casting_at = at
        decision.casting_note = "Se prioriza la seguridad de la información."
    db.session.add(decision)
    db.session.flush()
    return decision


def close(held: Held, now: datetime | None = None) -> int:
    """The acta of a held session, as ``close_session`` generates it (committed). Returns its id."""
    acta = actas.on_session_closed(
        db.session, session_row(held.session_id), actor=user(SECRETARIAT), now=now or held.closed_at, context=context()
    )
    db.session.commit()
    return acta.id


def send(acta_id: int, now: datetime) -> None:
    actas.send_acta(db.session, acta_row(acta_id), actor=user(SECRETARIAT), now=now, context=context())
    db.session.commit()


def tick(now: datetime) -> mesa_tick.MesaTickReport:
    report = mesa_tick.tick(db.session, now)
    db.session.commit()
    return report
