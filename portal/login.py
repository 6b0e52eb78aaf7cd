"""Flask-Login wiring: web pages use the session cookie, the API only personal tokens."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager
from sqlalchemy.orm import joinedload

from portal.errors import is_api_request, problem
from portal.extensions import db
from portal.models import User


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if is_api_request():
            return None  # the API never trusts the session cookie (no CSRF exposure)
        return db.session.get(User, int(user_id), options=[joinedload(User.role_assignments)])

    @login_manager.request_loader
    def load_user_from_token(req: Request) -> User | None:
        if not is_api_request():
            return None
        header = req.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        from portal.services import user_for_token

        user = user_for_token(db.session, token.strip())
        if user is not None and db.session.dirty:
            db.session.commit()
        return user

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        if is_api_request():
            return problem(401, "Envíe un token personal válido en la cabecera Authorization: Bearer.")
        if session.pop("expired", False):
            flash(_("Su sesión se cerró por inactividad. Ingrese de nuevo."), "warning")
        else:
            flash(_("Ingrese para continuar."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
