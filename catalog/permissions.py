"""Who may see and act on initiatives and committee sessions (SPEC §1, §6).

The services enforce every rule; these functions answer the same questions without changing
anything, for lists and for the actions a page offers.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from catalog.models import Initiative, InitiativeState
from portal.models import User
from portal.roles import ENTITY_WIDE_READERS, Role

#: See every dependency's initiatives: the entity-wide readers, the technical secretariat and the members.
CATALOG_READERS = ENTITY_WIDE_READERS | {Role.SECRETARIA_TECNICA, Role.INTEGRANTE}
#: Everyone who has something in the catalogue: readers plus the dependency-scoped roles.
CATALOG_USERS = CATALOG_READERS | {Role.ENLACE, Role.JEFE}


def catalog_dependency_ids(user: User) -> set[int] | None:
    """Dependencies whose initiatives the user may read; None means all of them."""
    if user.roles & CATALOG_READERS:
        return None
    return user.scoped_dependency_ids(Role.ENLACE) | user.scoped_dependency_ids(Role.JEFE)


def visibility_clause(user: User) -> ColumnElement[bool]:
    """SQL condition for the initiatives ``user`` may see (every list, export and detail page)."""
    visible = catalog_dependency_ids(user)
    if visible is None:
        return true()
    return Initiative.dependency_id.in_(visible) if visible else false()


def can_view_initiative(user: User, initiative: Initiative) -> bool:
    visible = catalog_dependency_ids(user)
    return visible is None or initiative.dependency_id in visible


def is_enlace_of(user: User, dependency_id: int) -> bool:
    return dependency_id in user.scoped_dependency_ids(Role.ENLACE)


def is_jefe_of(user: User, dependency_id: int) -> bool:
    return dependency_id in user.scoped_dependency_ids(Role.JEFE)


def can_register_initiatives(user: User) -> bool:
    """The enlace registers its dependency's initiatives (seed PR-M2-P6-01, responsabilidad 3)."""
    return bool(user.scoped_dependency_ids(Role.ENLACE))


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    return (
        is_enlace_of(user, initiative.dependency_id)
        and initiative.state is InitiativeState.REGISTRADA
        and not initiative.is_postulation_pending
    )


def can_request_postulation(user: User, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def can_confirm_postulation(user: User, initiative: Initiative) -> bool:
    return is_jefe_of(user, initiative.dependency_id) and initiative.is_postulation_pending


def can_attach_document(user: User, initiative: Initiative) -> bool:
    return is_enlace_of(user, initiative.dependency_id) and initiative.state is not InitiativeState.FINALIZADA


def can_start_execution(user: User, initiative: Initiative) -> bool:
    return is_enlace_of(user, initiative.dependency_id) and initiative.state is InitiativeState.APROBADA


def can_report_progress(user: User, initiative: Initiative) -> bool:
    return is_enlace_of(user, initiative.dependency_id) and initiative.state is InitiativeState.EN_EJECUCION
