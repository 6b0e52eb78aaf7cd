"""API of the committee in the room and after it (SPEC §8): attendance and quorum, notes, votes and
the casting decision, the acta workflow, commitments and the report to the mayor.

The same services as the web pages; a wrong state is 409, a rule broken 422, a role missing 403.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Response, abort, current_app
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from catalog import actas, commitments, documents, mayor_report, meeting, permissions
from catalog.committee_views import committee_context
from catalog.meeting_models import (
    ActaResponseKind,
    AttendanceKind,
    Commitment,
    CommitmentState,
    CommitteeActa,
    ItemOutcome,
    VoteChoice,
)
from catalog.models import AgendaItem, CommitteeSession
from portal.api import api_blueprint
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

room_blp = api_blueprint(
    "committee_room",
    __name__,
    "/committee",
    "Comité en sesión: asistencia, quórum, votos, actas, compromisos e informe al alcalde",
)

READER_ROLES = tuple(sorted(permissions.COMMITTEE_READERS))
#: who may take part (the services check the seat): Control Interno and seated heads answer and sign
#: the acta like every integrante (seed Mesa §3, §4)
VOTER_ROLES = (Role.SECRETARIA_TECNICA, Role.INTEGRANTE, Role.SECRETARIO, Role.CONTROL_INTERNO, Role.JEFE)


# ---------------------------------------------------------------- schemas


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


# ---------------------------------------------------------------- helpers


def _session(session_id: int) -> CommitteeSession:
    db.session.expire_all()
    committee_session = db.session.get(CommitteeSession, session_id)
    if committee_session is None:
        abort(404)
    return committee_session


def _item(session_id: int, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.session_id != session_id:
        abort(404)
    return item


def _room(session_id: int) -> Any:
    db.session.expire_all()
    return meeting.room_state(db.session, _session(session_id))


def _acta_page(acta_id: int) -> Any:
    db.session.expire_all()
    page = actas.acta_page(db.session, acta_id)
    if page is None:
        abort(404)
    return page


def _acta(acta_id: int) -> CommitteeActa:
    acta = db.session.get(CommitteeActa, acta_id)
    if acta is None:
        abort(404)
    return acta


def _commitment(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None:
        abort(404)
    return commitment


def _communication(data: dict[str, Any]) -> tuple[str, bytes] | None:
    if data["communication_base64"] is None:
        return None
    return data["communication_filename"], data["communication_base64"]


def _done(then: Any) -> Any:
    db.session.commit()
    return then()


# ---------------------------------------------------------------- the room


@room_blp.route("/sessions/<int:session_id>/room", methods=["GET"])
@roles_required(*READER_ROLES)
@room_blp.response(200, RoomSchema)
def get_room(session_id: int) -> Any:
    """The session in the room: attendance, the live quorum, each item with its votes and decision."""
    return _room(session_id)


@room_blp.route("/sessions/<int:session_id>/quorum", methods=["GET"])
@roles_required(*READER_ROLES)
@room_blp.response(200, QuorumSchema)
def get_quorum(session_id: int) -> Any:
    """More than half of the voting members present, in person or by delegate (SPEC §6)."""
    return meeting.quorum(db.session, _session(session_id))


@room_blp.route("/sessions/<int:session_id>/open", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.response(200, RoomSchema)
def open_session(session_id: int) -> Any:
    """Install a convened session (on its day): attendance, deliberation and votes begin."""
    meeting.open_session(db.session, _session(session_id), actor=current_user, now=utcnow())
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/close", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.response(200, RoomSchema)
def close_session(session_id: int) -> Any:
    """Close the session: unvoted initiatives are deferred and the acta's draft is generated."""
    meeting.close_session(db.session, _session(session_id), actor=current_user, now=utcnow(), context=committee_context())
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/attendance", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.arguments(AttendanceInputSchema)
@room_blp.response(201, RoomSchema)
def add_attendance(data: dict[str, Any], session_id: int) -> Any:
    """Record a member, a delegate (with the official communication, PDF in base64) or a guest."""
    meeting.record_attendance(
        db.session,
        _session(session_id),
        actor=current_user,
        kind=data["kind"],
        member_id=data["member_id"],
        guest_id=data["guest_id"],
        name=data["name"],
        position=data["position"],
        email=data["email"],
        communication=_communication(data),
        arrived_at=data["arrived_at"],
        now=utcnow(),
    )
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/attendance/<int:attendance_id>/departure", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.response(200, RoomSchema)
def attendance_departure(session_id: int, attendance_id: int) -> Any:
    """Somebody leaves the room (the quorum is recomputed)."""
    meeting.record_departure(db.session, _session(session_id), attendance_id, actor=current_user, now=utcnow())
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/attendance/<int:attendance_id>/return", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.response(200, RoomSchema)
def attendance_return(session_id: int, attendance_id: int) -> Any:
    """Somebody who had left comes back."""
    meeting.record_return(db.session, _session(session_id), attendance_id, actor=current_user, now=utcnow())
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/attendance.pdf", methods=["GET"])
@roles_required(*READER_ROLES)
def attendance_pdf(session_id: int) -> Any:
    """The listado de asistencia as PDF."""
    data = documents.render_attendance_pdf(db.session, _session(session_id), profile=current_app.config["PROFILE"])
    return Response(data, mimetype="application/pdf")


