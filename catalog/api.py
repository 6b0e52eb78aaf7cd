"""API of the initiative catalogue (SPEC §8): registration, postulation, decision, execution, documents."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from catalog import execution, permissions, services
from catalog.models import (
    Enabler,
    FundingSource,
    Initiative,
    InitiativeDocument,
    InitiativeState,
)
from catalog.queries import CatalogFilters, catalog_query
from portal.api import api_blueprint
from portal.db import utcnow
from portal.downloads import send_stored_file
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role
from portal.uploads import check_upload

initiatives_blp = api_blueprint("initiatives", __name__, "/initiatives", "Catálogo de iniciativas TIC y su postulación al comité")

CATALOG_ROLES = tuple(sorted(permissions.CATALOG_USERS))


# ---------------------------------------------------------------- schemas


class InitiativeInputSchema(Schema):
    dependency_id = fields.Integer(required=True)
    title = fields.String(required=True, validate=validate.Length(max=200))
    description = fields.String(required=True, validate=validate.Length(max=8000))
    objective = fields.String(required=True, validate=validate.Length(max=4000))
    enablers = fields.List(fields.Enum(Enabler, by_value=True), load_default=list)
    is_in_peti = fields.Boolean(load_default=False)
    estimated_budget = fields.Integer(allow_none=True, load_default=None, metadata={"description": "Pesos colombianos"})
    funding_source = fields.Enum(FundingSource, by_value=True, allow_none=True, load_default=None)
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    sponsor = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))


class InitiativeDocumentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Function(lambda d: d.uploaded_by.username)
    uploaded_at = fields.DateTime()


class InitiativeProgressSchema(Schema):
    reported_on = fields.Date()
    percent = fields.Integer()
    indicators = fields.String()
    risks = fields.String(allow_none=True)
    reported_by = fields.Function(lambda p: p.reported_by.username)


class InitiativeEventSchema(Schema):
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class InitiativeSummarySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    year = fields.Integer()
    dependency = fields.Function(lambda i: i.dependency.code)
    title = fields.String()
    state = fields.Function(lambda i: i.state.value)
    postulation_pending = fields.Boolean(attribute="is_postulation_pending")
    enablers = fields.Function(lambda i: [e.value for e in i.enablers])
    is_in_peti = fields.Boolean()
    estimated_budget = fields.Integer(allow_none=True)
    progress_percent = fields.Integer()


class InitiativeDetailSchema(InitiativeSummarySchema):
    description = fields.String()
    objective = fields.String()
    funding_source = fields.Function(lambda i: i.funding_source.value if i.funding_source else None)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    sponsor = fields.String(allow_none=True)
    registered_by = fields.Function(lambda i: i.registered_by.username)
    postulation_requested_at = fields.DateTime(allow_none=True)
    postulated_at = fields.DateTime(allow_none=True)
    postulation_confirmed_by = fields.Function(
        lambda i: i.postulation_confirmed_by.username if i.postulation_confirmed_by else None
    )
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    execution_started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    documents = fields.List(fields.Nested(InitiativeDocumentSchema))
    progress_reports = fields.List(fields.Nested(InitiativeProgressSchema))
    history = fields.Function(lambda i: InitiativeEventSchema(many=True).dump(i.events))


class InitiativeListArgsSchema(Schema):
    dependency_id = fields.Integer(load_default=None)
    state = fields.Enum(InitiativeState, by_value=True, load_default=None)
    enabler = fields.Enum(Enabler, by_value=True, load_default=None)
    in_peti = fields.Boolean(load_default=None, allow_none=True)
    year = fields.Integer(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class InitiativePageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(InitiativeSummarySchema))


class InitiativeDocumentFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "PDF, como máximo 10 MB"})


class CatalogReasonSchema(Schema):
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))


class InitiativeProgressInputSchema(Schema):
    reported_on = fields.Date(required=True)
    percent = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    indicators = fields.String(required=True, validate=validate.Length(max=4000))
    risks = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))


# ---------------------------------------------------------------- initiatives


def _initiative(initiative_id: int) -> Initiative:
    db.session.expire_all()
    initiative = services.load_initiative_page(db.session, initiative_id)
    if initiative is None:
        abort(404)
    if not permissions.can_view_initiative(current_user, initiative):
        abort(403)
    return initiative


def _transition(initiative_id: int, action: Any) -> Initiative:
    action(_initiative(initiative_id))
    db.session.commit()
    return _initiative(initiative_id)


@initiatives_blp.route("", methods=["GET"])
@roles_required(*CATALOG_ROLES)
@initiatives_blp.arguments(InitiativeListArgsSchema, location="query")
@initiatives_blp.response(200, InitiativePageSchema)
def list_initiatives(args: dict[str, Any]) -> Any:
    """The catalogue the user may see, with the UI's filters (a dependency-scoped user: its own only)."""
    filters = CatalogFilters(
        dependency_id=args["dependency_id"],
        state=args["state"],
        enabler=args["enabler"],
        in_peti=args["in_peti"],
        year=args["year"],
        text=args["q"],
    )
    page = db.paginate(catalog_query(current_user, filters), page=args["page"], per_page=args["per_page"], error_out=False)
    return {"total": page.total, "page": page.page, "per_page": page.per_page, "items": page.items}


