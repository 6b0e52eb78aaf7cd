"""Delegations page: an approver hands the steps of one kind to an eligible delegate for a date range,
and may end it early (SPEC §3)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.clock import local_date
from portal.db import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import User
from portal.permissions import roles_required
from portal.roles import Role
from tickets.forms import DelegationForm, EndDelegationForm
from tickets.models import Delegation, StepKind
from tickets.services.delegations import create_delegation, delegable_kinds, eligible_delegates, end_delegation

bp = Blueprint("delegations", __name__, url_prefix="/solicitudes/delegaciones", template_folder="templates")


def _delegate_choices(kinds: list[StepKind]) -> dict[str, list[tuple[str, str]]]:
    """The picker: per step kind the user decides, only the people eligible for it."""
    return {
        kind.label: [
            (f"{kind.value}:{u.id}", f"{u.full_name} ({u.username})") for u in eligible_delegates(db.session, current_user, kind)
        ]
        for kind in kinds
    }


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.JEFE, Role.SEGURIDAD, Role.APROBADOR)
def page():  # type: ignore[no-untyped-def]
    form = DelegationForm()
    form.delegate.choices = _delegate_choices(delegable_kinds(current_user))
    status = 200
    if form.validate_on_submit():
        kind_value, _sep, delegate_id = (form.delegate.data or "").partition(":")
        delegate = db.session.get(User, int(delegate_id)) if delegate_id.isdigit() else None
        if delegate is None or kind_value not in {k.value for k in StepKind}:
            abort(400)
        try:
            create_delegation(
                db.session,
                actor=current_user,
                delegator=current_user,
                delegate=delegate,
                step_kind=StepKind(kind_value),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                reason=form.reason.data,
                today=local_date(utcnow()),
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            status = exc.status
        else:
            db.session.commit()
            flash(_("Delegación registrada. La persona delegada recibió un aviso por correo."), "success")
            return redirect(url_for("delegations.page"))
    elif form.is_submitted():
        status = 400
    mine = (
        db.session.execute(
            select(Delegation)
            .where((Delegation.delegator_id == current_user.id) | (Delegation.delegate_id == current_user.id))
            .order_by(Delegation.starts_on.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "tickets/delegations.html",
        form=form,
        end_form=EndDelegationForm(),
        delegations=mine,
        today=local_date(utcnow()),
    ), status


@bp.post("/<int:delegation_id>/terminar")
@roles_required()
def end(delegation_id: int) -> ResponseReturnValue:
    delegation = db.get_or_404(Delegation, delegation_id)
    form = EndDelegationForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        end_delegation(db.session, delegation, actor=current_user, reason=form.reason.data, now=utcnow())
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("Delegación terminada. La persona delegada recibió un aviso por correo."), "success")
    return redirect(url_for("delegations.page"), code=303)
