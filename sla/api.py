"""API of the ANS engine (SPEC §8): the calendar helpers and the ANS report as JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, NoReturn

from flask_smorest import abort
from marshmallow import Schema, ValidationError, fields, validate

from portal.api import api_blueprint
from portal.clock import BOGOTA
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from sla.calendar import DEFAULT_YEARS
from sla.permissions import REPORT_ROLES
from sla.reports.assembly import build_report
from sla.reports.queries import ReportFilters
from sla.services import get_calendar

calendar_blp = api_blueprint("calendar", __name__, "/calendar", "Calendario hábil de la entidad (SPEC §5)")
reports_blp = api_blueprint("ans_reports", __name__, "/reports", "Informes de ANS")

#: the calendar answers for these years; a longer amount would run past them
MAX_HOURS = 100_000
MAX_DAYS = 10_000


class Instant(fields.Field):
    """An ISO-8601 instant; without an offset it is read as Bogotá time."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            instant = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValidationError("No es una fecha y hora ISO-8601 (p. ej. 2026-07-13T10:05:00-05:00).") from None
        return instant if instant.tzinfo is not None else instant.replace(tzinfo=BOGOTA)


OUT_OF_RANGE = f"El calendario cubre de {DEFAULT_YEARS[0]} a {DEFAULT_YEARS[-1]}."


def _bad(name: str, message: str) -> NoReturn:
    """A 400 problem+json with the field's error, like a failed argument validation."""
    abort(400, messages={"query": {name: [message]}})
    raise AssertionError  # abort() always raises


class BusinessTimeArgs(Schema):
    start = Instant(required=True, metadata={"description": "ISO-8601; sin zona se entiende hora de Bogotá"})
    hours = fields.Float(required=True, validate=validate.Range(min=0, max=MAX_HOURS))


class DueSchema(Schema):
    due = fields.String(metadata={"description": "ISO-8601 en UTC"})


class BusinessDaysArgs(Schema):
    date = fields.Date(required=True)
    days = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_DAYS))


class DateSchema(Schema):
    date = fields.String(metadata={"description": "AAAA-MM-DD"})


@calendar_blp.route("/add-business-time")
@roles_required()
@calendar_blp.arguments(BusinessTimeArgs, location="query")
@calendar_blp.response(200, DueSchema)
def add_business_time(args: dict[str, Any]) -> Any:
    """The instant at which ``hours`` business hours have elapsed after ``start`` (the ANS due time)."""
    calendar = get_calendar(db.session)
    if not calendar.range_start <= args["start"] <= calendar.range_end:
        _bad("start", OUT_OF_RANGE)
    try:
        due = calendar.add_business_time(args["start"], args["hours"] * 3600)
    except ValueError:
        _bad("hours", "El resultado queda después del último año del calendario.")
    return {"due": due.astimezone(UTC).isoformat()}


@calendar_blp.route("/add-business-days")
@roles_required()
@calendar_blp.arguments(BusinessDaysArgs, location="query")
@calendar_blp.response(200, DateSchema)
def add_business_days(args: dict[str, Any]) -> Any:
    """The ``days``-th business day after ``date`` (counting starts the next day; 0 returns ``date``)."""
    day: date = args["date"]
    calendar = get_calendar(db.session)
    if not calendar.first_year <= day.year <= calendar.last_year:
        _bad("date", OUT_OF_RANGE)
    try:
        result = calendar.add_business_days(day, args["days"])
    except ValueError:
        _bad("days", "El resultado queda después del último año del calendario.")
    return {"date": result.isoformat()}


class PauseSchema(Schema):
    paused_at = fields.DateTime()
    resumed_at = fields.DateTime(allow_none=True)
    business_hours = fields.Float()


class SlaRowSchema(Schema):
    """One row of ``sla.services.request_sla_summary``: for a request's API representation."""

    metric = fields.String()
    label = fields.String()
    step_id = fields.Integer(allow_none=True)
    target_hours = fields.Float()
    is_placeholder = fields.Boolean(metadata={"description": "the target is a placeholder of the system, not the entity's"})
    elapsed_hours = fields.Float()
    remaining_hours = fields.Float()
    percent = fields.Float()
    state = fields.String()
    state_label = fields.String()
    started_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    stopped_at = fields.DateTime(allow_none=True)
    notices_sent = fields.List(fields.String(), metadata={"description": "aviso, incumplimiento, escalamiento"})
    paused_intervals = fields.List(fields.Nested(PauseSchema))


class ReportArgs(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    dependency_id = fields.Integer(load_default=None)


@reports_blp.route("/ans")
@roles_required(*REPORT_ROLES)
@reports_blp.arguments(ReportArgs, location="query")
@reports_blp.doc(
    responses={"200": {"description": "The ANS report", "content": {"application/json": {"schema": {"type": "object"}}}}}
)
def ans_report(args: dict[str, Any]) -> Any:
    """The ANS report of a period (secretario, aprobador, control interno, admin)."""
    filters = ReportFilters(args["start"], args["end"], args["dependency_id"])
    return build_report(db.session, filters, utcnow()).as_dict()
