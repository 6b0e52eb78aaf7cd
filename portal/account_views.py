"""The person's own API tokens, and the administrator's page of accounts and their sessions."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal import services
from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import ButtonForm, TokenForm
from portal.models import ApiToken, User
from portal.permissions import roles_required
from portal.roles import Role

bp = Blueprint("account", __name__)

USERS_PAGE_SIZE = 50


def _tokens_page(form: TokenForm, new_token: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    response = current_app.make_response(
        (
            render_template(
                "portal/tokens.html",
                form=form,
                tokens=services.tokens_of(db.session, current_user),
                new_token=new_token,
                now=utcnow(),
                button_form=ButtonForm(),
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cuenta/tokens", methods=["GET", "POST"])
@roles_required()
def tokens():  # type: ignore[no-untyped-def]
    """The owner's tokens: issue one (shown once, on this response only), see use, revoke."""
    form = TokenForm()
    form.days.validators[1].max = int(current_app.config["API_TOKEN_MAX_DAYS"])  # type: ignore[attr-defined]
    if form.validate_on_submit():
        try:
            token, _row = services.issue_api_token(
                db.session, actor=current_user, user=current_user, name=form.name.data or "", days=int(form.days.data or 0)
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return _tokens_page(form, status=422)
        db.session.commit()
        return _tokens_page(TokenForm(formdata=None), new_token=token, status=201)
    return _tokens_page(form, status=422 if form.is_submitted() else 200)


@bp.post("/cuenta/tokens/<int:token_id>/revocar")
@roles_required()
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(ApiToken, token_id)
    if row.user_id != current_user.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.revoke_api_token(db.session, actor=current_user, token=row)
    db.session.commit()
    flash(_("Token «%(name)s» revocado.", name=row.name), "success")
    return redirect(url_for("account.tokens"), code=303)


@bp.get("/administracion/usuarios")
@roles_required(Role.ADMIN)
def users():  # type: ignore[no-untyped-def]
    query = select(User).order_by(User.username)
    text = (request.args.get("q") or "").strip()[:120]
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.username).like(pattern), func.lower(User.full_name).like(pattern)))
    page = db.paginate(query, per_page=USERS_PAGE_SIZE, max_per_page=USERS_PAGE_SIZE)
    return render_template("portal/users.html", page=page, q=text, button_form=ButtonForm())


def _admin_action(user_id: int, action, success: str):  # type: ignore[no-untyped-def]
    user = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    action(user)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("account.users", q=user.username), code=303)


@bp.post("/administracion/usuarios/<int:user_id>/cerrar-sesiones")
@roles_required(Role.ADMIN)
def end_user_sessions(user_id: int):  # type: ignore[no-untyped-def]
    """The administrator's "cerrar todas las sesiones": every device of that person."""
    return _admin_action(
        user_id,
        lambda user: services.end_sessions(db.session, actor=current_user, user=user, reason="administrador"),
        _("Se cerraron todas las sesiones de la persona."),
    )


@bp.post("/administracion/usuarios/<int:user_id>/<any(desactivar, activar):change>")
@roles_required(Role.ADMIN)
def set_active(user_id: int, change: str):  # type: ignore[no-untyped-def]
    is_active = change == "activar"
    return _admin_action(
        user_id,
        lambda user: services.set_user_active(db.session, actor=current_user, user=user, is_active=is_active),
        _("Cuenta activada.") if is_active else _("Cuenta desactivada: sus sesiones y tokens dejaron de servir."),
    )
