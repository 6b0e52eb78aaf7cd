"""Pages of the indicators: the list against targets with the overdue measurements, the definition
form, an indicator with its periods, and the report in XLSX and PDF."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from gobierno_digital import permissions
from gobierno_digital.blueprint import bp
from gobierno_digital.common import Component, Periodicity
from gobierno_digital.indicators import services
from gobierno_digital.indicators.exports import indicators_pdf, indicators_xlsx
from gobierno_digital.indicators.forms import IndicatorForm, MeasurementForm
from gobierno_digital.indicators.models import Direction, Indicator, Measurement
from gobierno_digital.projects.models import Project
from gobierno_digital.settings import get_settings
from gobierno_digital.web import XLSX, done, file_response, form_errors, get_or_404, people_choices, run, run_form, with_empty
from portal.clock import local_date
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role
from sla.services.entity_calendar import get_calendar

READERS = tuple(sorted(permissions.GD_READERS))


def _vigencia_arg() -> int | None:
    raw = request.args.get("vigencia", "")
    return int(raw) if raw.isdigit() else None


@bp.get("/indicadores")
@roles_required(*READERS)
def indicators() -> ResponseReturnValue:
    now = utcnow()
    return render_template(
        "gobierno_digital/indicators.html",
        rows=services.indicator_rows(db.session, now, _vigencia_arg()),
        overdue=services.overdue_measurements(db.session, now),
        can_run=permissions.can_run(current_user),
        vigencia=_vigencia_arg(),
    )


@bp.route("/indicadores/nuevo", methods=["GET", "POST"])
@roles_required(Role.PROFESIONAL_GD)
def new_indicator() -> ResponseReturnValue:
    form = IndicatorForm()
    projects = db.session.execute(select(Project).order_by(Project.name)).scalars()
    form.project_id.choices = with_empty(_("— Ninguno —"), [SelectChoice(p.id, p.name) for p in projects])
    form.responsible_id.choices = people_choices(_("— Seleccione —"))
    if not form.is_submitted():
        form.vigencia.data = local_date(utcnow()).year
    status = 200
    if form.validate_on_submit():
        data = services.IndicatorData(
            name=form.name.data or "",
            formula=form.formula.data or "",
            unit=form.unit.data or "",
            baseline=float(form.baseline.data),
            target=float(form.target.data),
            direction=Direction(form.direction.data),
            periodicity=Periodicity(form.periodicity.data),
            vigencia=form.vigencia.data,
            component=Component(form.component.data),
            project_id=form.project_id.data or None,
            responsible_id=form.responsible_id.data,
        )
        due_days = get_settings(db.session).measurement_due_days
        saved, status = run_form(
            form,
            lambda: services.define_indicator(
                db.session, data=data, calendar=get_calendar(db.session), due_days=due_days, actor=current_user, now=utcnow()
            ),
        )
        if saved is not None:
            return done(_("Indicador definido con sus periodos de medición."), url_for("gd.indicator", indicator_id=saved.id))
    elif form.is_submitted():
        status = 422
    return render_template("gobierno_digital/indicator_form.html", form=form), status


@bp.get("/indicadores/<int:indicator_id>")
@roles_required()
def indicator(indicator_id: int) -> ResponseReturnValue:
    found = get_or_404(Indicator, indicator_id)
    if not permissions.can_view_item(current_user, found.responsible_id):
        abort(403)
    now = utcnow()
    return render_template(
        "gobierno_digital/indicator.html",
        indicator=found,
        now=now,
        today=local_date(now),
        can_report=permissions.can_report_on(current_user, found.responsible_id) and found.is_active,
        form=MeasurementForm(),
    )


@bp.post("/indicadores/mediciones/<int:measurement_id>")
@roles_required()
def record_measurement(measurement_id: int) -> ResponseReturnValue:
    measurement, form = get_or_404(Measurement, measurement_id), MeasurementForm()
    if not form.validate_on_submit():
        raise ValidationFailed(form_errors(form))
    run(
        lambda: services.record_measurement(
            db.session, measurement, value=float(form.value.data), note=form.note.data, actor=current_user, now=utcnow()
        )
    )
    return done(
        _("Medición del periodo %(p)s registrada.", p=measurement.label),
        url_for("gd.indicator", indicator_id=measurement.indicator_id),
    )


@bp.get("/indicadores/reporte.<fmt>")
@roles_required(*READERS)
def indicators_report(fmt: str) -> ResponseReturnValue:
    now = utcnow()
    rows = services.indicator_rows(db.session, now, _vigencia_arg())
    profile = current_app.config["PROFILE"]
    stamp = local_date(now).strftime("%Y%m%d")
    if fmt == "xlsx":
        return file_response(indicators_xlsx(rows, profile, now), XLSX, f"reporte-indicadores-gd-{stamp}.xlsx")
    if fmt == "pdf":
        return file_response(indicators_pdf(rows, profile, now), "application/pdf", f"reporte-indicadores-gd-{stamp}.pdf")
    abort(404)
