"""What the committee's pages and API share: who may act, the committee's context, and the one way each
action runs (validate the form, call one service, commit, flash, redirect 303; or commit and serialise)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from flask import Response, abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from committee import permissions as committee_permissions
from committee.actas.models import CommitteeActa
from committee.models import AgendaItem, CommitteeSession
from committee.sessions.common import CommitteeContext
from config.committee import committee_rules
from portal.clock import BOGOTA, local_date
from portal.downloads import send_stored_file
from portal.errors import DomainError
from portal.extensions import db
from portal.roles import Role

READER_ROLES = tuple(sorted(committee_permissions.COMMITTEE_READERS))
#: who takes part in the room: the secretariat records, members vote, the chair breaks ties
#: who may take part (the services check the seat): the secretariat records, members vote, answer
#: and sign the acta (Control Interno and seated heads included: seed Mesa §3, §4), the chair breaks ties
ROOM_ROLES = (Role.SECRETARIA_TECNICA, Role.INTEGRANTE, Role.SECRETARIO, Role.CONTROL_INTERNO, Role.JEFE)


def committee_context() -> CommitteeContext:
    """The entity's committee as the services need it (name, e-mail domain, rules of the profile)."""
    profile = current_app.config["PROFILE"]
    return CommitteeContext(
        committee_name=profile.committee_name,
        entity_name=profile.entity_name,
        email_domain=profile.email_domain,
        rules=committee_rules(profile.code),
        profile=profile,
    )


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


def api_session_or_404(session_id: int) -> CommitteeSession:
    """The session read afresh for an API answer (what the service just changed, not the identity map's copy)."""
    db.session.expire_all()
    committee_session = db.session.get(CommitteeSession, session_id)
    if committee_session is None:
        abort(404)
    return committee_session


def commit_then(then: Callable[[], Any]) -> Any:
    """Commit the service's work, then build the API answer."""
    db.session.commit()
    return then()
