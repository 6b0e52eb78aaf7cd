"""API schemas of the acta, its versions, answers, signatures and deadlines."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from committee.actas.models import ActaResponseKind


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
    created_by = fields.Function(lambda v: v.created_by.username if v.created_by else None)
    created_at = fields.DateTime()
    sha256 = fields.String(metadata={"description": "SHA-256 del cuerpo en JSON canónico: el código de verificación"})
    approval = fields.Function(lambda v: v.body.get("approval"))
    body = fields.Dict()


class ActaResponseSchema(Schema):
    member = fields.Function(lambda r: r.member.user.username)
    version_number = fields.Integer()
    kind = fields.Function(lambda r: r.kind.value)
    text = fields.String(allow_none=True)
    at = fields.DateTime()


class ActaSignatureSchema(Schema):
    member = fields.Function(lambda s: s.member.user.username)
    signed_by = fields.Function(lambda s: s.user.username)
    signed_by_name = fields.Function(lambda s: s.user.full_name)
    version_number = fields.Integer()
    version_sha256 = fields.String(metadata={"description": "Código de verificación: SHA-256 de la versión firmada"})
    signed_at = fields.DateTime()


class ActaSchema(Schema):
    id = fields.Function(lambda p: p.acta.id)
    title = fields.Function(lambda p: p.acta.title)
    year = fields.Function(lambda p: p.acta.year)
    number = fields.Function(lambda p: p.acta.number)
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
    pending_signatories = fields.Function(
        lambda p: [{"member": s.member.user.username, "signer": s.signer.username, "name": s.name} for s in p.pending_signatories]
    )


class ActaTextInputSchema(Schema):
    introduction = fields.String(required=True, validate=validate.Length(max=20000))
    item_notes = fields.Dict(keys=fields.Integer(), values=fields.String(validate=validate.Length(max=20000)), load_default=dict)
    closing = fields.String(required=True, validate=validate.Length(max=20000))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ActaResponseInputSchema(Schema):
    kind = fields.Enum(ActaResponseKind, by_value=True, required=True)
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000))
