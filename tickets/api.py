"""API of access requests (SPEC §8): drafts, filing, decisions, the exception, cancellation, lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.api import api_blueprint
from portal.clock import local_date
from portal.db import utcnow
from portal.directory import Directory, DirectorySettings
from portal.extensions import db
from portal.listing import COUNT_LIMIT, MAX_CURSOR, KeysetOrder, keyset_page, paginate
from portal.permissions import roles_required
from portal.roles import Role
from tickets.models import (
    AccessRequest,
    DocumentType,
    LinkType,
    Priority,
    RequestAction,
    RequestForm,
    RequestState,
)
from tickets.permissions import can_view_request, is_staff
from tickets.queries import PAGE_SIZES, Queue, QueueFilters, queue_query, queues_for
from tickets.services import decisions, filing
from tickets.services.common import load_request_page
from tickets.tasks import commit_and_dispatch

blp = api_blueprint("requests", __name__, "/requests", "Solicitudes de acceso (FO-M11-P2-05, -12, -13)")


class RequestInputSchema(Schema):
    form = fields.Enum(RequestForm, by_value=True, required=True)
    action = fields.Enum(RequestAction, by_value=True, required=True)
    system_id = fields.Integer(required=True)
    dependency_id = fields.Integer(required=True)
    priority = fields.Enum(Priority, by_value=True, load_default=Priority.NORMAL)
    beneficiary_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    beneficiary_document_type = fields.Enum(DocumentType, by_value=True, allow_none=True)
    beneficiary_document = fields.String(allow_none=True, validate=validate.Length(max=20))
    beneficiary_email = fields.String(allow_none=True, validate=validate.Length(max=254))
    beneficiary_position = fields.String(allow_none=True, validate=validate.Length(max=200))
    beneficiary_username = fields.String(allow_none=True, validate=validate.Length(max=120))
    link_type = fields.Enum(LinkType, by_value=True, allow_none=True)
    contract_end_date = fields.Date(allow_none=True)
    justification = fields.String(allow_none=True, validate=validate.Length(max=4000))
    roles_to_add = fields.List(fields.String(validate=validate.Length(max=120)), load_default=list)
    roles_to_remove = fields.List(fields.String(validate=validate.Length(max=120)), load_default=list)
    roles_end_date = fields.Date(allow_none=True)


class StepSchema(Schema):
    id = fields.Integer(metadata={"description": "What POST /requests/{request_id}/decision takes as step_id"})
    round = fields.Integer()
    position = fields.Integer()
    kind = fields.Function(lambda s: s.kind.value)
    state = fields.Function(lambda s: s.state.value)
    decided_by = fields.Function(lambda s: s.decided_by.username if s.decided_by else None)
    on_behalf_of = fields.Function(lambda s: s.on_behalf_of.username if s.on_behalf_of else None)
    is_suplencia = fields.Boolean(metadata={"description": "Decided by the Secretario because every holder was excluded"})
    decided_at = fields.DateTime(allow_none=True)
    comment = fields.String(allow_none=True)


class EventSchema(Schema):
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    on_behalf_of = fields.Function(lambda e: e.on_behalf_of.username if e.on_behalf_of else None)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class RequestSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    form = fields.Function(lambda r: r.form.value)
    action = fields.Function(lambda r: r.action.value)
    state = fields.Function(lambda r: r.state.value)
    priority = fields.Function(lambda r: r.priority.value)
    system = fields.Function(lambda r: r.system.code)
    dependency = fields.Function(lambda r: r.dependency.code)
    requester = fields.Function(lambda r: r.requester.username)
    beneficiary_name = fields.String(allow_none=True)
    is_exception = fields.Boolean()
    filed_at = fields.DateTime(allow_none=True)


class RequestDetailSchema(RequestSummarySchema):
    beneficiary_document_type = fields.Function(
        lambda r: r.beneficiary_document_type.value if r.beneficiary_document_type else None
    )
    beneficiary_document = fields.String(allow_none=True)
    beneficiary_email = fields.String(allow_none=True)
    beneficiary_position = fields.String(allow_none=True)
    beneficiary_username = fields.String(allow_none=True)
    link_type = fields.Function(lambda r: r.link_type.value if r.link_type else None)
    contract_end_date = fields.Date(allow_none=True)
    justification = fields.String(allow_none=True)
    roles_to_add = fields.List(fields.String())
    roles_to_remove = fields.List(fields.String())
    roles_end_date = fields.Date(allow_none=True)
    exception_justification = fields.String(allow_none=True)
    round = fields.Integer()
    approved_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    approval_chain = fields.Method("get_chain")
    history = fields.Method("get_history")
    comments = fields.Method("get_comments", metadata={"description": "Internal notes only for staff"})
    ans = fields.Method("get_ans", metadata={"description": "ANS timers: target, elapsed, remaining, state, pauses"})

    def get_chain(self, r: AccessRequest) -> list[dict[str, Any]]:
        return STEPS.dump(r.steps)

    def get_history(self, r: AccessRequest) -> list[dict[str, Any]]:
        return EVENTS.dump(r.events)

    def get_ans(self, r: AccessRequest) -> list[dict[str, Any]]:
        from sla.api import SlaRowSchema
        from sla.services import request_sla_summary

        rows = request_sla_summary(db.session, r, utcnow())
        return SlaRowSchema(many=True).dump(rows) if rows else []

    def get_comments(self, r: AccessRequest) -> list[dict[str, Any]]:
        show_internal = bool(r.comments) and is_staff(current_user)
        return [
            {"author": c.author.username, "body": c.body, "is_internal": c.is_internal, "created_at": c.created_at.isoformat()}
            for c in r.comments
            if show_internal or not c.is_internal
        ]


#: built once: a schema copies its fields on every instantiation
STEPS, EVENTS = StepSchema(many=True), EventSchema(many=True)


class ListArgsSchema(Schema):
    queue = fields.Enum(Queue, by_value=True, load_default=None)
    state = fields.Enum(RequestState, by_value=True, load_default=None)
    form = fields.Enum(RequestForm, by_value=True, load_default=None)
    action = fields.Enum(RequestAction, by_value=True, load_default=None)
    dependency_id = fields.Integer(load_default=None)
    system_id = fields.Integer(load_default=None)
    filed_from = fields.Date(load_default=None)
    filed_to = fields.Date(load_default=None)
    exception_only = fields.Boolean(load_default=False)
    overdue_only = fields.Boolean(load_default=False, metadata={"description": "Only requests with an ANS timer past due"})
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    sort = fields.String(load_default="recientes", validate=validate.OneOf(["recientes", "antiguas", "numero", "estado"]))
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1),
        metadata={"description": "A page by number (reads every row before it); prefer ``after``"},
    )
    per_page = fields.Integer(load_default=25, validate=validate.OneOf(PAGE_SIZES))
    after = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=MAX_CURSOR),
        metadata={
            "description": "The ``next_cursor`` of the previous page, with the same filters and sort: the "
            "next page, read from where that one ended (each page costs the same, however deep)"
        },
    )

    @validates_schema
    def _cursor_of_this_sort(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("after") is not None and KEYSETS[data.get("sort", "recientes")].decode(data["after"]) is None:
            raise ValidationError(
                _("El cursor no es válido para este orden: pida de nuevo la primera página."), field_name="after"
            )

    @post_load
    def _decode_cursor(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if data.get("after") is not None:
            data["after"] = KEYSETS[data["sort"]].decode(data["after"])
        return data


#: the API list's sorts (``tickets.queries.SORTS``) for keyset pagination
KEYSETS = {
    "recientes": KeysetOrder("recientes", AccessRequest.filed_at, True, True, AccessRequest.id, True, datetime.fromisoformat),
    "antiguas": KeysetOrder("antiguas", AccessRequest.filed_at, False, True, AccessRequest.id, False, datetime.fromisoformat),
    "numero": KeysetOrder("numero", AccessRequest.number, False, True, AccessRequest.id, False),
    "estado": KeysetOrder("estado", AccessRequest.state, False, False, AccessRequest.id, True, RequestState),
}


class RequestPageSchema(Schema):
    total = fields.Integer(
        allow_none=True,
        metadata={"description": "Requests in the list, counted up to 1000; null on a page read with ``after``"},
    )
    total_is_exact = fields.Boolean(metadata={"description": "False when the list has more than ``total`` requests"})
    has_next = fields.Boolean()
    page = fields.Integer(allow_none=True, metadata={"description": "Null on a page read with ``after``"})
    per_page = fields.Integer()
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Pass it as ``after`` for the next page; null on the last page"}
    )
    items = fields.List(fields.Nested(RequestSummarySchema))


class DecisionSchema(Schema):
    decision = fields.Enum(decisions.Decision, by_value=True, required=True)
    step_id = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "The id of the step being decided (approval_chain[].id of GET /requests/{request_id}); "
            "when given and no longer the pending step, the decision gets 409 instead of deciding another step"
        },
    )
    comment = fields.String(allow_none=True, validate=validate.Length(max=4000))


class JustificationSchema(Schema):
    justification = fields.String(required=True, validate=validate.Length(max=4000))


class ReasonSchema(Schema):
    reason = fields.String(allow_none=True, validate=validate.Length(max=4000))


def _domain() -> str:
    return str(current_app.config["PROFILE"].email_domain)


def _get(request_id: int) -> AccessRequest:
    access_request = load_request_page(db.session, request_id)
    if access_request is None:
        abort(404)
    if not can_view_request(db.session, current_user, access_request, local_date(utcnow())):
        abort(403)
    return access_request


def _detail(request_id: int) -> AccessRequest:
    db.session.expire_all()
    return _get(request_id)


@blp.route("", methods=["GET"])
@roles_required()
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, RequestPageSchema)
def list_requests(args: dict[str, Any]) -> Any:
    """Requests of a queue (default: the user's first), with the UI's filters."""
    available = queues_for(db.session, current_user, local_date(utcnow()))
    queue = args["queue"] or (available[0] if available else None)
    if queue is None or queue not in available:
        abort(403)
    filters = QueueFilters(
        state=args["state"],
        form=args["form"],
        action=args["action"],
        dependency_id=args["dependency_id"],
        system_id=args["system_id"],
        filed_from=args["filed_from"],
        filed_to=args["filed_to"],
        exception_only=args["exception_only"],
        overdue_only=args["overdue_only"],
        text=args["q"],
        sort=args["sort"],
    )
    query = queue_query(db.session, current_user, queue, filters, local_date(utcnow()), utcnow())
    order = KEYSETS[args["sort"]]
    if args["after"] is not None:  # keyset: no count, no rows skipped
        rows = keyset_page(query, order, per_page=args["per_page"], after=args["after"])
        return {
            "total": None,
            "total_is_exact": False,
            "has_next": rows.next_cursor is not None,
            "page": None,
            "per_page": args["per_page"],
            "next_cursor": rows.next_cursor,
            "items": rows.items,
        }
    page = paginate(query.order_by(None).order_by(*order.order_by()), page=args["page"], per_page=args["per_page"])
    return {
        "total": page.total if page.is_exact else COUNT_LIMIT,
        "total_is_exact": page.is_exact,
        "has_next": page.has_next,
        "page": page.page,
        "per_page": page.per_page,
        "next_cursor": order.encode(page.items[-1]) if page.has_next and page.items else None,
        "items": page.items,
    }


@blp.route("", methods=["POST"])
@roles_required(Role.ENLACE)
@blp.arguments(RequestInputSchema)
@blp.response(201, RequestDetailSchema)
def create_request(data: dict[str, Any]) -> Any:
    """Create a draft (``borrador``)."""
    access_request = filing.create_draft(
        db.session, actor=current_user, data=filing.RequestData(**data), email_domain=_domain(), today=local_date(utcnow())
    )
    request_id = access_request.id  # read before the commit expires the row
    db.session.commit()
    return _detail(request_id)


@blp.route("/<int:request_id>", methods=["GET"])
@roles_required()
@blp.response(200, RequestDetailSchema)
def get_request(request_id: int) -> Any:
    """A request with its approval chain and history."""
    return _get(request_id)


@blp.route("/<int:request_id>", methods=["PUT"])
@roles_required(Role.ENLACE)
@blp.arguments(RequestInputSchema)
@blp.response(200, RequestDetailSchema)
def update_request(data: dict[str, Any], request_id: int) -> Any:
    """Replace the data of a draft or a returned request."""
    filing.update_draft(
        db.session,
        _target(request_id),
        actor=current_user,
        data=filing.RequestData(**data),
        email_domain=_domain(),
        today=local_date(utcnow()),
    )
    db.session.commit()
    return _detail(request_id)


def _target(request_id: int) -> AccessRequest:
    """The request a transition acts on, for its 404 and 403: its row and steps, in one query
    (the service locks and reads it again; the page's history, comments and attachments are
    read once, for the answer)."""
    access_request = (
        db.session.execute(select(AccessRequest).where(AccessRequest.id == request_id).options(joinedload(AccessRequest.steps)))
        .unique()
        .scalar()
    )
    if access_request is None:
        abort(404)
    if not can_view_request(db.session, current_user, access_request, local_date(utcnow())):
        abort(403)
    return access_request


def _transition(request_id: int, action: Any) -> Any:
    action(_target(request_id))
    commit_and_dispatch(db.session)
    return _detail(request_id)


@blp.route("/<int:request_id>/submit", methods=["POST"])
@roles_required(Role.ENLACE)
@blp.response(200, RequestDetailSchema)
def submit_request(request_id: int) -> Any:
    """File the request (``radicada``): number given, approval chain created, ANS clock started."""
    return _transition(
        request_id,
        lambda r: filing.submit_request(
            db.session,
            r,
            actor=current_user,
            email_domain=_domain(),
            now=utcnow(),
            directory=Directory(DirectorySettings.from_config(current_app.config)),
        ),
    )


@blp.route("/<int:request_id>/decision", methods=["POST"])
@roles_required()
@blp.arguments(DecisionSchema)
@blp.response(200, RequestDetailSchema)
def decide_request(data: dict[str, Any], request_id: int) -> Any:
    """Decide the current step: ``aprobar``, ``rechazar`` or ``devolver`` (the last two with a reason)."""
    return _transition(
        request_id,
        lambda r: decisions.decide_step(
            db.session,
            r,
            actor=current_user,
            decision=data["decision"],
            comment=data.get("comment"),
            now=utcnow(),
            step_id=data.get("step_id"),
        ),
    )


@blp.route("/<int:request_id>/exception", methods=["POST"])
@roles_required(Role.SECRETARIO)
@blp.arguments(JustificationSchema)
@blp.response(200, RequestDetailSchema)
def exception_request(data: dict[str, Any], request_id: int) -> Any:
    """The Secretario's exception: every remaining step approved at once, with a justification."""
    return _transition(
        request_id,
        lambda r: decisions.apply_exception(db.session, r, actor=current_user, justification=data["justification"], now=utcnow()),
    )


@blp.route("/<int:request_id>/cancel", methods=["POST"])
@roles_required()
@blp.arguments(ReasonSchema)
@blp.response(200, RequestDetailSchema)
def cancel_request(data: dict[str, Any], request_id: int) -> Any:
    """The requester cancels a request not yet approved."""
    return _transition(
        request_id, lambda r: filing.cancel_request(db.session, r, actor=current_user, reason=data.get("reason"), now=utcnow())
    )
