"""API of the indicators (``/api/v1/gd/indicators``): definitions, measurements, the overdue list."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from gobierno_digital import permissions
from gobierno_digital.common import Component, Periodicity
from gobierno_digital.indicators import services
from gobierno_digital.indicators.models import Direction, Indicator, Measurement
from gobierno_digital.settings import get_settings
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role
from sla.services.entity_calendar import get_calendar

blp = api_blueprint("gd_indicators", __name__, "/gd/indicators", "Gobierno Digital: indicadores y mediciones")
READERS = tuple(sorted(permissions.GD_READERS))


class MeasurementSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    due_at = fields.DateTime()
    value = fields.Float(allow_none=True)
    note = fields.String(allow_none=True)
    reported_at = fields.DateTime(allow_none=True)


class IndicatorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    formula = fields.String()
    unit = fields.String()
    baseline = fields.Float()
    target = fields.Float()
    direction = fields.Function(lambda i: i.direction.value)
    periodicity = fields.Function(lambda i: i.periodicity.value)
    vigencia = fields.Integer()
    component = fields.Function(lambda i: i.component.value)
    responsible = fields.Function(lambda i: i.responsible.username)
    measurements = fields.List(fields.Nested(MeasurementSchema))


class IndicatorInputSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    formula = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    baseline = fields.Float(required=True)
    target = fields.Float(required=True)
    direction = fields.Enum(Direction, by_value=True, load_default=Direction.ASCENDENTE)
    periodicity = fields.Enum(Periodicity, by_value=True, required=True)
    vigencia = fields.Integer(required=True)
    component = fields.Enum(Component, by_value=True, required=True)
    responsible_id = fields.Integer(required=True)
    project_id = fields.Integer(load_default=None, allow_none=True)


class MeasurementInputSchema(Schema):
    value = fields.Float(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class VigenciaArgsSchema(Schema):
    vigencia = fields.Integer(load_default=None)


@blp.route("", methods=["GET"])
@roles_required(*READERS)
@blp.arguments(VigenciaArgsSchema, location="query")
@blp.response(200, IndicatorSchema(many=True))
def list_indicators(args: dict[str, Any]) -> Any:
    return [row.indicator for row in services.indicator_rows(db.session, utcnow(), args["vigencia"])]


@blp.route("", methods=["POST"])
@roles_required(Role.PROFESIONAL_GD)
@blp.arguments(IndicatorInputSchema)
@blp.response(201, IndicatorSchema)
def define_indicator(data: dict[str, Any]) -> Any:
    """Define an indicator; one measurement per period of its vigencia opens, due on the ANS calendar."""
    indicator = services.define_indicator(
        db.session,
        data=services.IndicatorData(**data),
        calendar=get_calendar(db.session),
        due_days=get_settings(db.session).measurement_due_days,
        actor=current_user,
        now=utcnow(),
    )
    db.session.commit()
    return indicator


@blp.route("/<int:indicator_id>", methods=["GET"])
@roles_required()
@blp.response(200, IndicatorSchema)
def get_indicator(indicator_id: int) -> Any:
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    if not permissions.can_view_item(current_user, indicator.responsible_id):
        abort(403)
    return indicator


@blp.route("/measurements/<int:measurement_id>", methods=["POST"])
@roles_required()
@blp.arguments(MeasurementInputSchema)
@blp.response(200, MeasurementSchema)
def record_measurement(data: dict[str, Any], measurement_id: int) -> Any:
    """Record a period's value (the indicator's responsible or the profesional)."""
    measurement = db.session.get(Measurement, measurement_id)
    if measurement is None:
        abort(404)
    measurement = services.record_measurement(
        db.session, measurement, value=data["value"], note=data["note"], actor=current_user, now=utcnow()
    )
    db.session.commit()
    return measurement


@blp.route("/overdue", methods=["GET"])
@roles_required(*READERS)
@blp.response(200)
def overdue() -> Any:
    """Measurements past their due date without a value."""
    return [
        {
            "measurement_id": m.id,
            "indicator_id": m.indicator_id,
            "indicator": m.indicator.name,
            "period": m.label,
            "due_at": m.due_at.isoformat(),
        }
        for m in services.overdue_measurements(db.session, utcnow())
    ]
