"""Committee sessions, their agenda, guests and convocations (SPEC §6): the only code that changes them.

The technical secretariat programs sessions — ``ordinaria`` (quarterly, seed Mesa §7) or
``extraordinaria`` (on request of members, seed Mesa §6) —, builds the orden del día from the fixed
items and the postulated initiatives, and convenes by e-mail with an iCalendar invitation. Like
``catalog.services``, every function takes the session, the actor and ``now``, flushes, writes the
audit event and raises ``NotAllowed``, ``WrongState`` or ``ValidationFailed``; the caller commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from catalog.models import InitiativeState
from catalog.services import (
    add_event,
    audit,
    lock_initiative,
)
from committee.models import (
    AgendaItem,
    AgendaItemKind,
    CommitteeMember,
    CommitteeSession,
    SessionGuest,
    SessionKind,
    SessionState,
)
from committee.sessions.agenda import agenda_items
from committee.sessions.common import (
    OPENING_ITEMS,
    CommitteeContext,
    audit_session,
    local_instant,
    lock_session,
    mark_changed,
    require_open,
    require_secretariat,
)
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import ValidationFailed, WrongState
from portal.models import User
from portal.text import optional_text

MIN_REASON = 10


@dataclass
class SessionData:
    kind: SessionKind
    day: date
    start_time: time
    end_time: time
    place: str | None = None
    virtual_link: str | None = None
    requested_inputs: str | None = None
    #: an extraordinaria: the member who asked for it, and why (seed Mesa §6)
    requested_by_member_id: int | None = None
    extraordinary_reason: str | None = None


def validate_session_data(session: DbSession, data: SessionData, *, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.day < today:
        err("day", "La fecha de la sesión ya pasó.")
    if data.end_time <= data.start_time:
        err("end_time", "La hora de finalización debe ser posterior a la de inicio.")
    place, link = optional_text(data.place), optional_text(data.virtual_link)
    if place is None and link is None:
        err("place", "Indique el lugar o el enlace de la reunión virtual.")
    if place and len(place) > 300:
        err("place", "Admite hasta 300 caracteres.")
    if link and (not link.startswith("https://") or len(link) > 500 or " " in link):
        err("virtual_link", "El enlace de la reunión virtual empieza por https:// (hasta 500 caracteres).")
    if data.kind is SessionKind.EXTRAORDINARIA:
        member = session.get(CommitteeMember, data.requested_by_member_id) if data.requested_by_member_id else None
        if member is None or not member.is_active:
            err("requested_by_member_id", "Indique qué integrante del comité solicitó la sesión extraordinaria.")
        reason = optional_text(data.extraordinary_reason)
        if reason is None or len(reason) < MIN_REASON:
            err("extraordinary_reason", f"Explique el motivo de la sesión extraordinaria (al menos {MIN_REASON} caracteres).")
    return errors


# ---------------------------------------------------------------- sessions


def create_session(
    session: DbSession, *, actor: User, data: SessionData, context: CommitteeContext, now: datetime
) -> CommitteeSession:
    """Program a session with the fixed items of its orden del día (``programada``)."""
    require_secretariat(actor)
    errors = validate_session_data(session, data, today=local_date(now))
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    year = data.day.year
    number = (session.execute(select(func.max(CommitteeSession.number)).where(CommitteeSession.year == year)).scalar() or 0) + 1
    committee_session = CommitteeSession(
        year=year,
        number=number,
        kind=data.kind,
        state=SessionState.PROGRAMADA,
        ics_uid=f"pendiente-{uuid.uuid4()}",
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    _apply_session(committee_session, data, context)
    session.add(committee_session)
    session.flush()
    committee_session.ics_uid = f"sesion-{committee_session.id}@{context.email_domain}"
    for position, kind in enumerate([*OPENING_ITEMS, AgendaItemKind.VARIOS], start=1):
        session.add(AgendaItem(session_id=committee_session.id, position=position, kind=kind, title=kind.label))
    session.flush()
    audit_session(session, committee_session, actor, "programar", None)
    return committee_session


def _apply_session(committee_session: CommitteeSession, data: SessionData, context: CommitteeContext) -> None:
    committee_session.kind = data.kind
    committee_session.starts_at = local_instant(data.day, data.start_time)
    committee_session.ends_at = local_instant(data.day, data.end_time)
    committee_session.place = optional_text(data.place)
    committee_session.virtual_link = optional_text(data.virtual_link)
    committee_session.requested_inputs = optional_text(data.requested_inputs) or context.rules.default_requested_inputs
    extraordinary = data.kind is SessionKind.EXTRAORDINARIA
    committee_session.requested_by_member_id = data.requested_by_member_id if extraordinary else None
    committee_session.extraordinary_reason = optional_text(data.extraordinary_reason) if extraordinary else None


def update_session(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    data: SessionData,
    context: CommitteeContext,
    now: datetime,
) -> CommitteeSession:
    """Change date, time, place, inputs; the kind only before the first convocation, or from
    ``ordinaria`` to ``extraordinaria`` (with who asked and why) when a convened session moves.

    A convened session whose date, time or place changes is ``programada`` again (to be convened:
    "nobody holds a session on a date its members were not duly told", SPEC §6): the next
    convocation goes out with the same iCalendar UID and SEQUENCE + 1. An ``ordinaria`` moved to
    another day puts that day under the 5-calendar-day rule again, counted from the new
    convocation (seed Mesa §6), which can go out today at the earliest: a day closer than that is
    refused, unless the session becomes an ``extraordinaria`` with its reason.
    """
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "modificar")
    convened = committee_session.state is SessionState.CONVOCADA
    becomes_extraordinary = (
        convened and committee_session.kind is SessionKind.ORDINARIA and data.kind is SessionKind.EXTRAORDINARIA
    )
    if (
        data.kind is not committee_session.kind
        and committee_session.state is not SessionState.PROGRAMADA
        and not becomes_extraordinary
    ):
        raise ValidationFailed(
            "Una sesión ya convocada no cambia de tipo (salvo una ordinaria que pasa a extraordinaria al moverla); "
            "cancélela y programe otra.",
            fields={"kind": ["No se puede cambiar."]},
        )
    if data.day.year != committee_session.year:
        raise ValidationFailed("Para otro año, programe una nueva sesión.", fields={"day": ["Debe quedar en el mismo año."]})
    errors = validate_session_data(session, data, today=local_date(now))
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    before = committee_session.snapshot()
    old_day = local_date(committee_session.starts_at)
    old_when = (committee_session.starts_at, committee_session.ends_at, committee_session.place, committee_session.virtual_link)
    _apply_session(committee_session, data, context)
    moved = old_when != (
        committee_session.starts_at,
        committee_session.ends_at,
        committee_session.place,
        committee_session.virtual_link,
    )
    if becomes_extraordinary and not moved:
        raise ValidationFailed(
            "Una sesión ordinaria convocada pasa a extraordinaria solo al cambiar su fecha, hora o lugar.",
            fields={"kind": ["No se puede cambiar."]},
        )
    minimum = context.rules.convocation_min_calendar_days
    if convened and data.kind is SessionKind.ORDINARIA and data.day != old_day and (data.day - local_date(now)).days < minimum:
        earliest = local_date(now) + timedelta(days=minimum)
        message = (
            f"La sesión ordinaria ya convocada no puede pasar al {data.day:%d/%m/%Y}: la nueva convocatoria saldría "
            f"a más tardar hoy, {local_date(now):%d/%m/%Y}, con {(data.day - local_date(now)).days} días calendario de "
            f"antelación, y una sesión ordinaria se convoca con al menos {minimum}. Elija una fecha a partir del "
            f"{earliest:%d/%m/%Y}, o conviértala en sesión extraordinaria indicando quién la solicita y el motivo."
        )
        raise ValidationFailed(message, fields={"day": [f"Fecha a partir del {earliest:%d/%m/%Y}."]})
    committee_session.updated_at = now
    reconvene = convened and moved
    if reconvene:
        committee_session.state = SessionState.PROGRAMADA
        committee_session.has_unsent_changes = True
    elif committee_session.snapshot() != before:
        mark_changed(committee_session)
    session.flush()
    audit_session(
        session,
        committee_session,
        actor,
        "modificar",
        before,
        por_convocar=reconvene,
        motivo_extraordinaria=committee_session.extraordinary_reason if becomes_extraordinary else None,
    )
    return committee_session


def _release_initiatives(session: DbSession, committee_session: CommitteeSession, actor: User, now: datetime, note: str) -> None:
    for item in agenda_items(session, committee_session):
        if item.initiative_id is None:
            continue
        initiative = lock_initiative(session, item.initiative_id)
        if initiative.state is InitiativeState.EN_AGENDA:
            before = initiative.snapshot()
            initiative.state = InitiativeState.POSTULADA
            session.flush()
            add_event(session, initiative, actor, "retirada_de_agenda", from_state=InitiativeState.EN_AGENDA, now=now, note=note)
            audit(session, initiative, actor, "retirar_de_agenda", before)


def cancel_session(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    reason: str | None,
    context: CommitteeContext,
    now: datetime,
) -> CommitteeSession:
    """Cancel a session: its initiatives go back to ``postulada``; if convened, a cancellation goes out."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cancelar")
    cleaned = optional_text(reason)
    if cleaned is None or len(cleaned) < MIN_REASON:
        raise ValidationFailed(f"Indique el motivo (al menos {MIN_REASON} caracteres).", fields={"reason": ["Obligatorio."]})
    before = committee_session.snapshot()
    was_convened = committee_session.ics_sequence is not None
    _release_initiatives(session, committee_session, actor, now, f"{committee_session.label} cancelada: {cleaned}")
    committee_session.state = SessionState.CANCELADA
    committee_session.cancelled_at = now
    committee_session.cancel_reason = cleaned
    committee_session.has_unsent_changes = False
    session.flush()
    if was_convened:
        from committee.sessions.convocations import send_invitation

        send_invitation(session, committee_session, actor=actor, context=context, now=now, note=None, cancelled=True)
    audit_session(session, committee_session, actor, "cancelar", before, motivo=cleaned)
    return committee_session


