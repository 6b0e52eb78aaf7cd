"""The draft's content (``ActaVersion.body``) from what the database recorded of the session."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from catalog.services import dependency_heads
from committee.actas.common import _attendance, _commitment_entries, _member_rank, acta_for_session, previous_acta, signatories
from committee.actas.content import ActaBody, AttendeeEntry, CommitmentEntry, HeadEntry, ItemEntry, MovementEntry, VoteEntry
from committee.actas.models import CommitteeActa
from committee.commitments.models import Commitment, CommitmentFollowUp
from committee.members import active_members
from committee.models import AgendaItem, AgendaItemKind, CommitteeSession
from committee.room.models import AgendaVote, AttendanceKind, AttendanceMovement, ItemDecision, MovementKind, SessionAttendance
from committee.sessions.common import CommitteeContext, fecha_larga, hora
from portal.clock import local_date
from portal.db import DbSession


def build_body(
    session: DbSession, committee_session: CommitteeSession, context: CommitteeContext, *, now: datetime | None = None
) -> ActaBody:
    """The draft's content from what the database recorded of the session, in a fixed number of
    queries whatever the number of people, items and votes (plus one per initiative whose
    dependency has no recorded head): attendance with delegates, heads and guests and every
    arrival and departure, absent members, the quorum as it went, the items with notes, the quorum
    and counts when each voting closed, outcomes and why there was none, casting decisions, the
    head of each initiative's dependency, each vote and who entered it, the previous acta, the
    commitments made and those followed up, the signatories."""
    attendance = _attendance(session, committee_session)
    items = list(
        session.execute(
            select(AgendaItem).where(AgendaItem.session_id == committee_session.id).order_by(AgendaItem.position)
        ).scalars()
    )
    decisions = {
        d.item_id: d
        for d in session.execute(
            select(ItemDecision)
            .join(AgendaItem, ItemDecision.item_id == AgendaItem.id)
            .where(AgendaItem.session_id == committee_session.id)
        ).scalars()
    }
    votes: dict[int, list[AgendaVote]] = {}
    for vote in session.execute(
        select(AgendaVote)
        .join(AgendaItem, AgendaVote.item_id == AgendaItem.id)
        .where(AgendaItem.session_id == committee_session.id)
        .order_by(AgendaVote.id)
    ).scalars():
        votes.setdefault(vote.item_id, []).append(vote)
    movements = _movements(
        attendance,
        session.execute(
            select(AttendanceMovement)
            .where(AttendanceMovement.session_id == committee_session.id)
            .order_by(AttendanceMovement.at, AttendanceMovement.id)
        ).scalars(),
    )
    members = active_members(session)
    acta = acta_for_session(session, committee_session.id)
    previous = previous_acta(session, committee_session)

    attended = {a.member_id for a in attendance if a.member_id is not None}
    voting = [m for m in members if m.is_voting]
    timeline, reached = _timeline(movements, len(voting))
    present_voting = len({a.member_id for a in attendance if a.counts_for_quorum})
    required = len(voting) // 2 + 1
    opened = committee_session.opened_at or committee_session.starts_at
    closed = committee_session.closed_at or now or committee_session.ends_at
    committee_name = context.committee_name
    has_quorum = bool(voting) and present_voting >= required

    body: ActaBody = {
        "title": acta.title if acta is not None else f"Acta de la {committee_session.label}",
        "committee": committee_name,
        "session_label": committee_session.label,
        "kind": committee_session.kind.value,
        "date": local_date(opened).isoformat(),
        "opened_at": opened.isoformat(),
        "closed_at": closed.isoformat(),
        "place": " · ".join(p for p in (committee_session.place, committee_session.virtual_link) if p),
        "quorum": {
            "voting_members": len(voting),
            "present_voting": present_voting,
            "has_quorum": has_quorum,
            "required": required,
            "reached_at": reached[0].isoformat() if reached else None,
            "present_when_reached": reached[1] if reached else 0,
        },
        "attendees": _attendees(attendance, movements),
        "absent": [
            {"name": m.user.full_name, "position": m.position, "is_voting": m.is_voting}
            for m in members
            if m.id not in attended and not m.is_technical_secretariat
        ],
        "introduction": _introduction(committee_session, committee_name, opened, len(voting), reached),
        "items": [
            _item_entry(session, item, decisions.get(item.id), votes.get(item.id, []), attendance, previous) for item in items
        ],
        "commitments": _commitment_entries(session, committee_session),
        "followed_up": _followed_up(session, committee_session),
        "closing": (
            f"Agotado el orden del día, se levantó la sesión a las {hora(closed)}. Para constancia, firman el acta "
            "los integrantes que asistieron, los delegados por los integrantes que representaron y la secretaría técnica."
        ),
        "signatories": [
            {
                "name": s.name,
                "position": s.position,
                "is_voting": s.member.is_voting,
                "member_id": s.member.id,
                "represents": s.represents,
            }
            for s in signatories(session, committee_session, attendance)
        ],
        "movements": timeline,
    }
    return body


@dataclass(frozen=True)
class _Movement:
    at: datetime
    kind: MovementKind
    attendance: SessionAttendance


def _movements(attendance: Sequence[SessionAttendance], recorded: Iterable[AttendanceMovement]) -> list[_Movement]:
    """Every arrival, departure and return in order; an attendance without movements recorded (kept
    before they were) counts its arrival and its last departure."""
    found = [_Movement(m.at, m.kind, m.attendance) for m in recorded]
    with_movements = {m.attendance.id for m in found}
    for a in attendance:
        if a.id not in with_movements:
            found.append(_Movement(a.arrived_at, MovementKind.LLEGADA, a))
            if a.left_at is not None:
                found.append(_Movement(a.left_at, MovementKind.SALIDA, a))
    return sorted(found, key=lambda m: (m.at, m.kind is not MovementKind.LLEGADA, m.attendance.id))


def _timeline(movements: Sequence[_Movement], voting_members: int) -> tuple[list[MovementEntry], tuple[datetime, int] | None]:
    """Every arrival, departure and return with the voting members in the room after it, and when
    the quorum was first reached (and with how many)."""
    required = voting_members // 2 + 1
    inside: set[int] = set()
    entries: list[MovementEntry] = []
    reached: tuple[datetime, int] | None = None
    for movement in movements:
        attendance = movement.attendance
        member = attendance.member
        if member is not None and member.is_voting and member.is_active:
            if movement.kind is MovementKind.SALIDA:
                inside.discard(member.id)
            else:
                inside.add(member.id)
        if reached is None and voting_members and len(inside) >= required:
            reached = (movement.at, len(inside))
        entries.append(
            {
                "at": movement.at.isoformat(),
                "kind": movement.kind.value,
                "name": attendance.name,
                "attendee_kind": attendance.kind.value,
                "present_voting": len(inside),
            }
        )
    return entries, reached


_KIND_ORDER = {AttendanceKind.INTEGRANTE: 0, AttendanceKind.DELEGADO: 1, AttendanceKind.JEFE: 2, AttendanceKind.INVITADO: 3}


def _attendees(attendance: Sequence[SessionAttendance], movements: Sequence[_Movement]) -> list[AttendeeEntry]:
    by_attendance: dict[int, list[dict[str, str]]] = {}
    for movement in movements:
        by_attendance.setdefault(movement.attendance.id, []).append({"kind": movement.kind.value, "at": movement.at.isoformat()})

    def order(a: SessionAttendance) -> tuple[Any, ...]:
        rank = _member_rank(a.member) if a.member is not None else (True, True, True, 0)
        return (_KIND_ORDER[a.kind], rank, a.arrived_at, a.id)

    entries: list[AttendeeEntry] = []
    for a in sorted(attendance, key=order):
        member = a.member
        if a.kind is AttendanceKind.INTEGRANTE and member is not None:
            position = member.position
        elif a.kind is AttendanceKind.INVITADO:
            position = a.position or (a.guest.organization if a.guest else None) or "Invitado"
        elif a.kind is AttendanceKind.JEFE:
            position = a.position or (f"Jefe de {a.dependency.name}" if a.dependency else "Jefe de dependencia")
        else:
            position = a.position or ""
        entries.append(
            {
                "kind": a.kind.value,
                "name": a.name,
                "position": position,
                "represents": (
                    f"{member.user.full_name} ({member.position})"
                    if a.kind is AttendanceKind.DELEGADO and member is not None
                    else None
                ),
                "is_voting": member is not None and member.is_voting,
                "arrived_at": a.arrived_at.isoformat(),
                "left_at": a.left_at.isoformat() if a.left_at else None,
                "movements": by_attendance.get(a.id, []),
            }
        )
    return entries


def _introduction(
    committee_session: CommitteeSession,
    committee_name: str,
    opened: datetime,
    voting: int,
    reached: tuple[datetime, int] | None,
) -> str:
    where = committee_session.place or "reunión virtual"
    label = committee_session.label
    required = voting // 2 + 1
    if reached is not None:
        quorum = (
            f"Se verificó el quórum: a las {hora(reached[0])} había {reached[1]} de {voting} integrantes con voto "
            f"presentes (se requieren {required}), con quórum para deliberar y decidir."
        )
    else:
        quorum = (
            f"Se verificó el quórum: en ningún momento hubo {required} de {voting} integrantes con voto presentes; "
            "sin quórum no se deliberó ni se decidió."
        )
    return (
        f"El {fecha_larga(opened)}, a las {hora(opened)}, en {where}, se reunió el {committee_name} "
        f"en {label[0].lower()}{label[1:]}, convocada por la secretaría técnica. {quorum}"
    )


def _head_entry(session: DbSession, item: AgendaItem, attendance: Sequence[SessionAttendance]) -> HeadEntry | None:
    """The head of an initiative's dependency when its voting opened (seed Mesa §3)."""
    if item.initiative is None or item.voting_opened_at is None:
        return None
    dependency = item.initiative.dependency
    heads = dependency_heads(session, dependency)
    confirmed = item.head_absence_confirmed_at is not None
    came = next((a for a in attendance if a.kind is AttendanceKind.JEFE and a.dependency_id == dependency.id), None)
    who = item.head_absence_confirmed_by
    return {
        "names": came.name
        if came is not None and not confirmed
        else " o ".join(u.full_name for u in heads) or "sin jefe registrado",
        "dependency": dependency.name,
        "present": not confirmed,
        "confirmed_by": who.full_name if who is not None else None,
        "confirmed_at": item.head_absence_confirmed_at.isoformat() if item.head_absence_confirmed_at else None,
    }


