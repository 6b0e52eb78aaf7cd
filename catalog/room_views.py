"""Web pages of the session in the room (attendance, quorum, deliberation, votes, commitments) and
after it (the acta and its workflow, the commitments list, the report to the mayor).

Every action is a POST that calls one service and comes back to its page (303); the services check
who acts and from which state (403, 409), so these views only translate forms.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from catalog import actas, commitments, deadlines, documents, mayor_report, meeting, members, permissions
from catalog.committee_views import committee_context
from catalog.forms import EmptyForm
from catalog.meeting_models import (
    ActaResponseKind,
    AttendanceKind,
    CommitmentState,
    CommitteeActa,
    ItemOutcome,
    VoteChoice,
)
from catalog.models import AgendaItem, CommitteeSession, SessionGuest
from catalog.room_forms import (
    ActaResponseForm,
    ActaTextForm,
    CastingForm,
    CommitmentForm,
    DelegateForm,
    FollowUpForm,
    GuestArrivalForm,
    MayorReportForm,
    MemberArrivalForm,
    NotesForm,
    VoteForm,
)
from portal.clock import BOGOTA, local_date
from portal.db import utcnow
from portal.errors import DomainError, ValidationFailed
from portal.extensions import db
from portal.models import User
from portal.permissions import roles_required
from portal.roles import Role

bp = Blueprint("room", __name__, url_prefix="/comite", template_folder="templates")

READER_ROLES = tuple(sorted(permissions.COMMITTEE_READERS))
#: who takes part in the room: the secretariat records, members vote, the chair breaks ties
#: who may take part (the services check the seat): the secretariat records, members vote, answer
#: and sign the acta (Control Interno and seated heads included: seed Mesa §3, §4), the chair breaks ties
ROOM_ROLES = (Role.SECRETARIA_TECNICA, Role.INTEGRANTE, Role.SECRETARIO, Role.CONTROL_INTERNO, Role.JEFE)


def _committee_session(session_id: int) -> CommitteeSession:
    return db.get_or_404(CommitteeSession, session_id)


def _item(session_id: int, item_id: int) -> AgendaItem:
    item = db.get_or_404(AgendaItem, item_id)
    if item.session_id != session_id:
        abort(404)
    return item


def _acta(acta_id: int) -> CommitteeActa:
    return db.get_or_404(CommitteeActa, acta_id)


def _commit(action: Callable[[], Any], success: str, target: str) -> ResponseReturnValue:
    """Run one service call; on a domain error roll back and let the error page say why (403/409/422)."""
    try:
        action()
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(success, "success")
    return redirect(target, code=303)


def _valid(form: Any, target: str) -> bool:
    """Whether the form is valid; if not, say why and go back (the services check the rest)."""
    if form.validate_on_submit():
        return True
    errors = "; ".join(str(m) for messages in form.errors.values() for m in messages)
    flash(errors or _("El formulario expiró. Vuelva a cargar la página e inténtelo de nuevo."), "danger")
    return False


def _arrival(committee_session: CommitteeSession, at: time | None) -> datetime | None:
    """A time typed in the room is on the session's day, in Bogotá."""
    if at is None:
        return None
    day = local_date(committee_session.opened_at or committee_session.starts_at)
    return datetime.combine(day, at, tzinfo=BOGOTA)


def _room_url(session_id: int, anchor: str | None = None) -> str:
    return url_for("room.room", session_id=session_id, _anchor=anchor)


# ---------------------------------------------------------------- the room


