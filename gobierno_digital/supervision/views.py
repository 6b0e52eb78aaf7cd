"""Pages of the supervision (activity 9): projects against their schedules, the late milestones, and
the supervision report of a period in PDF and DOCX."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from gobierno_digital import permissions
from gobierno_digital.blueprint import bp
from gobierno_digital.projects.models import Project
from gobierno_digital.settings import get_settings
from gobierno_digital.supervision import services
from gobierno_digital.supervision.report import build_report, supervision_docx, supervision_pdf
from gobierno_digital.web import DOCX, file_response
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from sla.services.entity_calendar import get_calendar

READERS = tuple(sorted(permissions.GD_READERS))


def _date_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


@bp.get("/supervision")
@roles_required(*READERS)
def supervision() -> ResponseReturnValue:
    now = utcnow()
    today = local_date(now)
    settings, calendar = get_settings(db.session), get_calendar(db.session)
    projects = db.session.execute(select(Project).order_by(Project.name)).scalars().all()
    return render_template(
        "gobierno_digital/supervision.html",
        statuses=[
            services.project_status(db.session, p, day=today, calendar=calendar, late_days=settings.milestone_late_days, now=now)
            for p in projects
        ],
        late=services.late_milestones(db.session, calendar=calendar, late_days=settings.milestone_late_days, now=now),
        late_days=settings.milestone_late_days,
        start=date(today.year, 1, 1),
        end=today,
    )


@bp.get("/supervision/informe.<fmt>")
@roles_required(*READERS)
def supervision_report(fmt: str) -> ResponseReturnValue:
    if fmt not in ("pdf", "docx"):
        abort(404)
    now = utcnow()
    today = local_date(now)
    start, end = _date_arg("desde", date(today.year, 1, 1)), _date_arg("hasta", today)
    report = build_report(
        db.session,
        start=start,
        end=end,
        now=now,
        calendar=get_calendar(db.session),
        late_days=get_settings(db.session).milestone_late_days,
    )
    profile = current_app.config["PROFILE"]
    name = f"informe-supervision-gd-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "pdf":
        return file_response(supervision_pdf(report, profile), "application/pdf", name)
    return file_response(supervision_docx(report, profile), DOCX, name)
