"""The state machine of access requests (SPEC §3): the only code that changes them.

Every transition is one function that locks the request, checks the actor, the state and the
separation-of-duties rules, changes the state, writes the request's history and the audit event in
the caller's transaction, queues the e-mails for after the commit, and raises ``NotAllowed``
(403), ``WrongState`` (409) or ``ValidationFailed`` (422) otherwise. None of them commits.

Separation of duties holds for everyone, ``admin`` included: nobody decides a step of a request
they filed or of which they are the beneficiary, and one person decides at most one step of a
request (a delegate's decision counts for the delegate and for the approver they replace).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload

from config.approval import DEFAULT_APPROVAL_POLICIES
from portal.audit import record_event
from portal.clock import local_date
from portal.db import DbSession, next_yearly_value, utcnow
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import Dependency, RoleAssignment, StoredFile, User
from portal.roles import Role
from portal.uploads import CheckedFile
from tickets.models import (
    APPROVAL_STATES,
    CANCELLABLE_STATES,
    EDITABLE_STATES,
    FORM_ACTIONS,
    AccessRequest,
    ApprovalPolicy,
    ApprovalStep,
    Connector,
    Delegation,
    DocumentType,
    LinkType,
    Priority,
    RequestAction,
    RequestAttachment,
    RequestComment,
    RequestCounter,
    RequestEvent,
    RequestForm,
    RequestState,
    StepKind,
    StepState,
    TargetSystem,
)

MIN_JUSTIFICATION = 10
DOCUMENT_PATTERNS = {
    DocumentType.CC: re.compile(r"^\d{5,10}$"),
    DocumentType.CE: re.compile(r"^[A-Za-z0-9]{3,15}$"),
    DocumentType.PA: re.compile(r"^[A-Za-z0-9]{5,20}$"),
}
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: Actions on an account that already exists in the system: the beneficiary's username is needed.
EXISTING_ACCOUNT_ACTIONS = frozenset(
    {
        RequestAction.ACTIVAR,
        RequestAction.RETIRAR,
        RequestAction.DESBLOQUEAR,
        RequestAction.INICIALIZAR,
        RequestAction.MODIFICAR_ROLES,
    }
)


class Decision(StrEnum):
    APROBAR = "aprobar"
    RECHAZAR = "rechazar"
    DEVOLVER = "devolver"


STATE_WORDS = {s: s.label.lower() for s in RequestState}


@dataclass
class RequestData:
    """What the enlace fills in on the form; drafts may leave beneficiary fields empty."""

    form: RequestForm
    action: RequestAction
    system_id: int
    dependency_id: int
    priority: Priority = Priority.NORMAL
    beneficiary_name: str | None = None
    beneficiary_document_type: DocumentType | None = None
    beneficiary_document: str | None = None
    beneficiary_email: str | None = None
    beneficiary_position: str | None = None
    beneficiary_username: str | None = None
    link_type: LinkType | None = None
    contract_end_date: date | None = None
    justification: str | None = None
    roles_to_add: list[str] = field(default_factory=list)
    roles_to_remove: list[str] = field(default_factory=list)
    roles_end_date: date | None = None


# ---------------------------------------------------------------- validation


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def validate_request_data(
    session: DbSession, data: RequestData, *, email_domain: str, today: date, complete: bool
) -> dict[str, list[str]]:
    """Field errors in Spanish; ``complete`` asks for everything a filed request needs."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.action not in FORM_ACTIONS[data.form]:
        err("action", f"La acción no corresponde al formato {data.form.value}.")
    system = session.get(TargetSystem, data.system_id)
    if system is None or not system.is_active:
        err("system_id", "Seleccione un sistema del catálogo.")
    dependency = session.get(Dependency, data.dependency_id)
    if dependency is None or not dependency.is_active:
        err("dependency_id", "Seleccione una dependencia activa.")

    required = {
        "beneficiary_name": "Escriba el nombre completo del beneficiario.",
        "beneficiary_document_type": "Seleccione el tipo de documento.",
        "beneficiary_document": "Escriba el número de documento.",
        "beneficiary_email": "Escriba el correo institucional.",
        "beneficiary_position": "Escriba el cargo.",
        "link_type": "Seleccione el tipo de vinculación.",
        "justification": "Escriba la justificación de la solicitud.",
    }
    if complete:
        for name, message in required.items():
            if getattr(data, name) in (None, ""):
                err(name, message)

    if data.beneficiary_document and data.beneficiary_document_type:
        if not DOCUMENT_PATTERNS[data.beneficiary_document_type].match(data.beneficiary_document):
            err(
                "beneficiary_document",
                "La cédula de ciudadanía lleva de 5 a 10 dígitos, sin puntos."
                if data.beneficiary_document_type is DocumentType.CC
                else "Use solo letras y números, sin espacios ni puntos.",
            )
    if data.beneficiary_email:
        try:
            normalized = validate_email(data.beneficiary_email, check_deliverability=False).normalized
        except EmailNotValidError:
            err("beneficiary_email", "El correo no es válido.")
        else:
            domain = normalized.rsplit("@", 1)[-1].lower()
            if domain != email_domain and not domain.endswith("." + email_domain):
                err("beneficiary_email", f"Debe ser un correo institucional (@{email_domain}).")
    if data.link_type is LinkType.CONTRATISTA:
        if data.contract_end_date is None:
            if complete:
                err("contract_end_date", "Para un contratista, indique la fecha de terminación del contrato.")
        elif data.contract_end_date < today:
            err("contract_end_date", "La fecha de terminación del contrato ya pasó.")
    if data.beneficiary_username and not USERNAME_PATTERN.match(data.beneficiary_username):
        err("beneficiary_username", "El usuario lleva minúsculas, números, punto, guion o guion bajo.")
    if complete and not data.beneficiary_username:
        err(
            "beneficiary_username",
            "Indique el usuario existente del beneficiario."
            if data.action in EXISTING_ACCOUNT_ACTIONS
            else "Indique el usuario que se creará (por ejemplo, nombre.apellido).",
        )
    if data.justification and complete and len(data.justification.strip()) < MIN_JUSTIFICATION:
        err("justification", f"La justificación debe tener al menos {MIN_JUSTIFICATION} caracteres.")

    known_roles = set(system.role_map) if system is not None else set()
    for name in ("roles_to_add", "roles_to_remove"):
        unknown = [r for r in getattr(data, name) if r not in known_roles]
        if unknown:
            err(name, "Roles que no existen en el sistema: " + ", ".join(unknown))
    if set(data.roles_to_add) & set(data.roles_to_remove):
        err("roles_to_remove", "Un rol no puede agregarse y retirarse a la vez.")
    if data.action is RequestAction.MODIFICAR_ROLES:
        if complete and not data.roles_to_add and not data.roles_to_remove:
            err("roles_to_add", "Indique al menos un rol para agregar o retirar.")
        if data.roles_end_date is not None and data.roles_end_date <= today:
            err("roles_end_date", "La fecha de vencimiento de los roles debe ser futura.")
    elif data.roles_to_remove:
        err("roles_to_remove", "Solo el formato FO-M11-P2-13 retira roles.")
    if data.action not in (RequestAction.CREAR, RequestAction.MODIFICAR_ROLES) and data.roles_to_add:
        err("roles_to_add", "Los roles se asignan al crear el usuario o con el formato FO-M11-P2-13.")
    return errors


