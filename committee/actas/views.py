"""Web pages after the session: the commitments and their follow-up, the acta with its workflow
and documents, and the four-monthly report to the mayor."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from committee import documents
from committee.actas import services as actas
from committee.actas.forms import ActaResponseForm, ActaTextForm
from committee.actas.models import ActaResponseKind
from committee.room.models import ItemOutcome, NoDecisionReason
from committee.web import (
    ROOM_ROLES,
    acta_or_404,
    commit_action,
    committee_context,
    download,
    form_is_valid,
)
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.forms import EmptyForm
from portal.permissions import roles_required
from portal.roles import Role

bp = Blueprint("actas", __name__, url_prefix="/comite")

# ---------------------------------------------------------------- commitments


# ---------------------------------------------------------------- the acta


def _page_or_404(acta_id: int) -> actas.ActaPage:
    """The acta's page, for the committee's readers and whoever signs in a seat (403 otherwise)."""
    page = actas.acta_page(db.session, acta_id)
    if page is None:
        abort(404)
    if not page.can_view(current_user):
        abort(403)
    return page


@bp.get("/actas/<int:acta_id>")
@roles_required()
def acta(acta_id: int):  # type: ignore[no-untyped-def]
    page = _page_or_404(acta_id)
    version = page.versions[-1]
    text_form = ActaTextForm(
        data={"introduction": version.body.get("introduction", ""), "closing": version.body.get("closing", "")}
    )
    return render_template(
        "committee/acta.html",
        page=page,
        a=page.acta,
        version=version,
        now=utcnow(),
        is_secretariat=current_user.has_role(Role.SECRETARIA_TECNICA),
        my_member=actas.member_of(db.session, current_user),
        can_sign=page.can_sign(current_user),
        signature_lines=page.signature_lines(version),
        previous=actas.previous_acta(db.session, page.acta.session),
        presence_text=documents.presence_text,
        outcome_label=lambda value: ItemOutcome(value).label,
        reason_label=lambda value: NoDecisionReason(value).label,
        text_form=text_form,
        response_form=ActaResponseForm(),
        button_form=EmptyForm(),
    )


def _texts(form: ActaTextForm, body: dict[str, Any]) -> tuple[str, dict[int, str], str]:
    notes: dict[int, str] = {}
    for item in body.get("items", []):
        value = request.form.get(f"notes_{item['position']}")
        if value is not None:
            if len(value) > 20000:
                raise ValidationFailed(_("Un texto del acta supera 20.000 caracteres."))
            notes[int(item["position"])] = value
    return form.introduction.data or "", notes, form.closing.data or ""


@bp.post("/actas/<int:acta_id>/<any(editar, definitiva):step>")
@roles_required(Role.SECRETARIA_TECNICA)
def acta_edit(acta_id: int, step: str) -> ResponseReturnValue:
    form = ActaTextForm()
    target = url_for("actas.acta", acta_id=acta_id)
    if not form_is_valid(form, target):
        return redirect(target, code=303)
    page = actas.acta_page(db.session, acta_id)
    if page is None:
        abort(404)
    introduction, notes, closing = _texts(form, page.versions[-1].body)
    service = actas.edit_acta if step == "editar" else actas.finalize
    message = _("Nueva versión del acta guardada.") if step == "editar" else _("Versión definitiva del acta aprobada.")
    return commit_action(
        lambda: service(
            db.session,
            page.acta,
            actor=current_user,
            introduction=introduction,
            item_notes=notes,
            closing=closing,
            note=form.note.data or None,
            now=utcnow(),
        ),
        message,
        target,
    )


@bp.post("/actas/<int:acta_id>/enviar")
@roles_required(Role.SECRETARIA_TECNICA)
def acta_send(acta_id: int) -> ResponseReturnValue:
    target = url_for("actas.acta", acta_id=acta_id)
    if not form_is_valid(EmptyForm(), target):
        return redirect(target, code=303)
    a = acta_or_404(acta_id)
    return commit_action(
        lambda: actas.send_acta(db.session, a, actor=current_user, now=utcnow(), context=committee_context()),
        _("Proyecto de acta enviado a los integrantes."),
        target,
    )


@bp.post("/actas/<int:acta_id>/respuesta")
@roles_required(*ROOM_ROLES)
def acta_respond(acta_id: int) -> ResponseReturnValue:
    form = ActaResponseForm()
    target = url_for("actas.acta", acta_id=acta_id)
    if not form_is_valid(form, target):
        return redirect(target, code=303)
    a = acta_or_404(acta_id)
    return commit_action(
        lambda: actas.respond(
            db.session,
            a,
            actor=current_user,
            kind=ActaResponseKind(form.kind.data),
            text=form.text.data or None,
            now=utcnow(),
            context=committee_context(),
        ),
        _("Respuesta registrada."),
        target,
    )


@bp.post("/actas/<int:acta_id>/firmar")
@roles_required()
def acta_sign(acta_id: int) -> ResponseReturnValue:
    target = url_for("actas.acta", acta_id=acta_id)
    if not form_is_valid(EmptyForm(), target):
        return redirect(target, code=303)
    a = acta_or_404(acta_id)
    return commit_action(lambda: actas.sign(db.session, a, actor=current_user, now=utcnow()), _("Acta suscrita."), target)


@bp.get("/actas/<int:acta_id>/versiones/<int:number>.<any(pdf, docx):fmt>")
@roles_required()
def acta_document(acta_id: int, number: int, fmt: str) -> Response:
    page = _page_or_404(acta_id)
    data, mimetype = actas.render_version(page, number, fmt, profile=current_app.config["PROFILE"])
    a = page.acta
    return download(data, mimetype, f"acta-{a.number}-{a.year}-v{number}.{fmt}")


# ---------------------------------------------------------------- report to the mayor