@bp.get("/sesiones/<int:session_id>/sala")
@roles_required(*READER_ROLES)
def room(session_id: int):  # type: ignore[no-untyped-def]
    committee_session = _committee_session(session_id)
    state = meeting.room_state(db.session, committee_session)
    is_secretariat = current_user.has_role(Role.SECRETARIA_TECNICA)
    my_member = next((m for m in members.active_members(db.session) if m.user_id == current_user.id), None)
    acta = db.session.execute(select(CommitteeActa).where(CommitteeActa.session_id == session_id)).scalar()
    delegate_form = DelegateForm()
    delegate_form.member_id.choices = [(m.id, f"{m.user.full_name} — {m.position}") for m in state.not_registered]
    commitment_form = CommitmentForm()
    people = db.session.execute(select(User).where(User.is_active_account.is_(True)).order_by(User.full_name)).scalars()
    commitment_form.responsible_id.choices = [(0, _("— Sin cuenta en el portal —"))] + [(u.id, u.full_name) for u in people]
    commitment_form.item_id.choices = [(0, _("— General —"))] + [
        (v.item.id, f"{v.item.position}. {v.item.title}") for v in state.items
    ]
    guests = (
        db.session.execute(select(SessionGuest).where(SessionGuest.session_id == session_id).order_by(SessionGuest.id))
        .scalars()
        .all()
    )
    follow_up = commitments.pending_for_follow_up(db.session, committee_session) if is_secretariat else []
    made_here = commitments.session_commitments(db.session, committee_session)
    return render_template(
        "catalog/room.html",
        s=committee_session,
        state=state,
        acta=acta,
        guests=guests,
        is_secretariat=is_secretariat,
        is_chair=current_user.has_role(Role.SECRETARIO),
        my_member=my_member,
        voting_present=[a.member for a in state.attendance if a.counts_for_quorum],
        view_counts=_counts,
        follow_up=follow_up,
        made_here=made_here,
        today=local_date(utcnow()),
        button_form=EmptyForm(),
        arrival_form=MemberArrivalForm(),
        delegate_form=delegate_form,
        guest_form=GuestArrivalForm(),
        notes_form=NotesForm(),
        vote_form=VoteForm(),
        casting_form=CastingForm(),
        commitment_form=commitment_form,
        follow_up_form=FollowUpForm(),
        choices=list(VoteChoice),
    )


@bp.get("/sesiones/<int:session_id>/sala/estado.json")
@roles_required(*READER_ROLES)
def room_live(session_id: int) -> Response:
    """What the room page refreshes by itself: the quorum and each item's vote counts."""
    committee_session = _committee_session(session_id)
    state = meeting.room_state(db.session, committee_session)
    q = state.quorum
    summary: dict[str, Any] = {
        "present_voting": q.present_voting,
        "quorum_text": _("Hay quórum") if q.has_quorum else _("No hay quórum"),
        "has_quorum": q.has_quorum,
    }
    for view in state.items:
        for choice, count in _counts(view).items():
            summary[f"item-{view.item.id}-{choice}"] = count
    return jsonify(summary)


def _counts(view: meeting.ItemRoom) -> dict[str, int]:
    """The votes counted so far (members in the room), or the counts at the close once decided."""
    d = view.decision
    if d is not None:
        return {"a_favor": d.votes_for, "en_contra": d.votes_against, "abstencion": d.abstentions}
    return {"a_favor": view.votes_for, "en_contra": view.votes_against, "abstencion": view.abstentions}


@bp.post("/sesiones/<int:session_id>/instalar")
@roles_required(Role.SECRETARIA_TECNICA)
def open_session(session_id: int) -> ResponseReturnValue:
    target = _room_url(session_id)
    if not _valid(EmptyForm(), target):
        return redirect(target, code=303)
    s = _committee_session(session_id)
    return _commit(lambda: meeting.open_session(db.session, s, actor=current_user, now=utcnow()), _("Sesión instalada."), target)


@bp.post("/sesiones/<int:session_id>/cerrar")
@roles_required(Role.SECRETARIA_TECNICA)
def close_session(session_id: int) -> ResponseReturnValue:
    target = _room_url(session_id)
    if not _valid(EmptyForm(), target):
        return redirect(target, code=303)
    s = _committee_session(session_id)
    return _commit(
        lambda: meeting.close_session(db.session, s, actor=current_user, now=utcnow(), context=committee_context()),
        _("Sesión cerrada. El borrador del acta quedó generado."),
        target,
    )