def _apply(request: AccessRequest, data: RequestData, session: DbSession) -> None:
    request.form = data.form
    request.action = data.action
    request.system_id = data.system_id
    request.dependency_id = data.dependency_id
    request.priority = data.priority
    request.beneficiary_name = _clean(data.beneficiary_name)
    request.beneficiary_document_type = data.beneficiary_document_type
    request.beneficiary_document = _clean(data.beneficiary_document)
    request.beneficiary_email = (_clean(data.beneficiary_email) or "").lower() or None
    request.beneficiary_position = _clean(data.beneficiary_position)
    request.beneficiary_username = (_clean(data.beneficiary_username) or "").lower() or None
    request.link_type = data.link_type
    request.contract_end_date = data.contract_end_date if data.link_type is LinkType.CONTRATISTA else None
    request.justification = _clean(data.justification)
    request.roles_to_add = sorted(set(data.roles_to_add))
    request.roles_to_remove = sorted(set(data.roles_to_remove))
    request.roles_end_date = data.roles_end_date if data.action is RequestAction.MODIFICAR_ROLES else None
    request.beneficiary_user_id = None
    if request.beneficiary_username:
        request.beneficiary_user_id = session.execute(
            select(User.id).where(func.lower(User.username) == request.beneficiary_username)
        ).scalar()


# ---------------------------------------------------------------- helpers


def _event(
    session: DbSession,
    request: AccessRequest,
    actor: User | None,
    kind: str,
    *,
    from_state: RequestState | None = None,
    note: str | None = None,
    on_behalf_of: User | None = None,
    now: datetime | None = None,
) -> None:
    session.add(
        RequestEvent(
            request_id=request.id,
            at=now or utcnow(),
            actor_id=actor.id if actor else None,
            on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
            kind=kind,
            from_state=from_state.value if from_state else None,
            to_state=request.state.value,
            note=note,
        )
    )


def _audit(session: DbSession, request: AccessRequest, actor: User | None, action: str, before: dict[str, Any] | None) -> None:
    record_event(
        session,
        actor=actor,
        action=f"solicitud.{action}",
        object_type="solicitud",
        object_id=request.id,
        before=before,
        after=request.snapshot(),
    )


def _ans(hook: str, session: DbSession, request: AccessRequest, now: datetime, *args: Any) -> None:
    """Keep the request's ANS timers in step with the transition (``sla.hooks``, SPEC §5).

    Automatic requests (expiry of roles and contracts) are the portal's own work, not the
    service desk's: they carry no ANS timers.
    """
    if request.is_automatic:
        return
    from sla import hooks

    if args:
        getattr(hooks, hook)(session, request, args[0], now)
    else:
        getattr(hooks, hook)(session, request, now)


