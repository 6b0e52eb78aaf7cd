"""Web pages of the ANS engine: the Secretario's reports and their exports, the Manual ANS targets
and the entity's calendar (admin)."""

from __future__ import annotations

from typing import Any

import holidays
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import extract, select

from portal.clock import local_date
from portal.db import utcnow
from portal.downloads import send_stored_file
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Dependency
from portal.permissions import roles_required
from sla import services
from sla.charts import Bar, bar_chart
from sla.exports import es_number, es_percent, report_code, report_pdf, report_xlsx
from sla.forms import DayOffForm, DeleteForm, HalfDayForm, ReportFilterForm, ResetTargetForm, TargetForm
from sla.models import CalendarDayOff, CalendarHalfDay, SlaMetric
from sla.permissions import REPORT_ROLES, SETTINGS_READERS, SETTINGS_ROLES, can_manage_settings
from sla.reports.assembly import AnsReport, GroupRow, build_report
from sla.reports.queries import ReportFilters
from tickets.models import FORM_ACTIONS, Priority

bp = Blueprint("sla", __name__, url_prefix="/ans", template_folder="templates")


@bp.app_template_filter("es_num")
def es_num_filter(value: float | None, decimals: int = 1) -> str:
    return es_number(value, decimals)


@bp.app_template_filter("es_pct")
def es_pct_filter(value: float | None) -> str:
    return es_percent(value)


# ---------------------------------------------------------------- reports


def _report_from_args() -> tuple[ReportFilterForm, AnsReport | None]:
    form = ReportFilterForm(request.args)
    dependencies = db.session.execute(select(Dependency).order_by(Dependency.name)).scalars().all()
    form.dependencia.choices = [(0, _("Todas"))] + [(d.id, d.name) for d in dependencies]
    today = local_date(utcnow())
    if not form.validate():
        return form, None
    start = form.desde.data or today.replace(day=1)
    end = form.hasta.data or today
    form.desde.data, form.hasta.data = start, end
    try:
        filters = ReportFilters(start, end, form.dependencia.data or None)
    except DomainError as exc:
        for name, messages in exc.fields.items():
            getattr(form, name).errors = list(messages)
        return form, None
    return form, build_report(db.session, filters, utcnow())


def _compliance_bars(rows: list[GroupRow], metric: SlaMetric) -> list[Bar]:
    bars = []
    for row in rows:
        stats = row.stats.get(metric)
        if stats is not None and stats.total:
            bars.append(Bar(row.label, stats.percent, f"{es_percent(stats.percent)} de {stats.total}", (stats.percent or 0) < 80))
    return bars


def _charts(report: AnsReport) -> dict[str, Markup]:
    charts = {
        "summary": bar_chart(
            _("Cumplimiento por métrica"),
            [
                Bar(m.label, s.percent, f"{es_percent(s.percent)} de {s.total}", (s.percent or 0) < 80)
                for m, s in report.summary.items()
            ],
            maximum=100,
        ),
        "approvers": bar_chart(
            _("Mediana de horas hábiles por aprobador"),
            [
                Bar(r.label, r.stats[SlaMetric.PASO].median_hours, f"{es_number(r.stats[SlaMetric.PASO].median_hours, 2)} h")
                for r in report.approvers
                if SlaMetric.PASO in r.stats
            ],
        ),
        "ages": bar_chart(
            _("Solicitudes abiertas por antigüedad"), [Bar(label, count, str(count)) for label, count in report.open_by_age]
        ),
    }
    for key, title, rows in report.dimensions():
        charts[key] = bar_chart(
            f"{title}: {SlaMetric.SOLUCION.label.lower()}", _compliance_bars(rows, SlaMetric.SOLUCION), maximum=100
        )
    return charts


@bp.get("/informes")
@roles_required(*REPORT_ROLES)
def reports():  # type: ignore[no-untyped-def]
    form, report = _report_from_args()
    status = 200 if report is not None else 400
    return render_template(
        "sla/reports.html",
        form=form,
        report=report,
        charts=_charts(report) if report else {},
        metrics=list(SlaMetric),
        query=request.query_string.decode("latin-1"),
    ), status


def _export(kind: str) -> Response:
    _form, report = _report_from_args()
    if report is None:
        abort(400)
    profile = current_app.config["PROFILE"]
    name = f"{report_code(profile)}_{report.filters.start.isoformat()}_{report.filters.end.isoformat()}"
    if kind == "xlsx":
        content = report_xlsx(report, profile)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = report_pdf(report, profile)
        mimetype = "application/pdf"
    return send_stored_file(content, f"{name}.{kind}", mimetype)


@bp.get("/informes.xlsx")
@roles_required(*REPORT_ROLES)
def reports_xlsx():  # type: ignore[no-untyped-def]
    return _export("xlsx")


@bp.get("/informes.pdf")
@roles_required(*REPORT_ROLES)
def reports_pdf():  # type: ignore[no-untyped-def]
    return _export("pdf")


# ---------------------------------------------------------------- Manual ANS targets


@bp.get("/metas")
@roles_required(*SETTINGS_READERS)
def targets():  # type: ignore[no-untyped-def]
    table = services.target_table(db.session)
    by_key: dict[Any, dict[SlaMetric, services.TargetRow]] = {}
    for t in table:
        by_key.setdefault((t.form, t.action, t.priority), {})[t.metric] = t
    rows = [
        (form, action, priority, by_key[(form, action, priority)])
        for form, actions in FORM_ACTIONS.items()
        for action in actions
        for priority in Priority
    ]
    placeholders = sum(1 for t in table if t.is_placeholder)
    return render_template(
        "sla/targets.html",
        rows=rows,
        metrics=list(SlaMetric),
        placeholders=placeholders,
        note=services.PLACEHOLDER_NOTE,
        can_edit=can_manage_settings(current_user),
    )


