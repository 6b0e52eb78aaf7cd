"""Who may do what, decided on the server in one place (SPEC §1).

``can_<verb>(user, obj)`` functions answer questions; ``roles_required`` guards a view or API
endpoint with them. Dependency-scoped users (``enlace``, ``jefe``) only ever see their own
dependency: ``visible_dependency_ids`` is what list queries filter by.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user

from portal.models import Dependency, User
from portal.roles import ENTITY_WIDE_READERS, Role

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow the view only to authenticated users holding one of ``roles`` (all users if none)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def is_entity_wide_reader(user: User) -> bool:
    return bool(user.roles & ENTITY_WIDE_READERS)


def visible_dependency_ids(user: User) -> set[int] | None:
    """Dependencies whose data the user may read; None means all of them."""
    if is_entity_wide_reader(user):
        return None
    return user.scoped_dependency_ids(Role.ENLACE) | user.scoped_dependency_ids(Role.JEFE)


def can_view_dependency(user: User, dependency: Dependency) -> bool:
    visible = visible_dependency_ids(user)
    return visible is None or dependency.id in visible


def can_manage_dependencies(user: User) -> bool:
    return user.has_role(Role.ADMIN)


def can_manage_users(user: User) -> bool:
    return user.has_role(Role.ADMIN)


def can_read_audit(user: User) -> bool:
    return user.has_role(Role.ADMIN, Role.CONTROL_INTERNO)