def _rowcount(result: Any) -> int:
    """Rows touched by an UPDATE (a CursorResult attribute the generic Result type lacks)."""
    return int(result.rowcount)


def lock_request(session: DbSession, request_id: int) -> AccessRequest:
    """Load the request with a row lock (PostgreSQL) so concurrent transitions queue up."""
    request = session.execute(
        select(AccessRequest)
        .where(AccessRequest.id == request_id)
        .with_for_update(of=AccessRequest)
        .execution_options(populate_existing=True)
    ).scalar()
    if request is None:
        raise WrongState("La solicitud no existe.")
    return request


def _wrong_state(request: AccessRequest, what: str) -> WrongState:
    return WrongState(f"La solicitud {request.label} está {STATE_WORDS[request.state]}: no se puede {what}.")


def next_number(session: DbSession, year: int) -> str:
    """SOL-YYYY-NNNNN, gap-free per year and unique under concurrent filings."""
    return f"SOL-{year}-{next_yearly_value(session, RequestCounter, year):05d}"


def policy_steps(session: DbSession, form: RequestForm) -> list[StepKind]:
    policy = session.execute(select(ApprovalPolicy).where(ApprovalPolicy.form == form)).scalar()
    steps = policy.steps if policy is not None else DEFAULT_APPROVAL_POLICIES[form.value]
    return [StepKind(s) for s in steps]


def request_steps(session: DbSession, request: AccessRequest, *, current_round_only: bool = True) -> list[ApprovalStep]:
    query = select(ApprovalStep).where(ApprovalStep.request_id == request.id)
    if current_round_only:
        query = query.where(ApprovalStep.round == request.round)
    return list(session.execute(query.order_by(ApprovalStep.round, ApprovalStep.position)).scalars())


def current_step(session: DbSession, request: AccessRequest) -> ApprovalStep | None:
    if request.state not in APPROVAL_STATES:
        return None
    for step in request_steps(session, request):
        if step.state is StepState.PENDIENTE:
            return step
    return None


def _holders(session: DbSession, kind: StepKind, dependency_id: int) -> list[User]:
    query = select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(User.is_active_account.is_(True))
    if kind is StepKind.JEFE:
        query = query.where(RoleAssignment.role == Role.JEFE, RoleAssignment.dependency_id == dependency_id)
    else:
        query = query.where(RoleAssignment.role == Role(kind.value))
    return list(session.execute(query.order_by(User.id)).scalars().unique())


def active_delegations(session: DbSession, delegator_ids: Iterable[int], today: date) -> list[Delegation]:
    ids = list(delegator_ids)
    if not ids:
        return []
    return list(
        session.execute(
            select(Delegation).where(
                Delegation.delegator_id.in_(ids),
                Delegation.revoked_at.is_(None),
                Delegation.starts_on <= today,
                Delegation.ends_on >= today,
            )
        ).scalars()
    )


def step_deciders(session: DbSession, request: AccessRequest, step: ApprovalStep, today: date) -> list[tuple[User, User | None]]:
    """Everyone who may decide ``step`` now: (person, on whose behalf when delegated)."""
    holders = _holders(session, step.kind, request.dependency_id)
    deciders: list[tuple[User, User | None]] = [(h, None) for h in holders]
    for delegation in active_delegations(session, [h.id for h in holders], today):
        deciders.append((delegation.delegate, delegation.delegator))
    return deciders


def _is_beneficiary(request: AccessRequest, user: User) -> bool:
    if request.beneficiary_user_id == user.id:
        return True
    if request.beneficiary_username and request.beneficiary_username == user.username.lower():
        return True
    return bool(request.beneficiary_email and user.email and request.beneficiary_email == user.email.lower())


def separation_problem(
    session: DbSession, request: AccessRequest, people: Sequence[User], *, one_step_each: bool = True
) -> str | None:
    """Why these people (decider and, if delegated, principal) may not decide a step, or None."""
    decided = [s for s in request_steps(session, request) if s.decided_by_id is not None] if one_step_each else []
    for person in people:
        if person.id == request.requester_id:
            return "Nadie puede aprobar una solicitud que radicó."
        if _is_beneficiary(request, person):
            return "Nadie puede aprobar una solicitud de la que es beneficiario."
        if any(person.id in (s.decided_by_id, s.on_behalf_of_id) for s in decided):
            return "Una misma persona decide como máximo un paso de cada solicitud."
    return None


def acting_for(session: DbSession, request: AccessRequest, step: ApprovalStep, actor: User, today: date) -> User | None:
    """Whom ``actor`` would decide for: None if they hold the step's role, the delegator if delegated.

    Raises NotAllowed when the actor may not decide this step at all.
    """
    options = [principal for person, principal in step_deciders(session, request, step, today) if person.id == actor.id]
    if not options:
        raise NotAllowed(f"Este paso ({step.kind.label}) no le corresponde.")
    return None if None in options else options[0]


