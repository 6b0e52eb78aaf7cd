"""Login and logout: the directory first, local accounts for the first administrator."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from portal import services, throttle
from portal.db import utcnow
from portal.directory import AuthStatus, Directory, DirectorySettings
from portal.extensions import db
from portal.forms import LoginForm
from portal.models import User
from portal.redirects import safe_next

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


def authenticate(username: str, password: str) -> tuple[User | None, AuthStatus]:
    """Check credentials: a local account by its hash, anyone else by a bind to the directory.

    An inactive account is named as such only to someone who gave its right password; with a
    wrong one it is "Usuario o contraseña incorrectos", like any other.
    """
    local = services.find_user(db.session, username)
    if local is not None and local.is_local:
        if not services.check_local_password(local, password):
            return None, AuthStatus.INVALID
        return (local, AuthStatus.OK) if local.is_active else (None, AuthStatus.DISABLED)
    directory = Directory(DirectorySettings.from_config(current_app.config))
    result = directory.authenticate(username, password)
    if result.status is not AuthStatus.OK or result.person is None:
        return None, result.status
    user = services.sync_directory_person(db.session, result.person)
    if not user.is_active:
        return None, AuthStatus.DISABLED
    return user, AuthStatus.OK


def start_session(user: User) -> None:
    """A fresh session for ``user``: bound to its session generation, with its login instant
    (absolute lifetime) and last activity (idle timeout)."""
    session.clear()
    login_user(user)
    now = utcnow().timestamp()
    session["login_at"] = now
    session["last_seen"] = now


def _throttled(username: str, refusal: throttle.Refusal):  # type: ignore[no-untyped-def]
    services.record_refused_login(db.session, username, refusal.scope, refusal.retry_after)
    db.session.commit()
    flash(
        ngettext(
            "Demasiados intentos fallidos. Espere %(num)d minuto antes de volver a intentarlo.",
            "Demasiados intentos fallidos. Espere %(num)d minutos antes de volver a intentarlo.",
            refusal.minutes,
        ),
        "danger",
    )
    response = current_app.make_response((render_template("portal/login.html", form=LoginForm()), 429))
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response


@bp.route("/ingresar", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    target = safe_next(request.args.get("next")) or url_for("portal.dashboard")
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username, address = form.username.data or "", request.remote_addr or "-"
        refusal = throttle.check_login(username, address)
        if refusal is not None:
            return _throttled(username, refusal)
        user, outcome = authenticate(username, form.password.data or "")
        if user is not None:
            start_session(user)
            services.record_login(db.session, user)
            db.session.commit()
            return redirect(target)
        if outcome is not AuthStatus.UNAVAILABLE:
            throttle.record_login_failure(username, address)
        services.record_failed_login(db.session, username, outcome.value)
        db.session.commit()
        flash(_(FAILURE_MESSAGES[outcome]), "danger")
        status = 503 if outcome is AuthStatus.UNAVAILABLE else 401
    elif request.method == "POST":
        status = 400
    return render_template("portal/login.html", form=form), status


@bp.route("/salir", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    """Logout ends the session on the server too: a copy of the cookie no longer works."""
    services.end_sessions(db.session, actor=current_user, user=current_user, reason="salir")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Cerró su sesión."), "info")
    return redirect(url_for("auth.login"))
