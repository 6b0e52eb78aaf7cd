"""API of the risk map (``/api/v1/gd/risks``): risks with inherent and residual levels, controls, heat maps."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from gobierno_digital import permissions
from gobierno_digital.common import Component
from gobierno_digital.risks import dafp, services
from gobierno_digital.risks.models import Risk, RiskCategory, Treatment
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required

blp = api_blueprint("gd_risks", __name__, "/gd/risks", "Gobierno Digital: mapa de riesgos (guía del DAFP)")
READERS = tuple(sorted(permissions.GD_READERS))
WRITERS = tuple(sorted(permissions.RISK_WRITERS))


def _valuation(value: dafp.Valuation) -> dict[str, Any]:
    return {
        "probability": value.probability,
        "impact": value.impact,
        "probability_percent": round(value.probability_percent, 2),
        "impact_percent": round(value.impact_percent, 2),
        "zone": value.zone.value,
    }


class ControlSchema(Schema):
    id = fields.Integer()
    description = fields.String()
    control_type = fields.Function(lambda c: c.control_type.value)
    implementation = fields.Function(lambda c: c.implementation.value)
    execution = fields.Function(lambda c: c.execution.value)
    percent = fields.Function(lambda c: c.rating.percent)


class RiskSchema(Schema):
    id = fields.Integer()
    vigencia = fields.Integer()
    name = fields.String()
    cause = fields.String()
    consequence = fields.String()
    category = fields.Function(lambda r: r.category.value)
    treatment = fields.Function(lambda r: r.treatment.value)
    responsible = fields.Function(lambda r: r.responsible.username)
    inherent = fields.Function(lambda r: _valuation(r.inherent))
    residual = fields.Function(lambda r: _valuation(r.residual))
    controls = fields.List(fields.Nested(ControlSchema))


class RiskInputSchema(Schema):
    vigencia = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    cause = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    consequence = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    category = fields.Enum(RiskCategory, by_value=True, required=True)
    probability = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    impact = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    treatment = fields.Enum(Treatment, by_value=True, required=True)
    responsible_id = fields.Integer(required=True)
    component = fields.Enum(Component, by_value=True, load_default=None, allow_none=True)
    project_id = fields.Integer(load_default=None, allow_none=True)


class ControlInputSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    control_type = fields.Enum(dafp.ControlType, by_value=True, required=True)
    implementation = fields.Enum(dafp.Implementation, by_value=True, required=True)
    execution = fields.Enum(dafp.Execution, by_value=True, load_default=dafp.Execution.FUERTE)
    is_documented = fields.Boolean(load_default=True)
    is_continuous = fields.Boolean(load_default=True)
    has_evidence = fields.Boolean(load_default=True)


class VigenciaArgsSchema(Schema):
    vigencia = fields.Integer(load_default=None)


def _risk(risk_id: int) -> Risk:
    db.session.expire_all()
    risk = db.session.get(Risk, risk_id)
    if risk is None:
        abort(404)
    return risk


@blp.route("", methods=["GET"])
@roles_required(*READERS)
@blp.arguments(VigenciaArgsSchema, location="query")
@blp.response(200, RiskSchema(many=True))
def list_risks(args: dict[str, Any]) -> Any:
    return services.risks_of(db.session, args["vigencia"])


@blp.route("", methods=["POST"])
@roles_required(*WRITERS)
@blp.arguments(RiskInputSchema)
@blp.response(201, RiskSchema)
def add_risk(data: dict[str, Any]) -> Any:
    risk = services.add_risk(db.session, data=services.RiskData(**data), actor=current_user, now=utcnow())
    db.session.commit()
    return _risk(risk.id)


@blp.route("/<int:risk_id>/controls", methods=["POST"])
@roles_required(*WRITERS)
@blp.arguments(ControlInputSchema)
@blp.response(201, RiskSchema)
def add_control(data: dict[str, Any], risk_id: int) -> Any:
    """Add a control; the answer carries the recomputed residual level."""
    services.add_control(db.session, _risk(risk_id), data=services.ControlData(**data), actor=current_user, now=utcnow())
    db.session.commit()
    return _risk(risk_id)


@blp.route("/heat-map", methods=["GET"])
@roles_required(*READERS)
@blp.arguments(VigenciaArgsSchema, location="query")
@blp.response(200)
def heat_map(args: dict[str, Any]) -> Any:
    """Risks per square (``"probabilidad-impacto"``) and per zone, inherent and residual."""
    maps = services.heat_map(services.risks_of(db.session, args["vigencia"]))
    return {
        which: {
            "squares": {f"{p}-{i}": n for (p, i), n in sorted(getattr(maps, which).items())},
            "zones": {z.value: n for z, n in maps.by_zone(which).items()},
        }
        for which in ("inherent", "residual")
    }
