"""API of the request catalogue's configuration (SPEC §3): the systems people get access to and
the approval policies, with the service functions the administration pages use. Control Interno
reads them; only ``admin`` changes them."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from portal.api import api_blueprint
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role
from tickets.admin_views import CONFIGURATION_READERS
from tickets.models import Connector, RequestForm, StepKind, TargetSystem
from tickets.services.admin import SystemData, policy_steps, save_approval_policy, save_system

blp = api_blueprint("catalogue", __name__, "", "Configuración: sistemas y políticas de aprobación")


class SystemSchema(Schema):
    id = fields.Integer(dump_only=True, metadata={"description": "What POST /requests takes as system_id"})
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    connector = fields.Enum(Connector, by_value=True, required=True)
    role_map = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=60)),
        values=fields.String(validate=validate.Length(min=1, max=500)),
        load_default=dict,
        validate=validate.Length(max=100),
        metadata={"description": "Portal role -> LDAP group DN (ldap) or the role's name in the system (manual)"},
    )
    instructions = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=4000),
        metadata={"description": "What the service desk does by hand (required for manual systems)"},
    )
    is_active = fields.Boolean(load_default=True)


class PolicySchema(Schema):
    form = fields.String(dump_only=True, metadata={"example": "FO-M11-P2-05"})
    steps = fields.List(
        fields.Enum(StepKind, by_value=True),
        required=True,
        validate=validate.Length(min=1, max=len(StepKind)),
        metadata={"description": "The chain, in order; it ends with aprobador"},
    )


def _system(system_id: int) -> TargetSystem:
    system = db.session.get(TargetSystem, system_id)
    if system is None:
        abort(404)
    return system


def _form(form_code: str) -> RequestForm:
    form = next((f for f in RequestForm if f.value == form_code.upper()), None)
    if form is None:
        abort(404)
    return form


@blp.route("/systems", methods=["GET"])
@roles_required(*CONFIGURATION_READERS)
@blp.response(200, SystemSchema(many=True))
def list_systems() -> Any:
    """The systems catalogue, by code."""
    return db.session.execute(select(TargetSystem).order_by(TargetSystem.code)).scalars().all()


@blp.route("/systems", methods=["POST"])
@roles_required(Role.ADMIN)
@blp.arguments(SystemSchema)
@blp.response(201, SystemSchema)
@blp.alt_response(409, description="A system with that code exists already")
def create_system(data: dict[str, Any]) -> Any:
    """Add a system to the catalogue (admin); 409 when the code is taken, 422 when invalid."""
    system = save_system(db.session, actor=current_user, data=SystemData(**data))
    db.session.commit()
    return system


@blp.route("/systems/<int:system_id>", methods=["GET"])
@roles_required(*CONFIGURATION_READERS)
@blp.response(200, SystemSchema)
def get_system(system_id: int) -> Any:
    """One system of the catalogue."""
    return _system(system_id)


@blp.route("/systems/<int:system_id>", methods=["PUT"])
@roles_required(Role.ADMIN)
@blp.arguments(SystemSchema)
@blp.response(200, SystemSchema)
@blp.alt_response(409, description="Another system has that code")
def update_system(data: dict[str, Any], system_id: int) -> Any:
    """Replace a system's data (admin)."""
    system = _system(system_id)
    save_system(db.session, actor=current_user, data=SystemData(**data), system=system)
    db.session.commit()
    return system


@blp.route("/approval-policies", methods=["GET"])
@roles_required(*CONFIGURATION_READERS)
@blp.response(200, PolicySchema(many=True))
def list_policies() -> Any:
    """The approval chain of each form."""
    return [{"form": form.value, "steps": policy_steps(db.session, form)} for form in RequestForm]


@blp.route("/approval-policies/<form_code>", methods=["PUT"])
@roles_required(Role.ADMIN)
@blp.arguments(PolicySchema)
@blp.response(200, PolicySchema)
def set_policy(data: dict[str, Any], form_code: str) -> Any:
    """Set the chain of a form (admin); it must end with ``aprobador``. Filed requests keep theirs."""
    form = _form(form_code)
    save_approval_policy(db.session, actor=current_user, form=form, steps=data["steps"])
    db.session.commit()
    return {"form": form.value, "steps": policy_steps(db.session, form)}
