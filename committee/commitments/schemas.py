"""API schemas of commitments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from committee.commitments.models import CommitmentState
from portal.clock import local_date
from portal.db import utcnow


class CommitmentSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    item_id = fields.Integer(allow_none=True)
    description = fields.String()
    responsible = fields.Function(lambda c: c.responsible.username if c.responsible else None)
    responsible_name = fields.String()
    dependency = fields.Function(lambda c: c.dependency.code if c.dependency else None)
    due_date = fields.Date()
    state = fields.Function(lambda c: c.state.value)
    is_overdue = fields.Function(lambda c: c.state is CommitmentState.PENDIENTE and c.due_date < local_date(utcnow()))
    overdue_notified_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closing_note = fields.String(allow_none=True)


class CommitmentInputSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    responsible_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    responsible_id = fields.Integer(load_default=None, allow_none=True)
    dependency_id = fields.Integer(load_default=None, allow_none=True)
    item_id = fields.Integer(load_default=None, allow_none=True)
    due_date = fields.Date(required=True)


class CommitmentListArgsSchema(Schema):
    overdue = fields.Boolean(load_default=False)


class FollowUpInputSchema(Schema):
    session_id = fields.Integer(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    state = fields.Enum(CommitmentState, by_value=True, required=True)


class CloseCommitmentInputSchema(Schema):
    state = fields.Enum(CommitmentState, by_value=True, required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))
