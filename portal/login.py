"""Flask-Login wiring: web pages use the session cookie, the API only personal tokens.

The session cookie holds ``"<user id>:<session generation>"`` (``User.get_id``). Loading the user
checks that generation in the same single query that brings the user and its roles, so a cookie
issued before a logout, a password change, a disabling or an administrator's "cerrar todas las
sesiones" (each raises the generation) is refused on the server, at no extra query per request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import joinedload, lazyload

from portal.errors import is_api_request, problem
from portal.extensions import db
from portal.models import Dependency, RoleAssignment, User
from portal.redirects import safe_next


def parse_session_id(value: str) -> tuple[int, int] | None:
    """``(user id, generation)`` from the cookie's value, or None for anything else."""
    user_id, sep, generation = value.partition(":")
    if not sep or not user_id.isdigit() or not generation.isdigit() or len(value) > 40:
        return None
    return int(user_id), int(generation)


#: Built once (its SQL is compiled once too): the user, its roles and their dependencies, with
#: nothing else joined — the person's own dependency and the heads load only if a page asks.
SESSION_USER_QUERY = (
    select(User)
    .options(
        lazyload(User.dependency),
        joinedload(User.role_assignments).joinedload(RoleAssignment.dependency).lazyload(Dependency.head),
    )
    .where(User.id == bindparam("user_id"))
    .execution_options(populate_existing=True)
)


def load_session_user(user_id: int, generation: int) -> User | None:
    """The active user with this session generation, its roles and dependencies, in one query.

    This is the first statement of every signed-in page, and the pool does not ping a connection
    before lending it (``SQLALCHEMY_ENGINE_OPTIONS``): if the server dropped the connection (a
    restart), the failure invalidates the pool and the query is sent once more on a new one."""
    try:
        user = _fetch_session_user(user_id)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        db.session.rollback()
        user = _fetch_session_user(user_id)
    if user is None or user.session_generation != generation or not user.is_active_account:
        return None
    return user


def _fetch_session_user(user_id: int) -> User | None:
    return (
        db.session.execute(SESSION_USER_QUERY, {"user_id": user_id})
        .unique()
        .scalar_one_or_none()  # reads every row: the joined roles are all loaded
    )


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        if is_api_request():
            return None  # the API never trusts the session cookie (no CSRF exposure)
        parsed = parse_session_id(session_id)
        return load_session_user(*parsed) if parsed else None

    @login_manager.request_loader
    def load_user_from_token(req: Request) -> User | None:
        if not is_api_request():
            return None
        header = req.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        from portal.services import user_for_token

        user, touched = user_for_token(db.session, token.strip())
        if touched:
            db.session.commit()
        return user

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        if is_api_request():
            return problem(401, _("Envíe un token personal válido en la cabecera Authorization: Bearer."))
        reason = session.pop("ended", None)
        if reason == "idle":
            flash(_("Su sesión se cerró por inactividad. Ingrese de nuevo."), "warning")
        elif reason == "max":
            flash(_("Su sesión alcanzó la duración máxima permitida. Ingrese de nuevo."), "warning")
        elif reason == "revoked":
            flash(_("Su sesión fue cerrada. Ingrese de nuevo."), "warning")
        else:
            flash(_("Ingrese para continuar."), "info")
        target = safe_next(request.full_path) if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
