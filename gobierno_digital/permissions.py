"""Who may see and run the Gobierno Digital plan (issue 19; seed PR-M2-P6-01 §5 activities 0–9).

- ``profesional_gd`` runs the plan: imports the scores, registers gaps, builds the work plan,
  projects, indicators, risks and milestones (the seed's "Profesional Universitario o Contratista").
- ``secretario`` approves or returns the work plan (activity 3), and may also identify and value the
  risks (activity 8: "Secretario de las TIC – o quien él delegue") and tune the settings.
- ``control_interno`` reads everything and changes nothing.
- An ``enlace`` answers its dependency's checklist of standing duties (seed §5.1 a–d).
- Whoever is named responsible of an activity, an indicator or a milestone may report on it.

The services call the ``require_*`` functions; views and API use the ``can_*`` ones for what they offer.
"""

from __future__ import annotations

from portal.errors import NotAllowed
from portal.models import User
from portal.roles import Role

#: Read every page of the plan.
GD_READERS = frozenset({Role.SECRETARIO, Role.PROFESIONAL_GD, Role.CONTROL_INTERNO})
#: Change the plan.
GD_RUNNERS = frozenset({Role.PROFESIONAL_GD})
#: Identify, analyse and value risks (seed activity 8).
RISK_WRITERS = frozenset({Role.PROFESIONAL_GD, Role.SECRETARIO})
#: See the checklist pages: readers and enlaces (their own dependency only).
DUTY_USERS = GD_READERS | {Role.ENLACE}


def can_read(user: User) -> bool:
    return bool(user.roles & GD_READERS)


def can_run(user: User) -> bool:
    return bool(user.roles & GD_RUNNERS)


def can_approve_plan(user: User) -> bool:
    """The Secretario de las TIC approves the work plan (seed activity 3)."""
    return user.has_role(Role.SECRETARIO)


def can_manage_risks(user: User) -> bool:
    return bool(user.roles & RISK_WRITERS)


def can_edit_settings(user: User) -> bool:
    return user.has_role(Role.SECRETARIO, Role.PROFESIONAL_GD)


def is_responsible(user: User, responsible_id: int | None) -> bool:
    return responsible_id is not None and user.id == responsible_id


def can_report_on(user: User, responsible_id: int | None) -> bool:
    """The plan's runner, or the person named responsible of the activity, indicator or milestone."""
    return can_run(user) or is_responsible(user, responsible_id)


def can_view_item(user: User, responsible_id: int | None) -> bool:
    return can_read(user) or is_responsible(user, responsible_id)


def duty_dependency_ids(user: User) -> set[int] | None:
    """Dependencies whose checklists the user may read; None means all of them."""
    if can_read(user):
        return None
    return user.scoped_dependency_ids(Role.ENLACE)


def can_answer_duties(user: User, dependency_id: int) -> bool:
    """Only the enlace TIC of the dependency answers its checklist (seed §5.1)."""
    return dependency_id in user.scoped_dependency_ids(Role.ENLACE)


def require_runner(actor: User | None) -> None:
    """``None`` is the system (CLI without ``--user``, demo data)."""
    if actor is not None and not can_run(actor):
        raise NotAllowed("Solo el profesional de Gobierno Digital gestiona el plan.")


def require_plan_approver(actor: User | None) -> None:
    if actor is not None and not can_approve_plan(actor):
        raise NotAllowed("Solo el Secretario de las TIC aprueba o devuelve el plan de trabajo.")


def require_risk_writer(actor: User | None) -> None:
    if actor is not None and not can_manage_risks(actor):
        raise NotAllowed("Solo el Secretario de las TIC o el profesional de Gobierno Digital valoran los riesgos.")


def require_settings_editor(actor: User | None) -> None:
    if actor is not None and not can_edit_settings(actor):
        raise NotAllowed("Solo el Secretario de las TIC o el profesional de Gobierno Digital cambian la configuración.")


def require_reporter(actor: User | None, responsible_id: int | None, what: str) -> None:
    if actor is not None and not can_report_on(actor, responsible_id):
        raise NotAllowed(f"Solo el responsable o el profesional de Gobierno Digital {what}.")


def require_duty_answerer(actor: User | None, dependency_id: int) -> None:
    if actor is not None and not can_answer_duties(actor, dependency_id):
        raise NotAllowed("Solo el enlace TIC de la dependencia responde su lista de verificación.")
