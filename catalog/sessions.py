"""Committee sessions, their agenda, guests and convocations (SPEC §6): the only code that changes them.

The technical secretariat programs sessions — ``ordinaria`` (quarterly, seed Mesa §7) or
``extraordinaria`` (on request of members, seed Mesa §6) —, builds the orden del día from the fixed
items and the postulated initiatives, and convenes by e-mail with an iCalendar invitation. Like
``catalog.services``, every function takes the session, the actor and ``now``, flushes, writes the
audit event and raises ``NotAllowed``, ``WrongState`` or ``ValidationFailed``; the caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel.dates import format_date, format_time
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from catalog.models import (
    AGENDA_CANDIDATE_STATES,
    OPEN_SESSION_STATES,
    AgendaItem,
    AgendaItemKind,
    CommitteeMember,
    CommitteeSession,
    Initiative,
    InitiativeState,
    SessionGuest,
    SessionKind,
    SessionState,
)
from catalog.services import (
    add_event,
    audit,
    lock_initiative,
    wrong_state,
)
from config.committee import CommitteeRules
from portal.audit import record_event
from portal.clock import BOGOTA, local_date
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.models import User
from portal.roles import Role

MIN_REASON = 10
#: Fixed items of every orden del día (SPEC §6): the quorum first, other business last, the rest between.
OPENING_ITEMS = (AgendaItemKind.QUORUM, AgendaItemKind.ACTA_ANTERIOR, AgendaItemKind.COMPROMISOS)
FIXED_KINDS = frozenset({*OPENING_ITEMS, AgendaItemKind.VARIOS})
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class CommitteeContext:
    """What the services need to know about the entity (built by the edge from the profile)."""

    committee_name: str
    entity_name: str
    email_domain: str
    rules: CommitteeRules


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


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def require_secretariat(actor: User) -> None:
    if not actor.has_role(Role.SECRETARIA_TECNICA):
        raise NotAllowed("Las sesiones, el orden del día y las convocatorias son de la secretaría técnica del comité.")


def local_instant(day: date, at: time) -> datetime:
    """A Bogotá wall-clock time as a UTC instant."""
    return datetime.combine(day, at, tzinfo=BOGOTA).astimezone(UTC)


def _plain(text: str) -> str:
    """CLDR puts no-break spaces in "a. m."; plain text for e-mail and calendars uses ordinary ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def fecha_larga(instant: datetime) -> str:
    return _plain(format_date(instant.astimezone(BOGOTA), "full", locale="es_CO"))


def hora(instant: datetime) -> str:
    return _plain(format_time(instant.astimezone(BOGOTA), "h:mm a", locale="es_CO"))


