"""What the requests put on the home page, computed when the page renders for the signed-in user: how
many wait for them, when the oldest falls due (its running ANS timer), and the oldest ones as links with
the next action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import ColumnElement, func, select

from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import when_phrase
from portal.roles import Role
from portal.shell import LiveText, Panel, PanelLink
from sla.models import SlaTimer
from tickets.models import AccessRequest, RequestState
from tickets.permissions import pending_for_clause

#: how many items a panel lists
SHOWN = 3


def _pending_clause() -> ColumnElement[bool]:
    return pending_for_clause(db.session, current_user, local_date(utcnow()))


def _count(clause: ColumnElement[bool]) -> int:
    return int(db.session.execute(select(func.count(AccessRequest.id)).where(clause)).scalar_one())


def _oldest(clause: ColumnElement[bool], limit: int = SHOWN) -> list[AccessRequest]:
    return list(
        db.session.execute(
            select(AccessRequest).where(clause).order_by(AccessRequest.filed_at.asc().nulls_last(), AccessRequest.id).limit(limit)
        ).scalars()
    )


def _running_due(request_id: int):  # type: ignore[no-untyped-def]
    """The nearest due time of the request's running ANS timers (the current step's, usually)."""
    return db.session.execute(
        select(func.min(SlaTimer.due_at)).where(
            SlaTimer.request_id == request_id, SlaTimer.stopped_at.is_(None), SlaTimer.paused_at.is_(None)
        )
    ).scalar()


def _request_text(request: AccessRequest) -> str:
    if request.beneficiary_name:
        return f"{request.number} · {request.beneficiary_name}"
    return request.number or _("Borrador")


def _links(clause: ColumnElement[bool], action: str) -> list[PanelLink]:
    return [PanelLink(_request_text(r), url_for("tickets.detail", request_id=r.id), action) for r in _oldest(clause)]


def _waiting_text(clause: ColumnElement[bool], counted: Callable[[int], str], none_message: str) -> str:
    count = _count(clause)
    if not count:
        return none_message
    text = counted(count)
    oldest = _oldest(clause, 1)
    due = _running_due(oldest[0].id) if oldest else None
    if due is None:
        return text + "."
    now = utcnow()
    if due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    if due < now:
        sentence = _("%(text)s — la más antigua venció %(when)s", text=text, when=when_phrase(due, now))
    else:
        sentence = _("%(text)s — la más antigua vence %(when)s", text=text, when=when_phrase(due, now))
    # "4:00 p. m." already ends the sentence with its full stop
    return sentence if sentence.endswith(".") else sentence + "."


def to_approve_text() -> str:
    return _waiting_text(
        _pending_clause(),
        lambda n: ngettext("%(num)d solicitud por aprobar", "%(num)d solicitudes por aprobar", n),
        _("No hay solicitudes esperando su aprobación."),
    )


def to_sign_text() -> str:
    return _waiting_text(
        _pending_clause(),
        lambda n: ngettext("%(num)d solicitud por firmar", "%(num)d solicitudes por firmar", n),
        _("No hay solicitudes de su dependencia esperando su firma."),
    )


def to_approve_links() -> list[PanelLink]:
    return _links(_pending_clause(), _("Aprobar"))


def to_sign_links() -> list[PanelLink]:
    return _links(_pending_clause(), _("Firmar"))


def _returned_clause() -> ColumnElement[bool]:
    return (AccessRequest.requester_id == current_user.id) & (AccessRequest.state == RequestState.DEVUELTA)


def _in_progress_clause() -> ColumnElement[bool]:
    return (AccessRequest.requester_id == current_user.id) & AccessRequest.state.in_(
        (RequestState.RADICADA, RequestState.EN_APROBACION, RequestState.APROBADA, RequestState.EN_EJECUCION)
    )


def mine_text() -> str:
    returned = _count(_returned_clause())
    running = _count(_in_progress_clause())
    if not returned and not running:
        return _("No tiene solicitudes en curso. Radique una desde Solicitudes.")
    parts = []
    if returned:
        parts.append(ngettext("%(num)d devuelta para corregir", "%(num)d devueltas para corregir", returned))
    parts.append(ngettext("%(num)d en curso", "%(num)d en curso", running))
    return " · ".join(parts) + "."


def mine_links() -> list[PanelLink]:
    return _links(_returned_clause(), _("Corregir"))


def _desk_clause() -> ColumnElement[bool]:
    return AccessRequest.state.in_((RequestState.APROBADA, RequestState.EN_EJECUCION))


def desk_text() -> str:
    return _waiting_text(
        _desk_clause(),
        lambda n: ngettext("%(num)d solicitud aprobada por ejecutar", "%(num)d solicitudes aprobadas por ejecutar", n),
        _("No hay solicitudes aprobadas esperando ejecución."),
    )


def desk_links() -> list[PanelLink]:
    return _links(_desk_clause(), _("Ejecutar"))


PANELS: dict[Role, list[Panel]] = {
    Role.ENLACE: [Panel("mis_solicitudes", _l("Mis solicitudes"), LiveText(mine_text), mine_links)],
    Role.JEFE: [Panel("por_firmar", _l("Solicitudes por firmar"), LiveText(to_sign_text), to_sign_links)],
    Role.APROBADOR: [Panel("por_aprobar", _l("Por aprobar"), LiveText(to_approve_text), to_approve_links)],
    Role.SEGURIDAD: [Panel("por_aprobar", _l("Cambios de rol por revisar"), LiveText(to_approve_text), to_approve_links)],
    Role.AGENTE: [Panel("cola", _l("Cola de la mesa de servicio"), LiveText(desk_text), desk_links)],
}
