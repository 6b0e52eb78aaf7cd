"""Convocations of committee sessions: by e-mail with an iCalendar invitation (SPEC §6, seed Mesa §6).

"Convocar por correo electrónico a las reuniones ordinarias, con una antelación no inferior a
cinco (5) días calendario a la fecha de las sesiones, indicando lugar, fecha, hora, orden del día y
solicitando insumos necesarios"; extraordinary sessions "cuando se requiera por solicitud de los
integrantes". Every invitation sent is kept (``SessionConvocation``) with its recipients and ICS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from catalog.services import dependency_heads
from committee.members import active_members
from committee.models import OPEN_SESSION_STATES, CommitteeSession, SessionConvocation, SessionGuest, SessionKind, SessionState
from committee.sessions.agenda import agenda_items
from committee.sessions.common import (
    CommitteeContext,
    audit_session,
    fecha_larga,
    hora,
    lock_session,
    require_open,
    require_secretariat,
)
from committee.sessions.ics import Attendee, AttendeeRole, Invitation, Person, build_invitation
from config.committee import CommitteeRules
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import ValidationFailed
from portal.mail import OutgoingMail, send_after_commit
from portal.models import User


@dataclass(frozen=True)
class Recipient:
    """Someone the convocation goes to: a member, the head of a postulating dependency, a guest."""

    name: str
    email: str | None
    kind: str
    required: bool
    detail: str
    #: head of a dependency with an initiative on the agenda: attendance is mandatory (seed Mesa §3)
    is_mandatory_head: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": self.email,
            "kind": self.kind,
            "required": self.required,
            "detail": self.detail,
            "mandatory_head": self.is_mandatory_head,
        }


def convocation_recipients(session: DbSession, committee_session: CommitteeSession) -> list[Recipient]:
    """Members (but the secretariat, who organises), heads of postulating dependencies, guests; once each."""
    found: list[Recipient] = []
    for member in active_members(session):
        if member.is_technical_secretariat:
            continue
        detail = member.position + ("" if member.is_voting or "voto" in member.position else " (sin voto)")
        found.append(Recipient(member.user.full_name, member.user.email, "miembro", True, detail))
    for item in agenda_items(session, committee_session):
        if item.initiative is None:
            continue
        dependency = item.initiative.dependency
        for head in dependency_heads(session, dependency):
            detail = f"Jefe de {dependency.name} — postula {item.initiative.code}"
            found.append(Recipient(head.full_name, head.email, "jefe", True, detail, is_mandatory_head=True))
    guests = session.execute(
        select(SessionGuest).where(SessionGuest.session_id == committee_session.id).order_by(SessionGuest.id)
    ).scalars()
    for guest in guests:
        found.append(Recipient(guest.name, guest.email, "invitado", False, guest.organization or "Invitado"))
    merged: dict[str, Recipient] = {}
    without_email: list[Recipient] = []
    for recipient in found:
        if not recipient.email:
            without_email.append(recipient)
            continue
        key = recipient.email.lower()
        seen = merged.get(key)
        if seen is None:
            merged[key] = recipient
        else:
            merged[key] = replace(
                seen,
                required=seen.required or recipient.required,
                is_mandatory_head=seen.is_mandatory_head or recipient.is_mandatory_head,
                detail=seen.detail if recipient.detail in seen.detail else f"{seen.detail}; {recipient.detail}",
            )
    return [*merged.values(), *without_email]


def organizer(session: DbSession, actor: User) -> User:
    """The technical secretariat convenes (seed Mesa §6): its member, else whoever acts for it."""
    for member in active_members(session):
        if member.is_technical_secretariat and member.user.email:
            return member.user
    return actor


def days_before(committee_session: CommitteeSession, now: datetime) -> int:
    """Calendar days from the day of ``now`` to the day of the session, both in Bogotá."""
    return (local_date(committee_session.starts_at) - local_date(now)).days


def convocation_problem(
    committee_session: CommitteeSession, rules: CommitteeRules, now: datetime, *, last_convened_day: date | None
) -> str | None:
    """Why this session cannot be convened at ``now``, or None.

    An ``ordinaria`` goes out "con una antelación no inferior a cinco (5) días calendario a la fecha
    de las sesiones" (seed Mesa §6): ``session day − day sent (Bogotá) ≥ 5``. The rule holds for the
    first convocation and for any later one that moves the session to another day; an update that
    keeps the day (place, agenda, guests) may go out later, so that members learn of it. An
    ``extraordinaria`` may be convened at any time before it starts.
    """
    if committee_session.state not in OPEN_SESSION_STATES:
        return f"La sesión está {committee_session.state.label.lower()}."
    if now >= committee_session.starts_at:
        return "La sesión ya comenzó: no se puede convocar."
    if committee_session.kind is not SessionKind.ORDINARIA:
        return None
    if last_convened_day is not None and last_convened_day == local_date(committee_session.starts_at):
        return None
    days = days_before(committee_session, now)
    minimum = rules.convocation_min_calendar_days
    if days < minimum:
        return (
            f"Una sesión ordinaria se convoca con al menos {minimum} días calendario de antelación: "
            f"la sesión es el {local_date(committee_session.starts_at):%d/%m/%Y} y hoy es {local_date(now):%d/%m/%Y} "
            f"({days} {'día' if days == 1 else 'días'}). Programe una fecha posterior o convoque una sesión extraordinaria."
        )
    return None


def convene_session(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    context: CommitteeContext,
    now: datetime,
    note: str | None = None,
) -> SessionConvocation:
    """Send the convocation by e-mail with the iCalendar invitation (``convocada``).

    Again after a change (a session moved is ``programada`` again, to be convened anew): the same
    UID with a higher SEQUENCE, so calendars update the event.
    """
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "convocar")
    problem = convocation_problem(
        committee_session, context.rules, now, last_convened_day=last_convened_day(session, committee_session)
    )
    if problem:
        raise ValidationFailed(problem, fields={"day": ["Antelación insuficiente para convocar."]})
    before = committee_session.snapshot()
    convocation = send_invitation(
        session, committee_session, actor=actor, context=context, now=now, note=(note or "").strip() or None, cancelled=False
    )
    committee_session.state = SessionState.CONVOCADA
    committee_session.convened_at = committee_session.convened_at or now
    committee_session.last_convened_at = now
    committee_session.has_unsent_changes = False
    session.flush()
    audit_session(
        session,
        committee_session,
        actor,
        "convocar",
        before,
        secuencia=convocation.sequence,
        dias_de_antelacion=convocation.days_before,
        destinatarios=[r["email"] for r in convocation.recipients],
    )
    return convocation


def invitation_for(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    context: CommitteeContext,
    organizer_user: User,
    recipients: Sequence[Recipient],
    sequence: int,
    now: datetime,
    cancelled: bool = False,
) -> Invitation:
    attendees = tuple(
        Attendee(r.name, r.email, AttendeeRole.REQUIRED if r.required else AttendeeRole.OPTIONAL) for r in recipients if r.email
    )
    return Invitation(
        uid=committee_session.ics_uid,
        sequence=sequence,
        summary=f"{committee_session.label} — {context.committee_name}",
        description=describe(session, committee_session, context=context, recipients=recipients),
        starts_at=committee_session.starts_at,
        ends_at=committee_session.ends_at,
        location=location_text(committee_session),
        organizer=Person(organizer_user.full_name, organizer_user.email or ""),
        attendees=attendees,
        stamp=now,
        url=committee_session.virtual_link,
        cancelled=cancelled,
    )


def location_text(committee_session: CommitteeSession) -> str:
    parts = [p for p in (committee_session.place, committee_session.virtual_link) if p]
    return " · ".join(parts)


def describe(
    session: DbSession, committee_session: CommitteeSession, *, context: CommitteeContext, recipients: Sequence[Recipient]
) -> str:
    """The body shared by the invitation and the e-mail: place, date, time, agenda, inputs (seed Mesa §6)."""
    lines = [
        f"{context.committee_name} — {context.entity_name}",
        committee_session.label,
        f"Fecha: {fecha_larga(committee_session.starts_at)}",
        f"Hora: {hora(committee_session.starts_at)} a {hora(committee_session.ends_at)} (hora de Colombia)",
    ]
    if committee_session.place:
        lines.append(f"Lugar: {committee_session.place}")
    if committee_session.virtual_link:
        lines.append(f"Reunión virtual: {committee_session.virtual_link}")
    if committee_session.kind is SessionKind.EXTRAORDINARIA and committee_session.requested_by is not None:
        requester = committee_session.requested_by
        lines.append(
            f"Convocada a solicitud de {requester.user.full_name} ({requester.position}). "
            f"Motivo: {committee_session.extraordinary_reason}"
        )
    lines += ["", "Orden del día:"]
    lines += [f"{i.position}. {i.title}" for i in agenda_items(session, committee_session)]
    if committee_session.requested_inputs:
        lines += ["", "Insumos solicitados:", committee_session.requested_inputs]
    heads = [r for r in recipients if r.is_mandatory_head]
    if heads:
        lines += ["", "Asistencia obligatoria de los jefes de las dependencias que postulan iniciativas:"]
        lines += [f"- {r.name}: {r.detail}" for r in heads]
    return "\n".join(lines)


def send_invitation(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    context: CommitteeContext,
    now: datetime,
    note: str | None,
    cancelled: bool,
) -> SessionConvocation:
    recipients = convocation_recipients(session, committee_session)
    if not any(r.email for r in recipients):
        raise ValidationFailed("No hay destinatarios con correo: configure los integrantes del comité.")
    sequence = 0 if committee_session.ics_sequence is None else committee_session.ics_sequence + 1
    organizer_user = organizer(session, actor)
    invitation = invitation_for(
        session,
        committee_session,
        context=context,
        organizer_user=organizer_user,
        recipients=recipients,
        sequence=sequence,
        now=now,
        cancelled=cancelled,
    )
    ics = build_invitation(invitation)
    convocation = SessionConvocation(
        session_id=committee_session.id,
        sequence=sequence,
        method="CANCEL" if cancelled else "REQUEST",
        sent_at=now,
        sent_by_id=actor.id,
        session_starts_at=committee_session.starts_at,
        days_before=days_before(committee_session, now),
        note=note,
        recipients=[r.as_json() for r in recipients],
        ics=ics,
    )
    session.add(convocation)
    committee_session.ics_sequence = sequence
    session.flush()
    if cancelled:
        prefix = "Cancelada"
    elif sequence:
        prefix = "Convocatoria actualizada"
    else:
        prefix = "Convocatoria"
    addresses = {r.email for r in recipients if r.email} | ({organizer_user.email} if organizer_user.email else set())
    send_after_commit(
        session,
        OutgoingMail(
            to=tuple(sorted(addresses)),
            subject=f"{prefix}: {committee_session.label} — {context.committee_name}",
            template="committee/convocation",
            context={
                "session_id": committee_session.id,
                "prefix": prefix,
                "committee_name": context.committee_name,
                "description": invitation.description,
                "note": note,
                "cancel_reason": committee_session.cancel_reason if cancelled else None,
                "organizer": organizer_user.full_name,
                "sequence": sequence,
            },
            attachments=(("invitacion.ics", ics, "text/calendar"),),
        ),
    )
    return convocation


def last_convened_day(session: DbSession, committee_session: CommitteeSession) -> date | None:
    """The session's day (Bogotá) as the last invitation announced it, or None before the first one."""
    starts_at = session.execute(
        select(SessionConvocation.session_starts_at)
        .where(SessionConvocation.session_id == committee_session.id, SessionConvocation.method == "REQUEST")
        .order_by(SessionConvocation.sequence.desc())
        .limit(1)
    ).scalar()
    return local_date(starts_at) if starts_at is not None else None


def latest_convocation(session: DbSession, session_id: int) -> SessionConvocation | None:
    """The last invitation sent for a session, as the members received it (None before the first)."""
    return session.execute(
        select(SessionConvocation)
        .where(SessionConvocation.session_id == session_id)
        .order_by(SessionConvocation.sequence.desc())
        .limit(1)
    ).scalar()