def validate_session_data(session: DbSession, data: SessionData, *, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.day < today:
        err("day", "La fecha de la sesión ya pasó.")
    if data.end_time <= data.start_time:
        err("end_time", "La hora de finalización debe ser posterior a la de inicio.")
    place, link = _clean(data.place), _clean(data.virtual_link)
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
        reason = _clean(data.extraordinary_reason)
        if reason is None or len(reason) < MIN_REASON:
            err("extraordinary_reason", f"Explique el motivo de la sesión extraordinaria (al menos {MIN_REASON} caracteres).")
    return errors


def lock_session(session: DbSession, session_id: int) -> CommitteeSession:
    committee_session = session.execute(
        select(CommitteeSession)
        .where(CommitteeSession.id == session_id)
        .with_for_update(of=CommitteeSession)
        .execution_options(populate_existing=True)
    ).scalar()
    if committee_session is None:
        raise WrongState("La sesión no existe.")
    return committee_session


def require_open(committee_session: CommitteeSession, what: str) -> None:
    if committee_session.state not in OPEN_SESSION_STATES:
        raise WrongState(f"La {committee_session.label} está {committee_session.state.label.lower()}: no se puede {what}.")


def audit_session(
    session: DbSession, committee_session: CommitteeSession, actor: User, action: str, before: dict[str, Any] | None, **extra: Any
) -> None:
    record_event(
        session,
        actor=actor,
        action=f"sesion.{action}",
        object_type="sesion_comite",
        object_id=committee_session.id,
        before=before,
        after=committee_session.snapshot() | extra,
    )


def _mark_changed(committee_session: CommitteeSession) -> None:
    """After the convocation, any change asks for an updated invitation."""
    if committee_session.state is SessionState.CONVOCADA:
        committee_session.has_unsent_changes = True


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
    committee_session.place = _clean(data.place)
    committee_session.virtual_link = _clean(data.virtual_link)
    committee_session.requested_inputs = _clean(data.requested_inputs) or context.rules.default_requested_inputs
    extraordinary = data.kind is SessionKind.EXTRAORDINARIA
    committee_session.requested_by_member_id = data.requested_by_member_id if extraordinary else None
    committee_session.extraordinary_reason = _clean(data.extraordinary_reason) if extraordinary else None


def update_session(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    data: SessionData,
    context: CommitteeContext,
    now: datetime,
) -> CommitteeSession:
    """Change date, time, place, inputs; the kind only before the first convocation."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "modificar")
    if data.kind is not committee_session.kind and committee_session.state is not SessionState.PROGRAMADA:
        raise ValidationFailed(
            "Una sesión ya convocada no cambia de tipo; cancélela y programe otra.", fields={"kind": ["No se puede cambiar."]}
        )
    if data.day.year != committee_session.year:
        raise ValidationFailed("Para otro año, programe una nueva sesión.", fields={"day": ["Debe quedar en el mismo año."]})
    errors = validate_session_data(session, data, today=local_date(now))
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    before = committee_session.snapshot()
    _apply_session(committee_session, data, context)
    committee_session.updated_at = now
    if committee_session.snapshot() != before:
        _mark_changed(committee_session)
    session.flush()
    audit_session(session, committee_session, actor, "modificar", before)
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
    cleaned = _clean(reason)
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
        from catalog.convocations import send_invitation

        send_invitation(session, committee_session, actor=actor, context=context, now=now, note=cleaned, cancelled=True)
    audit_session(session, committee_session, actor, "cancelar", before, motivo=cleaned)
    return committee_session


# ---------------------------------------------------------------- agenda


def agenda_items(session: DbSession, committee_session: CommitteeSession) -> list[AgendaItem]:
    return list(
        session.execute(
            select(AgendaItem)
            .where(AgendaItem.session_id == committee_session.id)
            .order_by(AgendaItem.position)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def _write_positions(session: DbSession, items: Sequence[AgendaItem]) -> None:
    """Renumber 1..n in two passes, so the unique (session, position) never clashes midway."""
    for index, item in enumerate(items):
        item.position = -(index + 1)
    session.flush()
    for index, item in enumerate(items):
        item.position = index + 1
    session.flush()


def _check_order(items: Sequence[AgendaItem]) -> None:
    if items and items[0].kind is not AgendaItemKind.QUORUM:
        raise ValidationFailed("La verificación del quórum es el primer punto: sin quórum no se delibera.")
    if items and items[-1].kind is not AgendaItemKind.VARIOS:
        raise ValidationFailed("Proposiciones y varios es el último punto del orden del día.")


def _insert_before_closing(session: DbSession, committee_session: CommitteeSession, new_item: AgendaItem) -> None:
    items = agenda_items(session, committee_session)
    new_item.position = (max((i.position for i in items), default=0)) + 1
    session.add(new_item)
    session.flush()
    closing = [i for i in items if i.kind is AgendaItemKind.VARIOS]
    ordered = [i for i in items if i.kind is not AgendaItemKind.VARIOS] + [new_item] + closing
    _write_positions(session, ordered)


def add_initiative_to_agenda(
    session: DbSession, committee_session: CommitteeSession, initiative: Initiative, *, actor: User, now: datetime
) -> AgendaItem:
    """Put a postulated (or deferred) initiative on the orden del día: it becomes ``en_agenda``."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar el orden del día")
    initiative = lock_initiative(session, initiative.id)
    if initiative.state not in AGENDA_CANDIDATE_STATES:
        raise wrong_state(initiative, "incluir en el orden del día")
    if any(i.initiative_id == initiative.id for i in agenda_items(session, committee_session)):
        raise WrongState(f"La iniciativa {initiative.code} ya está en el orden del día de esta sesión.")
    title = f"{initiative.code} — {initiative.title} ({initiative.dependency.name})"[:300]
    item = AgendaItem(session_id=committee_session.id, kind=AgendaItemKind.INICIATIVA, title=title, initiative_id=initiative.id)
    _insert_before_closing(session, committee_session, item)
    before = initiative.snapshot()
    from_state = initiative.state
    initiative.state = InitiativeState.EN_AGENDA
    _mark_changed(committee_session)
    session.flush()
    add_event(session, initiative, actor, "incluida_en_agenda", from_state=from_state, now=now, note=committee_session.label)
    audit(session, initiative, actor, "incluir_en_agenda", before)
    audit_session(session, committee_session, actor, "agenda_incluir", None, iniciativa=initiative.code)
    return item


def add_topic(
    session: DbSession, committee_session: CommitteeSession, *, actor: User, title: str | None, now: datetime
) -> AgendaItem:
    """Another point of the orden del día (a presentation, a report), before other business."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar el orden del día")
    cleaned = _clean(title)
    if cleaned is None or len(cleaned) < 5 or len(cleaned) > 300:
        raise ValidationFailed("Escriba el tema (entre 5 y 300 caracteres).", fields={"title": ["Obligatorio."]})
    item = AgendaItem(session_id=committee_session.id, kind=AgendaItemKind.TEMA, title=cleaned)
    _insert_before_closing(session, committee_session, item)
    _mark_changed(committee_session)
    session.flush()
    audit_session(session, committee_session, actor, "agenda_tema", None, tema=cleaned)
    return item


def remove_agenda_item(
    session: DbSession, committee_session: CommitteeSession, item_id: int, *, actor: User, now: datetime
) -> None:
    """Take a point off the agenda (not the fixed ones); an initiative goes back to ``postulada``."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar el orden del día")
    items = agenda_items(session, committee_session)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise WrongState("Ese punto no está en el orden del día de esta sesión.")
    if item.kind in FIXED_KINDS:
        raise WrongState(f"«{item.title}» es un punto fijo del orden del día.")
    removed = item.title
    if item.initiative_id is not None:
        initiative = lock_initiative(session, item.initiative_id)
        if initiative.state is InitiativeState.EN_AGENDA:
            before = initiative.snapshot()
            initiative.state = InitiativeState.POSTULADA
            session.flush()
            add_event(
                session,
                initiative,
                actor,
                "retirada_de_agenda",
                from_state=InitiativeState.EN_AGENDA,
                now=now,
                note=committee_session.label,
            )
            audit(session, initiative, actor, "retirar_de_agenda", before)
    session.delete(item)
    session.flush()
    _write_positions(session, [i for i in items if i.id != item_id])
    _mark_changed(committee_session)
    session.flush()
    audit_session(session, committee_session, actor, "agenda_retirar", None, punto=removed)


