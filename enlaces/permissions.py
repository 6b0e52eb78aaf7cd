"""Who may designate an enlace and read designations and coverage (SPEC §1, §2)."""

from __future__ import annotations

from portal.models import Dependency, User
from portal.roles import Role


def can_designate(user: User, dependency: Dependency) -> bool:
    """The head of the dependency designates its enlace; ``admin`` may too."""
    return user.has_role(Role.ADMIN) or dependency.id in user.scoped_dependency_ids(Role.JEFE)


def can_view_designations(user: User, dependency: Dependency) -> bool:
    from portal.permissions import can_view_dependency

    return can_view_dependency(user, dependency)


def can_view_coverage(user: User) -> bool:
    return user.has_role(Role.SECRETARIO, Role.ADMIN, Role.CONTROL_INTERNO)
