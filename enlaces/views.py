"""Pages of enlace designations: per dependency, the handover checklist, the coverage view."""

from __future__ import annotations

from io import BytesIO
from types import EllipsisType

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from enlaces import permissions
from enlaces import services as designations
from enlaces.forms import DesignationForm, RevocationForm
from enlaces.models import ActType, Designation, Handover
from portal.db import utcnow
from portal.directory import Directory, DirectorySettings
from portal.downloads import send_stored_file
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Dependency
from portal.permissions import roles_required
from portal.uploads import check_upload

bp = Blueprint("designations", __name__, template_folder="templates")


def _seen_current(value: str | None) -> int | EllipsisType | None:
    """The designation in force the page showed: its id, "" for none; absent, not stated."""
    if value is None:
        return ...
    return int(value) if value.isdigit() else None


def _dependency(dependency_id: int) -> Dependency:
    dependency = db.get_or_404(Dependency, dependency_id)
    if not permissions.can_view_designations(current_user, dependency):
        abort(403)
    return dependency


@bp.route("/dependencias/<int:dependency_id>/enlace", methods=["GET", "POST"])
@roles_required()
def designation_page(dependency_id: int):  # type: ignore[no-untyped-def]
    dependency = _dependency(dependency_id)
    may_designate = permissions.can_designate(current_user, dependency)
    form = DesignationForm()
    status = 200
    if request.method == "POST":
        if not may_designate:
            abort(403)
        if form.validate_on_submit():
            upload = form.act_file.data
            try:
                checked = check_upload(upload.filename or "acto.pdf", upload.read())
                directory = Directory(DirectorySettings.from_config(current_app.config))
                person = designations.resolve_person(db.session, form.person.data or "", directory)
                designations.designate(
                    db.session,
                    actor=current_user,
                    dependency=dependency,
                    person=person,
                    act=designations.ActData(
                        ActType(form.act_type.data), form.act_number.data or "", form.act_date.data, form.effective_date.data
                    ),
                    act_file=checked,
                    email_domain=current_app.config["PROFILE"].email_domain,
                    now=utcnow(),
                    directory=directory,
                    seen_current_id=_seen_current(form.seen_current.data),
                )
            except DomainError as exc:
                db.session.rollback()
                for name, messages in exc.fields.items():
                    field = getattr(form, "act_file" if name == "file" else name, None)
                    if field is not None:
                        field.errors = list(messages)
                flash(exc.message, "danger")
                status = exc.status
            else:
                db.session.commit()
                flash(_("Designación registrada."), "success")
                return redirect(url_for("designations.designation_page", dependency_id=dependency.id), code=303)
        else:
            status = 400
    history = (
        db.session.execute(
            select(Designation).where(Designation.dependency_id == dependency.id).order_by(Designation.created_at.desc())
        )
        .scalars()
        .all()
    )
    handovers = (
        db.session.execute(select(Handover).where(Handover.dependency_id == dependency.id).order_by(Handover.created_at.desc()))
        .scalars()
        .all()
    )
    if not form.is_submitted():
        current = designations.vigente(db.session, dependency.id)
        form.seen_current.data = str(current.id) if current else ""
    return render_template(
        "enlaces/designations.html",
        dependency=dependency,
        history=history,
        handovers=handovers,
        form=form,
        revocation_form=RevocationForm(),
        may_designate=may_designate,
    ), status


@bp.get("/dependencias/<int:dependency_id>/enlace/<int:designation_id>/acto.pdf")
@roles_required()
def act_pdf(dependency_id: int, designation_id: int) -> Response:
    _dependency(dependency_id)
    designation = db.session.get(Designation, designation_id)
    if designation is None or designation.dependency_id != dependency_id:
        abort(404)
    return send_stored_file(designation.act_content, filename=designation.act_filename, mimetype="application/pdf", inline=True)


@bp.post("/dependencias/<int:dependency_id>/enlace/<int:designation_id>/revocar")
@roles_required()
def revoke(dependency_id: int, designation_id: int) -> ResponseReturnValue:
    _dependency(dependency_id)
    designation = db.session.get(Designation, designation_id)
    if designation is None or designation.dependency_id != dependency_id:
        abort(404)
    form = RevocationForm()
    form.validate_on_submit()
    try:
        designations.revoke(db.session, actor=current_user, designation=designation, reason=form.reason.data or "", now=utcnow())
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("Designación revocada. La dependencia queda sin enlace vigente."), "warning")
    return redirect(url_for("designations.designation_page", dependency_id=dependency_id), code=303)


@bp.route("/transferencias/<int:handover_id>", methods=["GET", "POST"])
@roles_required()
def handover_page(handover_id: int):  # type: ignore[no-untyped-def]
    handover = db.get_or_404(Handover, handover_id)
    _dependency(handover.dependency_id)
    may_complete = permissions.can_designate(current_user, handover.dependency)
    status = 200
    if request.method == "POST":
        if not may_complete:
            abort(403)
        from flask_wtf.csrf import validate_csrf

        validate_csrf(request.form.get("csrf_token"))
        notes = {
            item["key"]: request.form.get(f"nota_{item['key']}", "")[:1000]
            for item in handover.checklist
            if request.form.get(f"hecho_{item['key']}")
        }
        try:
            designations.complete_handover(db.session, actor=current_user, handover=handover, notes=notes, now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            status = exc.status
        else:
            db.session.commit()
            flash(_("Transferencia de conocimiento completada."), "success")
            return redirect(url_for("designations.handover_page", handover_id=handover.id), code=303)
    pending = designations.removal_pending(db.session, handover)
    return render_template("enlaces/handover.html", handover=handover, may_complete=may_complete, pending=pending), status


@bp.get("/enlaces/cobertura")
@roles_required()
def coverage_page():  # type: ignore[no-untyped-def]
    if not permissions.can_view_coverage(current_user):
        abort(403)
    rows = designations.coverage(db.session)
    return render_template("enlaces/coverage.html", rows=rows)


@bp.get("/enlaces/cobertura.xlsx")
@roles_required()
def coverage_xlsx() -> Response:
    if not permissions.can_view_coverage(current_user):
        abort(403)
    from enlaces.exports import coverage_workbook

    content = coverage_workbook(designations.coverage(db.session), current_app.config["PROFILE"])
    return send_file(
        BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        download_name="cobertura-enlaces-tic.xlsx",
        as_attachment=True,
    )
