"""API schemas of the room: quorum, attendance, votes, decisions."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from committee.room.models import AttendanceKind, VoteChoice


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
    user = fields.Function(
        lambda a: a.user.username if a.user else None, metadata={"description": "La cuenta del delegado o del jefe"}
    )
    dependency = fields.Function(lambda a: a.dependency.code if a.dependency else None)
    name = fields.String()
    position = fields.Function(lambda a: a.position or (a.member.position if a.member else None))
    counts_for_quorum = fields.Boolean()
    arrived_at = fields.DateTime()
    left_at = fields.DateTime(allow_none=True)
    has_communication = fields.Function(lambda a: a.communication_id is not None)


class DecisionSchema(Schema):
    voting_members = fields.Integer()
    present_voting = fields.Integer()
    required = fields.Integer()
    had_quorum = fields.Boolean()
    present_at_close = fields.List(fields.Dict(), metadata={"description": "Integrantes con voto presentes al cerrar"})
    no_decision_reason = fields.Function(lambda d: d.no_decision_reason.value if d.no_decision_reason else None)
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
    cast_by = fields.Function(lambda v: v.cast_by.username, metadata={"description": "Quién lo registró"})
    cast_by_name = fields.Function(lambda v: v.cast_by.full_name)
    is_own_vote = fields.Boolean(metadata={"description": "Emitido por el integrante (o su delegado) desde su dispositivo"})
    cast_at = fields.DateTime()


class HeadSchema(Schema):
    dependency = fields.Function(lambda h: h.dependency.code)
    heads = fields.Function(lambda h: [u.username for u in h.heads])
    is_present = fields.Boolean()


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
    head = fields.Function(
        lambda v: HeadSchema().dump(v.head) if v.head else None,
        metadata={"description": "El jefe de la dependencia de la iniciativa, que debe asistir (manual §3)"},
    )
    head_absence_confirmed_at = fields.Function(
        lambda v: v.item.head_absence_confirmed_at.isoformat() if v.item.head_absence_confirmed_at else None
    )


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
    user_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "La cuenta del delegado, o del jefe de dependencia"}
    )
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


class OpenVotingInputSchema(Schema):
    without_head = fields.Boolean(
        load_default=False,
        metadata={"description": "La secretaría confirma que se vota sin el jefe de la dependencia de la iniciativa"},
    )


class CastingInputSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["aprobada", "rechazada"]))
    note = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=4000), metadata={"description": "Motivo (obligatorio)"}
    )
