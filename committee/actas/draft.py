"""The draft's content (``ActaVersion.body``) from what the database recorded of the session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from committee.actas.common import _attendance, _commitment_entries, _member_rank, acta_title, signatory_members
from committee.actas.content import ActaBody, AttendeeEntry, CommitmentEntry, ItemEntry, VoteEntry
from committee.commitments.models import Commitment, CommitmentFollowUp
from committee.members import active_members
from committee.models import AgendaItem, CommitteeSession
from committee.room.models import AgendaVote, AttendanceKind, ItemDecision, SessionAttendance
from committee.sessions.common import CommitteeContext, fecha_larga, hora
from portal.clock import local_date
from portal.db import DbSession


def build_body(
    session: DbSession, committee_session: CommitteeSession, context: CommitteeContext, *, now: datetime | None = None
) -> ActaBody:
    """The draft's content from what the database recorded of the session, in a fixed number of
    queries whatever the number of people, items and votes: attendance with delegates and guests,
    absent members, quorum, the items with notes, counts, outcomes, casting decisions and each vote,
    the commitments made and those followed up, the signatories."""
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
    members = active_members(session)

    attended = {a.member_id for a in attendance if a.member_id is not None}
    voting = [m for m in members if m.is_voting]
    present_voting = len({a.member_id for a in attendance if a.member is not None and a.member.is_voting})
    opened = committee_session.opened_at or committee_session.starts_at
    closed = committee_session.closed_at or now or committee_session.ends_at
    committee_name = context.committee_name
    has_quorum = 2 * present_voting > len(voting)

    body: ActaBody = {
        "title": acta_title(committee_session),
        "committee": committee_name,
        "session_label": committee_session.label,
        "kind": committee_session.kind.value,
        "date": local_date(opened).isoformat(),
        "opened_at": opened.isoformat(),
        "closed_at": closed.isoformat(),
        "place": " · ".join(p for p in (committee_session.place, committee_session.virtual_link) if p),
        "quorum": {"voting_members": len(voting), "present_voting": present_voting, "has_quorum": has_quorum},
        "attendees": _attendees(attendance),
        "absent": [
            {"name": m.user.full_name, "position": m.position, "is_voting": m.is_voting}
            for m in members
            if m.id not in attended and not m.is_technical_secretariat
        ],
        "introduction": _introduction(committee_session, committee_name, opened, present_voting, len(voting), has_quorum),
        "items": [_item_entry(item, decisions.get(item.id), votes.get(item.id, [])) for item in items],
        "commitments": _commitment_entries(session, committee_session),
        "followed_up": _followed_up(session, committee_session),
        "closing": (
            f"Agotado el orden del día, se levantó la sesión a las {hora(closed)}. Para constancia, firman el acta "
            "los integrantes que asistieron y la secretaría técnica."
        ),
        "signatories": [
            {"name": m.user.full_name, "position": m.position, "is_voting": m.is_voting}
            for m in signatory_members(session, committee_session, attendance)
        ],
    }
    return body


_KIND_ORDER = {AttendanceKind.INTEGRANTE: 0, AttendanceKind.DELEGADO: 1, AttendanceKind.INVITADO: 2}


def _attendees(attendance: Sequence[SessionAttendance]) -> list[AttendeeEntry]:
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
            }
        )
    return entries


def _introduction(
    committee_session: CommitteeSession, committee_name: str, opened: datetime, present: int, voting: int, has_quorum: bool
) -> str:
    where = committee_session.place or "reunión virtual"
    label = committee_session.label
    quorum = (
        f"Se verificó el quórum: {present} de {voting} integrantes con voto presentes, con quórum para deliberar y decidir."
        if has_quorum
        else f"Se verificó el quórum: {present} de {voting} integrantes con voto presentes, sin quórum para deliberar."
    )
    return (
        f"El {fecha_larga(opened)}, a las {hora(opened)}, en {where}, se reunió el {committee_name} "
        f"en {label[0].lower()}{label[1:]}, convocada por la secretaría técnica. {quorum}"
    )


def _item_entry(item: AgendaItem, decision: ItemDecision | None, votes: Sequence[AgendaVote]) -> ItemEntry:
    casting = None
    if decision is not None and decision.casting_decision is not None:
        who = decision.casting_by.full_name if decision.casting_by is not None else "quien preside"
        casting = f"Empate dirimido por {who}: {decision.casting_decision.label.lower()}."
        if decision.casting_note:
            casting += f" {decision.casting_note}"
    detail: list[VoteEntry] = []
    if decision is not None:
        detail = [
            {"member": v.member.user.full_name, "choice": v.choice.value}
            for v in sorted(votes, key=lambda v: _member_rank(v.member))
        ]
    return {
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
    }


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
