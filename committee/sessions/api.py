"""API of the committee (SPEC §8): members, the yearly plan, sessions, agenda, guests and convocation."""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from catalog.api import CatalogReasonSchema
from catalog.models import Initiative
from committee import members
from committee import permissions as committee_permissions
from committee.models import CommitteeSession, SessionConvocation, SessionGuest, SessionKind
from committee.sessions import agenda, convocations
from committee.sessions import services as sessions
from committee.sessions.plan import year_plan
from committee.web import committee_context
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

committee_blp = api_blueprint(
    "committee_sessions", __name__, "/committee", "Comité: integrantes, sesiones, orden del día y convocatorias"
)

READER_ROLES = tuple(sorted(committee_permissions.COMMITTEE_READERS))


class CommitteeMemberSchema(Schema):
    id = fields.Integer()
    username = fields.Function(lambda m: m.user.username)
    full_name = fields.Function(lambda m: m.user.full_name)
    position = fields.String()
    is_voting = fields.Boolean()
    dependency = fields.Function(lambda m: m.dependency.code if m.dependency else None)
    is_chair = fields.Boolean()
    is_technical_secretariat = fields.Boolean()


class CommitteeSchema(Schema):
    name = fields.String()
    convocation_min_calendar_days = fields.Integer()
    ordinary_sessions_per_year = fields.Integer()
    members = fields.List(fields.Nested(CommitteeMemberSchema))


class CommitteeSessionInputSchema(Schema):
    kind = fields.Enum(SessionKind, by_value=True, required=True)
    day = fields.Date(required=True)
    start_time = fields.Time(required=True, metadata={"description": "Hora de Colombia"})
    end_time = fields.Time(required=True, metadata={"description": "Hora de Colombia"})
    place = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=300))
    virtual_link = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    requested_inputs = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    requested_by_member_id = fields.Integer(allow_none=True, load_default=None)
    extraordinary_reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))


class AgendaItemSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    kind = fields.Function(lambda i: i.kind.value)
    title = fields.String()
    initiative = fields.Function(lambda i: i.initiative.code if i.initiative else None)


class SessionGuestSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    organization = fields.String(allow_none=True)


class SessionConvocationSchema(Schema):
    sequence = fields.Integer()
    method = fields.String()
    sent_at = fields.DateTime()
    sent_by = fields.Function(lambda c: c.sent_by.username)
    days_before = fields.Integer()
    note = fields.String(allow_none=True)
    recipients = fields.List(fields.Dict())


class CommitteeSessionSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    year = fields.Integer()
    number = fields.Integer()
    kind = fields.Function(lambda s: s.kind.value)
    state = fields.Function(lambda s: s.state.value)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    place = fields.String(allow_none=True)
    virtual_link = fields.String(allow_none=True)
    requested_inputs = fields.String(allow_none=True)
    requested_by_member_id = fields.Integer(allow_none=True)
    extraordinary_reason = fields.String(allow_none=True)
    ics_uid = fields.String()
    ics_sequence = fields.Integer(allow_none=True)
    has_unsent_changes = fields.Boolean()
    cancel_reason = fields.String(allow_none=True)


class CommitteeSessionDetailSchema(CommitteeSessionSchema):
    agenda = fields.Method("get_agenda")
    guests = fields.Method("get_guests")
    convocations = fields.Method("get_convocations")

    def get_agenda(self, committee_session: CommitteeSession) -> list[dict[str, Any]]:
        return AgendaItemSchema(many=True).dump(agenda.agenda_items(db.session, committee_session))

    def get_guests(self, committee_session: CommitteeSession) -> list[dict[str, Any]]:
        query = select(SessionGuest).where(SessionGuest.session_id == committee_session.id).order_by(SessionGuest.id)
        return SessionGuestSchema(many=True).dump(db.session.execute(query).scalars().all())

    def get_convocations(self, committee_session: CommitteeSession) -> list[dict[str, Any]]:
        query = (
            select(SessionConvocation)
            .where(SessionConvocation.session_id == committee_session.id)
            .order_by(SessionConvocation.sequence)
        )
        return SessionConvocationSchema(many=True).dump(db.session.execute(query).scalars().all())


class CommitteePlanArgsSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class CommitteeQuarterSchema(Schema):
    quarter = fields.Integer()
    label = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    has_ordinary = fields.Boolean()
    sessions = fields.List(fields.Nested(CommitteeSessionSchema))


class AgendaOrderSchema(Schema):
    item_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))


class AgendaAddSchema(Schema):
    initiative_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class SessionGuestInputSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(max=200))
    email = fields.String(required=True, validate=validate.Length(max=254))
    organization = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))


class ConvocationInputSchema(Schema):
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))


# ---------------------------------------------------------------- committee and sessions


def _session(session_id: int) -> CommitteeSession:
    db.session.expire_all()
    committee_session = db.session.get(CommitteeSession, session_id)
    if committee_session is None:
        abort(404)
    return committee_session


def _session_action(session_id: int, action: Any) -> CommitteeSession:
    action(_session(session_id))
    db.session.commit()
    return _session(session_id)


def _session_data(data: dict[str, Any]) -> sessions.SessionData:
    return sessions.SessionData(**data)


@committee_blp.route("", methods=["GET"])
@roles_required(*READER_ROLES)
@committee_blp.response(200, CommitteeSchema)
def get_committee() -> Any:
    """The committee of the entity: its name, its rules and its active members (chair first)."""
    context = committee_context()
    return {
        "name": context.committee_name,
        "convocation_min_calendar_days": context.rules.convocation_min_calendar_days,
        "ordinary_sessions_per_year": context.rules.ordinary_sessions_per_year,
        "members": members.active_members(db.session),
    }