def reorder_agenda(
    session: DbSession, committee_session: CommitteeSession, item_ids: Sequence[int], *, actor: User, now: datetime
) -> list[AgendaItem]:
    """Put the agenda in the given order: every item once, the quorum first and other business last."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    require_open(committee_session, "cambiar el orden del día")
    items = agenda_items(session, committee_session)
    by_id = {i.id: i for i in items}
    if sorted(item_ids) != sorted(by_id):
        raise ValidationFailed("El nuevo orden debe incluir cada punto del orden del día una sola vez.")
    ordered = [by_id[i] for i in item_ids]
    _check_order(ordered)
    if [i.id for i in items] != list(item_ids):
        _write_positions(session, ordered)
        _mark_changed(committee_session)
        session.flush()
        audit_session(session, committee_session, actor, "agenda_reordenar", None, orden=[i.title for i in ordered])
    return ordered


def move_agenda_item(
    session: DbSession, committee_session: CommitteeSession, item_id: int, *, actor: User, offset: int, now: datetime
) -> list[AgendaItem]:
    """Move one point up (``offset=-1``) or down (``offset=1``)."""
    ids = [i.id for i in agenda_items(session, committee_session)]
    if item_id not in ids:
        raise WrongState("Ese punto no está en el orden del día de esta sesión.")
    index = ids.index(item_id)
    target = index + offset
    if not 0 <= target < len(ids):
        raise ValidationFailed("Ese punto ya está en el extremo del orden del día.")
    ids[index], ids[target] = ids[target], ids[index]
    return reorder_agenda(session, committee_session, ids, actor=actor, now=now)


def agenda_candidates(session: DbSession) -> list[Initiative]:
    """Initiatives the secretariat may put on an agenda: postulated, or deferred by an earlier session."""
    return list(
        session.execute(
            select(Initiative)
            .where(Initiative.state.in_(AGENDA_CANDIDATE_STATES))
            .order_by(Initiative.postulated_at, Initiative.id)
        ).scalars()
    )


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
    cleaned_name = _clean(name)
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
        organization=_clean(organization),
        created_at=now,
    )
    session.add(guest)
    _mark_changed(committee_session)
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
    _mark_changed(committee_session)
    session.flush()
    audit_session(session, committee_session, actor, "retirar_invitado", None, invitado=email)


# ---------------------------------------------------------------- the yearly plan


@dataclass(frozen=True)
class QuarterPlan:
    year: int
    quarter: int
    first_day: date
    last_day: date
    sessions: tuple[CommitteeSession, ...]

    @property
    def label(self) -> str:
        return f"{ROMAN[self.quarter]} trimestre de {self.year}"

    @property
    def has_ordinary(self) -> bool:
        return any(s.kind is SessionKind.ORDINARIA and s.state is not SessionState.CANCELADA for s in self.sessions)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def year_plan(session: DbSession, year: int) -> list[QuarterPlan]:
    """The four quarters of ``year`` with their sessions: the plan of four ordinary sessions (seed Mesa §7)."""
    sessions = session.execute(
        select(CommitteeSession).where(CommitteeSession.year == year).order_by(CommitteeSession.starts_at)
    ).scalars()
    by_quarter: dict[int, list[CommitteeSession]] = {q: [] for q in ROMAN}
    for committee_session in sessions:
        by_quarter[quarter_of(local_date(committee_session.starts_at))].append(committee_session)
    plans = []
    for quarter in ROMAN:
        first = date(year, 3 * quarter - 2, 1)
        last = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(days=1)
        plans.append(QuarterPlan(year, quarter, first, last, tuple(by_quarter[quarter])))
    return plans


@dataclass(frozen=True)
class QuarterWarning:
    quarter: QuarterPlan
    is_past: bool

    @property
    def message(self) -> str:
        if self.is_past:
            return f"El {self.quarter.label} terminó sin sesión ordinaria."
        return f"El {self.quarter.label} no tiene sesión ordinaria programada."


def quarter_warnings(session: DbSession, today: date) -> list[QuarterWarning]:
    """Quarters of this year without an ordinary session (past ones and those still to come)."""
    return [QuarterWarning(plan, plan.last_day < today) for plan in year_plan(session, today.year) if not plan.has_ordinary]
