"""Page of the four-monthly report to the mayor (SPEC §6)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from committee import deadlines
from committee.reports import services as mayor_report
from committee.reports.forms import MayorReportForm
from committee.web import (
    download,
)
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

bp = Blueprint("reports", __name__, url_prefix="/comite")


@bp.get("/informe-alcalde")
@roles_required(Role.SECRETARIA_TECNICA, Role.SECRETARIO, Role.CONTROL_INTERNO)
def mayor_report_page():  # type: ignore[no-untyped-def]
    form = MayorReportForm(request.args)
    current = mayor_report.period_of(local_date(utcnow()))
    if not form.validate():
        abort(404)
    period = mayor_report.Period(form.anio.data or current.year, form.periodo.data or current.number)
    form.anio.data, form.periodo.data = period.year, period.number
    fmt = request.args.get("formato")
    report = mayor_report.build_mayor_report(db.session, period)
    profile = current_app.config["PROFILE"]
    name = f"informe-alcalde-{period.year}-{period.number}"
    if fmt == "pdf":
        return download(mayor_report.render_mayor_report_pdf(report, profile=profile), "application/pdf", f"{name}.pdf")
    if fmt == "xlsx":
        return download(
            mayor_report.render_mayor_report_xlsx(report, profile=profile),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    if fmt is not None:
        abort(404)
    return render_template("committee/mayor_report.html", form=form, report=report, period=period, deadlines=deadlines)
