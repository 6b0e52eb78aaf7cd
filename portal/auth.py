"""Login and logout: the directory first, local accounts for the first administrator."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import services
from portal.db import utcnow
from portal.directory import AuthStatus, Directory, DirectorySettings
from portal.extensions import db, limiter
from portal.forms import LoginForm
from portal.models import User

bp = Blueprint("auth", __name__)

FAILURE_MESSAGES = {
    AuthStatus.INVALID: "Usuario o contraseña incorrectos.",
    AuthStatus.LOCKED: (
        "Su cuenta está bloqueada por intentos fallidos. Solicite el desbloqueo con el formato "
        "FO-M11-P2-12 a través del enlace TIC de su dependencia."
    ),
    AuthStatus.DISABLED: "Su cuenta está inactiva. Comuníquese con la mesa de servicio.",
    AuthStatus.UNAVAILABLE: "El directorio institucional no responde. Intente de nuevo en unos minutos.",
}


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _username_key() -> str:
    return "login-user:" + (request.form.get("username") or "").strip().lower()[:120]


def _failed_attempt(response: object) -> bool:
    return bool(g.get("login_failed"))


def authenticate(username: str, password: str) -> tuple[User | None, AuthStatus]:
    """Check credentials: a local account by its hash, anyone else by a bind to the directory."""
    local = services.find_user(db.session, username)
    if local is not None and local.is_local:
        if services.check_local_password(local, password) and local.is_active:
            return local, AuthStatus.OK
        return None, AuthStatus.INVALID
    directory = Directory(DirectorySettings.from_config(current_app.config))
    result = directory.authenticate(username, password)
    if result.status is not AuthStatus.OK or result.person is None:
        return None, result.status
    user = services.sync_directory_person(db.session, result.person)
    if not user.is_active:
        return None, AuthStatus.DISABLED
    return user, AuthStatus.OK


@bp.route("/ingresar", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_attempt)
@limiter.limit(_login_limit, methods=["POST"], key_func=_username_key, deduct_when=_failed_attempt)
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("portal.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user, outcome = authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            session.clear()
            login_user(user)
            session.permanent = True
            session["last_seen"] = utcnow().timestamp()
            services.record_login(db.session, user)
            db.session.commit()
            return redirect(url_for("portal.dashboard"))
        g.login_failed = True
        services.record_failed_login(db.session, form.username.data or "", outcome.value)
        db.session.commit()
        flash(_(FAILURE_MESSAGES[outcome]), "danger")
        status = 503 if outcome is AuthStatus.UNAVAILABLE else 401
    elif request.method == "POST":
        status = 400
    return render_template("portal/login.html", form=form), status


@bp.route("/salir", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    session.clear()
    flash(_("Cerró su sesión."), "info")
    return redirect(url_for("auth.login"))
