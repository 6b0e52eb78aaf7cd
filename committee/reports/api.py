"""API of the report to the mayor (SPEC §8)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from committee.reports import services as mayor_report
from committee.reports.schemas import MayorReportArgsSchema
from portal.api import api_blueprint
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

blp = api_blueprint("committee_reports", __name__, "/committee", "Informe cuatrimestral al alcalde")


@blp.route("/reports/mayor", methods=["GET"])
@roles_required(Role.SECRETARIA_TECNICA, Role.SECRETARIO, Role.CONTROL_INTERNO)
@blp.arguments(MayorReportArgsSchema, location="query")
def get_mayor_report(args: dict[str, Any]) -> Any:
    """The four-monthly report to the mayor (1: enero–abril, 2: mayo–agosto, 3: septiembre–diciembre)
    as JSON, PDF or XLSX: sessions, attendance, decisions, initiatives, commitments and ANS figures."""
    report = mayor_report.build_mayor_report(db.session, mayor_report.Period(args["year"], args["period"]))
    profile = current_app.config["PROFILE"]
    if args["format"] == "pdf":
        return Response(mayor_report.render_mayor_report_pdf(report, profile=profile), mimetype="application/pdf")
    if args["format"] == "xlsx":
        return Response(
            mayor_report.render_mayor_report_xlsx(report, profile=profile),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return mayor_report.mayor_report_dict(report)
