"""The life of a TIC initiative (SPEC §6): the only code that changes initiatives.

``registrada → postulada → en_agenda → aprobada | rechazada | aplazada``, then ``en_ejecucion →
finalizada``. The dependency's enlace registers and edits; the dependency postulates in two steps
(the enlace asks, the head of the dependency confirms: "En los eventos que una Secretaría o
Dependencia postule iniciativas…", seed Mesa §3); the technical secretariat puts postulated
initiatives on an agenda (``committee.sessions``); the committee's decision arrives through
``record_outcome``. Every function locks what it changes, checks who acts and from which state,
writes the history and the audit event in the caller's transaction and raises ``NotAllowed``
(403), ``WrongState`` (409) or ``ValidationFailed`` (422). None of them commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from catalog.models import (
    OUTCOME_STATES,
    Enabler,
    FundingSource,
    Initiative,
    InitiativeCounter,
    InitiativeDocument,
    InitiativeEnabler,
    InitiativeEvent,
    InitiativeState,
)
from committee.models import AgendaItem, CommitteeSession
from portal.audit import record_change, record_event
from portal.clock import local_date
from portal.db import DbSession, next_yearly_value
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import Dependency, RoleAssignment, StoredFile, TimelineEvent, User
from portal.roles import Role
from portal.text import optional_text
from portal.uploads import CheckedFile

MIN_REASON = 10
MAX_BUDGET = 10**15


@dataclass
class InitiativeData:
    """What the enlace fills in. A registered initiative may be incomplete; a postulated one may not."""

    dependency_id: int
    title: str
    description: str
    objective: str
    enablers: list[Enabler] = field(default_factory=list)
    is_in_peti: bool = False
    estimated_budget: int | None = None
    funding_source: FundingSource | None = None
    start_date: date | None = None
    end_date: date | None = None
    sponsor: str | None = None


def validate_initiative_data(session: DbSession, data: InitiativeData, *, complete: bool) -> dict[str, list[str]]:
    """Field errors in Spanish; ``complete`` asks for everything the committee needs to decide."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    dependency = session.get(Dependency, data.dependency_id)
    if dependency is None or not dependency.is_active:
        err("dependency_id", "Seleccione una dependencia activa.")
    if len(optional_text(data.title) or "") < 5:
        err("title", "Escriba el nombre de la iniciativa (al menos 5 caracteres).")
    elif len(data.title.strip()) > 200:
        err("title", "El nombre admite hasta 200 caracteres.")
    if len(optional_text(data.description) or "") < 20:
        err("description", "Describa la iniciativa (al menos 20 caracteres).")
    if len(optional_text(data.objective) or "") < 10:
        err("objective", "Escriba el objetivo (al menos 10 caracteres).")
    if data.estimated_budget is not None and not 0 <= data.estimated_budget < MAX_BUDGET:
        err("estimated_budget", "El presupuesto es un valor en pesos, sin signo negativo.")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        err("end_date", "La fecha de finalización no puede ser anterior a la de inicio.")
    if data.sponsor and len(data.sponsor.strip()) > 200:
        err("sponsor", "Admite hasta 200 caracteres.")
    if complete:
        if not data.enablers:
            err("enablers", "Indique al menos un habilitador de la Política de Gobierno Digital.")
        if data.estimated_budget is None:
            err("estimated_budget", "Indique el presupuesto estimado en pesos.")
        if data.funding_source is None:
            err("funding_source", "Seleccione la fuente de financiación.")
        if data.start_date is None:
            err("start_date", "Indique la fecha estimada de inicio.")
        if data.end_date is None:
            err("end_date", "Indique la fecha estimada de finalización.")
        if not optional_text(data.sponsor):
            err("sponsor", "Indique quién patrocina la iniciativa.")
    return errors


def data_from_initiative(initiative: Initiative) -> InitiativeData:
    return InitiativeData(
        dependency_id=initiative.dependency_id,
        title=initiative.title,
        description=initiative.description,
        objective=initiative.objective,
        enablers=initiative.enablers,
        is_in_peti=initiative.is_in_peti,
        estimated_budget=initiative.estimated_budget,
        funding_source=initiative.funding_source,
        start_date=initiative.start_date,
        end_date=initiative.end_date,
        sponsor=initiative.sponsor,
    )


