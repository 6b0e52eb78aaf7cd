"""API of the enlaces' standing duties (``/api/v1/gd/duties``): the checklists one may see and the
enlace's answer (evidence as a link here; a file goes through the page)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from gobierno_digital import permissions
from gobierno_digital.duties import services
from gobierno_digital.duties.models import DutyAnswer, DutyItem
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required

blp = api_blueprint("gd_duties", __name__, "/gd/duties", "Gobierno Digital: deberes de los enlaces TIC")
USERS = tuple(sorted(permissions.DUTY_USERS))


class ItemSchema(Schema):
    id = fields.Integer()
    duty = fields.Function(lambda i: i.duty.value)
    answer = fields.Function(lambda i: i.answer.value if i.answer else None)
    note = fields.String(allow_none=True)
    evidence_url = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    files = fields.Function(lambda i: [{"id": d.id, "filename": d.filename, "sha256": d.sha256} for d in i.documents])


class ChecklistSchema(Schema):
    id = fields.Integer()
    dependency = fields.Function(lambda c: c.dependency.code)
    label = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    due_at = fields.DateTime()
    items = fields.List(fields.Nested(ItemSchema))


class AnswerSchema(Schema):
    answer = fields.Enum(DutyAnswer, by_value=True, required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    evidence_url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


@blp.route("", methods=["GET"])
@roles_required(*USERS)
@blp.response(200, ChecklistSchema(many=True))
def list_checklists() -> Any:
    """An enlace sees its dependency's checklists; the Secretario, the profesional and Control Interno every one."""
    return services.checklists_for(db.session, permissions.duty_dependency_ids(current_user))


@blp.route("/items/<int:item_id>", methods=["POST"])
@roles_required(*USERS)
@blp.arguments(AnswerSchema)
@blp.response(200, ItemSchema)
def answer(data: dict[str, Any], item_id: int) -> Any:
    item = db.session.get(DutyItem, item_id)
    if item is None:
        abort(404)
    item = services.answer_item(
        db.session,
        item,
        answer=data["answer"],
        note=data["note"],
        evidence_url=data["evidence_url"],
        evidence_file=None,
        actor=current_user,
        now=utcnow(),
    )
    db.session.commit()
    return item
