"""Web pages for access requests: the three forms, the request page, its actions, the queues."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.clock import local_date
from portal.db import utcnow
from portal.directory import Directory, DirectorySettings
from portal.downloads import send_stored_file
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Dependency
from portal.permissions import roles_required
from portal.roles import Role
from portal.uploads import CheckedFile, check_upload
from tickets.forms import (
    FORM_CLASSES,
    AttachmentForm,
    CommentForm,
    DecisionForm,
    ExceptionForm,
    ReasonForm,
    RequestFormBase,
)
from tickets.models import (
    FORM_ACTIONS,
    AccessRequest,
    DocumentType,
    LinkType,
    Priority,
    RequestAction,
    RequestAttachment,
    RequestForm,
    RequestState,
    TargetSystem,
)
from tickets.permissions import available_actions, can_view_request, is_staff
from tickets.request_page import build_request_page, current_routing, waiting_for
from tickets.services.common import load_request_page
from tickets.services.decisions import Decision, apply_exception, decide_step, request_steps
from tickets.services.execution import close_request, resolve_request, start_execution
from tickets.services.filing import (
    RequestData,
    add_attachment,
    add_comment,
    cancel_request,
    create_draft,
    submit_request,
    update_draft,
    validate_request_data,
)
from tickets.services.validation import applies
from tickets.tasks import commit_and_dispatch

bp = Blueprint("tickets", __name__, url_prefix="/solicitudes", template_folder="templates")

ATTACHMENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def _email_domain() -> str:
    return str(current_app.config["PROFILE"].email_domain)


def _directory() -> Directory:
    return Directory(DirectorySettings.from_config(current_app.config))


def _form_from_slug(slug: str) -> RequestForm:
    for form in RequestForm:
        if form.slug == slug.lower():
            return form
    abort(404)


def _load(request_id: int) -> AccessRequest:
    access_request = load_request_page(db.session, request_id)
    if access_request is None:
        abort(404)
    if not can_view_request(db.session, current_user, access_request, local_date(utcnow())):
        abort(403)
    return access_request


def _prepare_form(form: RequestFormBase) -> None:
    form.set_action_choices()
    dependency_ids = sorted(current_user.scoped_dependency_ids(Role.ENLACE))
    dependencies = db.session.execute(
        select(Dependency).where(Dependency.id.in_(dependency_ids)).order_by(Dependency.name)
    ).scalars()
    form.dependency_id.choices = [(d.id, d.name) for d in dependencies]
    systems = list(
        db.session.execute(select(TargetSystem).where(TargetSystem.is_active.is_(True)).order_by(TargetSystem.name)).scalars()
    )
    form.system_id.choices = [(s.id, s.name) for s in systems]
    # every system's roles are valid choices for WTForms; the page groups them by system and the
    # service refuses a role of another system (issue 17)
    form.role_groups = [(s.id, s.name, sorted(s.role_map)) for s in systems if s.role_map]
    role_names = sorted({role for s in systems for role in s.role_map})
    for name in ("roles_to_add", "roles_to_remove"):
        field = getattr(form, name, None)
        if field is not None:
            field.choices = [(r, r) for r in role_names]


def _data_from_form(form: RequestFormBase) -> RequestData:
    def value(name: str) -> Any:
        field = getattr(form, name, None)
        return field.data if field is not None else None

    actions = FORM_ACTIONS[form.form_code]
    return RequestData(
        form=form.form_code,
        action=RequestAction(form.action.data) if form.action.data in actions else actions[0],
        system_id=form.system_id.data or 0,
        dependency_id=form.dependency_id.data or 0,
        priority=Priority(form.priority.data or "normal"),
        beneficiary_name=form.beneficiary_name.data,
        beneficiary_document_type=DocumentType(form.beneficiary_document_type.data)
        if form.beneficiary_document_type.data
        else None,
        beneficiary_document=form.beneficiary_document.data,
        beneficiary_email=form.beneficiary_email.data,
        beneficiary_position=form.beneficiary_position.data,
        beneficiary_username=form.beneficiary_username.data,
        link_type=LinkType(form.link_type.data) if form.link_type.data else None,
        contract_end_date=form.contract_end_date.data,
        justification=form.justification.data,
        roles_to_add=list(value("roles_to_add") or []),
        roles_to_remove=list(value("roles_to_remove") or []),
        roles_end_date=value("roles_end_date"),
    )


def _show_field_errors(form: RequestFormBase, errors: dict[str, list[str]]) -> None:
    """Add the service's field errors to the form's own, once each."""
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(dict.fromkeys([*field.errors, *messages]))


def _checked_scan(form: RequestFormBase) -> CheckedFile | None:
    """The signed scan sent with the form, checked by content and size like any attachment; its
    problem becomes the field's error."""
    upload = form.scan.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        return check_upload(upload.filename or "formato", upload.read(), allowed=ATTACHMENT_TYPES)
    except DomainError as exc:
        form.scan.errors = [exc.message]
        return None


