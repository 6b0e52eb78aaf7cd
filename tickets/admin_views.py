"""Administration of what the access requests run on: approval policies and the systems catalogue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.errors import DomainError
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role
from tickets.forms import PolicyForm, SystemForm
from tickets.models import Connector, RequestForm, StepKind, TargetSystem
from tickets.services.admin import SystemData, policy_steps, save_approval_policy, save_system

bp = Blueprint("tickets_admin", __name__, url_prefix="/administracion")


#: Control Interno reads the configuration pages, without changing anything (SPEC §1).
CONFIGURATION_READERS = (Role.ADMIN, Role.CONTROL_INTERNO)


@bp.get("/politicas")
@roles_required(*CONFIGURATION_READERS)
def policies():  # type: ignore[no-untyped-def]
    rows = [(form, policy_steps(db.session, form)) for form in RequestForm]
    return render_template("tickets/admin_policies.html", rows=rows, can_edit=current_user.has_role(Role.ADMIN))


@bp.route("/politicas/<form_slug>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_policy(form_slug: str):  # type: ignore[no-untyped-def]
    form_code = next((f for f in RequestForm if f.slug == form_slug), None)
    if form_code is None:
        abort(404)
    form = PolicyForm()
    if not form.is_submitted():
        current = policy_steps(db.session, form_code) + [None, None, None]
        form.step1.data, form.step2.data, form.step3.data = (s.value if s else "" for s in current[:3])
    status = 200
    if form.validate_on_submit():
        try:
            save_approval_policy(db.session, actor=current_user, form=form_code, steps=[StepKind(s) for s in form.steps()])
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            status = exc.status
        else:
            db.session.commit()
            flash(_("Política guardada. Aplica a las solicitudes que se radiquen desde ahora."), "success")
            return redirect(url_for("tickets_admin.policies"))
    return render_template("tickets/admin_policy_form.html", form=form, form_code=form_code), status


@bp.get("/sistemas")
@roles_required(*CONFIGURATION_READERS)
def systems():  # type: ignore[no-untyped-def]
    rows = db.session.execute(select(TargetSystem).order_by(TargetSystem.name)).scalars().all()
    return render_template("tickets/admin_systems.html", systems=rows, can_edit=current_user.has_role(Role.ADMIN))


@bp.route("/sistemas/nuevo", methods=["GET", "POST"], defaults={"system_id": None})
@bp.route("/sistemas/<int:system_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_system(system_id: int | None):  # type: ignore[no-untyped-def]
    system = db.get_or_404(TargetSystem, system_id) if system_id else None
    form = SystemForm(obj=system)
    if system is not None and not form.is_submitted():
        form.connector.data = system.connector.value
        form.role_map.data = "\n".join(f"{k} = {v}" for k, v in system.role_map.items())
    status = 200
    if form.validate_on_submit():
        role_map = form.parsed_role_map()
        if role_map is not None:
            data = SystemData(
                code=form.code.data or "",
                name=form.name.data or "",
                connector=Connector(form.connector.data),
                role_map=role_map,
                instructions=form.instructions.data,
                is_active=bool(form.is_active.data),
            )
            try:
                save_system(db.session, actor=current_user, data=data, system=system)
            except DomainError as exc:
                db.session.rollback()
                for name, messages in exc.fields.items():
                    getattr(form, name).errors = list(messages)
                flash(exc.message, "danger")
                status = exc.status
            else:
                db.session.commit()
                flash(_("Sistema guardado."), "success")
                return redirect(url_for("tickets_admin.systems"))
        else:
            status = 422
    elif form.is_submitted():
        status = 400
    return render_template("tickets/admin_system_form.html", form=form, system=system), status
