"""API of the committee in the room and after it (SPEC §8): attendance and quorum, notes, votes and
the casting decision, the acta workflow, commitments and the report to the mayor.

The same services as the web pages; a wrong state is 409, a rule broken 422, a role missing 403.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app
from flask_login import current_user

from catalog import actas, commitments, documents, mayor_report, meeting, permissions
from catalog.committee_views import committee_context
from catalog.meeting_models import (
    Commitment,
    CommitteeActa,
    ItemOutcome,
)
from catalog.models import AgendaItem, CommitteeSession
from catalog.room_schemas import (
    ActaResponseInputSchema,
    ActaSchema,
    ActaTextInputSchema,
    AttendanceInputSchema,
    CastingInputSchema,
    CloseCommitmentInputSchema,
    CommitmentInputSchema,
    CommitmentListArgsSchema,
    CommitmentSchema,
    FollowUpInputSchema,
    MayorReportArgsSchema,
    NotesInputSchema,
    QuorumSchema,
    RoomSchema,
    VoteInputSchema,
)
from portal.api import api_blueprint
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
