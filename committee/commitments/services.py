"""The committee's commitments (compromisos, SPEC §6): the only code that changes them.

The secretariat records what the committee delegates — description, responsible, due date — in the
session or right after it; later sessions follow them up at their "seguimiento de compromisos"
item. They "son de obligatorio cumplimiento. La abstención o incumplimiento dará paso a informar
las situaciones a la oficina de Control Interno" (seed Mesa §4): each has a deadline that
``committee.tick.tick`` reminds before and reports, once, when it passes. Every function locks
what it changes, audits, and raises ``NotAllowed``, ``WrongState`` or ``ValidationFailed``; the
caller commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from committee.actas.models import ActaState, DeadlineKind, DeadlineOutcome
from committee.actas.services import DEFAULT_CONTEXT, acta_for_session
from committee.commitments.models import Commitment, CommitmentFollowUp, CommitmentState
from committee.deadlines import COMMITMENTS_PATH, close_open_deadlines, deadline_text, notify, open_commitment_deadline
from committee.models import AgendaItem, CommitteeSession, SessionState
from committee.sessions.common import CommitteeContext, lock_session
from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.models import Dependency, User
from portal.roles import Role
from sla.services import LAST_YEAR

MAX_DESCRIPTION = 4000
MIN_DESCRIPTION = 10
MIN_NOTE = 5
MIN_RESPONSIBLE = 3
MAX_RESPONSIBLE = 200
#: how a commitment ends: done, or withdrawn by the committee
CLOSING_STATES = frozenset({CommitmentState.CUMPLIDO, CommitmentState.CANCELADO})


def require_secretariat(actor: User) -> None:
    if not actor.has_role(Role.SECRETARIA_TECNICA):
        raise NotAllowed("Los compromisos del comité los registra y actualiza la secretaría técnica.")


def lock_commitment(session: DbSession, commitment_id: int) -> Commitment:
    commitment = session.execute(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .with_for_update(of=Commitment)
        .execution_options(populate_existing=True)
    ).scalar()
    if commitment is None:
        raise WrongState("El compromiso no existe.")
    return commitment


def audit_commitment(
    session: DbSession, commitment: Commitment, actor: User | None, action: str, before: dict[str, Any] | None, **extra: Any
) -> None:
    record_event(
        session,
        actor=actor,
        action=f"compromiso.{action}",
        object_type="compromiso_comite",
        object_id=commitment.id,
        before=before,
        after=commitment.snapshot() | extra,
    )


def _clean(value: str | None) -> str:
    return (value or "").strip()


def add_commitment(
    session: DbSession,
    committee_session: CommitteeSession,
    *,
    actor: User,
    description: str,
    responsible_name: str,
    due_date: date,
    now: datetime,
    responsible_id: int | None = None,
    dependency_id: int | None = None,
    item_id: int | None = None,
    context: CommitteeContext | None = None,
) -> Commitment:
    """Record a commitment made in a session (``en_curso``, or ``realizada`` while its acta is still a
    draft) and open its deadline: due at 23:59:59 Bogotá of ``due_date``, with a reminder to the
    responsible 2 business days before. The responsible with an account is told by e-mail."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    if committee_session.state is SessionState.REALIZADA:
        acta = acta_for_session(session, committee_session.id)
        if acta is not None and acta.state is not ActaState.BORRADOR:
            raise WrongState(f"El acta de la {committee_session.label} ya se envió: sus compromisos no cambian.")
    elif committee_session.state is not SessionState.EN_CURSO:
        raise WrongState(
            f"La {committee_session.label} está {committee_session.state.label.lower()}: los compromisos se registran "
            "durante la sesión o al cerrarla."
        )
    errors: dict[str, list[str]] = {}
    description, responsible_name = _clean(description), _clean(responsible_name)
    if not MIN_DESCRIPTION <= len(description) <= MAX_DESCRIPTION:
        errors["description"] = [f"Describa el compromiso (entre {MIN_DESCRIPTION} y {MAX_DESCRIPTION} caracteres)."]
    if len(responsible_name) < MIN_RESPONSIBLE:
        errors["responsible_name"] = [
            f"Indique el responsable tal como figurará en el acta (al menos {MIN_RESPONSIBLE} caracteres)."
        ]
    elif len(responsible_name) > MAX_RESPONSIBLE:
        errors["responsible_name"] = [f"El nombre del responsable admite hasta {MAX_RESPONSIBLE} caracteres."]
    if due_date < local_date(now):
        errors["due_date"] = ["La fecha límite ya pasó."]
    elif due_date.year > LAST_YEAR:
        errors["due_date"] = ["Indique una fecha dentro del calendario de la entidad."]
    responsible = session.get(User, responsible_id) if responsible_id is not None else None
    if responsible_id is not None and (responsible is None or not responsible.is_active_account):
        errors["responsible_id"] = ["Seleccione una persona con cuenta activa."]
    if dependency_id is not None and session.get(Dependency, dependency_id) is None:
        errors["dependency_id"] = ["Seleccione una dependencia."]
    if item_id is not None:
        item = session.get(AgendaItem, item_id)
        if item is None or item.session_id != committee_session.id:
            errors["item_id"] = ["Seleccione un punto del orden del día de esta sesión."]
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    commitment = Commitment(
        session_id=committee_session.id,
        item_id=item_id,
        description=description,
        responsible_id=responsible_id,
        responsible_name=responsible_name,
        dependency_id=dependency_id,
        due_date=due_date,
        state=CommitmentState.PENDIENTE,
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(commitment)
    session.flush()
    rules = (context or DEFAULT_CONTEXT).rules
    deadline = open_commitment_deadline(
        session, commitment, now=now, reminder_business_days=rules.commitment_reminder_business_days, actor=actor
    )
    audit_commitment(session, commitment, actor, "creado", None, sesion=committee_session.id)
    sent = notify(
        session,
        [responsible],
        subject=f"Compromiso con el comité — {committee_session.label}",
        heading=f"En la {committee_session.label} quedó a su cargo un compromiso que vence {deadline_text(deadline.due_at)}.",
        message=f"{description}\n\nLos compromisos son de obligatorio cumplimiento; su incumplimiento se informa a Control Interno.",
        lines=[f"Responsable: {responsible_name}"],
        path=COMMITMENTS_PATH,
    )
    if sent and deadline.warn_at <= now:
        # due within the reminder's days: this e-mail is the reminder
        deadline.warned_at = now
        session.flush()
    return commitment


def _close(session: DbSession, commitment: Commitment, *, actor: User, state: CommitmentState, note: str, now: datetime) -> None:
    commitment.state = state
    commitment.closed_at = now
    commitment.closing_note = note
    session.flush()
    outcome = DeadlineOutcome.ANULADO if state is CommitmentState.CANCELADO else None
    close_open_deadlines(session, commitment=commitment, kinds=[DeadlineKind.COMPROMISO], outcome=outcome, now=now, actor=actor)


def _checked_note(note: str | None) -> str:
    cleaned = _clean(note)
    if len(cleaned) < MIN_NOTE or len(cleaned) > MAX_DESCRIPTION:
        raise ValidationFailed(
            "Escriba lo informado sobre el compromiso.",
            fields={"note": [f"Escriba lo informado (entre {MIN_NOTE} y {MAX_DESCRIPTION} caracteres)."]},
        )
    return cleaned


def follow_up(
    session: DbSession,
    commitment: Commitment,
    committee_session: CommitteeSession,
    *,
    actor: User,
    note: str,
    state: CommitmentState,
    now: datetime,
) -> CommitmentFollowUp:
    """Record what a later session (``en_curso``) heard of a commitment at its "seguimiento de
    compromisos" item: ``pendiente`` notes it; ``cumplido`` closes it and its deadline (``cumplido``
    or ``cumplido_tarde``); ``cancelado`` withdraws it (deadline ``anulado``)."""
    require_secretariat(actor)
    committee_session = lock_session(session, committee_session.id)
    if committee_session.state is not SessionState.EN_CURSO:
        raise WrongState(
            f"La {committee_session.label} está {committee_session.state.label.lower()}: el seguimiento de compromisos "
            "se registra durante la sesión."
        )
    commitment = lock_commitment(session, commitment.id)
    if commitment.state is not CommitmentState.PENDIENTE:
        raise WrongState(f"El compromiso está {commitment.state.label.lower()}: no requiere seguimiento.")
    if commitment.session_id == committee_session.id or commitment.session.starts_at >= committee_session.starts_at:
        raise ValidationFailed("El seguimiento se hace en una sesión posterior a la que adquirió el compromiso.")
    cleaned = _checked_note(note)
    before = commitment.snapshot()
    record = CommitmentFollowUp(
        commitment_id=commitment.id,
        session_id=committee_session.id,
        note=cleaned,
        state=state,
        recorded_by_id=actor.id,
        at=now,
    )
    session.add(record)
    session.flush()
    if state in CLOSING_STATES:
        _close(session, commitment, actor=actor, state=state, note=cleaned, now=now)
    audit_commitment(session, commitment, actor, "seguimiento", before, sesion=committee_session.id, nota=cleaned)
    return record


def close_commitment(
    session: DbSession, commitment: Commitment, *, actor: User, state: CommitmentState, note: str, now: datetime
) -> Commitment:
    """The secretariat closes a commitment between sessions: ``cumplido`` (the deadline ``cumplido``
    or ``cumplido_tarde``) or ``cancelado`` (``anulado``), with what supports it."""
    require_secretariat(actor)
    if state not in CLOSING_STATES:
        raise ValidationFailed(
            "Un compromiso se cierra como cumplido o cancelado.", fields={"state": ["Seleccione cumplido o cancelado."]}
        )
    commitment = lock_commitment(session, commitment.id)
    if commitment.state is not CommitmentState.PENDIENTE:
        raise WrongState(f"El compromiso ya está {commitment.state.label.lower()}.")
    cleaned = _checked_note(note)
    before = commitment.snapshot()
    _close(session, commitment, actor=actor, state=state, note=cleaned, now=now)
    audit_commitment(session, commitment, actor, state.value, before, nota=cleaned)
    return commitment


def pending_for_follow_up(session: DbSession, committee_session: CommitteeSession) -> list[Commitment]:
    """Pending commitments made in earlier sessions: what the "seguimiento de compromisos" item reviews."""
    return list(
        session.execute(
            select(Commitment)
            .join(CommitteeSession, Commitment.session_id == CommitteeSession.id)
            .where(
                Commitment.state == CommitmentState.PENDIENTE,
                Commitment.session_id != committee_session.id,
                CommitteeSession.starts_at < committee_session.starts_at,
            )
            .order_by(Commitment.due_date, Commitment.id)
        )
        .scalars()
        .unique()
    )


def overdue_commitments(session: DbSession, today_or_now: date | datetime) -> list[Commitment]:
    """Pending commitments whose due date has passed (in Bogotá): what ``control_interno`` reads."""
    today = local_date(today_or_now) if isinstance(today_or_now, datetime) else today_or_now
    return list(
        session.execute(
            select(Commitment)
            .where(Commitment.state == CommitmentState.PENDIENTE, Commitment.due_date < today)
            .order_by(Commitment.due_date, Commitment.id)
        )
        .scalars()
        .unique()
    )


def session_commitments(session: DbSession, committee_session: CommitteeSession) -> list[Commitment]:
    """The commitments made in this session, in the order they were recorded."""
    return list(
        session.execute(select(Commitment).where(Commitment.session_id == committee_session.id).order_by(Commitment.id))
        .scalars()
        .unique()
    )


def all_commitments(session: DbSession) -> list[Commitment]:
    """Every commitment: the pending ones first, soonest due first."""
    return list(
        session.execute(
            select(Commitment).order_by((Commitment.state != CommitmentState.PENDIENTE), Commitment.due_date, Commitment.id)
        )
        .scalars()
        .unique()
    )
