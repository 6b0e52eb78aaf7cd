"""What the catalogue and the committee put on the dashboard (``portal.views.DASHBOARD_PANELS``).

The dashboard shows each panel's ``description``; ours are computed when the page renders, for the
signed-in user: the enlace's initiatives, the head's postulations to confirm, and for the technical
secretariat and the chair the next session and every quarter of the year without an ordinary
session (seed Mesa §7: "la periodicidad de las reuniones será de manera trimestral").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select

from catalog.models import OPEN_SESSION_STATES, CommitteeSession, Initiative, InitiativeState
from catalog.sessions import agenda_candidates, quarter_warnings
from portal.clock import BOGOTA, local_date
from portal.db import utcnow
from portal.extensions import db
from portal.roles import Role
from portal.views import DASHBOARD_PANELS, Panel


class LiveText:
    """A panel text computed at render time (escaped: it is plain text)."""

    def __init__(self, compute: Callable[[], str]) -> None:
        self.compute = compute

    def __str__(self) -> str:
        return self.compute()

    def __html__(self) -> Markup:
        return escape(self.compute())


def _live(compute: Callable[[], str]) -> str:
    return cast(str, LiveText(compute))


def _count_by_state(dependency_ids: set[int]) -> dict[InitiativeState, int]:
    if not dependency_ids:
        return {}
    rows = db.session.execute(
        select(Initiative.state, func.count(Initiative.id))
        .where(Initiative.dependency_id.in_(dependency_ids))
        .group_by(Initiative.state)
    ).all()
    return {state: count for state, count in rows}


def enlace_text() -> str:
    dependency_ids = current_user.scoped_dependency_ids(Role.ENLACE)
    counts = _count_by_state(dependency_ids)
    pending = db.session.execute(
        select(func.count(Initiative.id)).where(
            Initiative.dependency_id.in_(dependency_ids),
            Initiative.state == InitiativeState.REGISTRADA,
            Initiative.postulation_requested_at.is_not(None),
        )
    ).scalar_one()
    if not counts:
        return _("Aún no hay iniciativas registradas. Registre los proyectos TIC de su dependencia en el catálogo.")
    return _(
        "Registradas: %(registered)s (%(pending)s por confirmar del jefe) · postuladas: %(postulated)s · "
        "en agenda: %(agenda)s · en ejecución: %(running)s.",
        registered=counts.get(InitiativeState.REGISTRADA, 0),
        pending=pending,
        postulated=counts.get(InitiativeState.POSTULADA, 0),
        agenda=counts.get(InitiativeState.EN_AGENDA, 0),
        running=counts.get(InitiativeState.EN_EJECUCION, 0),
    )


def jefe_text() -> str:
    pending = db.session.execute(
        select(func.count(Initiative.id)).where(
            Initiative.dependency_id.in_(current_user.scoped_dependency_ids(Role.JEFE)),
            Initiative.state == InitiativeState.REGISTRADA,
            Initiative.postulation_requested_at.is_not(None),
        )
    ).scalar_one()
    if not pending:
        return _("No hay postulaciones de su dependencia esperando su confirmación.")
    return _("%(n)s iniciativas de su dependencia esperan su confirmación para ir al comité.", n=pending)


def _next_session_text() -> str:
    now = utcnow()
    upcoming = db.session.execute(
        select(CommitteeSession)
        .where(CommitteeSession.state.in_(OPEN_SESSION_STATES), CommitteeSession.starts_at >= now)
        .order_by(CommitteeSession.starts_at)
        .limit(1)
    ).scalar()
    if upcoming is None:
        return _("No hay sesiones programadas.")
    when = upcoming.starts_at.astimezone(BOGOTA)
    return _(
        "Próxima: %(label)s, %(day)s (%(state)s).",
        label=upcoming.label,
        day=f"{when:%d/%m/%Y}",
        state=upcoming.state.label.lower(),
    )


def committee_text() -> str:
    """Next session, postulated initiatives waiting, and the quarters without an ordinary session."""
    parts = [_next_session_text()]
    waiting = len(agenda_candidates(db.session))
    if waiting:
        parts.append(_("Iniciativas postuladas sin agenda: %(n)s.", n=waiting))
    parts += [f"⚠ {w.message}" for w in quarter_warnings(db.session, local_date(utcnow()))]
    return " ".join(parts)


def member_text() -> str:
    return _next_session_text()


PANELS: dict[Role, list[Panel]] = {
    Role.ENLACE: [Panel("iniciativas", _l("Iniciativas TIC de la dependencia"), _live(enlace_text))],
    Role.JEFE: [Panel("postulaciones", _l("Postulaciones por confirmar"), _live(jefe_text))],
    Role.SECRETARIA_TECNICA: [Panel("sesiones", _l("Sesiones del comité"), _live(committee_text))],
    Role.SECRETARIO: [Panel("comite", _l("Sesiones del comité"), _live(committee_text))],
    Role.INTEGRANTE: [Panel("sesiones", _l("Próximas sesiones"), _live(member_text))],
}


def install_panels() -> None:
    """Replace the placeholder panels with ours (by key) or add them; running it twice changes nothing."""
    for role, panels in PANELS.items():
        current = DASHBOARD_PANELS.setdefault(role, [])
        for panel in panels:
            keys = [p.key for p in current]
            if panel.key in keys:
                current[keys.index(panel.key)] = panel
            else:
                current.append(panel)