def _arrives(session_id: int, form: Any, kind: AttendanceKind, success: str, **fields: Any) -> ResponseReturnValue:
    """Record one arrival from a validated form; ``fields`` are what the form adds for its kind."""
    s = _committee_session(session_id)
    return _commit(
        lambda: meeting.record_attendance(
            db.session,
            s,
            actor=current_user,
            kind=kind,
            arrived_at=_arrival(s, form.arrived_at.data),
            now=utcnow(),
            **fields,
        ),
        success,
        _room_url(session_id, "asistencia"),
    )


@bp.post("/sesiones/<int:session_id>/asistencia/integrantes")
@roles_required(Role.SECRETARIA_TECNICA)
def member_arrives(session_id: int) -> ResponseReturnValue:
    form = MemberArrivalForm()
    if not _valid(form, _room_url(session_id, "asistencia")):
        return redirect(_room_url(session_id, "asistencia"), code=303)
    return _arrives(session_id, form, AttendanceKind.INTEGRANTE, _("Asistencia registrada."), member_id=form.member_id.data)


@bp.post("/sesiones/<int:session_id>/asistencia/delegados")
@roles_required(Role.SECRETARIA_TECNICA)
def delegate_arrives(session_id: int) -> ResponseReturnValue:
    form = DelegateForm()
    form.member_id.choices = [
        (m.id, m.position) for m in meeting.room_state(db.session, _committee_session(session_id)).not_registered
    ]
    if not _valid(form, _room_url(session_id, "asistencia")):
        return redirect(_room_url(session_id, "asistencia"), code=303)
    upload = form.communication.data
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationFailed(
            _("Adjunte la comunicación oficial de la delegación (PDF)."),
            fields={"communication": [_("Adjunte la comunicación.")]},
        )
    return _arrives(
        session_id,
        form,
        AttendanceKind.DELEGADO,
        _("Delegado registrado."),
        member_id=form.member_id.data,
        name=form.name.data,
        position=form.position.data,
        communication=(upload.filename, upload.read()),
    )


@bp.post("/sesiones/<int:session_id>/asistencia/invitados")
@roles_required(Role.SECRETARIA_TECNICA)
def guest_arrives(session_id: int) -> ResponseReturnValue:
    form = GuestArrivalForm()
    if not _valid(form, _room_url(session_id, "asistencia")):
        return redirect(_room_url(session_id, "asistencia"), code=303)
    return _arrives(
        session_id,
        form,
        AttendanceKind.INVITADO,
        _("Invitado registrado."),
        guest_id=form.guest_id.data or None,
        name=form.name.data or None,
        position=form.position.data or None,
    )


@bp.post("/sesiones/<int:session_id>/asistencia/<int:attendance_id>/<any(salida, regreso):movement>")
@roles_required(Role.SECRETARIA_TECNICA)
def attendance_movement(session_id: int, attendance_id: int, movement: str) -> ResponseReturnValue:
    target = _room_url(session_id, "asistencia")
    if not _valid(EmptyForm(), target):
        return redirect(target, code=303)
    s = _committee_session(session_id)
    service = meeting.record_departure if movement == "salida" else meeting.record_return
    message = _("Salida registrada.") if movement == "salida" else _("Regreso registrado.")
    return _commit(lambda: service(db.session, s, attendance_id, actor=current_user, now=utcnow()), message, target)


@bp.get("/sesiones/<int:session_id>/asistencia.pdf")
@roles_required(*READER_ROLES)
def attendance_pdf(session_id: int) -> Response:
    s = _committee_session(session_id)
    data = documents.render_attendance_pdf(db.session, s, profile=current_app.config["PROFILE"])
    return _download(data, "application/pdf", f"asistencia-sesion-{s.number}-{s.year}.pdf")


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------- agenda items: notes and votes


