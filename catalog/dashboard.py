"""What the catalogue puts on the home page: the enlace's initiatives and the head's postulations to confirm,
computed when the page renders, for the signed-in user."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from catalog.models import Initiative, InitiativeState
from portal.extensions import db
from portal.roles import Role
from portal.shell import LiveText, Panel


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
    return ngettext(
        "%(num)d iniciativa de su dependencia espera su confirmación para ir al comité.",
        "%(num)d iniciativas de su dependencia esperan su confirmación para ir al comité.",
        pending,
    )


PANELS: dict[Role, list[Panel]] = {
    Role.ENLACE: [Panel("iniciativas", _l("Iniciativas TIC de la dependencia"), LiveText(enlace_text))],
    Role.JEFE: [Panel("postulaciones", _l("Postulaciones por confirmar"), LiveText(jefe_text))],
}
