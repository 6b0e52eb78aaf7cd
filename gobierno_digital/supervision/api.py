"""API of projects and supervision (``/api/v1/gd``): projects with their planned-vs-executed curve,
milestone progress, the dashboard's figures and the reports (indicators, risk map, supervision)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from gobierno_digital import permissions
from gobierno_digital.dashboard import dashboard_data
from gobierno_digital.indicators.exports import indicators_pdf, indicators_xlsx
from gobierno_digital.indicators.services import indicator_rows
from gobierno_digital.projects.models import Project
from gobierno_digital.risks.document import risk_map_pdf
from gobierno_digital.risks.services import risks_of
from gobierno_digital.settings import get_settings
from gobierno_digital.supervision import services
from gobierno_digital.supervision.models import Milestone
from gobierno_digital.supervision.report import build_report, supervision_docx, supervision_pdf
from gobierno_digital.web import DOCX, XLSX, file_response
from portal.api import api_blueprint
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from sla.services.entity_calendar import get_calendar

blp = api_blueprint("gd_supervision", __name__, "/gd", "Gobierno Digital: proyectos, supervisión, tablero e informes")
READERS = tuple(sorted(permissions.GD_READERS))


class ProgressInputSchema(Schema):
    reported_on = fields.Date(required=True)
    percent = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PeriodArgsSchema(Schema):
    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True)


class VigenciaArgsSchema(Schema):
    vigencia = fields.Integer(load_default=None)


@blp.route("/projects", methods=["GET"])
@roles_required(*READERS)
@blp.response(200)
def list_projects() -> Any:
    """Projects with their planned and executed percent today and their late milestones."""
    now = utcnow()
    settings, calendar = get_settings(db.session), get_calendar(db.session)
    rows = []
    for project in db.session.execute(select(Project).order_by(Project.name)).scalars():
        status = services.project_status(
            db.session, project, day=local_date(now), calendar=calendar, late_days=settings.milestone_late_days, now=now
        )
        rows.append(
            {
                "id": project.id,
                "name": project.name,
                "component": project.component.value,
                "dependency": project.dependency.code,
                "initiative": project.initiative.code if project.initiative else None,
                "planned_percent": round(status.planned, 2),
                "executed_percent": round(status.executed, 2),
                "late_milestones": [m.id for m in status.late],
            }
        )
    return rows


@blp.route("/projects/<int:project_id>/curve", methods=["GET"])
@roles_required(*READERS)
@blp.response(200)
def project_curve(project_id: int) -> Any:
    """Planned % and executed % on each day either changes (executed is null after today)."""
    if db.session.get(Project, project_id) is None:
        abort(404)
    values = services.project_curve(db.session, project_id, local_date(utcnow()))
    return [
        {
            "date": v.day.isoformat(),
            "planned": round(v.planned, 2),
            "executed": None if v.executed is None else round(v.executed, 2),
        }
        for v in values
    ]


@blp.route("/milestones/<int:milestone_id>/progress", methods=["POST"])
@roles_required()
@blp.arguments(ProgressInputSchema)
@blp.response(201)
def milestone_progress(data: dict[str, Any], milestone_id: int) -> Any:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        abort(404)
    services.report_milestone_progress(db.session, milestone, actor=current_user, now=utcnow(), **data)
    db.session.commit()
    return {"milestone_id": milestone_id, "progress_percent": milestone.progress_percent, "completed_on": milestone.completed_on}


@blp.route("/dashboard", methods=["GET"])
@roles_required(*READERS)
@blp.arguments(VigenciaArgsSchema, location="query")
@blp.response(200)
def dashboard(args: dict[str, Any]) -> Any:
    """The dashboard's figures: progress per component and dependency, indicators, risks, overdue items."""
    data = dashboard_data(db.session, utcnow(), args["vigencia"])
    return {
        "vigencia": data.vigencia,
        "by_component": [{"label": p.label, "total": p.total, "done": p.done, "overdue": p.overdue} for p in data.by_component],
        "by_dependency": [{"label": p.label, "total": p.total, "done": p.done, "overdue": p.overdue} for p in data.by_dependency],
        "scores": {r.component.value: {str(y): v for y, v in r.percents.items()} for r in data.comparison.rows},
        "indicators": [
            {
                "id": r.indicator.id,
                "name": r.indicator.name,
                "target": r.indicator.target,
                "last": r.last.value if r.last else None,
                "compliance": r.compliance,
            }
            for r in data.indicators
        ],
        "risks": {
            "inherent": {z.value: n for z, n in data.risks_inherent.items()},
            "residual": {z.value: n for z, n in data.risks_residual.items()},
        },
        "overdue": {
            "activities": [a.id for a in data.overdue_activities],
            "milestones": [m.id for m in data.late_milestones],
            "measurements": [m.id for m in data.overdue_measurements],
            "checklists": [c.id for c in data.overdue_checklists],
        },
    }


@blp.route("/reports/indicators.<fmt>", methods=["GET"])
@roles_required(*READERS)
@blp.arguments(VigenciaArgsSchema, location="query")
@blp.response(200)
def indicators_report(args: dict[str, Any], fmt: str) -> Any:
    """The indicator report in ``xlsx`` or ``pdf``."""
    now = utcnow()
    rows, profile = indicator_rows(db.session, now, args["vigencia"]), current_app.config["PROFILE"]
    if fmt == "xlsx":
        return file_response(indicators_xlsx(rows, profile, now), XLSX, "reporte-indicadores-gd.xlsx")
    if fmt == "pdf":
        return file_response(indicators_pdf(rows, profile, now), "application/pdf", "reporte-indicadores-gd.pdf")
    abort(404)


@blp.route("/reports/risk-map.pdf", methods=["GET"])
@roles_required(*READERS)
@blp.arguments(VigenciaArgsSchema, location="query")
@blp.response(200)
def risk_map_report(args: dict[str, Any]) -> Any:
    now = utcnow()
    content = risk_map_pdf(risks_of(db.session, args["vigencia"]), current_app.config["PROFILE"], now, args["vigencia"])
    return file_response(content, "application/pdf", "mapa-riesgos-gd.pdf")


@blp.route("/reports/supervision.<fmt>", methods=["GET"])
@roles_required(*READERS)
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200)
def supervision_report(args: dict[str, Any], fmt: str) -> Any:
    """The supervision report of a period (``?from=YYYY-MM-DD&to=YYYY-MM-DD``) in ``pdf`` or ``docx``."""
    if fmt not in ("pdf", "docx"):
        abort(404)
    start, end = args["start"], args["end"]
    report = build_report(
        db.session,
        start=start,
        end=end,
        now=utcnow(),
        calendar=get_calendar(db.session),
        late_days=get_settings(db.session).milestone_late_days,
    )
    profile = current_app.config["PROFILE"]
    if fmt == "pdf":
        return file_response(supervision_pdf(report, profile), "application/pdf", f"informe-supervision-{start}-{end}.pdf")
    return file_response(supervision_docx(report, profile), DOCX, f"informe-supervision-{start}-{end}.docx")