def _validate_all(form: RequestFormBase, filing: bool) -> tuple[RequestData, CheckedFile | None]:
    """One pass over everything the form and the service check, so every error shows at once."""
    form.validate()
    data = _data_from_form(form)
    errors = validate_request_data(db.session, data, email_domain=_email_domain(), today=local_date(utcnow()), complete=filing)
    _show_field_errors(form, errors)
    return data, _checked_scan(form)


@bp.route("/nueva/<form_slug>", methods=["GET", "POST"])
@roles_required(Role.ENLACE)
def new_request(form_slug: str):  # type: ignore[no-untyped-def]
    return _edit(_form_from_slug(form_slug), None)


@bp.route("/<int:request_id>/editar", methods=["GET", "POST"])
@roles_required(Role.ENLACE)
def edit_request(request_id: int):  # type: ignore[no-untyped-def]
    access_request = _load(request_id)
    if access_request.requester_id != current_user.id:
        abort(403)
    return _edit(access_request.form, access_request)


def _edit(form_code: RequestForm, access_request: AccessRequest | None):  # type: ignore[no-untyped-def]
    form_class = FORM_CLASSES[form_code]
    form = form_class(obj=access_request) if access_request is not None else form_class()
    _prepare_form(form)
    if access_request is not None and not form.is_submitted():
        form.action.data = access_request.action.value
        form.beneficiary_document_type.data = (
            access_request.beneficiary_document_type.value if access_request.beneficiary_document_type else ""
        )
        form.link_type.data = access_request.link_type.value if access_request.link_type else None
        form.priority.data = access_request.priority.value
    status = 200
    if form.is_submitted():
        filing = "radicar" in request.form
        data, scan = _validate_all(form, filing)
        if form.errors:
            status = 422
        else:
            now = utcnow()
            domain, today = _email_domain(), local_date(now)
            existing_id = access_request.id if access_request is not None else None
            try:
                if access_request is None:
                    access_request = create_draft(db.session, actor=current_user, data=data, email_domain=domain, today=today)
                else:
                    update_draft(db.session, access_request, actor=current_user, data=data, email_domain=domain, today=today)
                if scan is not None:
                    add_attachment(db.session, access_request, actor=current_user, file=scan, now=now)
                if filing:
                    submit_request(
                        db.session, access_request, actor=current_user, email_domain=domain, now=now, directory=_directory()
                    )
            except DomainError as exc:
                db.session.rollback()
                _show_field_errors(form, exc.fields)
                flash(exc.message, "danger")
                status = exc.status
                access_request = db.session.get(AccessRequest, existing_id) if existing_id is not None else None
            else:
                db.session.commit()
                if access_request.state is RequestState.BORRADOR or access_request.state is RequestState.DEVUELTA:
                    flash(_("Borrador guardado. Puede completarlo y radicarlo después."), "success")
                else:
                    flash(_("Solicitud %(number)s radicada.", number=access_request.number), "success")
                return redirect(url_for("tickets.detail", request_id=access_request.id))
    actions = FORM_ACTIONS[form_code]
    return render_template(
        "tickets/form.html",
        form=form,
        form_code=form_code,
        access_request=access_request,
        applies_to=lambda name: [a.value for a in actions if applies(name, a)],
        action_labels=lambda values: ", ".join(RequestAction(v).label.lower() for v in values),
    ), status


@bp.get("/<int:request_id>")
@roles_required()
def detail(request_id: int):  # type: ignore[no-untyped-def]
    access_request = load_request_page(db.session, request_id)
    if access_request is None:
        abort(404)
    now = utcnow()
    today = local_date(now)
    current, routing = current_routing(db.session, access_request, today)
    if not can_view_request(db.session, current_user, access_request, today, routing=routing):
        abort(403)
    page = build_request_page(db.session, access_request, now=now, today=today, current=current, routing=routing)
    profile = current_app.config["PROFILE"]
    staff = is_staff(current_user)
    return render_template(
        "tickets/detail.html",
        page=page,
        r=access_request,
        sla_rows=page.sla_rows,
        actions=available_actions(db.session, current_user, access_request, today, routing=routing),
        chain=page.chain,
        current=current,
        routing=routing,
        waiting=waiting_for(page, now, profile.approver_title, profile.secretary_title),
        returned=page.return_note,
        jobs=page.jobs,
        tasks=page.tasks,
        comments=[c for c in access_request.comments if staff or not c.is_internal],
        decision_form=DecisionForm(),
        exception_form=ExceptionForm(),
        reason_form=ReasonForm(),
        comment_form=CommentForm(),
        attachment_form=AttachmentForm(),
    )


def _run(request_id: int, action: Any, success: str) -> ResponseReturnValue:
    access_request = _load(request_id)
    try:
        action(access_request)
    except DomainError:
        db.session.rollback()
        raise
    commit_and_dispatch(db.session)
    flash(success, "success")
    return redirect(url_for("tickets.detail", request_id=request_id), code=303)


