"""Where a request is approved (SPEC §3): the approval chain, who may decide its current step,
approve, reject or return a step, and the Secretario's exception.

Separation of duties holds for everyone, ``admin`` included: nobody decides a step of a request
they filed or of which they are the beneficiary, and one person decides at most one step of a
request (a delegate's decision counts for the delegate and for the approver they replace).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import inspect, select, update

from portal.clock import local_date
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import RoleAssignment, User
from portal.roles import Role
from tickets.models import (
    APPROVAL_STATES,
    AccessRequest,
    ApprovalStep,
    Delegation,
    RequestState,
    StepKind,
    StepState,
)
from tickets.services.common import (
    MIN_JUSTIFICATION,
    add_event,
    audit,
    clean,
    lock_request,
    mail_requester,
    rowcount,
    run_ans_hook,
    wrong_state,
)
from tickets.services.delegations import active_delegations


class Decision(StrEnum):
    APROBAR = "aprobar"
    RECHAZAR = "rechazar"
    DEVOLVER = "devolver"


def request_steps(session: DbSession, request: AccessRequest, *, current_round_only: bool = True) -> list[ApprovalStep]:
    """The approval chain in order; the steps a page loaded with the request, or one query.

    A transition locks the request with ``populate_existing``, which unloads its steps, so a
    service always reads them fresh.
    """
    if "steps" not in inspect(request).unloaded:
        return [s for s in request.steps if not current_round_only or s.round == request.round]
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


def _holds_step_role(user: User, kind: StepKind, dependency_id: int) -> bool:
    """Whether ``user`` is one of ``_holders(kind, dependency_id)``, from their loaded roles."""
    if not user.is_active_account:
        return False
    if kind is StepKind.JEFE:
        return dependency_id in user.scoped_dependency_ids(Role.JEFE)
    return user.has_role(Role(kind.value))


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
    if _holds_step_role(actor, step.kind, request.dependency_id):
        return None
    delegations = session.execute(
        select(Delegation).where(
            Delegation.delegate_id == actor.id,
            Delegation.revoked_at.is_(None),
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
        )
    ).scalars()
    principals = sorted(
        (d.delegator for d in delegations if _holds_step_role(d.delegator, step.kind, request.dependency_id)),
        key=lambda person: person.id,
    )
    if not principals:
        raise NotAllowed(f"Este paso ({step.kind.label}) no le corresponde.")
    return principals[0]


def mail_step_deciders(session: DbSession, request: AccessRequest, step: ApprovalStep, today: date) -> None:
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
        raise wrong_state(request, "decidir")
    step = current_step(session, request)
    if step is None:
        raise wrong_state(request, "decidir")
    if step_id is not None and step.id != step_id:
        # the page showed an earlier step: someone decided it meanwhile (a stale decision)
        raise WrongState("Otra persona ya decidió este paso de la solicitud.")
    principal = acting_for(session, request, step, actor, local_date(now))
    problem = separation_problem(session, request, [actor] + ([principal] if principal else []))
    if problem:
        raise NotAllowed(problem)
    comment = clean(comment)
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
    if rowcount(won) != 1:
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
    add_event(
        session, request, actor, f"paso_{new_state.value}", from_state=before_state, note=comment, on_behalf_of=principal, now=now
    )
    audit(
        session,
        request,
        actor,
        f"paso_{new_state.value}",
        before | {"step": step.kind.value, "on_behalf_of": principal.username if principal else None},
    )
    run_ans_hook("on_step_decided", session, request, now, step)
    if request.state is RequestState.EN_APROBACION:
        mail_step_deciders(session, request, remaining[0], local_date(now))
    elif approved:
        mail_requester(
            session, request, "aprobada", f"La solicitud fue aprobada por {actor.full_name}{behalf}.", also_beneficiary=False
        )
    elif request.state is RequestState.DEVUELTA:
        mail_requester(
            session, request, "devuelta para corrección", f"{actor.full_name}{behalf} devolvió la solicitud: {comment}"
        )
    else:
        mail_requester(session, request, "rechazada", f"{actor.full_name}{behalf} rechazó la solicitud: {comment}")
    if approved:
        _start_provisioning(session, request, now)
    return step


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
        raise wrong_state(request, "aprobar por excepción")
    # the exception decides the remaining steps together, so "one step per person" does not apply
    problem = separation_problem(session, request, [actor], one_step_each=False)
    if problem:
        raise NotAllowed(problem)
    justification = clean(justification)
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
    if not rowcount(skipped):
        raise WrongState("La solicitud ya no tiene pasos pendientes.")
    request.state = RequestState.APROBADA
    request.approved_at = now
    request.is_exception = True
    request.exception_justification = justification
    request.exception_by_id = actor.id
    session.flush()
    add_event(session, request, actor, "excepcion_secretario", from_state=before_state, note=justification, now=now)
    audit(session, request, actor, "excepcion_secretario", before)
    run_ans_hook("on_exception", session, request, now)
    mail_requester(session, request, "aprobada por excepción del Secretario", f"Justificación: {justification}")
    _start_provisioning(session, request, now)
    return request


def _start_provisioning(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """When the last step approves, provisioning starts by itself (SPEC §3)."""
    from tickets.provisioning import plan_provisioning

    plan_provisioning(session, request, now)
