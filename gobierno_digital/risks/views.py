"""Pages of the risk map: the map of a vigencia with both heat maps, a risk with its controls and
treatment plan, the new-risk form and the risk-map document."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from gobierno_digital import permissions
from gobierno_digital.blueprint import bp
from gobierno_digital.common import Component
from gobierno_digital.projects.models import Project
from gobierno_digital.risks import dafp, services
from gobierno_digital.risks.document import SOURCE, risk_map_pdf
from gobierno_digital.risks.forms import ActionForm, ControlForm, RiskForm
from gobierno_digital.risks.models import Risk, RiskCategory, Treatment
from gobierno_digital.web import done, file_response, form_errors, get_or_404, people_choices, run, run_form, with_empty
from portal.clock import local_date
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.permissions import roles_required

READERS = tuple(sorted(permissions.GD_READERS))
WRITERS = tuple(sorted(permissions.RISK_WRITERS))


def _vigencia_arg() -> int | None:
    raw = request.args.get("vigencia", "")
    return int(raw) if raw.isdigit() else None


@bp.get("/riesgos")
@roles_required(*READERS)
def risks() -> ResponseReturnValue:
    vigencias = services.risk_vigencias(db.session)
    vigencia = _vigencia_arg() or (vigencias[0] if vigencias else None)
    rows = services.risks_of(db.session, vigencia)
    return render_template(
        "gobierno_digital/risks.html",
        risks=rows,
        maps=services.heat_map(rows),
        vigencia=vigencia,
        vigencias=vigencias,
        dafp=dafp,
        source=SOURCE,
        can_write=permissions.can_manage_risks(current_user),
    )


@bp.route("/riesgos/nuevo", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new_risk() -> ResponseReturnValue:
    form = RiskForm()
    projects = db.session.execute(select(Project).order_by(Project.name)).scalars()
    form.project_id.choices = with_empty(_("— Ninguno —"), [SelectChoice(p.id, p.name) for p in projects])
    form.responsible_id.choices = people_choices(_("— Seleccione —"))
    if not form.is_submitted():
        form.vigencia.data = local_date(utcnow()).year
    status = 200
    if form.validate_on_submit():
        data = services.RiskData(
            vigencia=form.vigencia.data,
            name=form.name.data or "",
            cause=form.cause.data or "",
            consequence=form.consequence.data or "",
            category=RiskCategory(form.category.data),
            probability=form.probability.data,
            impact=form.impact.data,
            treatment=Treatment(form.treatment.data),
            responsible_id=form.responsible_id.data,
            component=Component(form.component.data) if form.component.data else None,
            project_id=form.project_id.data or None,
        )
        saved, status = run_form(form, lambda: services.add_risk(db.session, data=data, actor=current_user, now=utcnow()))
        if saved is not None:
            return done(
                _("Riesgo identificado: zona inherente %(zone)s.", zone=saved.inherent.zone.label.lower()),
                url_for("gd.risk", risk_id=saved.id),
            )
    elif form.is_submitted():
        status = 422
    return render_template("gobierno_digital/risk_form.html", form=form), status


@bp.get("/riesgos/<int:risk_id>")
@roles_required(*READERS)
def risk(risk_id: int) -> ResponseReturnValue:
    found = get_or_404(Risk, risk_id)
    action_form = ActionForm()
    action_form.responsible_id.choices = people_choices(_("— Seleccione —"))
    return render_template(
        "gobierno_digital/risk.html",
        risk=found,
        dafp=dafp,
        can_write=permissions.can_manage_risks(current_user),
        control_form=ControlForm(),
        action_form=action_form,
    )


@bp.post("/riesgos/<int:risk_id>/controles")
@roles_required(*WRITERS)
def add_control(risk_id: int) -> ResponseReturnValue:
    found, form = get_or_404(Risk, risk_id), ControlForm()
    if not form.validate_on_submit():
        raise ValidationFailed(form_errors(form))
    data = services.ControlData(
        description=form.description.data or "",
        control_type=dafp.ControlType(form.control_type.data),
        implementation=dafp.Implementation(form.implementation.data),
        execution=dafp.Execution(form.execution.data),
        is_documented=bool(form.is_documented.data),
        is_continuous=bool(form.is_continuous.data),
        has_evidence=bool(form.has_evidence.data),
    )
    run(lambda: services.add_control(db.session, found, data=data, actor=current_user, now=utcnow()))
    return done(_("Control registrado; el riesgo residual se recalculó."), url_for("gd.risk", risk_id=risk_id))


@bp.post("/riesgos/<int:risk_id>/acciones")
@roles_required(*WRITERS)
def add_action(risk_id: int) -> ResponseReturnValue:
    found, form = get_or_404(Risk, risk_id), ActionForm()
    form.responsible_id.choices = people_choices()
    if not form.validate_on_submit():
        raise ValidationFailed(form_errors(form))
    run(
        lambda: services.add_action(
            db.session,
            found,
            description=form.description.data or "",
            responsible_id=form.responsible_id.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            actor=current_user,
            now=utcnow(),
        )
    )
    return done(_("Acción del plan de tratamiento registrada."), url_for("gd.risk", risk_id=risk_id) + "#tratamiento")


@bp.get("/riesgos/mapa.pdf")
@roles_required(*READERS)
def risk_map_document() -> ResponseReturnValue:
    vigencia = _vigencia_arg()
    now = utcnow()
    content = risk_map_pdf(services.risks_of(db.session, vigencia), current_app.config["PROFILE"], now, vigencia)
    if not content:
        abort(500)
    return file_response(content, "application/pdf", f"mapa-riesgos-gd-{vigencia or 'todas'}.pdf")