@bp.route("/metas/<key>", methods=["GET", "POST"])
@roles_required(*SETTINGS_ROLES)
def edit_target(key: str):  # type: ignore[no-untyped-def]
    parsed = services.parse_target_key(key)
    if parsed is None:
        abort(404)
    form_code, action, priority, metric = parsed
    row = next(t for t in services.target_table(db.session) if t.key == key)
    form = TargetForm()
    if not form.is_submitted():
        form.hours.data = round(row.hours, 2)  # type: ignore[assignment]
    status = 200
    if form.validate_on_submit():
        try:
            services.save_target(
                db.session,
                actor=current_user,
                form=form_code,
                action=action,
                priority=priority,
                metric=metric,
                hours=float(form.hours.data or 0),
            )
        except DomainError as exc:
            db.session.rollback()
            form.hours.errors = list(exc.fields.get("hours", [exc.message]))
            status = exc.status
        else:
            db.session.commit()
            flash(_("Meta guardada. Aplica a los tiempos que empiecen desde ahora."), "success")
            return redirect(url_for("sla.targets"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "sla/target_form.html", form=form, row=row, reset_form=ResetTargetForm(), note=services.PLACEHOLDER_NOTE
    ), status


@bp.post("/metas/<key>/restablecer")
@roles_required(*SETTINGS_ROLES)
def reset_target(key: str):  # type: ignore[no-untyped-def]
    parsed = services.parse_target_key(key)
    if parsed is None:
        abort(404)
    if not ResetTargetForm().validate_on_submit():
        abort(400)
    form_code, action, priority, metric = parsed
    services.save_target(
        db.session, actor=current_user, form=form_code, action=action, priority=priority, metric=metric, hours=None
    )
    db.session.commit()
    flash(_("Se restableció el valor provisional."), "info")
    return redirect(url_for("sla.targets"))


# ---------------------------------------------------------------- the entity's calendar


def _calendar_page(year: int, day_form: DayOffForm, half_form: HalfDayForm, status: int = 200) -> tuple[str, int]:
    days_off = db.session.execute(
        select(CalendarDayOff).where(extract("year", CalendarDayOff.day) == year).order_by(CalendarDayOff.day)
    ).scalars()
    half_days = db.session.execute(
        select(CalendarHalfDay).where(extract("year", CalendarHalfDay.day) == year).order_by(CalendarHalfDay.day)
    ).scalars()
    public = holidays.country_holidays("CO", years=year, language="es")
    return render_template(
        "sla/calendar.html",
        year=year,
        days_off=list(days_off),
        half_days=list(half_days),
        public_holidays=sorted(public.items()),
        day_form=day_form,
        half_form=half_form,
        delete_form=DeleteForm(),
        can_edit=can_manage_settings(current_user),
    ), status


def _year() -> int:
    try:
        year = int(request.args.get("anio") or local_date(utcnow()).year)
    except ValueError:
        abort(400)
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        abort(404)
    return year


@bp.get("/calendario")
@roles_required(*SETTINGS_READERS)
def calendar():  # type: ignore[no-untyped-def]
    return _calendar_page(_year(), DayOffForm(prefix="dia"), HalfDayForm(prefix="jornada"))


def _apply_errors(form: Any, exc: DomainError) -> None:
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(messages)
    flash(exc.message, "danger")


@bp.post("/calendario/dias")
@roles_required(*SETTINGS_ROLES)
def add_day_off():  # type: ignore[no-untyped-def]
    form = DayOffForm(prefix="dia")
    if form.validate_on_submit():
        assert form.day.data is not None
        try:
            services.add_day_off(
                db.session, actor=current_user, day=form.day.data, description=form.description.data or "", now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Día no hábil agregado; los tiempos en curso se recalcularon."), "success")
            return redirect(url_for("sla.calendar", anio=form.day.data.year))
    year = form.day.data.year if form.day.data else _year()
    return _calendar_page(year, form, HalfDayForm(prefix="jornada"), 422)


@bp.post("/calendario/dias/<int:day_id>/eliminar")
@roles_required(*SETTINGS_ROLES)
def remove_day_off(day_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(CalendarDayOff, day_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    year = row.day.year
    services.remove_day_off(db.session, actor=current_user, day_off=row, now=utcnow())
    db.session.commit()
    flash(_("Día no hábil eliminado; los tiempos en curso se recalcularon."), "info")
    return redirect(url_for("sla.calendar", anio=year))


@bp.post("/calendario/jornadas")
@roles_required(*SETTINGS_ROLES)
def add_half_day():  # type: ignore[no-untyped-def]
    form = HalfDayForm(prefix="jornada")
    if form.validate_on_submit():
        assert form.day.data is not None
        try:
            services.add_half_day(
                db.session,
                actor=current_user,
                day=form.day.data,
                blocks=services.parse_blocks(form.blocks.data or ""),
                description=form.description.data or "",
                now=utcnow(),
            )
        except DomainError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Jornada especial agregada; los tiempos en curso se recalcularon."), "success")
            return redirect(url_for("sla.calendar", anio=form.day.data.year))
    year = form.day.data.year if form.day.data else _year()
    return _calendar_page(year, DayOffForm(prefix="dia"), form, 422)


@bp.post("/calendario/jornadas/<int:half_day_id>/eliminar")
@roles_required(*SETTINGS_ROLES)
def remove_half_day(half_day_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(CalendarHalfDay, half_day_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    year = row.day.year
    services.remove_half_day(db.session, actor=current_user, half_day=row, now=utcnow())
    db.session.commit()
    flash(_("Jornada especial eliminada; los tiempos en curso se recalcularon."), "info")
    return redirect(url_for("sla.calendar", anio=year))