@bp.post("/sesiones/<int:session_id>/puntos/<int:item_id>/deliberacion")
@roles_required(Role.SECRETARIA_TECNICA)
def item_notes(session_id: int, item_id: int) -> ResponseReturnValue:
    form = NotesForm()
    target = _room_url(session_id, f"punto-{item_id}")
    if not _valid(form, target):
        return redirect(target, code=303)
    item = _item(session_id, item_id)
    return _commit(
        lambda: meeting.save_item_notes(db.session, item, actor=current_user, notes=form.notes.data, now=utcnow()),
        _("Deliberación guardada."),
        target,
    )


@bp.post("/sesiones/<int:session_id>/puntos/<int:item_id>/votacion/<any(abrir, cerrar):step>")
@roles_required(Role.SECRETARIA_TECNICA)
def item_voting(session_id: int, item_id: int, step: str) -> ResponseReturnValue:
    target = _room_url(session_id, f"punto-{item_id}")
    if not _valid(EmptyForm(), target):
        return redirect(target, code=303)
    item = _item(session_id, item_id)
    if step == "abrir":
        return _commit(
            lambda: meeting.open_voting(db.session, item, actor=current_user, now=utcnow()), _("Votación abierta."), target
        )
    return _commit(
        lambda: meeting.close_voting(db.session, item, actor=current_user, now=utcnow()), _("Votación cerrada."), target
    )


@bp.post("/sesiones/<int:session_id>/puntos/<int:item_id>/votos")
@roles_required(*ROOM_ROLES)
def item_vote(session_id: int, item_id: int) -> ResponseReturnValue:
    form = VoteForm()
    target = _room_url(session_id, f"punto-{item_id}")
    if not _valid(form, target):
        return redirect(target, code=303)
    item = _item(session_id, item_id)
    return _commit(
        lambda: meeting.cast_vote(
            db.session,
            item,
            actor=current_user,
            choice=VoteChoice(form.choice.data),
            member_id=form.member_id.data or None,
            now=utcnow(),
        ),
        _("Voto registrado."),
        target,
    )


@bp.post("/sesiones/<int:session_id>/puntos/<int:item_id>/dirimir")
@roles_required(Role.SECRETARIO)
def item_casting(session_id: int, item_id: int) -> ResponseReturnValue:
    form = CastingForm()
    target = _room_url(session_id, f"punto-{item_id}")
    if not _valid(form, target):
        return redirect(target, code=303)
    item = _item(session_id, item_id)
    return _commit(
        lambda: meeting.cast_deciding_vote(
            db.session, item, actor=current_user, decision=ItemOutcome(form.decision.data), note=form.note.data, now=utcnow()
        ),
        _("Decisión de quien preside registrada."),
        target,
    )


# ---------------------------------------------------------------- commitments


