"""Marshmallow schemas of the committee-room API (``catalog/room_api.py``)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from catalog.meeting_models import (
    ActaResponseKind,
    AttendanceKind,
    CommitmentState,
    VoteChoice,
)
from portal.clock import local_date
from portal.db import utcnow


class QuorumSchema(Schema):
    voting_members = fields.Integer()
    present_voting = fields.Integer()
    required = fields.Integer()
    has_quorum = fields.Boolean()


class AttendanceSchema(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda a: a.kind.value)
    member_id = fields.Integer(allow_none=True)
    member = fields.Function(lambda a: a.member.user.username if a.member else None)
    name = fields.String()
    position = fields.Function(lambda a: a.position or (a.member.position if a.member else None))
    counts_for_quorum = fields.Boolean()
    arrived_at = fields.DateTime()
    left_at = fields.DateTime(allow_none=True)
    has_communication = fields.Function(lambda a: a.communication_id is not None)


class DecisionSchema(Schema):
    voting_members = fields.Integer()
    present_voting = fields.Integer()
    votes_for = fields.Integer()
    votes_against = fields.Integer()
    abstentions = fields.Integer()
    not_voted = fields.Integer()
    outcome = fields.Function(lambda d: d.outcome.value)
    casting_decision = fields.Function(lambda d: d.casting_decision.value if d.casting_decision else None)
    casting_by = fields.Function(lambda d: d.casting_by.username if d.casting_by else None)
    casting_note = fields.String(allow_none=True)
    final_outcome = fields.Function(lambda d: d.final_outcome.value)
    closed_at = fields.DateTime()


class VoteSchema(Schema):
    member_id = fields.Integer()
    member = fields.Function(lambda v: v.member.user.username)
    choice = fields.Function(lambda v: v.choice.value)
    cast_by = fields.Function(lambda v: v.cast_by.username)
    cast_at = fields.DateTime()


class RoomItemSchema(Schema):
    id = fields.Function(lambda v: v.item.id)
    position = fields.Function(lambda v: v.item.position)
    kind = fields.Function(lambda v: v.item.kind.value)
    title = fields.Function(lambda v: v.item.title)
    initiative = fields.Function(lambda v: v.item.initiative.code if v.item.initiative else None)
    notes = fields.Function(lambda v: v.item.notes)
    voting_open = fields.Function(lambda v: v.item.voting_opened_at is not None and v.decision is None)
    votes = fields.Function(lambda v: VoteSchema(many=True).dump(v.votes))
    decision = fields.Function(lambda v: DecisionSchema().dump(v.decision) if v.decision else None)


class RoomSchema(Schema):
    session_id = fields.Function(lambda r: r.committee_session.id)
    state = fields.Function(lambda r: r.committee_session.state.value)
    opened_at = fields.Function(lambda r: r.committee_session.opened_at.isoformat() if r.committee_session.opened_at else None)
    closed_at = fields.Function(lambda r: r.committee_session.closed_at.isoformat() if r.committee_session.closed_at else None)
    quorum = fields.Function(lambda r: QuorumSchema().dump(r.quorum))
    attendance = fields.Function(lambda r: AttendanceSchema(many=True).dump(r.attendance))
    items = fields.Function(lambda r: RoomItemSchema(many=True).dump(r.items))


class Base64Bytes(fields.Field[bytes]):
    """Binary content sent as standard base64 text; loads as ``bytes`` (a 400 when it is not base64)."""

    default_error_messages = {
        "invalid": "Envíe el contenido como texto.",
        "invalid_base64": "El contenido no está codificado en base64.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bytes:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise self.make_error("invalid_base64") from exc


class AttendanceInputSchema(Schema):
    kind = fields.Enum(AttendanceKind, by_value=True, required=True)
    member_id = fields.Integer(load_default=None, allow_none=True)
    guest_id = fields.Integer(load_default=None, allow_none=True)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    position = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=254))
    arrived_at = fields.AwareDateTime(load_default=None, allow_none=True)
    communication_filename = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    communication_base64 = Base64Bytes(
        load_default=None,
        allow_none=True,
        metadata={"type": "string", "format": "byte", "description": "La comunicación oficial de la delegación (PDF) en base64"},
    )

    @validates_schema
    def both_or_none(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("communication_filename") is None) != (data.get("communication_base64") is None):
            raise ValidationError("Envíe el nombre y el contenido de la comunicación.", "communication_base64")


class NotesInputSchema(Schema):
    notes = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class VoteInputSchema(Schema):
    choice = fields.Enum(VoteChoice, by_value=True, required=True)
    member_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "La secretaría registra el voto de este integrante"}
    )


class CastingInputSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["aprobada", "rechazada"]))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


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


class DeadlineSchema(Schema):
    kind = fields.Function(lambda d: d.kind.value)
    counted_from = fields.Date()
    business_days = fields.Integer(allow_none=True)
    due_at = fields.DateTime()
    warn_at = fields.DateTime()
    warned_at = fields.DateTime(allow_none=True)
    missed_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    outcome = fields.Function(lambda d: d.outcome.value if d.outcome else None)


class ActaVersionSchema(Schema):
    number = fields.Integer()
    kind = fields.Function(lambda v: v.kind.value)
    note = fields.String(allow_none=True)
    created_by = fields.Function(lambda v: v.created_by.username)
    created_at = fields.DateTime()
    body = fields.Dict()


class ActaResponseSchema(Schema):
    member = fields.Function(lambda r: r.member.user.username)
    version_number = fields.Integer()
    kind = fields.Function(lambda r: r.kind.value)
    text = fields.String(allow_none=True)
    at = fields.DateTime()


class ActaSignatureSchema(Schema):
    member = fields.Function(lambda s: s.member.user.username)
    version_number = fields.Integer()
    signed_at = fields.DateTime()


class ActaSchema(Schema):
    id = fields.Function(lambda p: p.acta.id)
    session_id = fields.Function(lambda p: p.acta.session_id)
    state = fields.Function(lambda p: p.acta.state.value)
    approval = fields.Function(lambda p: p.acta.approval.value if p.acta.approval else None)
    current_version = fields.Function(lambda p: p.acta.current_version)
    sent_at = fields.Function(lambda p: p.acta.sent_at.isoformat() if p.acta.sent_at else None)
    approved_at = fields.Function(lambda p: p.acta.approved_at.isoformat() if p.acta.approved_at else None)
    signed_at = fields.Function(lambda p: p.acta.signed_at.isoformat() if p.acta.signed_at else None)
    deadlines = fields.Function(lambda p: DeadlineSchema(many=True).dump(p.deadlines))
    versions = fields.Function(lambda p: ActaVersionSchema(many=True).dump(p.versions))
    responses = fields.Function(lambda p: ActaResponseSchema(many=True).dump(p.responses))
    signatures = fields.Function(lambda p: ActaSignatureSchema(many=True).dump(p.signatures))


class ActaTextInputSchema(Schema):
    introduction = fields.String(required=True, validate=validate.Length(max=20000))
    item_notes = fields.Dict(keys=fields.Integer(), values=fields.String(validate=validate.Length(max=20000)), load_default=dict)
    closing = fields.String(required=True, validate=validate.Length(max=20000))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ActaResponseInputSchema(Schema):
    kind = fields.Enum(ActaResponseKind, by_value=True, required=True)
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000))


class MayorReportArgsSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    period = fields.Integer(required=True, validate=validate.Range(min=1, max=3))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "pdf", "xlsx"]))