def _apply(initiative: Initiative, data: InitiativeData) -> None:
    initiative.title = data.title.strip()
    initiative.description = data.description.strip()
    initiative.objective = data.objective.strip()
    initiative.is_in_peti = bool(data.is_in_peti)
    initiative.estimated_budget = data.estimated_budget
    initiative.funding_source = data.funding_source
    initiative.start_date = data.start_date
    initiative.end_date = data.end_date
    initiative.sponsor = optional_text(data.sponsor)
    wanted = set(data.enablers)
    initiative.enabler_rows = [row for row in initiative.enabler_rows if row.enabler in wanted]
    have = {row.enabler for row in initiative.enabler_rows}
    initiative.enabler_rows.extend(InitiativeEnabler(enabler=e) for e in sorted(wanted - have))


# ---------------------------------------------------------------- helpers


def next_code(session: DbSession, year: int) -> str:
    """INI-YYYY-NNNN, gap-free per year and unique under concurrent registrations."""
    return f"INI-{year}-{next_yearly_value(session, InitiativeCounter, year):04d}"


def lock_initiative(session: DbSession, initiative_id: int) -> Initiative:
    """Load the initiative with a row lock (PostgreSQL) so concurrent transitions queue up."""
    initiative = session.execute(
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .with_for_update(of=Initiative)
        .execution_options(populate_existing=True)
    ).scalar()
    if initiative is None:
        raise WrongState("La iniciativa no existe.")
    return initiative


def add_event(
    session: DbSession,
    initiative: Initiative,
    actor: User | None,
    kind: str,
    *,
    now: datetime,
    from_state: InitiativeState | None = None,
    note: str | None = None,
) -> None:
    fields = TimelineEvent.fields_of(actor, kind, at=now, from_state=from_state, to_state=initiative.state, note=note)
    session.add(InitiativeEvent(initiative_id=initiative.id, **fields))


def audit(session: DbSession, initiative: Initiative, actor: User | None, action: str, before: dict[str, Any] | None) -> None:
    record_change(session, initiative, actor=actor, object_type="iniciativa", action=action, before=before)


def wrong_state(initiative: Initiative, what: str) -> WrongState:
    state = "pendiente de confirmación del jefe" if initiative.is_postulation_pending else initiative.state.label.lower()
    return WrongState(f"La iniciativa {initiative.code} está {state}: no se puede {what}.")


def require_enlace(actor: User, dependency_id: int) -> None:
    if dependency_id not in actor.scoped_dependency_ids(Role.ENLACE):
        raise NotAllowed("Solo el enlace TIC de la dependencia gestiona sus iniciativas.")


def dependency_heads(session: DbSession, dependency: Dependency) -> list[User]:
    """The head of the dependency: its recorded head, else whoever holds ``jefe`` for it."""
    if dependency.head is not None and dependency.head.is_active_account:
        return [dependency.head]
    return list(
        session.execute(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.role == Role.JEFE,
                RoleAssignment.dependency_id == dependency.id,
                User.is_active_account.is_(True),
            )
            .order_by(User.id)
        )
        .scalars()
        .unique()
    )


def users_with_role(session: DbSession, role: Role) -> list[User]:
    return list(
        session.execute(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == role, User.is_active_account.is_(True))
            .order_by(User.id)
        )
        .scalars()
        .unique()
    )


def mail_people(session: DbSession, initiative: Initiative, people: Iterable[User | None], subject: str, message: str) -> None:
    recipients = tuple(sorted({p.email for p in people if p is not None and p.email}))
    if recipients:
        send_after_commit(
            session,
            OutgoingMail(
                to=recipients,
                subject=f"Iniciativa {initiative.code}: {subject}",
                template="catalog/initiative_update",
                context={
                    "initiative_id": initiative.id,
                    "code": initiative.code,
                    "title": initiative.title,
                    "dependency": initiative.dependency.name,
                    "state": initiative.state.label,
                    "message": message,
                },
            ),
        )


def required_reason(reason: str | None, what: str) -> str:
    cleaned = optional_text(reason)
    if cleaned is None or len(cleaned) < MIN_REASON:
        raise ValidationFailed(f"Indique {what} (al menos {MIN_REASON} caracteres).", fields={"reason": ["Obligatorio."]})
    return cleaned


# ---------------------------------------------------------------- registration and postulation


