"""API of the work plan (``/api/v1/gd/plans``): the plan, its activities and the Secretario's decision."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from gobierno_digital import permissions
from gobierno_digital.common import Component
from gobierno_digital.plan import services
from gobierno_digital.plan.models import ActivityStatus, PlanActivity, WorkPlan
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

blp = api_blueprint("gd_plans", __name__, "/gd/plans", "Gobierno Digital: plan de trabajo, actividades y aprobación")
READERS = tuple(sorted(permissions.GD_READERS))


class ActivitySchema(Schema):
    id = fields.Integer()
    gap_id = fields.Integer(allow_none=True)
    component = fields.Function(lambda a: a.component.value)
    description = fields.String()
    dependency = fields.Function(lambda a: a.dependency.code)
    responsible = fields.Function(lambda a: a.responsible.username)
    start_date = fields.Date()
    end_date = fields.Date()
    deliverable = fields.String()
    status = fields.Function(lambda a: a.status.value)


class PlanSchema(Schema):
    id = fields.Integer()
    vigencia = fields.Integer()
    state = fields.Function(lambda p: p.state.value)
    version = fields.Integer()
    note = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    activities = fields.List(fields.Nested(ActivitySchema))
    resources = fields.Function(lambda p: [r.snapshot() for r in p.resources])
    budget = fields.Function(lambda p: [b.snapshot() for b in p.budget])
    versions = fields.Function(
        lambda p: [
            {"number": v.number, "approved_at": v.approved_at.isoformat(), "approved_by": v.approved_by.username}
            for v in p.versions
        ]
    )


class NewPlanSchema(Schema):
    vigencia = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class ActivityInputSchema(Schema):
    gap_id = fields.Integer(load_default=None, allow_none=True)
    component = fields.Enum(Component, by_value=True, load_default=None, allow_none=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    dependency_id = fields.Integer(required=True)
    responsible_id = fields.Integer(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    deliverable = fields.String(required=True, validate=validate.Length(min=1, max=300))


class StatusSchema(Schema):
    status = fields.Enum(ActivityStatus, by_value=True, required=True)


class NoteSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))


def _plan(vigencia: int) -> WorkPlan:
    db.session.expire_all()
    plan = services.load_plan(db.session, vigencia)
    if plan is None:
        abort(404)
    return plan


@blp.route("", methods=["POST"])
@roles_required(Role.PROFESIONAL_GD)
@blp.arguments(NewPlanSchema)
@blp.response(201, PlanSchema)
def create_plan(data: dict[str, Any]) -> Any:
    services.create_plan(db.session, vigencia=data["vigencia"], actor=current_user, now=utcnow())
    db.session.commit()
    return _plan(data["vigencia"])


@blp.route("/<int:vigencia>", methods=["GET"])
@roles_required(*READERS)
@blp.response(200, PlanSchema)
def get_plan(vigencia: int) -> Any:
    """The plan of a vigencia with its activities, resources, CDPs and approved versions."""
    return _plan(vigencia)


@blp.route("/<int:vigencia>/activities", methods=["POST"])
@roles_required(Role.PROFESIONAL_GD)
@blp.arguments(ActivityInputSchema)
@blp.response(201, ActivitySchema)
def add_activity(data: dict[str, Any], vigencia: int) -> Any:
    """Add an activity to the draft plan; the responsible person is told by mail."""
    activity = services.add_activity(
        db.session, _plan(vigencia), data=services.ActivityData(**data), actor=current_user, now=utcnow()
    )
    db.session.commit()
    return activity


@blp.route("/activities/<int:activity_id>/status", methods=["POST"])
@roles_required()
@blp.arguments(StatusSchema)
@blp.response(200, ActivitySchema)
def set_status(data: dict[str, Any], activity_id: int) -> Any:
    """Report an activity's status (its responsible or the profesional) once the plan is approved."""
    activity = db.session.get(PlanActivity, activity_id)
    if activity is None:
        abort(404)
    activity = services.set_activity_status(db.session, activity, status=data["status"], actor=current_user, now=utcnow())
    db.session.commit()
    return activity


@blp.route("/<int:vigencia>/submit", methods=["POST"])
@roles_required(Role.PROFESIONAL_GD)
@blp.response(200, PlanSchema)
def submit(vigencia: int) -> Any:
    services.submit_plan(db.session, _plan(vigencia), actor=current_user, now=utcnow())
    db.session.commit()
    return _plan(vigencia)


@blp.route("/<int:vigencia>/approve", methods=["POST"])
@roles_required(Role.SECRETARIO)
@blp.response(200, PlanSchema)
def approve(vigencia: int) -> Any:
    """The Secretario approves the plan in review (409 in any other state)."""
    services.approve_plan(db.session, _plan(vigencia), actor=current_user, now=utcnow())
    db.session.commit()
    return _plan(vigencia)


@blp.route("/<int:vigencia>/return", methods=["POST"])
@roles_required(Role.SECRETARIO)
@blp.arguments(NoteSchema)
@blp.response(200, PlanSchema)
def return_plan(data: dict[str, Any], vigencia: int) -> Any:
    services.return_plan(db.session, _plan(vigencia), actor=current_user, note=data["note"], now=utcnow())
    db.session.commit()
    return _plan(vigencia)


@blp.route("/<int:vigencia>/new-version", methods=["POST"])
@roles_required(Role.PROFESIONAL_GD)
@blp.arguments(NoteSchema)
@blp.response(200, PlanSchema)
def new_version(data: dict[str, Any], vigencia: int) -> Any:
    services.open_new_version(db.session, _plan(vigencia), actor=current_user, reason=data["note"], now=utcnow())
    db.session.commit()
    return _plan(vigencia)
