"""API of the committee in the room and after it (SPEC §8): attendance and quorum, notes, votes and
the casting decision, the acta workflow, commitments and the report to the mayor.

The same services as the web pages; a wrong state is 409, a rule broken 422, a role missing 403.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app
from flask_login import current_user

from committee import documents
from committee.models import AgendaItem
from committee.permissions import can_view_room
from committee.room import services as meeting
from committee.room.models import ItemOutcome
from committee.room.schemas import (
    AttendanceInputSchema,
    CastingInputSchema,
    NotesInputSchema,
    OpenVotingInputSchema,
    QuorumSchema,
    RoomSchema,
    VoteInputSchema,
)
from committee.web import READER_ROLES, api_session_or_404, commit_then, committee_context
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

blp = api_blueprint(
    "committee_room", __name__, "/committee", "Comité en sesión: asistencia, quórum, notas, votos y decisión de desempate"
)


# ---------------------------------------------------------------- helpers


def _item(session_id: int, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.session_id != session_id:
        abort(404)
    return item


def _room(session_id: int) -> Any:
    """The room read afresh, for the committee's readers and the delegates and heads registered in it."""
    db.session.expire_all()
    state = meeting.room_state(db.session, api_session_or_404(session_id))
    if not can_view_room(current_user, state.attendance):
        abort(403)
    return state


def _communication(data: dict[str, Any]) -> tuple[str, bytes] | None:
    if data["communication_base64"] is None:
        return None
    return data["communication_filename"], data["communication_base64"]


# ---------------------------------------------------------------- the room


@blp.route("/sessions/<int:session_id>/room", methods=["GET"])
@roles_required()
@blp.response(200, RoomSchema)
def get_room(session_id: int) -> Any:
    """The session in the room: attendance, the live quorum, each item with its votes and decision."""
    return _room(session_id)


@blp.route("/sessions/<int:session_id>/quorum", methods=["GET"])
@roles_required(*READER_ROLES)
@blp.response(200, QuorumSchema)
def get_quorum(session_id: int) -> Any:
    """More than half of the voting members present, in person or by delegate (SPEC §6)."""
    return meeting.quorum(db.session, api_session_or_404(session_id))


@blp.route("/sessions/<int:session_id>/open", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.response(200, RoomSchema)
def open_session(session_id: int) -> Any:
    """Install a convened session (on its day): attendance, deliberation and votes begin."""
    meeting.open_session(db.session, api_session_or_404(session_id), actor=current_user, now=utcnow())
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/close", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.response(200, RoomSchema)
def close_session(session_id: int) -> Any:
    """Close the session: unvoted initiatives are deferred and the acta's draft is generated."""
    meeting.close_session(
        db.session, api_session_or_404(session_id), actor=current_user, now=utcnow(), context=committee_context()
    )
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/attendance", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.arguments(AttendanceInputSchema)
@blp.response(201, RoomSchema)
def add_attendance(data: dict[str, Any], session_id: int) -> Any:
    """Record a member, a delegate (with the official communication, PDF in base64, and its account
    to vote and sign for the member), a guest, or the head of a dependency with an initiative on the
    agenda (``kind`` ``jefe`` with its ``user_id``)."""
    meeting.record_attendance(
        db.session,
        api_session_or_404(session_id),
        actor=current_user,
        kind=data["kind"],
        member_id=data["member_id"],
        guest_id=data["guest_id"],
        user_id=data["user_id"],
        name=data["name"],
        position=data["position"],
        email=data["email"],
        communication=_communication(data),
        arrived_at=data["arrived_at"],
        now=utcnow(),
    )
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/attendance/<int:attendance_id>/departure", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.response(200, RoomSchema)
def attendance_departure(session_id: int, attendance_id: int) -> Any:
    """Somebody leaves the room (the quorum is recomputed)."""
    meeting.record_departure(db.session, api_session_or_404(session_id), attendance_id, actor=current_user, now=utcnow())
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/attendance/<int:attendance_id>/return", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.response(200, RoomSchema)
def attendance_return(session_id: int, attendance_id: int) -> Any:
    """Somebody who had left comes back."""
    meeting.record_return(db.session, api_session_or_404(session_id), attendance_id, actor=current_user, now=utcnow())
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/attendance.pdf", methods=["GET"])
@roles_required(*READER_ROLES)
def attendance_pdf(session_id: int) -> Any:
    """The listado de asistencia as PDF."""
    data = documents.render_attendance_pdf(db.session, api_session_or_404(session_id), profile=current_app.config["PROFILE"])
    return Response(data, mimetype="application/pdf")


@blp.route("/sessions/<int:session_id>/items/<int:item_id>/notes", methods=["PUT"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.arguments(NotesInputSchema)
@blp.response(200, RoomSchema)
def put_notes(data: dict[str, Any], session_id: int, item_id: int) -> Any:
    """The deliberation of an item (needs quorum)."""
    meeting.save_item_notes(db.session, _item(session_id, item_id), actor=current_user, notes=data["notes"], now=utcnow())
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/items/<int:item_id>/voting", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.arguments(OpenVotingInputSchema)
@blp.response(200, RoomSchema)
def open_voting(data: dict[str, Any], session_id: int, item_id: int) -> Any:
    """Open the voting of an initiative or topic (needs quorum). An initiative's dependency head must
    be in the room (409 otherwise), unless ``without_head`` confirms voting without the head."""
    meeting.open_voting(
        db.session, _item(session_id, item_id), actor=current_user, now=utcnow(), without_head=data["without_head"]
    )
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/items/<int:item_id>/votes", methods=["POST"])
@roles_required()
@blp.arguments(VoteInputSchema)
@blp.response(200, RoomSchema)
def cast_vote(data: dict[str, Any], session_id: int, item_id: int) -> Any:
    """A member present (or its delegate) votes ``a_favor``, ``en_contra`` or ``abstencion``; the
    secretariat records a vote given aloud (``member_id``) only for a member who has not voted
    itself (409 otherwise). A vote may change until the voting closes."""
    meeting.cast_vote(
        db.session,
        _item(session_id, item_id),
        actor=current_user,
        choice=data["choice"],
        member_id=data["member_id"],
        now=utcnow(),
    )
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/items/<int:item_id>/voting/close", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.response(200, RoomSchema)
def close_voting(session_id: int, item_id: int) -> Any:
    """Close the voting: approved when in favour exceed half of the voting members present, rejected
    when against do, a tie goes to the chair, otherwise no decision (an initiative is deferred)."""
    meeting.close_voting(db.session, _item(session_id, item_id), actor=current_user, now=utcnow())
    return commit_then(lambda: _room(session_id))


@blp.route("/sessions/<int:session_id>/items/<int:item_id>/casting-decision", methods=["POST"])
@roles_required(Role.SECRETARIO)
@blp.arguments(CastingInputSchema)
@blp.response(200, RoomSchema)
def casting_decision(data: dict[str, Any], session_id: int, item_id: int) -> Any:
    """The head of the IT office, in the room, breaks a tie (``aprobada`` or ``rechazada``) with its
    reason (422 without it; 409 if recorded as having left)."""
    meeting.cast_deciding_vote(
        db.session,
        _item(session_id, item_id),
        actor=current_user,
        decision=ItemOutcome(data["decision"]),
        note=data["note"],
        now=utcnow(),
    )
    return commit_then(lambda: _room(session_id))


# ---------------------------------------------------------------- commitments


# ---------------------------------------------------------------- the acta


# ---------------------------------------------------------------- report to the mayor