def create_initiative(session: DbSession, *, actor: User, data: InitiativeData, now: datetime) -> Initiative:
    """The enlace registers an initiative of its dependency (``registrada``) with its INI code.

    "Son los encargados de informar a la Secretaría de las TIC sobre los proyectos, iniciativas TIC…
    para mantener actualizado el inventario de catálogo de servicios" (seed PR-M2-P6-01).
    """
    require_enlace(actor, data.dependency_id)
    errors = validate_initiative_data(session, data, complete=False)
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    year = local_date(now).year
    initiative = Initiative(
        code=next_code(session, year),
        year=year,
        dependency_id=data.dependency_id,
        state=InitiativeState.REGISTRADA,
        registered_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    _apply(initiative, data)
    session.add(initiative)
    session.flush()
    add_event(session, initiative, actor, "registrada", now=now)
    audit(session, initiative, actor, "registrar", None)
    return initiative


def update_initiative(
    session: DbSession, initiative: Initiative, *, actor: User, data: InitiativeData, now: datetime
) -> Initiative:
    """The enlace edits a registered initiative (not while its postulation awaits the head)."""
    initiative = lock_initiative(session, initiative.id)
    require_enlace(actor, initiative.dependency_id)
    if initiative.state is not InitiativeState.REGISTRADA or initiative.is_postulation_pending:
        raise wrong_state(initiative, "modificar")
    if data.dependency_id != initiative.dependency_id:
        raise ValidationFailed(
            "La dependencia de una iniciativa no cambia; registre una nueva.", fields={"dependency_id": ["No se puede cambiar."]}
        )
    errors = validate_initiative_data(session, data, complete=False)
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    before = initiative.snapshot()
    _apply(initiative, data)
    initiative.updated_at = now
    session.flush()
    add_event(session, initiative, actor, "editada", now=now)
    audit(session, initiative, actor, "editar", before)
    return initiative


def request_postulation(session: DbSession, initiative: Initiative, *, actor: User, now: datetime) -> Initiative:
    """The enlace asks to postulate the initiative; it waits for the head's confirmation.

    Everything the committee needs must be filled in: enablers, budget, funding, dates, sponsor.
    """
    initiative = lock_initiative(session, initiative.id)
    require_enlace(actor, initiative.dependency_id)
    if initiative.state is not InitiativeState.REGISTRADA or initiative.is_postulation_pending:
        raise wrong_state(initiative, "postular")
    errors = validate_initiative_data(session, data_from_initiative(initiative), complete=True)
    if errors:
        raise ValidationFailed("Complete la iniciativa antes de postularla: revise los campos marcados.", fields=errors)
    before = initiative.snapshot()
    initiative.postulation_requested_at = now
    initiative.postulation_requested_by_id = actor.id
    session.flush()
    add_event(session, initiative, actor, "postulacion_solicitada", now=now)
    audit(session, initiative, actor, "solicitar_postulacion", before)
    mail_people(
        session,
        initiative,
        dependency_heads(session, initiative.dependency),
        "postulación por confirmar",
        f"{actor.full_name} solicita postular la iniciativa al comité. Como jefe de la dependencia, confírmela o devuélvala.",
    )
    return initiative


def confirm_postulation(session: DbSession, initiative: Initiative, *, actor: User, now: datetime) -> Initiative:
    """The head of the dependency confirms: the dependency postulates the initiative (``postulada``)."""
    initiative = lock_initiative(session, initiative.id)
    if initiative.dependency_id not in actor.scoped_dependency_ids(Role.JEFE):
        raise NotAllowed("Solo el jefe de la dependencia confirma la postulación de sus iniciativas.")
    if not initiative.is_postulation_pending:
        raise wrong_state(initiative, "confirmar la postulación")
    before = initiative.snapshot()
    initiative.state = InitiativeState.POSTULADA
    initiative.postulated_at = now
    initiative.postulation_confirmed_by_id = actor.id
    session.flush()
    add_event(session, initiative, actor, "postulada", from_state=InitiativeState.REGISTRADA, now=now)
    audit(session, initiative, actor, "confirmar_postulacion", before)
    people: list[User | None] = [initiative.postulation_requested_by, *users_with_role(session, Role.SECRETARIA_TECNICA)]
    mail_people(
        session,
        initiative,
        people,
        "postulada al comité",
        f"{actor.full_name} confirmó la postulación. La secretaría técnica puede incluirla en el orden del día.",
    )
    return initiative


def return_postulation(
    session: DbSession, initiative: Initiative, *, actor: User, reason: str | None, now: datetime
) -> Initiative:
    """The head of the dependency does not confirm: the initiative goes back to its enlace, with the reason."""
    initiative = lock_initiative(session, initiative.id)
    if initiative.dependency_id not in actor.scoped_dependency_ids(Role.JEFE):
        raise NotAllowed("Solo el jefe de la dependencia confirma la postulación de sus iniciativas.")
    if not initiative.is_postulation_pending:
        raise wrong_state(initiative, "devolver la postulación")
    note = required_reason(reason, "el motivo de la devolución")
    before = initiative.snapshot()
    requester = initiative.postulation_requested_by
    initiative.postulation_requested_at = None
    initiative.postulation_requested_by_id = None
    session.flush()
    add_event(session, initiative, actor, "postulacion_devuelta", now=now, note=note)
    audit(session, initiative, actor, "devolver_postulacion", before)
    mail_people(session, initiative, [requester], "postulación devuelta", f"{actor.full_name} devolvió la postulación: {note}")
    return initiative


# ---------------------------------------------------------------- documents, decision, execution


def add_document(
    session: DbSession, initiative: Initiative, *, actor: User, file: CheckedFile, now: datetime
) -> InitiativeDocument:
    """The enlace attaches a supporting PDF (checked by content, at most 10 MB, with its SHA-256)."""
    initiative = lock_initiative(session, initiative.id)
    require_enlace(actor, initiative.dependency_id)
    if initiative.state is InitiativeState.FINALIZADA:
        raise wrong_state(initiative, "adjuntar documentos")
    if file.content_type != "application/pdf":
        raise ValidationFailed("Los documentos de una iniciativa son PDF.", fields={"file": ["Se acepta PDF."]})
    document = InitiativeDocument(
        initiative_id=initiative.id,
        **StoredFile.fields_of(file, uploaded_by=actor, uploaded_at=now),
    )
    session.add(document)
    session.flush()
    add_event(session, initiative, actor, "documento_adjuntado", now=now, note=file.filename)
    record_event(
        session,
        actor=actor,
        action="iniciativa.adjuntar_documento",
        object_type="iniciativa",
        object_id=initiative.id,
        after={"documento": file.filename, "sha256": file.sha256, "bytes": file.size},
    )
    return document


def _session_of_agenda(session: DbSession, initiative: Initiative) -> CommitteeSession | None:
    return session.execute(
        select(CommitteeSession)
        .join(AgendaItem, AgendaItem.session_id == CommitteeSession.id)
        .where(AgendaItem.initiative_id == initiative.id)
        .order_by(CommitteeSession.starts_at.desc())
        .limit(1)
    ).scalar()


def record_outcome(
    session: DbSession,
    initiative: Initiative,
    *,
    actor: User,
    outcome: InitiativeState,
    note: str | None,
    now: datetime,
    committee_session: CommitteeSession | None = None,
) -> Initiative:
    """The committee's decision on an initiative of the agenda: ``aprobada``, ``rechazada`` or ``aplazada``.

    The hook of the voting (next issue): the votes decide, this records it. A rejection or a
    deferral states its reason. A deferred initiative may go on a later agenda.
    """
    if not actor.has_role(Role.SECRETARIA_TECNICA, Role.SECRETARIO):
        raise NotAllowed("La decisión del comité la registra su secretaría técnica o su presidente.")
    if outcome not in OUTCOME_STATES:
        raise ValidationFailed("La decisión es aprobada, rechazada o aplazada.", fields={"outcome": ["Valor no válido."]})
    initiative = lock_initiative(session, initiative.id)
    if initiative.state is not InitiativeState.EN_AGENDA:
        raise wrong_state(initiative, "registrar la decisión del comité")
    cleaned = optional_text(note)
    if outcome is not InitiativeState.APROBADA:
        cleaned = required_reason(note, "el motivo de la decisión")
    decided_in = committee_session or _session_of_agenda(session, initiative)
    before = initiative.snapshot()
    initiative.state = outcome
    initiative.decided_at = now
    initiative.decision_note = cleaned
    initiative.decision_session_id = decided_in.id if decided_in else None
    session.flush()
    add_event(session, initiative, actor, "decision_comite", from_state=InitiativeState.EN_AGENDA, now=now, note=cleaned)
    audit(session, initiative, actor, "decision_comite", before)
    people = [initiative.registered_by, *dependency_heads(session, initiative.dependency)]
    mail_people(
        session, initiative, people, outcome.label.lower(), f"Decisión del comité: {outcome.label}. {cleaned or ''}".strip()
    )
    return initiative


def load_initiative_page(session: DbSession, initiative_id: int) -> Initiative | None:
    from sqlalchemy.orm import selectinload

    return session.execute(
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .options(
            selectinload(Initiative.events),
            selectinload(Initiative.documents),
            selectinload(Initiative.progress_reports),
        )
        .execution_options(populate_existing=True)
    ).scalar()
