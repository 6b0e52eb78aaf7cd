"""Pages of commitments: made in the session, followed up, closed, listed for Control Interno."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from committee.commitments import services as commitments
from committee.commitments.forms import CommitmentForm, FollowUpForm
from committee.commitments.models import CommitmentState
from committee.web import (
    READER_ROLES,
    commit_action,
    committee_context,
    committee_session_or_404,
    form_is_valid,
    room_url,
)
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

bp = Blueprint("commitments", __name__, url_prefix="/comite")


@bp.post("/sesiones/<int:session_id>/compromisos")
@roles_required(Role.SECRETARIA_TECNICA)
def commitment_add(session_id: int) -> ResponseReturnValue:
    form = CommitmentForm()
    target = room_url(session_id, "compromisos")
    if not form_is_valid(form, target):
        return redirect(target, code=303)
    s = committee_session_or_404(session_id)
    return commit_action(
        lambda: commitments.add_commitment(
            db.session,
            s,
            actor=current_user,
            description=form.description.data,
            responsible_name=form.responsible_name.data,
            due_date=form.due_date.data,
            responsible_id=form.responsible_id.data or None,
            item_id=form.item_id.data or None,
            now=utcnow(),
            context=committee_context(),
        ),
        _("Compromiso registrado."),
        target,
    )


@bp.post("/sesiones/<int:session_id>/compromisos/<int:commitment_id>/seguimiento")
@roles_required(Role.SECRETARIA_TECNICA)
def commitment_follow_up(session_id: int, commitment_id: int) -> ResponseReturnValue:
    form = FollowUpForm()
    target = room_url(session_id, "seguimiento")
    if not form_is_valid(form, target):
        return redirect(target, code=303)
    s = committee_session_or_404(session_id)
    commitment = db.get_or_404(commitments.Commitment, commitment_id)
    return commit_action(
        lambda: commitments.follow_up(
            db.session,
            commitment,
            s,
            actor=current_user,
            note=form.note.data,
            state=CommitmentState(form.state.data),
            now=utcnow(),
        ),
        _("Seguimiento registrado."),
        target,
    )


@bp.get("/compromisos")
@roles_required(*READER_ROLES)
def commitment_list():  # type: ignore[no-untyped-def]
    now = utcnow()
    only_overdue = request.args.get("vencidos") == "1"
    rows = commitments.overdue_commitments(db.session, now) if only_overdue else commitments.all_commitments(db.session)
    return render_template(
        "committee/commitments.html",
        rows=rows,
        only_overdue=only_overdue,
        today=local_date(now),
        can_manage=current_user.has_role(Role.SECRETARIA_TECNICA),
        close_form=FollowUpForm(),
    )


@bp.post("/compromisos/<int:commitment_id>/cerrar")
@roles_required(Role.SECRETARIA_TECNICA)
def commitment_close(commitment_id: int) -> ResponseReturnValue:
    form = FollowUpForm()
    target = url_for("commitments.commitment_list")
    if not form_is_valid(form, target):
        return redirect(target, code=303)
    commitment = db.get_or_404(commitments.Commitment, commitment_id)
    return commit_action(
        lambda: commitments.close_commitment(
            db.session, commitment, actor=current_user, state=CommitmentState(form.state.data), note=form.note.data, now=utcnow()
        ),
        _("Compromiso actualizado."),
        target,
    )