def _item_entry(
    session: DbSession,
    item: AgendaItem,
    decision: ItemDecision | None,
    votes: Sequence[AgendaVote],
    attendance: Sequence[SessionAttendance],
    previous: CommitteeActa | None,
) -> ItemEntry:
    casting = None
    if decision is not None and decision.casting_decision is not None:
        who = decision.casting_by.full_name if decision.casting_by is not None else "quien preside"
        casting = f"Empate dirimido por {who}: {decision.casting_decision.label.lower()}."
        if decision.casting_note:
            casting += f" Motivo: {decision.casting_note}"
    detail: list[VoteEntry] = []
    if decision is not None:
        detail = [
            {
                "member": v.member.user.full_name,
                "choice": v.choice.value,
                "entered_by": "propio" if v.is_own_vote else v.cast_by.full_name,
            }
            for v in sorted(votes, key=lambda v: _member_rank(v.member))
        ]
    entry: ItemEntry = {
        "position": item.position,
        "kind": item.kind.value,
        "title": item.title,
        "initiative_code": item.initiative.code if item.initiative is not None else None,
        "notes": item.notes or "",
        "outcome": decision.outcome.value if decision is not None else None,
        "final_outcome": decision.final_outcome.value if decision is not None else None,
        "votes": (
            {
                "voting_members": decision.voting_members,
                "present_voting": decision.present_voting,
                "a_favor": decision.votes_for,
                "en_contra": decision.votes_against,
                "abstencion": decision.abstentions,
                "sin_voto": decision.not_voted,
            }
            if decision is not None
            else None
        ),
        "vote_detail": detail,
        "casting": casting,
        "no_decision_reason": decision.no_decision_reason.value if decision and decision.no_decision_reason else None,
        "present_at_close": (
            [f"{p['name']} (delegado: {p['delegate']})" if p.get("delegate") else p["name"] for p in decision.present_at_close]
            if decision is not None
            else []
        ),
        "head": _head_entry(session, item, attendance),
    }
    if item.kind is AgendaItemKind.ACTA_ANTERIOR:
        entry["previous_acta"] = previous.title if previous is not None else None
    return entry


def _followed_up(session: DbSession, committee_session: CommitteeSession) -> list[CommitmentEntry]:
    """Earlier commitments reviewed at this session: the state reported and, after the description,
    what was reported (``CommitmentEntry`` has no field of its own for it)."""
    rows = session.execute(
        select(CommitmentFollowUp, Commitment)
        .join(Commitment, CommitmentFollowUp.commitment_id == Commitment.id)
        .where(CommitmentFollowUp.session_id == committee_session.id)
        .order_by(CommitmentFollowUp.id)
    ).all()
    return [
        {
            "description": f"{c.description} — Seguimiento: {f.note}",
            "responsible": c.responsible_name,
            "due_date": c.due_date.isoformat(),
            "state": f.state.value,
            "session": c.session.label,
        }
        for f, c in rows
    ]