@room_blp.route("/sessions/<int:session_id>/items/<int:item_id>/notes", methods=["PUT"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.arguments(NotesInputSchema)
@room_blp.response(200, RoomSchema)
def put_notes(data: dict[str, Any], session_id: int, item_id: int) -> Any:
    """The deliberation of an item (needs quorum)."""
    meeting.save_item_notes(db.session, _item(session_id, item_id), actor=current_user, notes=data["notes"], now=utcnow())
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/items/<int:item_id>/voting", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.response(200, RoomSchema)
def open_voting(session_id: int, item_id: int) -> Any:
    """Open the voting of an initiative or topic (needs quorum)."""
    meeting.open_voting(db.session, _item(session_id, item_id), actor=current_user, now=utcnow())
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/items/<int:item_id>/votes", methods=["POST"])
@roles_required(*VOTER_ROLES)
@room_blp.arguments(VoteInputSchema)
@room_blp.response(200, RoomSchema)
def cast_vote(data: dict[str, Any], session_id: int, item_id: int) -> Any:
    """A member present votes ``a_favor``, ``en_contra`` or ``abstencion``; the secretariat may record
    the vote of a member present (``member_id``). A vote may change until the voting closes."""
    meeting.cast_vote(
        db.session,
        _item(session_id, item_id),
        actor=current_user,
        choice=data["choice"],
        member_id=data["member_id"],
        now=utcnow(),
    )
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/items/<int:item_id>/voting/close", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.response(200, RoomSchema)
def close_voting(session_id: int, item_id: int) -> Any:
    """Close the voting: approved when in favour exceed half of the voting members present, rejected
    when against do, a tie goes to the chair, otherwise no decision (an initiative is deferred)."""
    meeting.close_voting(db.session, _item(session_id, item_id), actor=current_user, now=utcnow())
    return _done(lambda: _room(session_id))


@room_blp.route("/sessions/<int:session_id>/items/<int:item_id>/casting-decision", methods=["POST"])
@roles_required(Role.SECRETARIO)
@room_blp.arguments(CastingInputSchema)
@room_blp.response(200, RoomSchema)
def casting_decision(data: dict[str, Any], session_id: int, item_id: int) -> Any:
    """The head of the IT office breaks a tie (``aprobada`` or ``rechazada``); recorded with its reason."""
    meeting.cast_deciding_vote(
        db.session,
        _item(session_id, item_id),
        actor=current_user,
        decision=ItemOutcome(data["decision"]),
        note=data["note"],
        now=utcnow(),
    )
    return _done(lambda: _room(session_id))


# ---------------------------------------------------------------- commitments


@room_blp.route("/sessions/<int:session_id>/commitments", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.arguments(CommitmentInputSchema)
@room_blp.response(201, CommitmentSchema)
def add_commitment(data: dict[str, Any], session_id: int) -> Any:
    """A commitment made in the session: description, responsible, due date."""
    commitment = commitments.add_commitment(
        db.session, _session(session_id), actor=current_user, now=utcnow(), context=committee_context(), **data
    )
    db.session.commit()
    return commitment


@room_blp.route("/commitments", methods=["GET"])
@roles_required(*READER_ROLES)
@room_blp.arguments(CommitmentListArgsSchema, location="query")
@room_blp.response(200, CommitmentSchema(many=True))
def list_commitments(args: dict[str, Any]) -> Any:
    """Every commitment, or only the overdue ones (``overdue=true``): what Control Interno follows."""
    if args["overdue"]:
        return commitments.overdue_commitments(db.session, utcnow())
    return commitments.all_commitments(db.session)


@room_blp.route("/commitments/<int:commitment_id>/follow-ups", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.arguments(FollowUpInputSchema)
@room_blp.response(201, CommitmentSchema)
def follow_up(data: dict[str, Any], commitment_id: int) -> Any:
    """What was reported at a later session's follow-up item; ``cumplido`` or ``cancelado`` closes it."""
    commitments.follow_up(
        db.session,
        _commitment(commitment_id),
        _session(data["session_id"]),
        actor=current_user,
        note=data["note"],
        state=data["state"],
        now=utcnow(),
    )
    db.session.commit()
    return _commitment(commitment_id)


@room_blp.route("/commitments/<int:commitment_id>/close", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.arguments(CloseCommitmentInputSchema)
@room_blp.response(200, CommitmentSchema)
def close_commitment(data: dict[str, Any], commitment_id: int) -> Any:
    """Mark a commitment ``cumplido`` or ``cancelado`` outside a session, with a note."""
    commitments.close_commitment(
        db.session, _commitment(commitment_id), actor=current_user, state=data["state"], note=data["note"], now=utcnow()
    )
    db.session.commit()
    return _commitment(commitment_id)


# ---------------------------------------------------------------- the acta


@room_blp.route("/sessions/<int:session_id>/acta", methods=["GET"])
@roles_required(*READER_ROLES)
@room_blp.response(200, ActaSchema)
def get_session_acta(session_id: int) -> Any:
    """The acta of a closed session with its versions, deadlines, responses and signatures."""
    acta = db.session.query(CommitteeActa.id).filter(CommitteeActa.session_id == session_id).scalar()
    if acta is None:
        abort(404)
    return _acta_page(acta)


@room_blp.route("/actas/<int:acta_id>", methods=["GET"])
@roles_required(*READER_ROLES)
@room_blp.response(200, ActaSchema)
def get_acta(acta_id: int) -> Any:
    """An acta with its versions, deadlines, responses and signatures."""
    return _acta_page(acta_id)


@room_blp.route("/actas/<int:acta_id>/versions", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.arguments(ActaTextInputSchema)
@room_blp.response(201, ActaSchema)
def edit_acta(data: dict[str, Any], acta_id: int) -> Any:
    """A new version of the draft (or of the acta with observations); earlier versions are kept."""
    actas.edit_acta(db.session, _acta(acta_id), actor=current_user, now=utcnow(), **data)
    return _done(lambda: _acta_page(acta_id))


@room_blp.route("/actas/<int:acta_id>/send", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.response(200, ActaSchema)
def send_acta(acta_id: int) -> Any:
    """Send the draft to the members: the 3-business-day period for observations starts."""
    actas.send_acta(db.session, _acta(acta_id), actor=current_user, now=utcnow(), context=committee_context())
    return _done(lambda: _acta_page(acta_id))


@room_blp.route("/actas/<int:acta_id>/responses", methods=["POST"])
@roles_required(*VOTER_ROLES)
@room_blp.arguments(ActaResponseInputSchema)
@room_blp.response(201, ActaSchema)
def respond(data: dict[str, Any], acta_id: int) -> Any:
    """A member approves the draft or sends observations (within the deadline)."""
    actas.respond(
        db.session,
        _acta(acta_id),
        actor=current_user,
        kind=data["kind"],
        text=data["text"],
        now=utcnow(),
        context=committee_context(),
    )
    return _done(lambda: _acta_page(acta_id))


@room_blp.route("/actas/<int:acta_id>/final", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@room_blp.arguments(ActaTextInputSchema)
@room_blp.response(200, ActaSchema)
def finalize(data: dict[str, Any], acta_id: int) -> Any:
    """The final version after the observations: the acta is approved and goes to signature."""
    actas.finalize(db.session, _acta(acta_id), actor=current_user, now=utcnow(), **data)
    return _done(lambda: _acta_page(acta_id))


@room_blp.route("/actas/<int:acta_id>/signatures", methods=["POST"])
@roles_required(*VOTER_ROLES)
@room_blp.response(201, ActaSchema)
def sign(acta_id: int) -> Any:
    """A member who attended subscribes the approved acta."""
    actas.sign(db.session, _acta(acta_id), actor=current_user, now=utcnow())
    return _done(lambda: _acta_page(acta_id))


@room_blp.route("/actas/<int:acta_id>/versions/<int:number>.<any(pdf, docx):fmt>", methods=["GET"])
@roles_required(*READER_ROLES)
def acta_document(acta_id: int, number: int, fmt: str) -> Any:
    """A version of the acta as PDF or DOCX with the institutional header."""
    page = _acta_page(acta_id)
    version = next((v for v in page.versions if v.number == number), None)
    if version is None:
        abort(404)
    render = documents.render_acta_pdf if fmt == "pdf" else documents.render_acta_docx
    data = render(
        version.body,
        profile=current_app.config["PROFILE"],
        version_number=version.number,
        version_kind=version.kind.value,
        acta_state_label=page.acta.state.label,
    )
    mimetype = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Response(data, mimetype=mimetype)


# ---------------------------------------------------------------- report to the mayor


@room_blp.route("/reports/mayor", methods=["GET"])
@roles_required(Role.SECRETARIA_TECNICA, Role.SECRETARIO, Role.CONTROL_INTERNO)
@room_blp.arguments(MayorReportArgsSchema, location="query")
def get_mayor_report(args: dict[str, Any]) -> Any:
    """The four-monthly report to the mayor (1: enero–abril, 2: mayo–agosto, 3: septiembre–diciembre)
    as JSON, PDF or XLSX: sessions, attendance, decisions, initiatives, commitments and ANS figures."""
    report = mayor_report.build_mayor_report(db.session, mayor_report.Period(args["year"], args["period"]))
    profile = current_app.config["PROFILE"]
    if args["format"] == "pdf":
        return Response(mayor_report.render_mayor_report_pdf(report, profile=profile), mimetype="application/pdf")
    if args["format"] == "xlsx":
        return Response(
            mayor_report.render_mayor_report_xlsx(report, profile=profile),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return mayor_report.mayor_report_dict(report)
