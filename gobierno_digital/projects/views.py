"""Pages of the projects: the list (with the catalogue's initiatives in execution to link), a project
with its contracts, progress reports, milestones and planned-vs-executed curve."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from catalog.models import Initiative
from gobierno_digital import permissions
from gobierno_digital.blueprint import bp
from gobierno_digital.charts import CurvePoint, curve_chart
from gobierno_digital.common import Component
from gobierno_digital.documents import EVIDENCE_TYPES
from gobierno_digital.projects import services
from gobierno_digital.projects.forms import ContractForm, ContractReportForm, MilestoneForm, MilestoneProgressForm, ProjectForm
from gobierno_digital.projects.models import Contract, Project
from gobierno_digital.settings import get_settings
from gobierno_digital.supervision import services as supervision
from gobierno_digital.supervision.models import Milestone
from gobierno_digital.web import (
    checked_file,
    dependency_choices,
    done,
    form_errors,
    get_or_404,
    people_choices,
    run,
    run_form,
    with_empty,
)
from portal.clock import local_date
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role
from sla.services.entity_calendar import get_calendar

READERS = tuple(sorted(permissions.GD_READERS))


@bp.get("/proyectos")
@roles_required(*READERS)
def projects() -> ResponseReturnValue:
    now = utcnow()
    settings, calendar, today = get_settings(db.session), get_calendar(db.session), local_date(now)
    rows = db.session.execute(select(Project).order_by(Project.vigencia.desc(), Project.name)).scalars().all()
    statuses = [
        supervision.project_status(db.session, p, day=today, calendar=calendar, late_days=settings.milestone_late_days, now=now)
        for p in rows
    ]
    return render_template(
        "gobierno_digital/projects.html",
        statuses=statuses,
        initiatives=services.initiatives_to_link(db.session),
        can_run=permissions.can_run(current_user),
    )


@bp.route("/proyectos/nuevo", methods=["GET", "POST"])
@roles_required(Role.PROFESIONAL_GD)
def new_project() -> ResponseReturnValue:
    form = ProjectForm()
    candidates = services.initiatives_to_link(db.session)
    form.initiative_id.choices = with_empty(
        _("— Proyecto sin iniciativa del catálogo —"), [SelectChoice(i.id, f"{i.code} — {i.title}") for i in candidates]
    )
    form.dependency_id.choices = dependency_choices(_("— Seleccione —"))
    form.responsible_id.choices = people_choices(_("— Seleccione —"))
    today = local_date(utcnow())
    if not form.is_submitted():
        form.vigencia.data = today.year
        chosen = request.args.get("iniciativa", "")
        initiative = db.session.get(Initiative, int(chosen)) if chosen.isdigit() else None
        if initiative is not None and initiative in candidates:
            prefill = services.project_data_from_initiative(initiative, vigencia=today.year, responsible_id=current_user.id)
            form.initiative_id.data = initiative.id
            form.name.data, form.description.data = prefill.name, prefill.description
            form.component.data, form.dependency_id.data = prefill.component.value, prefill.dependency_id
            form.start_date.data, form.end_date.data = prefill.start_date, prefill.end_date
            form.responsible_id.data = current_user.id
    status = 200
    if form.validate_on_submit():
        data = services.ProjectData(
            name=form.name.data or "",
            description=form.description.data or "",
            component=Component(form.component.data),
            dependency_id=form.dependency_id.data,
            vigencia=form.vigencia.data,
            responsible_id=form.responsible_id.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            initiative_id=form.initiative_id.data or None,
        )
        saved, status = run_form(form, lambda: services.create_project(db.session, data=data, actor=current_user, now=utcnow()))
        if saved is not None:
            return done(_("Proyecto registrado."), url_for("gd.project", project_id=saved.id))
    elif form.is_submitted():
        status = 422
    return render_template("gobierno_digital/project_form.html", form=form), status


@bp.get("/proyectos/<int:project_id>")
@roles_required()
def project(project_id: int) -> ResponseReturnValue:
    found = get_or_404(Project, project_id)
    milestones = supervision.milestones_of(db.session, found.id)
    if not (permissions.can_read(current_user) or any(m.responsible_id == current_user.id for m in milestones)):
        abort(403)
    contracts = (
        db.session.execute(select(Contract).where(Contract.project_id == found.id).order_by(Contract.start_date)).scalars().all()
    )
    now = utcnow()
    today = local_date(now)
    values = supervision.project_curve(db.session, found.id, today)
    settings, calendar = get_settings(db.session), get_calendar(db.session)
    status = supervision.project_status(
        db.session, found, day=today, calendar=calendar, late_days=settings.milestone_late_days, now=now
    )
    milestone_form = MilestoneForm()
    milestone_form.responsible_id.choices = people_choices(_("— Seleccione —"))
    return render_template(
        "gobierno_digital/project.html",
        project=found,
        contracts=contracts,
        milestones=milestones,
        curve=values,
        chart=curve_chart(
            _("Avance programado y ejecutado de %(name)s", name=found.name),
            [CurvePoint(v.day.strftime("%d/%m/%y"), v.planned, v.executed) for v in values],
        ),
        status=status,
        late_ids={m.id for m in status.late},
        can_run=permissions.can_run(current_user),
        contract_form=ContractForm(),
        report_form=ContractReportForm(reported_on=today),
        milestone_form=milestone_form,
        progress_form=MilestoneProgressForm(reported_on=today),
    )


@bp.post("/proyectos/<int:project_id>/contratos")
@roles_required(Role.PROFESIONAL_GD)
def add_contract(project_id: int) -> ResponseReturnValue:
    found, form = get_or_404(Project, project_id), ContractForm()
    if not form.validate_on_submit():
        raise ValidationFailed(form_errors(form))
    data = services.ContractData(
        number=form.number.data or "",
        object=form.object.data or "",
        contractor=form.contractor.data or "",
        value=form.value.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
    )
    run(lambda: services.add_contract(db.session, found, data=data, actor=current_user, now=utcnow()))
    return done(_("Contrato agregado."), url_for("gd.project", project_id=project_id) + "#contratos")


@bp.post("/contratos/<int:contract_id>/informes")
@roles_required(Role.PROFESIONAL_GD)
def add_contract_report(contract_id: int) -> ResponseReturnValue:
    contract, form = get_or_404(Contract, contract_id), ContractReportForm()
    if not form.validate_on_submit():
        raise ValidationFailed(form_errors(form))
    files = [f for f in (checked_file(s, allowed=EVIDENCE_TYPES) for s in request.files.getlist(form.attachments.name)) if f]
    run(
        lambda: services.add_contract_report(
            db.session,
            contract,
            reported_on=form.reported_on.data,
            percent=form.percent.data,
            deliverables=form.deliverables.data or "",
            note=form.note.data,
            attachments=files,
            actor=current_user,
            now=utcnow(),
        )
    )
    return done(_("Informe de avance registrado."), url_for("gd.project", project_id=contract.project_id) + "#contratos")


@bp.post("/proyectos/<int:project_id>/hitos")
@roles_required(Role.PROFESIONAL_GD)
def add_milestone(project_id: int) -> ResponseReturnValue:
    found, form = get_or_404(Project, project_id), MilestoneForm()
    form.responsible_id.choices = people_choices()
    if not form.validate_on_submit():
        raise ValidationFailed(form_errors(form))
    run(
        lambda: supervision.add_milestone(
            db.session,
            found,
            name=form.name.data or "",
            planned_date=form.planned_date.data,
            weight=form.weight.data,
            responsible_id=form.responsible_id.data,
            actor=current_user,
            now=utcnow(),
        )
    )
    return done(_("Hito agregado al cronograma."), url_for("gd.project", project_id=project_id) + "#hitos")


@bp.post("/hitos/<int:milestone_id>/avance")
@roles_required()
def milestone_progress(milestone_id: int) -> ResponseReturnValue:
    milestone, form = get_or_404(Milestone, milestone_id), MilestoneProgressForm()
    if not form.validate_on_submit():
        raise ValidationFailed(form_errors(form))
    run(
        lambda: supervision.report_milestone_progress(
            db.session,
            milestone,
            reported_on=form.reported_on.data,
            percent=form.percent.data,
            note=form.note.data,
            actor=current_user,
            now=utcnow(),
        )
    )
    return done(_("Avance del hito registrado."), url_for("gd.project", project_id=milestone.project_id) + "#hitos")
