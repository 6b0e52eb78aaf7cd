"""API of commitments (SPEC §8)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from committee.commitments import services as commitments
from committee.commitments.models import Commitment
from committee.commitments.schemas import (
    CloseCommitmentInputSchema,
    CommitmentInputSchema,
    CommitmentListArgsSchema,
    CommitmentSchema,
    FollowUpInputSchema,
)
from committee.sessions.views import committee_context
from committee.web import READER_ROLES, api_session_or_404
from portal.api import api_blueprint
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

blp = api_blueprint("committee_commitments", __name__, "/committee", "Compromisos del comité y su seguimiento")


def _commitment(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None:
        abort(404)
    return commitment


@blp.route("/sessions/<int:session_id>/commitments", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.arguments(CommitmentInputSchema)
@blp.response(201, CommitmentSchema)
def add_commitment(data: dict[str, Any], session_id: int) -> Any:
    """A commitment made in the session: description, responsible, due date."""
    commitment = commitments.add_commitment(
        db.session, api_session_or_404(session_id), actor=current_user, now=utcnow(), context=committee_context(), **data
    )
    db.session.commit()
    return commitment


@blp.route("/commitments", methods=["GET"])
@roles_required(*READER_ROLES)
@blp.arguments(CommitmentListArgsSchema, location="query")
@blp.response(200, CommitmentSchema(many=True))
def list_commitments(args: dict[str, Any]) -> Any:
    """Every commitment, or only the overdue ones (``overdue=true``): what Control Interno follows."""
    if args["overdue"]:
        return commitments.overdue_commitments(db.session, utcnow())
    return commitments.all_commitments(db.session)


@blp.route("/commitments/<int:commitment_id>/follow-ups", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.arguments(FollowUpInputSchema)
@blp.response(201, CommitmentSchema)
def follow_up(data: dict[str, Any], commitment_id: int) -> Any:
    """What was reported at a later session's follow-up item; ``cumplido`` or ``cancelado`` closes it."""
    commitments.follow_up(
        db.session,
        _commitment(commitment_id),
        api_session_or_404(data["session_id"]),
        actor=current_user,
        note=data["note"],
        state=data["state"],
        now=utcnow(),
    )
    db.session.commit()
    return _commitment(commitment_id)


@blp.route("/commitments/<int:commitment_id>/close", methods=["POST"])
@roles_required(Role.SECRETARIA_TECNICA)
@blp.arguments(CloseCommitmentInputSchema)
@blp.response(200, CommitmentSchema)
def close_commitment(data: dict[str, Any], commitment_id: int) -> Any:
    """Mark a commitment ``cumplido`` or ``cancelado`` outside a session, with a note."""
    commitments.close_commitment(
        db.session, _commitment(commitment_id), actor=current_user, state=data["state"], note=data["note"], now=utcnow()
    )
    db.session.commit()
    return _commitment(commitment_id)