@bp.post("/sesiones/<int:session_id>/compromisos")
@roles_required(Role.SECRETARIA_TECNICA)
def commitment_add(session_id: int) -> ResponseReturnValue:
    form = CommitmentForm()
    target = _room_url(session_id, "compromisos")
    if not _valid(form, target):
        return redirect(target, code=303)
    s = _committee_session(session_id)
    return _commit(
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
    target = _room_url(session_id, "seguimiento")
    if not _valid(form, target):
        return redirect(target, code=303)
    s = _committee_session(session_id)
    commitment = db.get_or_404(commitments.Commitment, commitment_id)
    return _commit(
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
        "catalog/commitments.html",
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
    target = url_for("room.commitment_list")
    if not _valid(form, target):
        return redirect(target, code=303)
    commitment = db.get_or_404(commitments.Commitment, commitment_id)
    return _commit(
        lambda: commitments.close_commitment(
            db.session, commitment, actor=current_user, state=CommitmentState(form.state.data), note=form.note.data, now=utcnow()
        ),
        _("Compromiso actualizado."),
        target,
    )


# ---------------------------------------------------------------- the acta


@bp.get("/actas/<int:acta_id>")
@roles_required(*READER_ROLES)
def acta(acta_id: int):  # type: ignore[no-untyped-def]
    page = actas.acta_page(db.session, acta_id)
    if page is None:
        abort(404)
    version = page.versions[-1]
    text_form = ActaTextForm(
        data={"introduction": version.body.get("introduction", ""), "closing": version.body.get("closing", "")}
    )
    return render_template(
        "catalog/acta.html",
        page=page,
        a=page.acta,
        version=version,
        now=utcnow(),
        is_secretariat=current_user.has_role(Role.SECRETARIA_TECNICA),
        my_member=actas.member_of(db.session, current_user),
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
    target = url_for("room.acta", acta_id=acta_id)
    if not _valid(form, target):
        return redirect(target, code=303)
    page = actas.acta_page(db.session, acta_id)
    if page is None:
        abort(404)
    introduction, notes, closing = _texts(form, page.versions[-1].body)
    service = actas.edit_acta if step == "editar" else actas.finalize
    message = _("Nueva versión del acta guardada.") if step == "editar" else _("Versión definitiva del acta aprobada.")
    return _commit(
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
    target = url_for("room.acta", acta_id=acta_id)
    if not _valid(EmptyForm(), target):
        return redirect(target, code=303)
    a = _acta(acta_id)
    return _commit(
        lambda: actas.send_acta(db.session, a, actor=current_user, now=utcnow(), context=committee_context()),
        _("Proyecto de acta enviado a los integrantes."),
        target,
    )


@bp.post("/actas/<int:acta_id>/respuesta")
@roles_required(*ROOM_ROLES)
def acta_respond(acta_id: int) -> ResponseReturnValue:
    form = ActaResponseForm()
    target = url_for("room.acta", acta_id=acta_id)
    if not _valid(form, target):
        return redirect(target, code=303)
    a = _acta(acta_id)
    return _commit(
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
@roles_required(*ROOM_ROLES)
def acta_sign(acta_id: int) -> ResponseReturnValue:
    target = url_for("room.acta", acta_id=acta_id)
    if not _valid(EmptyForm(), target):
        return redirect(target, code=303)
    a = _acta(acta_id)
    return _commit(lambda: actas.sign(db.session, a, actor=current_user, now=utcnow()), _("Acta suscrita."), target)


@bp.get("/actas/<int:acta_id>/versiones/<int:number>.<any(pdf, docx):fmt>")
@roles_required(*READER_ROLES)
def acta_document(acta_id: int, number: int, fmt: str) -> Response:
    page = actas.acta_page(db.session, acta_id)
    if page is None:
        abort(404)
    version = next((v for v in page.versions if v.number == number), None)
    if version is None:
        abort(404)
    render = documents.render_acta_pdf if fmt == "pdf" else documents.render_acta_docx
    data = render(
        version.body,  # type: ignore[arg-type]
        profile=current_app.config["PROFILE"],
        version_number=version.number,
        version_kind=version.kind.value,
        acta_state_label=page.acta.state.label,
    )
    mimetype = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    s = page.acta.session
    return _download(data, mimetype, f"acta-{s.number}-{s.year}-v{version.number}.{fmt}")


# ---------------------------------------------------------------- report to the mayor


@bp.get("/informe-alcalde")
@roles_required(Role.SECRETARIA_TECNICA, Role.SECRETARIO, Role.CONTROL_INTERNO)
def mayor_report_page():  # type: ignore[no-untyped-def]
    form = MayorReportForm(request.args)
    current = mayor_report.period_of(local_date(utcnow()))
    if not form.validate():
        abort(404)
    period = mayor_report.Period(form.anio.data or current.year, form.periodo.data or current.number)
    form.anio.data, form.periodo.data = period.year, period.number
    fmt = request.args.get("formato")
    report = mayor_report.build_mayor_report(db.session, period)
    profile = current_app.config["PROFILE"]
    name = f"informe-alcalde-{period.year}-{period.number}"
    if fmt == "pdf":
        return _download(mayor_report.render_mayor_report_pdf(report, profile=profile), "application/pdf", f"{name}.pdf")
    if fmt == "xlsx":
        return _download(
            mayor_report.render_mayor_report_xlsx(report, profile=profile),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    if fmt is not None:
        abort(404)
    return render_template("catalog/mayor_report.html", form=form, report=report, period=period, deadlines=deadlines)
