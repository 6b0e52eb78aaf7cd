"""API of the acta workflow (SPEC §8)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app
from flask_login import current_user

from committee.actas import services as actas
from committee.actas.models import CommitteeActa
from committee.actas.schemas import ActaResponseInputSchema, ActaSchema, ActaTextInputSchema
from committee.web import ROOM_ROLES, commit_then, committee_context
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

blp = api_blueprint(
    "committee_actas", __name__, "/committee", "Actas del comité: versiones, envío, respuestas, aprobación y firmas"
)


def _acta_page(acta_id: int) -> Any:
    """The acta read afresh, for the committee's readers and whoever signs in a seat (403 otherwise)."""
    db.session.expire_all()
    page = actas.acta_page(db.session, acta_id)
    if page is None:
        abort(404)
    if not page.can_view(current_user):
        abort(403)
    return page


def _acta(acta_id: int) -> CommitteeActa:
    acta = db.session.get(CommitteeActa, acta_id)
    if acta is None:
        abort(404)
    return acta


@blp.route("/sessions/<int:session_id>/acta", methods=["GET"])
@roles_required()
@blp.response(200, ActaSchema)
def get_session_acta(session_id: int) -> Any:
    """The acta of a closed session with its versions, deadlines, responses and signatures."""
    acta = db.session.query(CommitteeActa.id).filter(CommitteeActa.session_id == session_id).scalar()
    if acta is None:
        abort(404)
    return _acta_page(acta)


@blp.route("/actas/<int:acta_id>", methods=["GET"])
@roles_required()
@blp.response(200, ActaSchema)
def get_acta(acta_id: int) -> Any:
    """An acta with its versions, deadlines, responses and signatures."""
    return _acta_page(acta_id)


@blp.route("/actas/<int:acta_id>/versions", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.arguments(ActaTextInputSchema)
@blp.response(201, ActaSchema)
def edit_acta(data: dict[str, Any], acta_id: int) -> Any:
    """A new version of the draft (or of the acta with observations); earlier versions are kept."""
    actas.edit_acta(db.session, _acta(acta_id), actor=current_user, now=utcnow(), **data)
    return commit_then(lambda: _acta_page(acta_id))


@blp.route("/actas/<int:acta_id>/send", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.response(200, ActaSchema)
def send_acta(acta_id: int) -> Any:
    """Send the draft to the members: the 3-business-day period for observations starts."""
    actas.send_acta(db.session, _acta(acta_id), actor=current_user, now=utcnow(), context=committee_context())
    return commit_then(lambda: _acta_page(acta_id))


@blp.route("/actas/<int:acta_id>/responses", methods=["POST"])
@roles_required(*ROOM_ROLES)
@blp.arguments(ActaResponseInputSchema)
@blp.response(201, ActaSchema)
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
    return commit_then(lambda: _acta_page(acta_id))


@blp.route("/actas/<int:acta_id>/final", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.arguments(ActaTextInputSchema)
@blp.response(200, ActaSchema)
def finalize(data: dict[str, Any], acta_id: int) -> Any:
    """The final version after the observations: the acta is approved and goes to signature."""
    actas.finalize(db.session, _acta(acta_id), actor=current_user, now=utcnow(), **data)
    return commit_then(lambda: _acta_page(acta_id))


@blp.route("/actas/<int:acta_id>/signatures", methods=["POST"])
@roles_required()
@blp.response(201, ActaSchema)
def sign(acta_id: int) -> Any:
    """A member who attended subscribes the approved version of the acta (a delegate, in the seat of
    the member it represented); the signature keeps the version's SHA-256 as verification code."""
    actas.sign(db.session, _acta(acta_id), actor=current_user, now=utcnow())
    return commit_then(lambda: _acta_page(acta_id))


@blp.route("/actas/<int:acta_id>/versions/<int:number>.<any(pdf, docx):fmt>", methods=["GET"])
@roles_required()
def acta_document(acta_id: int, number: int, fmt: str) -> Any:
    """A version of the acta as PDF or DOCX with the institutional header (the approved version with
    its signatures and their verification code)."""
    data, mimetype = actas.render_version(_acta_page(acta_id), number, fmt, profile=current_app.config["PROFILE"])
    return Response(data, mimetype=mimetype)
