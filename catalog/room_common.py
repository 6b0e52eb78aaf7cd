"""What the committee's pages share: the blueprint, who may act, and the one way each action runs
(validate the form, call one service, commit, flash, redirect 303)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from catalog import permissions
from catalog.meeting_models import (
    CommitteeActa,
)
from catalog.models import AgendaItem, CommitteeSession
from portal.clock import BOGOTA, local_date
from portal.downloads import send_stored_file
from portal.errors import DomainError
from portal.extensions import db
from portal.roles import Role

bp = Blueprint("room", __name__, url_prefix="/comite", template_folder="templates")

READER_ROLES = tuple(sorted(permissions.COMMITTEE_READERS))
#: who takes part in the room: the secretariat records, members vote, the chair breaks ties
#: who may take part (the services check the seat): the secretariat records, members vote, answer
#: and sign the acta (Control Interno and seated heads included: seed Mesa §3, §4), the chair breaks ties
ROOM_ROLES = (Role.SECRETARIA_TECNICA, Role.INTEGRANTE, Role.SECRETARIO, Role.CONTROL_INTERNO, Role.JEFE)


def committee_session_or_404(session_id: int) -> CommitteeSession:
    return db.get_or_404(CommitteeSession, session_id)


def item_or_404(session_id: int, item_id: int) -> AgendaItem:
    item = db.get_or_404(AgendaItem, item_id)
    if item.session_id != session_id:
        abort(404)
    return item


def acta_or_404(acta_id: int) -> CommitteeActa:
    return db.get_or_404(CommitteeActa, acta_id)


def commit_action(action: Callable[[], Any], success: str, target: str) -> ResponseReturnValue:
    """Run one service call; on a domain error roll back and let the error page say why (403/409/422)."""
    try:
        action()
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(success, "success")
    return redirect(target, code=303)


def form_is_valid(form: Any, target: str) -> bool:
    """Whether the form is valid; if not, say why and go back (the services check the rest)."""
    if form.validate_on_submit():
        return True
    errors = "; ".join(str(m) for messages in form.errors.values() for m in messages)
    flash(errors or _("El formulario expiró. Vuelva a cargar la página e inténtelo de nuevo."), "danger")
    return False


def arrival_instant(committee_session: CommitteeSession, at: time | None) -> datetime | None:
    """A time typed in the room is on the session's day, in Bogotá."""
    if at is None:
        return None
    day = local_date(committee_session.opened_at or committee_session.starts_at)
    return datetime.combine(day, at, tzinfo=BOGOTA)


def room_url(session_id: int, anchor: str | None = None) -> str:
    return url_for("room.room", session_id=session_id, _anchor=anchor)


def download(data: bytes, mimetype: str, filename: str) -> Response:
    return send_stored_file(data, filename, mimetype)
