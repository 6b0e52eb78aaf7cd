"""Pages of the enlaces' standing duties: the checklists (an enlace sees its dependency's, the
Secretario and Control Interno every one, with the overdue list) and the answer form."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from gobierno_digital import permissions
from gobierno_digital.blueprint import bp
from gobierno_digital.documents import EVIDENCE_TYPES
from gobierno_digital.duties import services
from gobierno_digital.duties.forms import AnswerForm
from gobierno_digital.duties.models import Duty, DutyAnswer, DutyChecklist, DutyItem
from gobierno_digital.web import checked_file, done, form_errors, get_or_404, run
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.permissions import roles_required

USERS = tuple(sorted(permissions.DUTY_USERS))


def _visible(checklist: DutyChecklist) -> None:
    visible = permissions.duty_dependency_ids(current_user)
    if visible is not None and checklist.dependency_id not in visible:
        abort(403)


@bp.get("/deberes")
@roles_required(*USERS)
def duties() -> ResponseReturnValue:
    now = utcnow()
    visible = permissions.duty_dependency_ids(current_user)
    is_reader = visible is None
    return render_template(
        "gobierno_digital/duties.html",
        checklists=services.checklists_for(db.session, visible),
        overdue=services.overdue_checklists(db.session, now) if is_reader else [],
        compliance=services.compliance_by_dependency(db.session, now) if is_reader else [],
        is_reader=is_reader,
        now=now,
        duties=list(Duty),
    )


@bp.get("/deberes/<int:checklist_id>")
@roles_required(*USERS)
def checklist(checklist_id: int) -> ResponseReturnValue:
    found = get_or_404(DutyChecklist, checklist_id)
    _visible(found)
    return render_template(
        "gobierno_digital/checklist.html",
        checklist=found,
        can_answer=permissions.can_answer_duties(current_user, found.dependency_id),
        form=AnswerForm(),
        now=utcnow(),
    )


@bp.post("/deberes/items/<int:item_id>")
@roles_required(*USERS)
def answer_duty(item_id: int) -> ResponseReturnValue:
    item = get_or_404(DutyItem, item_id)
    _visible(item.checklist)
    form = AnswerForm()
    if not form.validate_on_submit():
        raise ValidationFailed(form_errors(form))
    evidence = checked_file(form.evidence.data, allowed=EVIDENCE_TYPES)
    run(
        lambda: services.answer_item(
            db.session,
            item,
            answer=DutyAnswer(form.answer.data),
            note=form.note.data,
            evidence_url=form.evidence_url.data,
            evidence_file=evidence,
            actor=current_user,
            now=utcnow(),
        )
    )
    return done(
        _("Respuesta registrada: %(duty)s.", duty=item.duty.short), url_for("gd.checklist", checklist_id=item.checklist_id)
    )
