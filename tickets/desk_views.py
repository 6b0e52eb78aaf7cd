"""The service desk's views: provisioning jobs by state, failed ones with their last error, the
manual checklists of systems without connector, and the actions on them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import mail
from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.listing import paginate
from portal.models import MailState, OutboxMail
from portal.permissions import roles_required
from portal.roles import Role
from tickets import desk
from tickets.forms import ReasonForm
from tickets.provisioning_models import JobState, ManualTask, ProvisioningJob
from tickets.tasks import commit_and_dispatch, retry_policy

bp = Blueprint("desk", __name__, url_prefix="/mesa")

DESK_ROLES = (Role.AGENTE, Role.ADMIN, Role.CONTROL_INTERNO, Role.SECRETARIO)


@bp.get("/aprovisionamiento")
@roles_required(*DESK_ROLES)
def jobs():  # type: ignore[no-untyped-def]
    try:
        state = JobState(request.args.get("estado", JobState.FALLIDO.value))
    except ValueError:
        abort(404)
    counts: dict[JobState, int] = {
        state: count
        for state, count in db.session.execute(select(ProvisioningJob.state, func.count()).group_by(ProvisioningJob.state))
    }
    page = paginate(
        select(ProvisioningJob)
        .where(ProvisioningJob.state == state)
        .options(selectinload(ProvisioningJob.attempts_log))
        .order_by(ProvisioningJob.id.desc()),
        per_page=50,
    )
    failed_mails = (
        db.session.execute(
            select(OutboxMail).where(OutboxMail.state == MailState.FALLIDO).order_by(OutboxMail.id.desc()).limit(50)
        )
        .scalars()
        .all()
    )
    return render_template(
        "tickets/desk_jobs.html",
        page=page,
        state=state,
        states=list(JobState),
        counts=counts,
        form=ReasonForm(),
        failed_mails=failed_mails,
    )


@bp.post("/correos/<int:mail_id>/reintentar")
@roles_required(Role.AGENTE)
def retry_mail(mail_id: int) -> ResponseReturnValue:
    row = db.session.get(OutboxMail, mail_id)
    if row is None:
        abort(404)
    try:
        mail.retry_mail(db.session, row, actor=current_user, now=utcnow())
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("El correo volvió a la cola."), "success")
    return redirect(url_for("desk.jobs"), code=303)


def _job(job_id: int) -> ProvisioningJob:
    job = db.session.get(ProvisioningJob, job_id)
    if job is None:
        abort(404)
    return job


@bp.post("/aprovisionamiento/<int:job_id>/reintentar")
@roles_required(Role.AGENTE)
def retry(job_id: int) -> ResponseReturnValue:
    job = _job(job_id)
    try:
        desk.retry_job(db.session, job, actor=current_user, now=utcnow(), policy=retry_policy())
    except DomainError:
        db.session.rollback()
        raise
    commit_and_dispatch(db.session)
    flash(_("El trabajo volvió a la cola."), "success")
    return redirect(url_for("desk.jobs", estado="fallido"), code=303)


@bp.post("/aprovisionamiento/<int:job_id>/resolver")
@roles_required(Role.AGENTE)
def resolve(job_id: int) -> ResponseReturnValue:
    job = _job(job_id)
    form = ReasonForm()
    form.validate_on_submit()
    try:
        desk.resolve_job_manually(db.session, job, actor=current_user, note=form.reason.data or "", now=utcnow())
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("Trabajo resuelto manualmente."), "success")
    return redirect(url_for("desk.jobs", estado="fallido"), code=303)


@bp.get("/tareas")
@roles_required(*DESK_ROLES)
def tasks():  # type: ignore[no-untyped-def]
    closed = request.args.get("cerradas") == "1"
    rows = (
        db.session.execute(select(ManualTask).where(ManualTask.is_closed.is_(closed)).order_by(ManualTask.id.desc()).limit(200))
        .scalars()
        .all()
    )
    return render_template("tickets/desk_tasks.html", tasks=rows, closed=closed, form=ReasonForm())


@bp.post("/tareas/<int:task_id>/cerrar")
@roles_required(Role.AGENTE)
def close_task(task_id: int) -> ResponseReturnValue:
    task = db.session.get(ManualTask, task_id)
    if task is None:
        abort(404)
    form = ReasonForm()
    form.validate_on_submit()
    try:
        desk.close_manual_task(db.session, task, actor=current_user, note=form.reason.data or "", now=utcnow())
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("Tarea cerrada."), "success")
    return redirect(url_for("desk.tasks"), code=303)
