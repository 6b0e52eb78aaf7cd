"""After approval (SPEC §3): the service desk or the provisioning worker executes a request,
resolves it, and it is closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.db import DbSession
from portal.errors import NotAllowed
from portal.mail import OutgoingMail, send_after_commit
from portal.models import RoleAssignment, User
from portal.roles import Role
from tickets.models import (
    AccessRequest,
    RequestAction,
    RequestState,
)
from tickets.services.common import add_event, audit, clean, lock_request, mail_requester, run_ans_hook, wrong_state


def _require_agent(actor: User | None) -> None:
    if actor is not None and not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo la mesa de servicio ejecuta solicitudes aprobadas.")


def start_execution(session: DbSession, request: AccessRequest, *, actor: User | None, now: datetime) -> AccessRequest:
    """An approved request goes to the service desk or the provisioning worker (``None`` actor)."""
    request = lock_request(session, request.id)
    _require_agent(actor)
    if request.state is not RequestState.APROBADA:
        raise wrong_state(request, "iniciar la ejecución")
    before = request.snapshot()
    request.state = RequestState.EN_EJECUCION
    session.flush()
    add_event(session, request, actor, "en_ejecucion", from_state=RequestState.APROBADA, now=now)
    audit(session, request, actor, "iniciar_ejecucion", before)
    return request


def resolve_request(
    session: DbSession, request: AccessRequest, *, actor: User | None, note: str | None, now: datetime
) -> AccessRequest:
    """The access was granted: requester and beneficiary are told."""
    request = lock_request(session, request.id)
    _require_agent(actor)
    if request.state is not RequestState.EN_EJECUCION:
        raise wrong_state(request, "marcar como resuelta")
    before = request.snapshot()
    request.state = RequestState.RESUELTA
    request.resolved_at = now
    session.flush()
    add_event(session, request, actor, "resuelta", from_state=RequestState.EN_EJECUCION, note=clean(note), now=now)
    audit(session, request, actor, "resolver", before)
    run_ans_hook("on_closed", session, request, now)
    mail_requester(session, request, "resuelta", clean(note) or "La solicitud fue atendida.", also_beneficiary=True)
    if request.is_automatic:
        _confirm_to_dependency(session, request)
    return request


def _dependency_people(session: DbSession, request: AccessRequest) -> tuple[str, ...]:
    """The e-mails of the enlace and the jefe of the request's dependency."""
    people = session.execute(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.is_active_account.is_(True),
            RoleAssignment.dependency_id == request.dependency_id,
            RoleAssignment.role.in_([Role.ENLACE, Role.JEFE]),
        )
    ).scalars()
    return tuple(sorted({p.email for p in people if p.email}))


def _mail_dependency(session: DbSession, request: AccessRequest, subject: str, message: str) -> None:
    recipients = _dependency_people(session, request)
    if recipients:
        send_after_commit(
            session,
            OutgoingMail(
                to=recipients,
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


def _confirm_to_dependency(session: DbSession, request: AccessRequest) -> None:
    """The access that ended by itself was removed: the enlace and the jefe get the confirmation."""
    if request.action is RequestAction.RETIRAR:
        what = f"Se retiró la cuenta {request.beneficiary_username} de {request.beneficiary_name} por el fin de su contrato"
        if request.contract_end_date:
            what += f" ({request.contract_end_date:%d/%m/%Y})"
    else:
        what = f"Se retiraron los roles {', '.join(request.roles_to_remove)} de {request.beneficiary_name}, que vencieron"
    _mail_dependency(session, request, "acceso retirado", f"{what}. La cuenta se conserva para auditoría; no se borró.")


def notify_provisioning_failed(session: DbSession, request: AccessRequest, reason: str | None) -> None:
    """A provisioning job went to the service desk: whoever filed the request is told why (the
    enlace and the jefe of the dependency for the portal's own automatic requests)."""
    message = (
        "El aprovisionamiento automático no se completó y quedó en manos de la mesa de servicio. "
        f"Motivo: {reason or 'sin detalle'}"
    )
    if request.is_automatic:
        _mail_dependency(session, request, "aprovisionamiento no completado", message)
    else:
        mail_requester(session, request, "aprovisionamiento no completado", message)


def close_request(session: DbSession, request: AccessRequest, *, actor: User, now: datetime) -> AccessRequest:
    """Close a resolved request (the requester confirms, or the service desk closes it)."""
    request = lock_request(session, request.id)
    if actor.id != request.requester_id and not actor.has_role(Role.AGENTE):
        raise NotAllowed("Solo quien radicó la solicitud o la mesa de servicio pueden cerrarla.")
    if request.state is not RequestState.RESUELTA:
        raise wrong_state(request, "cerrar")
    before = request.snapshot()
    request.state = RequestState.CERRADA
    request.closed_at = now
    session.flush()
    add_event(session, request, actor, "cerrada", from_state=RequestState.RESUELTA, now=now)
    audit(session, request, actor, "cerrar", before)
    return request