@initiatives_blp.route("", methods=["POST"])
@roles_required(Role.ENLACE)
@initiatives_blp.arguments(InitiativeInputSchema)
@initiatives_blp.response(201, InitiativeDetailSchema)
def create_initiative(data: dict[str, Any]) -> Any:
    """Register an initiative of the enlace's dependency (``registrada``, code INI-YYYY-NNNN)."""
    initiative = services.create_initiative(db.session, actor=current_user, data=services.InitiativeData(**data), now=utcnow())
    db.session.commit()
    return _initiative(initiative.id)


@initiatives_blp.route("/<int:initiative_id>", methods=["GET"])
@roles_required(*CATALOG_ROLES)
@initiatives_blp.response(200, InitiativeDetailSchema)
def get_initiative(initiative_id: int) -> Any:
    """An initiative with its documents, progress reports and history."""
    return _initiative(initiative_id)


@initiatives_blp.route("/<int:initiative_id>", methods=["PUT"])
@roles_required(Role.ENLACE)
@initiatives_blp.arguments(InitiativeInputSchema)
@initiatives_blp.response(200, InitiativeDetailSchema)
def update_initiative(data: dict[str, Any], initiative_id: int) -> Any:
    """Replace the data of a registered initiative (not while its postulation awaits the head)."""
    return _transition(
        initiative_id,
        lambda i: services.update_initiative(
            db.session, i, actor=current_user, data=services.InitiativeData(**data), now=utcnow()
        ),
    )


@initiatives_blp.route("/<int:initiative_id>/postulation", methods=["POST"])
@roles_required(Role.ENLACE)
@initiatives_blp.response(200, InitiativeDetailSchema)
def request_postulation(initiative_id: int) -> Any:
    """The enlace asks to postulate the initiative; the head of the dependency must confirm."""
    return _transition(initiative_id, lambda i: services.request_postulation(db.session, i, actor=current_user, now=utcnow()))


@initiatives_blp.route("/<int:initiative_id>/postulation/confirm", methods=["POST"])
@roles_required(Role.JEFE)
@initiatives_blp.response(200, InitiativeDetailSchema)
def confirm_postulation(initiative_id: int) -> Any:
    """The head of the dependency confirms: the initiative is ``postulada``."""
    return _transition(initiative_id, lambda i: services.confirm_postulation(db.session, i, actor=current_user, now=utcnow()))


@initiatives_blp.route("/<int:initiative_id>/postulation/return", methods=["POST"])
@roles_required(Role.JEFE)
@initiatives_blp.arguments(CatalogReasonSchema)
@initiatives_blp.response(200, InitiativeDetailSchema)
def return_postulation(data: dict[str, Any], initiative_id: int) -> Any:
    """The head of the dependency returns the postulation to the enlace, with a reason."""
    return _transition(
        initiative_id,
        lambda i: services.return_postulation(db.session, i, actor=current_user, reason=data["reason"], now=utcnow()),
    )


@initiatives_blp.route("/<int:initiative_id>/execution", methods=["POST"])
@roles_required(Role.ENLACE)
@initiatives_blp.response(200, InitiativeDetailSchema)
def start_execution(initiative_id: int) -> Any:
    """An approved initiative starts (``en_ejecucion``)."""
    return _transition(initiative_id, lambda i: execution.start_execution(db.session, i, actor=current_user, now=utcnow()))


@initiatives_blp.route("/<int:initiative_id>/progress", methods=["POST"])
@roles_required(Role.ENLACE)
@initiatives_blp.arguments(InitiativeProgressInputSchema)
@initiatives_blp.response(200, InitiativeDetailSchema)
def report_progress(data: dict[str, Any], initiative_id: int) -> Any:
    """A progress report while in execution: percent, indicators, risks."""
    return _transition(
        initiative_id, lambda i: execution.report_progress(db.session, i, actor=current_user, now=utcnow(), **data)
    )


@initiatives_blp.route("/<int:initiative_id>/finish", methods=["POST"])
@roles_required(Role.ENLACE)
@initiatives_blp.arguments(CatalogReasonSchema)
@initiatives_blp.response(200, InitiativeDetailSchema)
def finish_initiative(data: dict[str, Any], initiative_id: int) -> Any:
    """Close an initiative whose last progress report is 100 % (``finalizada``)."""
    return _transition(
        initiative_id,
        lambda i: execution.finish_initiative(db.session, i, actor=current_user, note=data["reason"], now=utcnow()),
    )


@initiatives_blp.route("/<int:initiative_id>/documents", methods=["POST"])
@roles_required(Role.ENLACE)
@initiatives_blp.arguments(InitiativeDocumentFileSchema, location="files")
@initiatives_blp.response(201, InitiativeDocumentSchema)
def add_document(files: dict[str, Any], initiative_id: int) -> Any:
    """Attach a supporting PDF (multipart ``file``; checked by content, at most 10 MB)."""
    upload = files["file"]
    checked = check_upload(upload.filename or "documento.pdf", upload.read())
    document = services.add_document(db.session, _initiative(initiative_id), actor=current_user, file=checked, now=utcnow())
    db.session.commit()
    return document


@initiatives_blp.route("/<int:initiative_id>/documents/<int:document_id>", methods=["GET"])
@roles_required(*CATALOG_ROLES)
def get_document(initiative_id: int, document_id: int) -> Any:
    """Download a document of an initiative the user may see."""
    _initiative(initiative_id)
    document = db.session.get(InitiativeDocument, document_id)
    if document is None or document.initiative_id != initiative_id:
        abort(404)
    return send_stored_file(document.content, document.filename, document.content_type)