# ---------------------------------------------------------------- agenda


# ---------------------------------------------------------------- guests


def add_guest(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    name: str | None,
    email: str | None,
    organization: str | None,
    now: datetime,
) -> SessionGuest:
    """Invite a person or representative of a public or private entity (seed Mesa §7)."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "invitar personas")
    errors: dict[str, list[str]] = {}
    cleaned_name = optional_text(name)
    if cleaned_name is None or len(cleaned_name) > 200:
        errors["name"] = ["Escriba el nombre del invitado."]
    normalized = ""
    try:
        normalized = validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = ["El correo no es válido."]
    if (
        normalized
        and session.execute(
            select(SessionGuest.id).where(SessionGuest.session_id == committee_session.id, SessionGuest.email == normalized)
        ).scalar()
    ):
        errors["email"] = ["Esa persona ya está invitada."]
    if errors:
        raise ValidationFailed("Revise los datos del invitado.", fields=errors)
    guest = SessionGuest(
        session_id=committee_session.id,
        name=cleaned_name or "",
        email=normalized,
        organization=optional_text(organization),
        created_at=now,
    )
    session.add(guest)
    mark_changed(committee_session)
    session.flush()
    audit_session(session, committee_session, actor, "invitar", None, invitado=normalized)
    return guest


def remove_guest(session: DbSession, committee_session: CommitteeSession, guest_id: int, *, actor: User, now: datetime) -> None:
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar los invitados")
    guest = session.get(SessionGuest, guest_id)
    if guest is None or guest.session_id != committee_session.id:
        raise WrongState("Esa persona no está invitada a esta sesión.")
    email = guest.email
    session.delete(guest)
    mark_changed(committee_session)
    session.flush()
    audit_session(session, committee_session, actor, "retirar_invitado", None, invitado=email)


# ---------------------------------------------------------------- the yearly plan