@bp.post("/<int:request_id>/radicar")
@roles_required(Role.ENLACE)
def submit(request_id: int) -> ResponseReturnValue:
    return _run(
        request_id,
        lambda r: submit_request(
            db.session, r, actor=current_user, email_domain=_email_domain(), now=utcnow(), directory=_directory()
        ),
        _("Solicitud radicada."),
    )


@bp.post("/<int:request_id>/decidir")
@roles_required()
def decide(request_id: int) -> ResponseReturnValue:
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    decision = Decision(form.decision.data)
    messages = {
        Decision.APROBAR: _("Paso aprobado."),
        Decision.DEVOLVER: _("Solicitud devuelta al solicitante."),
        Decision.RECHAZAR: _("Solicitud rechazada."),
    }
    return _run(
        request_id,
        lambda r: decide_step(
            db.session,
            r,
            actor=current_user,
            decision=decision,
            comment=form.comment.data,
            now=utcnow(),
            step_id=int(form.step_id.data) if (form.step_id.data or "").isdigit() else None,
        ),
        messages[decision],
    )


@bp.post("/<int:request_id>/excepcion")
@roles_required(Role.SECRETARIO)
def exception(request_id: int) -> ResponseReturnValue:
    form = ExceptionForm()
    form.validate_on_submit()
    return _run(
        request_id,
        lambda r: apply_exception(db.session, r, actor=current_user, justification=form.justification.data, now=utcnow()),
        _("Solicitud aprobada por excepción del Secretario."),
    )


@bp.post("/<int:request_id>/cancelar")
@roles_required()
def cancel(request_id: int) -> ResponseReturnValue:
    form = ReasonForm()
    form.validate_on_submit()
    return _run(
        request_id,
        lambda r: cancel_request(db.session, r, actor=current_user, reason=form.reason.data, now=utcnow()),
        _("Solicitud cancelada."),
    )


@bp.post("/<int:request_id>/ejecutar")
@roles_required(Role.AGENTE)
def execute(request_id: int) -> ResponseReturnValue:
    return _run(
        request_id,
        lambda r: start_execution(db.session, r, actor=current_user, now=utcnow()),
        _("La solicitud quedó en ejecución."),
    )


@bp.post("/<int:request_id>/resolver")
@roles_required(Role.AGENTE)
def resolve(request_id: int) -> ResponseReturnValue:
    form = ReasonForm()
    form.validate_on_submit()
    return _run(
        request_id,
        lambda r: resolve_request(db.session, r, actor=current_user, note=form.reason.data, now=utcnow()),
        _("Solicitud resuelta."),
    )


@bp.post("/<int:request_id>/cerrar")
@roles_required()
def close(request_id: int) -> ResponseReturnValue:
    return _run(
        request_id,
        lambda r: close_request(db.session, r, actor=current_user, now=utcnow()),
        _("Solicitud cerrada."),
    )


@bp.post("/<int:request_id>/comentarios")
@roles_required()
def comment(request_id: int) -> ResponseReturnValue:
    form = CommentForm()
    if not form.validate_on_submit():
        flash(_("Escriba el comentario."), "danger")
        return redirect(url_for("tickets.detail", request_id=request_id), code=303)
    return _run(
        request_id,
        lambda r: add_comment(
            db.session, r, actor=current_user, body=form.body.data or "", internal=bool(form.is_internal.data), now=utcnow()
        ),
        _("Comentario agregado."),
    )


@bp.post("/<int:request_id>/adjuntos")
@roles_required()
def attach(request_id: int) -> ResponseReturnValue:
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(_("Seleccione un archivo."), "danger")
        return redirect(url_for("tickets.detail", request_id=request_id), code=303)
    upload = form.file.data
    checked = check_upload(upload.filename or "documento", upload.read(), allowed=ATTACHMENT_TYPES)
    return _run(
        request_id,
        lambda r: add_attachment(db.session, r, actor=current_user, file=checked, now=utcnow()),
        _("Documento adjuntado."),
    )


@bp.get("/<int:request_id>/adjuntos/<int:attachment_id>")
@roles_required()
def download(request_id: int, attachment_id: int) -> Response:
    _load(request_id)
    attachment = db.session.get(RequestAttachment, attachment_id)
    if attachment is None or attachment.request_id != request_id:
        abort(404)
    return send_stored_file(attachment.content, attachment.filename, attachment.content_type)


@bp.get("/<int:request_id>/pdf")
@roles_required()
def pdf(request_id: int) -> Response:
    from tickets.pdf import render_request_pdf

    access_request = _load(request_id)
    chain = request_steps(db.session, access_request, current_round_only=True)
    content = render_request_pdf(access_request, chain, current_app.config["PROFILE"])
    return send_stored_file(content, f"{access_request.label}.pdf", "application/pdf", inline=True)
