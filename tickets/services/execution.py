"""After approval (SPEC §3): the service desk or the provisioning worker executes a request,
resolves it, and it is closed.
"""

from __future__ import annotations

from datetime import datetime

from portal.db import DbSession
from portal.errors import NotAllowed
from portal.models import User
from portal.roles import Role
from tickets.models import (
    AccessRequest,
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
    return request


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