def _mail_step_deciders(session: DbSession, request: AccessRequest, step: ApprovalStep, today: date) -> None:
    deciders = step_deciders(session, request, step, today)
    recipients = tuple(sorted({p.email for p, _ in deciders if p.email and p.id != request.requester_id}))
    if recipients:
        send_after_commit(
            session,
            OutgoingMail(
                to=recipients,
                subject=f"Solicitud {request.number} por aprobar: {step.kind.label}",
                template="tickets/step_pending",
                context={
                    "request_id": request.id,
                    "number": request.number,
                    "step": step.kind.label,
                    "form": request.form.value,
                    "form_title": request.form.label,
                    "action": request.action.label,
                    "beneficiary": request.beneficiary_name,
                    "dependency": request.dependency.name,
                    "delegated": [(p.full_name, pr.full_name) for p, pr in deciders if pr is not None],
                },
            ),
        )


def _mail_requester(
    session: DbSession, request: AccessRequest, subject: str, message: str, *, also_beneficiary: bool = False
) -> None:
    recipients = {request.requester.email} if request.requester.email else set()
    if also_beneficiary and request.beneficiary_email:
        recipients.add(request.beneficiary_email)
    if recipients:
        send_after_commit(
            session,
            OutgoingMail(
                to=tuple(sorted(recipients)),
                subject=f"Solicitud {request.number}: {subject}",
                template="tickets/request_update",
                context={
                    "request_id": request.id,
                    "number": request.number,
                    "message": message,
                    "state": request.state.label,
                    "beneficiary": request.beneficiary_name,
                },
            ),
        )


# ---------------------------------------------------------------- transitions


def create_draft(session: DbSession, *, actor: User, data: RequestData, email_domain: str, today: date) -> AccessRequest:
    """An enlace starts a request for a person of its dependency (state ``borrador``)."""
    if data.dependency_id not in actor.scoped_dependency_ids(Role.ENLACE):
        raise NotAllowed("Solo el enlace TIC de la dependencia puede radicar solicitudes para su personal.")
    errors = validate_request_data(session, data, email_domain=email_domain, today=today, complete=False)
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    request = AccessRequest(requester_id=actor.id, state=RequestState.BORRADOR)
    _apply(request, data, session)
    session.add(request)
    session.flush()
    _event(session, request, actor, "borrador_creado")
    _audit(session, request, actor, "crear_borrador", None)
    return request


def update_draft(
    session: DbSession, request: AccessRequest, *, actor: User, data: RequestData, email_domain: str, today: date
) -> AccessRequest:
    """The requester edits a draft or a returned request."""
    request = lock_request(session, request.id)
    if actor.id != request.requester_id:
        raise NotAllowed("Solo quien radicó la solicitud puede modificarla.")
    if request.state not in EDITABLE_STATES:
        raise _wrong_state(request, "modificar")
    if data.dependency_id not in actor.scoped_dependency_ids(Role.ENLACE):
        raise NotAllowed("Solo el enlace TIC de la dependencia puede radicar solicitudes para su personal.")
    if data.form is not request.form:
        raise ValidationFailed(
            "El formato de una solicitud no cambia; cree una nueva.", fields={"form": ["No se puede cambiar."]}
        )
    errors = validate_request_data(session, data, email_domain=email_domain, today=today, complete=False)
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    before = request.snapshot()
    _apply(request, data, session)
    session.flush()
    _event(session, request, actor, "editada")
    _audit(session, request, actor, "editar", before)
    return request


def submit_request(session: DbSession, request: AccessRequest, *, actor: User, email_domain: str, now: datetime) -> AccessRequest:
    """File a draft, or file again a returned request: ``radicada`` (the ANS clock starts)."""
    request = lock_request(session, request.id)
    if actor.id != request.requester_id:
        raise NotAllowed("Solo quien radicó la solicitud puede radicarla.")
    if request.state not in EDITABLE_STATES:
        raise _wrong_state(request, "radicar")
    if request.dependency_id not in actor.scoped_dependency_ids(Role.ENLACE):
        raise NotAllowed("Solo el enlace TIC de la dependencia puede radicar solicitudes para su personal.")
    today = local_date(now)
    errors = validate_request_data(session, data_from_request(request), email_domain=email_domain, today=today, complete=True)
    if errors:
        raise ValidationFailed("La solicitud está incompleta: revise los campos marcados.", fields=errors)
    before_state = request.state
    before = request.snapshot()
    if request.number is None:
        request.number = next_number(session, local_date(now).year)
    else:
        request.round += 1
    request.state = RequestState.RADICADA
    request.filed_at = request.filed_at or now
    for position, kind in enumerate(policy_steps(session, request.form), start=1):
        session.add(
            ApprovalStep(
                request_id=request.id,
                round=request.round,
                position=position,
                kind=kind,
                started_at=now if position == 1 else None,
            )
        )
    session.flush()
    _event(
        session,
        request,
        actor,
        "radicada" if before_state is RequestState.BORRADOR else "radicada_de_nuevo",
        from_state=before_state,
        now=now,
    )
    _audit(session, request, actor, "radicar", before)
    _ans("on_filed" if before_state is RequestState.BORRADOR else "on_refiled", session, request, now)
    step = current_step(session, request)
    if step is not None:
        _mail_step_deciders(session, request, step, today)
    return request


