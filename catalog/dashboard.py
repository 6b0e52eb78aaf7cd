"""What the catalogue and the committee put on the dashboard (``portal.views.DASHBOARD_PANELS``).

The dashboard shows each panel's ``description``; ours are computed when the page renders, for the
signed-in user: the enlace's initiatives, the head's postulations to confirm, and for the technical
secretariat and the chair the next session and every quarter of the year without an ordinary
session (seed Mesa §7: "la periodicidad de las reuniones será de manera trimestral"), the acta
deadlines still open for the secretariat, and the overdue commitments for Control Interno.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select

from catalog.meeting_models import ActaState, Commitment, CommitmentState, CommitteeActa, CommitteeDeadline
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


def deadlines_text() -> str:
    """The acta deadlines still open, the nearest first: what the secretariat must not let pass."""
    now = utcnow()
    rows = db.session.execute(
        select(CommitteeDeadline.kind, CommitteeDeadline.due_at)
        .where(CommitteeDeadline.closed_at.is_(None), CommitteeDeadline.acta_id.is_not(None))
        .order_by(CommitteeDeadline.due_at)
        .limit(3)
    ).all()
    if not rows:
        return _("No hay plazos de actas abiertos.")
    parts = []
    for kind, due_at in rows:
        state = _("vencido") if due_at < now else _("vence")
        parts.append(f"{kind.label}: {state} {due_at.astimezone(BOGOTA):%d/%m/%Y}")
    return " · ".join(parts) + "."


def actas_text() -> str:
    """Actas sent to the members that still take approvals or observations."""
    sent = db.session.execute(
        select(func.count(CommitteeActa.id)).where(CommitteeActa.state.in_((ActaState.ENVIADA, ActaState.CON_OBSERVACIONES)))
    ).scalar_one()
    to_sign = db.session.execute(
        select(func.count(CommitteeActa.id)).where(CommitteeActa.state == ActaState.APROBADA)
    ).scalar_one()
    if not sent and not to_sign:
        return _("No hay actas por revisar ni por suscribir.")
    return _("Actas en observaciones: %(sent)s · aprobadas por suscribir: %(sign)s.", sent=sent, sign=to_sign)


def overdue_text() -> str:
    """Pending commitments past their due date (seed Mesa §4: non-compliance goes to Control Interno)."""
    overdue = db.session.execute(
        select(func.count(Commitment.id)).where(
            Commitment.state == CommitmentState.PENDIENTE, Commitment.due_date < local_date(utcnow())
        )
    ).scalar_one()
    if not overdue:
        return _("No hay compromisos del comité vencidos.")
    return _("%(n)s compromisos del comité están vencidos.", n=overdue)


PANELS: dict[Role, list[Panel]] = {
    Role.ENLACE: [Panel("iniciativas", _l("Iniciativas TIC de la dependencia"), _live(enlace_text))],
    Role.JEFE: [Panel("postulaciones", _l("Postulaciones por confirmar"), _live(jefe_text))],
    Role.SECRETARIA_TECNICA: [
        Panel("sesiones", _l("Sesiones del comité"), _live(committee_text)),
        Panel("plazos_actas", _l("Plazos de las actas"), _live(deadlines_text)),
    ],
    Role.SECRETARIO: [Panel("comite", _l("Sesiones del comité"), _live(committee_text))],
    Role.INTEGRANTE: [
        Panel("sesiones", _l("Próximas sesiones"), _live(member_text)),
        Panel("actas", _l("Actas por revisar"), _live(actas_text)),
    ],
    Role.CONTROL_INTERNO: [Panel("compromisos_vencidos", _l("Compromisos vencidos del comité"), _live(overdue_text))],
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
