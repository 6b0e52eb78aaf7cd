"""Where a request is approved (SPEC §3): the approval chain, who may decide its current step,
approve, reject or return a step, and the Secretario's exception.

Separation of duties holds for everyone, ``admin`` included: nobody decides a step of a request
they filed or of which they are the beneficiary, and one person decides at most one step of a
request (a delegate's decision counts for the delegate and for the approver they replace). Who
may decide a step — titular, delegate or the secretario by suplencia — is ``tickets.routing``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import inspect, select, update

from portal.clock import local_date
from portal.db import DbSession
from portal.errors import NotAllowed, ValidationFailed, WrongState
from portal.mail import OutgoingMail, send_after_commit
from portal.models import User
from portal.roles import Role
from tickets.models import (
    APPROVAL_STATES,
    AccessRequest,
    ApprovalStep,
    RequestState,
    StepState,
)
from tickets.routing import Basis, Routing, conflicts_of, step_routing
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


def mail_step_deciders(session: DbSession, request: AccessRequest, step: ApprovalStep, today: date) -> None:
    """Tell the people who may decide the new current step, and only them (``tickets.routing``)."""
    step_deciders_mail(session, request, step, today)()


def step_deciders_mail(session: DbSession, request: AccessRequest, step: ApprovalStep, today: date) -> Callable[[], None]:
    """``mail_step_deciders`` in two halves: who decides is found now (the queries), the mail is
    written when the returned function is called — after the request got its number, when filing
    takes the yearly counter's lock last (``filing.submit_request``)."""
    routing = step_routing(session, request, step, today)
    recipients = tuple(sorted({d.person.email for d in routing.deciders if d.person.email}))
    return lambda: _write_step_mail(session, request, step, routing, recipients)


def _write_step_mail(
    session: DbSession, request: AccessRequest, step: ApprovalStep, routing: Routing, recipients: tuple[str, ...]
) -> None:
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
                    "delegated": [
                        (d.person.full_name, d.on_behalf_of.full_name) for d in routing.deciders if d.on_behalf_of is not None
                    ],
                    "suplencia": routing.is_suplencia,
                    "why_not_titulars": routing.why_not_titulars
                    if routing.is_suplencia or not any(d.basis is Basis.TITULAR for d in routing.deciders)
                    else None,
                },
            ),
        )


def exception_problem(request: AccessRequest, actor: User) -> str | None:
    """Why ``actor`` may not authorise the Secretario's exception on this request, or None: the
    exception decides the remaining steps together, so only "filed it" and "beneficiary" apply."""
    why = conflicts_of(request, []).why(actor)
    return why.refusal if why is not None else None


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
    routing = step_routing(session, request, step, local_date(now))
    decider = routing.decider(actor)
    if decider is None:
        raise NotAllowed(routing.refusal(actor))
    principal = decider.on_behalf_of
    suplencia = decider.basis is Basis.SUPLENCIA
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
            is_suplencia=suplencia,
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
    basis_note = None
    if suplencia:
        basis_note = f"Por suplencia del Secretario: {routing.why_not_titulars}."
    elif principal is not None and principal.id not in {d.person.id for d in routing.deciders}:
        basis_note = f"Por delegación: {routing.why_not_titulars}."
    note = " ".join(n for n in (basis_note, comment) if n) or None
    add_event(
        session, request, actor, f"paso_{new_state.value}", from_state=before_state, note=note, on_behalf_of=principal, now=now
    )
    audit(
        session,
        request,
        actor,
        f"paso_{new_state.value}",
        before
        | {
            "step": step.kind.value,
            "on_behalf_of": principal.username if principal else None,
            "basis": decider.basis.value,
        },
    )
    if principal is not None:
        _mail_principal(session, request, step, actor, principal, decision, comment)
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
    problem = exception_problem(request, actor)
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


def _mail_principal(
    session: DbSession,
    request: AccessRequest,
    step: ApprovalStep,
    delegate: User,
    principal: User,
    decision: Decision,
    comment: str | None,
) -> None:
    """The delegator hears of every decision taken on their behalf (SPEC §3)."""
    if not principal.email:
        return
    send_after_commit(
        session,
        OutgoingMail(
            to=(principal.email,),
            subject=f"Solicitud {request.number}: {delegate.full_name} decidió en su nombre",
            template="tickets/decided_on_behalf",
            context={
                "request_id": request.id,
                "number": request.number,
                "delegate": delegate.full_name,
                "step": step.kind.label,
                "decision": {"aprobar": "aprobado", "rechazar": "rechazado", "devolver": "devuelto"}[decision.value],
                "comment": comment,
                "beneficiary": request.beneficiary_name,
            },
        ),
    )


def _start_provisioning(session: DbSession, request: AccessRequest, now: datetime) -> None:
    """When the last step approves, provisioning starts by itself (SPEC §3)."""
    from tickets.provisioning import plan_provisioning

    plan_provisioning(session, request, now)
