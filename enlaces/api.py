"""API of enlace designations (SPEC §8): designate (multipart with the act's PDF), revoke,
history per dependency, the handover, and the coverage."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from enlaces import permissions
from enlaces import services as designations
from enlaces.models import ActType, Designation, Handover
from portal.api import api_blueprint
from portal.db import utcnow
from portal.directory import Directory, DirectorySettings
from portal.extensions import db
from portal.models import Dependency
from portal.permissions import roles_required
from portal.uploads import check_upload

blp = api_blueprint("designations_api", __name__, "", "Designaciones de enlaces TIC, transferencias y cobertura")


class DesignationInputSchema(Schema):
    person = fields.String(required=True, validate=validate.Length(min=1, max=120))
    act_type = fields.Enum(ActType, by_value=True, required=True)
    act_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    act_date = fields.Date(required=True)
    effective_date = fields.Date(required=True)
    replaces = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The id of the designation in force the client saw (0: none). If another one was "
            "registered meanwhile the request gets 409; without it, the designation replaces whatever is in force."
        },
    )


class ActFileSchema(Schema):
    act_file = Upload(required=True)


class DesignationSchema(Schema):
    id = fields.Integer()
    dependency = fields.Function(lambda d: d.dependency.code)
    person = fields.Function(lambda d: d.person.username)
    person_name = fields.Function(lambda d: d.person.full_name)
    designated_by = fields.Function(lambda d: d.designated_by.username)
    act_type = fields.Function(lambda d: d.act_type.value)
    act_number = fields.String()
    act_date = fields.Date()
    effective_date = fields.Date()
    status = fields.Function(lambda d: d.status.value)
    end_date = fields.Date(allow_none=True)
    act_sha256 = fields.String()


class RevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class HandoverSchema(Schema):
    id = fields.Integer()
    dependency = fields.Function(lambda h: h.dependency.code)
    checklist = fields.List(fields.Dict())
    is_completed = fields.Boolean()
    completed_at = fields.DateTime(allow_none=True)


class CompleteHandoverSchema(Schema):
    notes = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(max=1000)), required=True)


class CoverageSchema(Schema):
    dependency = fields.Function(lambda r: r.dependency.code)
    name = fields.Function(lambda r: r.dependency.name)
    covered = fields.Boolean()
    enlace = fields.Function(lambda r: r.designation.person.username if r.designation else None)
    since = fields.Function(lambda r: r.designation.effective_date.isoformat() if r.designation else None)
    open_handovers = fields.Integer()


def _dependency(dependency_id: int) -> Dependency:
    dependency = db.session.get(Dependency, dependency_id)
    if dependency is None:
        abort(404)
    if not permissions.can_view_designations(current_user, dependency):
        abort(403)
    return dependency


@blp.route("/dependencies/<int:dependency_id>/designations", methods=["GET"])
@roles_required()
@blp.response(200, DesignationSchema(many=True))
def list_designations(dependency_id: int) -> Any:
    """The dependency's designations, newest first."""
    dependency = _dependency(dependency_id)
    return (
        db.session.execute(
            select(Designation).where(Designation.dependency_id == dependency.id).order_by(Designation.created_at.desc())
        )
        .scalars()
        .all()
    )


@blp.route("/dependencies/<int:dependency_id>/designations", methods=["POST"])
@roles_required()
@blp.arguments(DesignationInputSchema, location="form")
@blp.arguments(ActFileSchema, location="files")
@blp.response(201, DesignationSchema)
def create_designation(data: dict[str, Any], files: dict[str, Any], dependency_id: int) -> Any:
    """Designate the enlace (multipart form with ``act_file``, the act's PDF, at most 10 MB)."""
    dependency = _dependency(dependency_id)
    if not permissions.can_designate(current_user, dependency):
        abort(403)
    upload = files["act_file"]
    checked = check_upload(upload.filename or "acto.pdf", upload.read())
    directory = Directory(DirectorySettings.from_config(current_app.config))
    person = designations.resolve_person(db.session, data["person"], directory)
    designation = designations.designate(
        db.session,
        actor=current_user,
        dependency=dependency,
        person=person,
        act=designations.ActData(data["act_type"], data["act_number"], data["act_date"], data["effective_date"]),
        act_file=checked,
        email_domain=current_app.config["PROFILE"].email_domain,
        now=utcnow(),
        directory=directory,
        seen_current_id=(data["replaces"] or None) if "replaces" in data else ...,
    )
    db.session.commit()
    return designation


@blp.route("/designations/<int:designation_id>/revoke", methods=["POST"])
@roles_required()
@blp.arguments(RevokeSchema)
@blp.response(200, DesignationSchema)
def revoke_designation(data: dict[str, Any], designation_id: int) -> Any:
    """Revoke without replacement: the dependency is left without enlace."""
    designation = db.session.get(Designation, designation_id)
    if designation is None:
        abort(404)
    _dependency(designation.dependency_id)
    designations.revoke(db.session, actor=current_user, designation=designation, reason=data["reason"], now=utcnow())
    db.session.commit()
    return designation


@blp.route("/handovers/<int:handover_id>", methods=["GET"])
@roles_required()
@blp.response(200, HandoverSchema)
def get_handover(handover_id: int) -> Any:
    handover = db.session.get(Handover, handover_id)
    if handover is None:
        abort(404)
    _dependency(handover.dependency_id)
    return handover


@blp.route("/handovers/<int:handover_id>/complete", methods=["POST"])
@roles_required()
@blp.arguments(CompleteHandoverSchema)
@blp.response(200, HandoverSchema)
def complete_handover(data: dict[str, Any], handover_id: int) -> Any:
    """The head confirms every checklist item (``notes``: item key -> observation)."""
    handover = db.session.get(Handover, handover_id)
    if handover is None:
        abort(404)
    _dependency(handover.dependency_id)
    designations.complete_handover(db.session, actor=current_user, handover=handover, notes=data["notes"], now=utcnow())
    db.session.commit()
    return handover


@blp.route("/coverage", methods=["GET"])
@roles_required()
@blp.response(200, CoverageSchema(many=True))
def get_coverage() -> Any:
    """Dependencies with and without a vigente enlace (secretario, admin, control interno)."""
    if not permissions.can_view_coverage(current_user):
        abort(403)
    return designations.coverage(db.session)