@committee_blp.route("/plan", methods=["GET"])
@roles_required(*READER_ROLES)
@committee_blp.arguments(CommitteePlanArgsSchema, location="query")
@committee_blp.response(200, CommitteeQuarterSchema(many=True))
def get_plan(args: dict[str, Any]) -> Any:
    """The year's four quarters with their sessions; ``has_ordinary`` false is the dashboard's warning."""
    return year_plan(db.session, args["year"])


@committee_blp.route("/sessions", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.arguments(CommitteeSessionInputSchema)
@committee_blp.response(201, CommitteeSessionDetailSchema)
def create_session(data: dict[str, Any]) -> Any:
    """Program a session (technical secretariat) with the fixed items of its agenda."""
    committee_session = sessions.create_session(
        db.session, actor=current_user, data=_session_data(data), context=committee_context(), now=utcnow()
    )
    db.session.commit()
    return _session(committee_session.id)


@committee_blp.route("/sessions/<int:session_id>", methods=["GET"])
@roles_required(*READER_ROLES)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def get_session(session_id: int) -> Any:
    """A session with its agenda, guests and the convocations sent."""
    return _session(session_id)


@committee_blp.route("/sessions/<int:session_id>", methods=["PUT"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.arguments(CommitteeSessionInputSchema)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def update_session(data: dict[str, Any], session_id: int) -> Any:
    """Change date, time, place or inputs (after a convocation: an updated one is due)."""
    return _session_action(
        session_id,
        lambda s: sessions.update_session(
            db.session, s, actor=current_user, data=_session_data(data), context=committee_context(), now=utcnow()
        ),
    )


@committee_blp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.arguments(CatalogReasonSchema)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def cancel_session(data: dict[str, Any], session_id: int) -> Any:
    """Cancel a session; if it was convened, a cancellation (METHOD:CANCEL) goes out."""
    return _session_action(
        session_id,
        lambda s: sessions.cancel_session(
            db.session, s, actor=current_user, reason=data["reason"], context=committee_context(), now=utcnow()
        ),
    )


@committee_blp.route("/sessions/<int:session_id>/agenda", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.arguments(AgendaAddSchema)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def add_agenda_item(data: dict[str, Any], session_id: int) -> Any:
    """Add a postulated initiative (``initiative_id``) or a topic (``title``) before other business."""
    if data["initiative_id"] is not None:
        initiative = db.session.get(Initiative, data["initiative_id"])
        if initiative is None:
            abort(404)
        return _session_action(
            session_id,
            lambda s: agenda.add_initiative_to_agenda(db.session, s, initiative, actor=current_user, now=utcnow()),
        )
    return _session_action(
        session_id, lambda s: agenda.add_topic(db.session, s, actor=current_user, title=data["title"], now=utcnow())
    )


@committee_blp.route("/sessions/<int:session_id>/agenda", methods=["PUT"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.arguments(AgendaOrderSchema)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def reorder_agenda(data: dict[str, Any], session_id: int) -> Any:
    """Reorder the agenda: every item id once, the quorum check first, other business last."""
    return _session_action(
        session_id, lambda s: agenda.reorder_agenda(db.session, s, data["item_ids"], actor=current_user, now=utcnow())
    )


@committee_blp.route("/sessions/<int:session_id>/agenda/<int:item_id>", methods=["DELETE"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def remove_agenda_item(session_id: int, item_id: int) -> Any:
    """Take an item off the agenda (not a fixed one); an initiative goes back to ``postulada``."""
    return _session_action(
        session_id, lambda s: agenda.remove_agenda_item(db.session, s, item_id, actor=current_user, now=utcnow())
    )


@committee_blp.route("/sessions/<int:session_id>/guests", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.arguments(SessionGuestInputSchema)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def add_guest(data: dict[str, Any], session_id: int) -> Any:
    """Invite a guest (optional attendee of the invitation)."""
    return _session_action(session_id, lambda s: sessions.add_guest(db.session, s, actor=current_user, now=utcnow(), **data))


@committee_blp.route("/sessions/<int:session_id>/guests/<int:guest_id>", methods=["DELETE"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def remove_guest(session_id: int, guest_id: int) -> Any:
    """Withdraw an invitation."""
    return _session_action(session_id, lambda s: sessions.remove_guest(db.session, s, guest_id, actor=current_user, now=utcnow()))


@committee_blp.route("/sessions/<int:session_id>/convocation", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@committee_blp.arguments(ConvocationInputSchema)
@committee_blp.response(200, CommitteeSessionDetailSchema)
def convene(data: dict[str, Any], session_id: int) -> Any:
    """Send the convocation with its iCalendar invitation; again after a change (same UID, higher SEQUENCE).

    An ``ordinaria`` less than 5 calendar days before the session is refused (422) with the reason.
    """
    return _session_action(
        session_id,
        lambda s: convocations.convene_session(
            db.session, s, actor=current_user, context=committee_context(), now=utcnow(), note=data["note"]
        ),
    )


@committee_blp.route("/sessions/<int:session_id>/invitation.ics", methods=["GET"])
@roles_required(*READER_ROLES)
def get_invitation(session_id: int) -> Any:
    """The last invitation sent (``text/calendar``); 404 before the first convocation."""
    convocation = convocations.latest_convocation(db.session, session_id)
    if convocation is None:
        abort(404)
    return Response(convocation.ics, mimetype="text/calendar")