def decide_step(
    session: DbSession,
    request: AccessRequest,
    *,
    actor: User,
    decision: Decision,
    comment: str | None,
    now: datetime,
    step_id: int | None = None,
) -> ApprovalStep:
    """Approve, reject (with reason) or return (with reason) the current step of the chain.

    Two approvers deciding the same step at once: the row lock queues them and the conditional
    update lets exactly one win; the other gets ``WrongState``. ``step_id`` is the step the
    decider saw, so a decision made on a stale page never lands on the next step.
    """
    request = lock_request(session, request.id)
    if request.state not in APPROVAL_STATES:
        raise _wrong_state(request, "decidir")
    step = current_step(session, request)
    if step is None:
        raise _wrong_state(request, "decidir")
    if step_id is not None and step.id != step_id:
        # the page showed an earlier step: someone decided it meanwhile (a stale decision)
        raise WrongState("Otra persona ya decidió este paso de la solicitud.")
    principal = acting_for(session, request, step, actor, local_date(now))
    problem = separation_problem(session, request, [actor] + ([principal] if principal else []))
    if problem:
        raise NotAllowed(problem)
    comment = _clean(comment)
    if decision is not Decision.APROBAR and (comment is None or len(comment) < MIN_JUSTIFICATION):
        raise ValidationFailed("Indique el motivo (al menos 10 caracteres).", fields={"comment": ["El motivo es obligatorio."]})
    new_state = {
        Decision.APROBAR: StepState.APROBADO,
        Decision.RECHAZAR: StepState.RECHAZADO,
        Decision.DEVOLVER: StepState.DEVUELTO,
    }[decision]
    won = session.execute(
        update(ApprovalStep)
        .where(ApprovalStep.id == step.id, ApprovalStep.state == StepState.PENDIENTE)
        .values(
            state=new_state,
            decided_by_id=actor.id,
            on_behalf_of_id=principal.id if principal else None,
            decided_at=now,
            comment=comment,
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(won) != 1:
        raise WrongState("Otra persona ya decidió este paso de la solicitud.")
    session.refresh(step)
    before = request.snapshot()
    before_state = request.state
    approved = False
    remaining = [s for s in request_steps(session, request) if s.state is StepState.PENDIENTE]
    behalf = f" en nombre de {principal.full_name}" if principal else ""
    if decision is Decision.APROBAR:
        if remaining:
            request.state = RequestState.EN_APROBACION
            remaining[0].started_at = now
        else:
            request.state = RequestState.APROBADA
            request.approved_at = now
            approved = True
    else:
        for other in remaining:
            other.state = StepState.ANULADO
        request.state = RequestState.RECHAZADA if decision is Decision.RECHAZAR else RequestState.DEVUELTA
        if decision is Decision.RECHAZAR:
            request.closed_at = now
    session.flush()
    _event(
        session, request, actor, f"paso_{new_state.value}", from_state=before_state, note=comment, on_behalf_of=principal, now=now
    )
    _audit(
        session,
        request,
        actor,
        f"paso_{new_state.value}",
        before | {"step": step.kind.value, "on_behalf_of": principal.username if principal else None},
    )
    _ans("on_step_decided", session, request, now, step)
    if request.state is RequestState.EN_APROBACION:
        _mail_step_deciders(session, request, remaining[0], local_date(now))
    elif approved:
        _mail_requester(
            session, request, "aprobada", f"La solicitud fue aprobada por {actor.full_name}{behalf}.", also_beneficiary=False
        )
    elif request.state is RequestState.DEVUELTA:
        _mail_requester(
            session, request, "devuelta para corrección", f"{actor.full_name}{behalf} devolvió la solicitud: {comment}"
        )
    else:
        _mail_requester(session, request, "rechazada", f"{actor.full_name}{behalf} rechazó la solicitud: {comment}")
    if approved:
        _start_provisioning(session, request, now)
    return step


def _start_provisioning(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """When the last step approves, provisioning starts by itself (SPEC §3)."""
    from tickets.provisioning import plan_provisioning

    plan_provisioning(session, request, now)


def apply_exception(
    session: DbSession, request: AccessRequest, *, actor: User, justification: str | None, now: datetime
) -> AccessRequest:
    """The Secretario approves every remaining step at once ("solo con la autorización del Secretario").

    The justification is mandatory; the request is flagged as an exception everywhere.
    """
    request = lock_request(session, request.id)
    if not actor.has_role(Role.SECRETARIO):
        raise NotAllowed("Solo el Secretario puede autorizar la excepción.")
    if request.state not in APPROVAL_STATES:
        raise _wrong_state(request, "aprobar por excepción")
    # the exception decides the remaining steps together, so "one step per person" does not apply
    problem = separation_problem(session, request, [actor], one_step_each=False)
    if problem:
        raise NotAllowed(problem)
    justification = _clean(justification)
    if justification is None or len(justification) < MIN_JUSTIFICATION:
        raise ValidationFailed(
            "La excepción requiere una justificación (al menos 10 caracteres).",
            fields={"justification": ["La justificación es obligatoria."]},
        )
    before = request.snapshot()
    before_state = request.state
    skipped = session.execute(
        update(ApprovalStep)
        .where(
            ApprovalStep.request_id == request.id, ApprovalStep.round == request.round, ApprovalStep.state == StepState.PENDIENTE
        )
        .values(state=StepState.EXCEPCION, decided_by_id=actor.id, decided_at=now, comment=justification)
        .execution_options(synchronize_session=False)
    )
    if not _rowcount(skipped):
        raise WrongState("La solicitud ya no tiene pasos pendientes.")
    request.state = RequestState.APROBADA
    request.approved_at = now
    request.is_exception = True
    request.exception_justification = justification
    request.exception_by_id = actor.id
    session.flush()
    _event(session, request, actor, "excepcion_secretario", from_state=before_state, note=justification, now=now)
    _audit(session, request, actor, "excepcion_secretario", before)
    _ans("on_exception", session, request, now)
    _mail_requester(session, request, "aprobada por excepción del Secretario", f"Justificación: {justification}")
    _start_provisioning(session, request, now)
    return request


def cancel_request(
    session: DbSession, request: AccessRequest, *, actor: User, reason: str | None, now: datetime
) -> AccessRequest:
    """The requester withdraws a request that has not been approved yet."""
    request = lock_request(session, request.id)
    if actor.id != request.requester_id:
        raise NotAllowed("Solo quien radicó la solicitud puede cancelarla.")
    if request.state not in CANCELLABLE_STATES:
        raise _wrong_state(request, "cancelar")
    before = request.snapshot()
    before_state = request.state
    session.execute(
        update(ApprovalStep)
        .where(ApprovalStep.request_id == request.id, ApprovalStep.state == StepState.PENDIENTE)
        .values(state=StepState.ANULADO)
        .execution_options(synchronize_session=False)
    )
    request.state = RequestState.CANCELADA
    request.closed_at = now
    session.flush()
    _event(session, request, actor, "cancelada", from_state=before_state, note=_clean(reason), now=now)
    _audit(session, request, actor, "cancelar", before)
    _ans("on_closed", session, request, now)
    return request


def _require_agent(actor: User | None) -> None:
    if actor is not None and not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo la mesa de servicio ejecuta solicitudes aprobadas.")


def start_execution(session: DbSession, request: AccessRequest, *, actor: User | None, now: datetime) -> AccessRequest:
    """An approved request goes to the service desk or the provisioning worker (``None`` actor)."""
    request = lock_request(session, request.id)
    _require_agent(actor)
    if request.state is not RequestState.APROBADA:
        raise _wrong_state(request, "iniciar la ejecución")
    before = request.snapshot()
    request.state = RequestState.EN_EJECUCION
    session.flush()
    _event(session, request, actor, "en_ejecucion", from_state=RequestState.APROBADA, now=now)
    _audit(session, request, actor, "iniciar_ejecucion", before)
    return request


def resolve_request(
    session: DbSession, request: AccessRequest, *, actor: User | None, note: str | None, now: datetime
) -> AccessRequest:
    """The access was granted: requester and beneficiary are told."""
    request = lock_request(session, request.id)
    _require_agent(actor)
    if request.state is not RequestState.EN_EJECUCION:
        raise _wrong_state(request, "marcar como resuelta")
    before = request.snapshot()
    request.state = RequestState.RESUELTA
    request.resolved_at = now
    session.flush()
    _event(session, request, actor, "resuelta", from_state=RequestState.EN_EJECUCION, note=_clean(note), now=now)
    _audit(session, request, actor, "resolver", before)
    _ans("on_closed", session, request, now)
    _mail_requester(session, request, "resuelta", _clean(note) or "La solicitud fue atendida.", also_beneficiary=True)
    return request


def close_request(session: DbSession, request: AccessRequest, *, actor: User, now: datetime) -> AccessRequest:
    """Close a resolved request (the requester confirms, or the service desk closes it)."""
    request = lock_request(session, request.id)
    if actor.id != request.requester_id and not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo quien radicó la solicitud o la mesa de servicio pueden cerrarla.")
    if request.state is not RequestState.RESUELTA:
        raise _wrong_state(request, "cerrar")
    before = request.snapshot()
    request.state = RequestState.CERRADA
    request.closed_at = now
    session.flush()
    _event(session, request, actor, "cerrada", from_state=RequestState.RESUELTA, now=now)
    _audit(session, request, actor, "cerrar", before)
    return request


def add_comment(
    session: DbSession, request: AccessRequest, *, actor: User, body: str, internal: bool, now: datetime
) -> RequestComment:
    """Comments from anyone who may see the request; internal notes only from staff."""
    from tickets.permissions import can_view_request, is_staff

    if not can_view_request(session, actor, request):
        raise NotAllowed("No puede comentar esta solicitud.")
    if internal and not is_staff(actor):
        raise NotAllowed("Solo el personal de la Secretaría escribe notas internas.")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Escriba el comentario.", fields={"body": ["El comentario está vacío."]})
    if len(body) > 5000:
        raise ValidationFailed("El comentario es demasiado largo (máximo 5.000 caracteres).", fields={"body": ["Máximo 5.000."]})
    comment = RequestComment(request_id=request.id, author_id=actor.id, body=body, is_internal=internal, created_at=now)
    session.add(comment)
    session.flush()
    _event(session, request, actor, "nota_interna" if internal else "comentario", now=now)
    record_event(
        session,
        actor=actor,
        action="solicitud.comentar",
        object_type="solicitud",
        object_id=request.id,
        after={"comment": comment.id, "internal": internal},
    )
    if is_staff(actor) and actor.id != request.requester_id:
        _ans("on_comment_by_staff", session, request, now)
    return comment


def add_attachment(
    session: DbSession, request: AccessRequest, *, actor: User, file: CheckedFile, now: datetime
) -> RequestAttachment:
    """Attach the signed form scan (PDF or image, checked by content) while the request is open."""
    from tickets.permissions import can_view_request

    if not can_view_request(session, actor, request):
        raise NotAllowed("No puede adjuntar documentos a esta solicitud.")
    if actor.id != request.requester_id and not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo quien radicó la solicitud o la mesa de servicio adjuntan documentos.")
    if request.state in (RequestState.CERRADA, RequestState.CANCELADA, RequestState.RECHAZADA):
        raise _wrong_state(request, "adjuntar documentos")
    attachment = RequestAttachment(
        request_id=request.id,
        **StoredFile.fields_of(file, uploaded_by=actor, uploaded_at=now),
    )
    session.add(attachment)
    session.flush()
    _event(session, request, actor, "adjunto", note=file.filename, now=now)
    record_event(
        session,
        actor=actor,
        action="solicitud.adjuntar",
        object_type="solicitud",
        object_id=request.id,
        after={"file": file.filename, "sha256": file.sha256, "size": file.size},
    )
    return attachment


def create_delegation(
    session: DbSession,
    *,
    actor: User,
    delegator: User,
    delegate: User,
    starts_on: date,
    ends_on: date,
    reason: str | None,
    today: date,
) -> Delegation:
    """An approver (or an admin for them) hands their approvals to someone for a date range."""
    if actor.id != delegator.id and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo el aprobador o un administrador registran su delegación.")
    if not delegator.has_role(Role.JEFE, Role.SEGURIDAD, Role.APROBADOR):
        raise ValidationFailed("Solo delega quien aprueba pasos de solicitudes.", fields={"delegator": ["No es aprobador."]})
    if delegate.id == delegator.id:
        raise ValidationFailed("No puede delegarse a sí mismo.", fields={"delegate_id": ["Elija a otra persona."]})
    if ends_on < starts_on or ends_on < today:
        raise ValidationFailed(
            "El rango de fechas no es válido.", fields={"ends_on": ["Debe ser posterior al inicio y no estar en el pasado."]}
        )
    delegation = Delegation(
        delegator_id=delegator.id, delegate_id=delegate.id, starts_on=starts_on, ends_on=ends_on, reason=_clean(reason)
    )
    session.add(delegation)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="delegacion.crear",
        object_type="delegacion",
        object_id=delegation.id,
        after={
            "delegator": delegator.username,
            "delegate": delegate.username,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return delegation


def data_from_request(request: AccessRequest) -> RequestData:
    return RequestData(
        form=request.form,
        action=request.action,
        system_id=request.system_id,
        dependency_id=request.dependency_id,
        priority=request.priority,
        beneficiary_name=request.beneficiary_name,
        beneficiary_document_type=request.beneficiary_document_type,
        beneficiary_document=request.beneficiary_document,
        beneficiary_email=request.beneficiary_email,
        beneficiary_position=request.beneficiary_position,
        beneficiary_username=request.beneficiary_username,
        link_type=request.link_type,
        contract_end_date=request.contract_end_date,
        justification=request.justification,
        roles_to_add=list(request.roles_to_add or []),
        roles_to_remove=list(request.roles_to_remove or []),
        roles_end_date=request.roles_end_date,
    )


def load_request_page(session: DbSession, request_id: int) -> AccessRequest | None:
    """A request with everything its page shows, in a fixed number of queries."""
    return session.execute(
        select(AccessRequest)
        .where(AccessRequest.id == request_id)
        .options(
            selectinload(AccessRequest.steps),
            selectinload(AccessRequest.events),
            selectinload(AccessRequest.comments),
            selectinload(AccessRequest.attachments),
        )
    ).scalar()


def ensure_default_catalogue(session: DbSession, *, groups_dn: str) -> list[str]:
    """Create the default approval policies and systems that are missing (idempotent)."""
    from config.approval import default_systems

    done: list[str] = []
    for form_value, steps in DEFAULT_APPROVAL_POLICIES.items():
        form = RequestForm(form_value)
        if session.execute(select(ApprovalPolicy.id).where(ApprovalPolicy.form == form)).scalar() is None:
            session.execute(insert(ApprovalPolicy).values(form=form, steps=steps, updated_at=utcnow()))
            done.append(f"política {form_value}")
    for system in default_systems(groups_dn):
        if session.execute(select(TargetSystem.id).where(TargetSystem.code == system["code"])).scalar() is None:
            session.add(TargetSystem(**system))
            done.append(f"sistema {system['code']}")
    session.flush()
    return done


ROLE_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")


def save_approval_policy(session: DbSession, *, actor: User, form: RequestForm, steps: Sequence[StepKind]) -> ApprovalPolicy:
    """Change the chain of a form. It must end with the approver: every request is "sujeta a la
    aprobación por el líder de economía digital" (seed PR-M2-P6-01). Filed requests keep their chain.
    """
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador cambia las políticas de aprobación.")
    if not steps:
        raise ValidationFailed("La cadena necesita al menos un paso.", fields={"steps": ["Agregue un paso."]})
    if len(set(steps)) != len(steps):
        raise ValidationFailed("Un tipo de paso aparece dos veces.", fields={"steps": ["Sin pasos repetidos."]})
    if steps[-1] is not StepKind.APROBADOR:
        raise ValidationFailed(
            "El último paso debe ser el del líder de economía digital.", fields={"steps": ["Termine en el aprobador."]}
        )
    policy = session.execute(select(ApprovalPolicy).where(ApprovalPolicy.form == form)).scalar()
    before = {"steps": list(policy.steps)} if policy else None
    if policy is None:
        policy = ApprovalPolicy(form=form, steps=[])
        session.add(policy)
    policy.steps = [s.value for s in steps]
    session.flush()
    record_event(
        session,
        actor=actor,
        action="politica.modificar",
        object_type="politica_aprobacion",
        object_id=form.value,
        before=before,
        after={"steps": policy.steps},
    )
    return policy


@dataclass
class SystemData:
    code: str
    name: str
    connector: Connector
    role_map: dict[str, str]
    instructions: str | None = None
    is_active: bool = True


def save_system(session: DbSession, *, actor: User, data: SystemData, system: TargetSystem | None = None) -> TargetSystem:
    """Create or change a system of the catalogue; LDAP roles map to group DNs that must parse."""
    from ldap3.core.exceptions import LDAPInvalidDnError
    from ldap3.utils.dn import parse_dn

    if not actor.has_role(Role.ADMIN):
        raise NotAllowed("Solo un administrador modifica el catálogo de sistemas.")
    errors: dict[str, list[str]] = {}
    code = data.code.strip().lower()
    if not ROLE_NAME_PATTERN.match(code):
        errors["code"] = ["Use minúsculas, números, punto, guion o guion bajo."]
    clash = session.execute(select(TargetSystem).where(TargetSystem.code == code)).scalar()
    if clash is not None and clash is not system:
        errors["code"] = ["Ya existe un sistema con ese código."]
    if not data.name.strip():
        errors["name"] = ["Escriba el nombre."]
    for role, target in data.role_map.items():
        if not ROLE_NAME_PATTERN.match(role):
            errors.setdefault("role_map", []).append(f"Nombre de rol no válido: {role}")
        if data.connector is Connector.LDAP:
            try:
                parse_dn(target)
            except LDAPInvalidDnError:
                errors.setdefault("role_map", []).append(f"El grupo del rol {role} no es un DN válido.")
    if data.connector is Connector.MANUAL and not (data.instructions or "").strip():
        errors["instructions"] = ["Describa qué hace la mesa de servicio en este sistema."]
    if errors:
        raise ValidationFailed("Revise los campos marcados.", fields=errors)
    before = None
    if system is None:
        system = TargetSystem(code=code, name=data.name, connector=data.connector, role_map={})
        session.add(system)
    else:
        before = {
            "code": system.code,
            "connector": system.connector.value,
            "role_map": dict(system.role_map),
            "is_active": system.is_active,
        }
    system.code = code
    system.name = data.name.strip()
    system.connector = data.connector
    system.role_map = dict(data.role_map)
    system.instructions = _clean(data.instructions)
    system.is_active = data.is_active
    session.flush()
    record_event(
        session,
        actor=actor,
        action="sistema.guardar",
        object_type="sistema",
        object_id=system.id,
        before=before,
        after={
            "code": system.code,
            "connector": system.connector.value,
            "role_map": system.role_map,
            "is_active": system.is_active,
        },
    )
    return system
