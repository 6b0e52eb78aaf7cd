"""Web pages of the session in the room: attendance, the live quorum, deliberation, votes and the
casting decision (the pages after the session are in ``committee/actas/``, ``committee/commitments/`` and ``committee/reports/``).

Every action is a POST that calls one service and comes back to its page (303); the services check
who acts and from which state (403, 409), so these views only translate forms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from committee import documents, members
from committee.actas import services as actas
from committee.actas.models import CommitteeActa
from committee.commitments import services as commitments
from committee.commitments.forms import CommitmentForm, FollowUpForm
from committee.models import AgendaItem, SessionGuest
from committee.permissions import can_view_room
from committee.room import services as meeting
from committee.room.forms import (
    CastingForm,
    DelegateForm,
    GuestArrivalForm,
    HeadArrivalForm,
    MemberArrivalForm,
    NotesForm,
    OpenVotingForm,
    VoteForm,
)
from committee.room.models import AttendanceKind, ItemOutcome, VoteChoice
from committee.web import (
    READER_ROLES,
    arrival_instant,
    commit_action,
    committee_context,
    committee_session_or_404,
    download,
    form_is_valid,
    item_or_404,
    room_url,
)
from portal.clock import local_date
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.forms import EmptyForm
from portal.models import User
from portal.permissions import roles_required
from portal.roles import Role

bp = Blueprint("room", __name__, url_prefix="/comite")

# ---------------------------------------------------------------- the room


def _room_state(session_id: int) -> meeting.RoomState:
    """The room, for the committee's readers and the delegates and heads registered in it (403 otherwise)."""
    state = meeting.room_state(db.session, committee_session_or_404(session_id))
    if not can_view_room(current_user, state.attendance):
        abort(403)
    return state


@bp.get("/sesiones/<int:session_id>/sala")
@roles_required()
def room(session_id: int):  # type: ignore[no-untyped-def]
    state = _room_state(session_id)
    committee_session = state.committee_session
    is_secretariat = current_user.has_role(Role.SECRETARIA_TECNICA)
    seated = members.active_members(db.session)
    my_member = next((m for m in seated if m.user_id == current_user.id), None) or state.delegate_seat(current_user.id)
    acta = db.session.execute(select(CommitteeActa).where(CommitteeActa.session_id == session_id)).scalar()
    delegate_form = DelegateForm()
    delegate_form.member_id.choices = [(m.id, f"{m.user.full_name} — {m.position}") for m in state.not_registered]
    commitment_form = CommitmentForm()
    people = list(db.session.execute(select(User).where(User.is_active_account.is_(True)).order_by(User.full_name)).scalars())
    commitment_form.responsible_id.choices = [(0, _("— Sin cuenta en el portal —"))] + [(u.id, u.full_name) for u in people]
    seated_ids = {m.user_id for m in seated}
    delegate_form.user_id.choices = [(0, _("— Sin cuenta en el portal —"))] + [
        (u.id, f"{u.full_name} ({u.username})") for u in people if u.id not in seated_ids
    ]
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
        "committee/room.html",
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
        head_form=HeadArrivalForm(),
        open_form=OpenVotingForm(),
        previous=actas.previous_acta(db.session, committee_session),
        guest_form=GuestArrivalForm(),
        notes_form=NotesForm(),
        vote_form=VoteForm(),
        casting_form=CastingForm(),
        commitment_form=commitment_form,
        follow_up_form=FollowUpForm(),
        choices=list(VoteChoice),
    )


@bp.get("/sesiones/<int:session_id>/sala/estado.json")
@roles_required()
def room_live(session_id: int) -> Response:
    """What the room page refreshes by itself: the quorum and each item's vote counts."""
    state = _room_state(session_id)
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
    target = room_url(session_id)
    if not form_is_valid(EmptyForm(), target):
        return redirect(target, code=303)
    s = committee_session_or_404(session_id)
    return commit_action(
        lambda: meeting.open_session(db.session, s, actor=current_user, now=utcnow()), _("Sesión instalada."), target
    )


@bp.post("/sesiones/<int:session_id>/cerrar")
@roles_required(Role.SECRETARIA_TECNICA)
def close_session(session_id: int) -> ResponseReturnValue:
    target = room_url(session_id)
    if not form_is_valid(EmptyForm(), target):
        return redirect(target, code=303)
    s = committee_session_or_404(session_id)
    return commit_action(
        lambda: meeting.close_session(db.session, s, actor=current_user, now=utcnow(), context=committee_context()),
        _("Sesión cerrada. El borrador del acta quedó generado."),
        target,
    )


def _arrives(session_id: int, form: Any, kind: AttendanceKind, success: str, **fields: Any) -> ResponseReturnValue:
    """Record one arrival from a validated form; ``fields`` are what the form adds for its kind."""
    s = committee_session_or_404(session_id)
    return commit_action(
        lambda: meeting.record_attendance(
            db.session,
            s,
            actor=current_user,
            kind=kind,
            arrived_at=arrival_instant(s, form.arrived_at.data),
            now=utcnow(),
            **fields,
        ),
        success,
        room_url(session_id, "asistencia"),
    )


@bp.post("/sesiones/<int:session_id>/asistencia/integrantes")
@roles_required(Role.SECRETARIA_TECNICA)
def member_arrives(session_id: int) -> ResponseReturnValue:
    form = MemberArrivalForm()
    if not form_is_valid(form, room_url(session_id, "asistencia")):
        return redirect(room_url(session_id, "asistencia"), code=303)
    return _arrives(session_id, form, AttendanceKind.INTEGRANTE, _("Asistencia registrada."), member_id=form.member_id.data)


@bp.post("/sesiones/<int:session_id>/asistencia/delegados")
@roles_required(Role.SECRETARIA_TECNICA)
def delegate_arrives(session_id: int) -> ResponseReturnValue:
    form = DelegateForm()
    # any active member and any account; whether they may be registered is the service's check (409, 422)
    form.member_id.choices = [(m.id, m.position) for m in members.active_members(db.session)]
    if not form_is_valid(form, room_url(session_id, "asistencia")):
        return redirect(room_url(session_id, "asistencia"), code=303)
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
        user_id=form.user_id.data or None,
        name=form.name.data,
        position=form.position.data,
        communication=(upload.filename, upload.read()),
    )


@bp.post("/sesiones/<int:session_id>/asistencia/jefes")
@roles_required(Role.SECRETARIA_TECNICA)
def head_arrives(session_id: int) -> ResponseReturnValue:
    form = HeadArrivalForm()
    if not form_is_valid(form, room_url(session_id, "asistencia")):
        return redirect(room_url(session_id, "asistencia"), code=303)
    return _arrives(session_id, form, AttendanceKind.JEFE, _("Jefe de dependencia registrado."), user_id=form.user_id.data)


@bp.post("/sesiones/<int:session_id>/asistencia/invitados")
@roles_required(Role.SECRETARIA_TECNICA)
def guest_arrives(session_id: int) -> ResponseReturnValue:
    form = GuestArrivalForm()
    if not form_is_valid(form, room_url(session_id, "asistencia")):
        return redirect(room_url(session_id, "asistencia"), code=303)
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
    target = room_url(session_id, "asistencia")
    if not form_is_valid(EmptyForm(), target):
        return redirect(target, code=303)
    s = committee_session_or_404(session_id)
    service = meeting.record_departure if movement == "salida" else meeting.record_return
    message = _("Salida registrada.") if movement == "salida" else _("Regreso registrado.")
    return commit_action(lambda: service(db.session, s, attendance_id, actor=current_user, now=utcnow()), message, target)


@bp.get("/sesiones/<int:session_id>/asistencia.pdf")
@roles_required(*READER_ROLES)
def attendance_pdf(session_id: int) -> Response:
    s = committee_session_or_404(session_id)
    data = documents.render_attendance_pdf(db.session, s, profile=current_app.config["PROFILE"])
    return download(data, "application/pdf", f"asistencia-sesion-{s.number}-{s.year}.pdf")


# ---------------------------------------------------------------- agenda items: notes and votes


def _item_action(
    session_id: int, item_id: int, form: Any, action: Callable[[AgendaItem], Any], success: str
) -> ResponseReturnValue:
    """An action on one agenda item from the room: check the form, run the service, back to the item."""
    target = room_url(session_id, f"punto-{item_id}")
    if not form_is_valid(form, target):
        return redirect(target, code=303)
    item = item_or_404(session_id, item_id)
    return commit_action(lambda: action(item), success, target)


@bp.post("/sesiones/<int:session_id>/puntos/<int:item_id>/deliberacion")
@roles_required(Role.SECRETARIA_TECNICA)
def item_notes(session_id: int, item_id: int) -> ResponseReturnValue:
    form = NotesForm()
    return _item_action(
        session_id,
        item_id,
        form,
        lambda item: meeting.save_item_notes(db.session, item, actor=current_user, notes=form.notes.data, now=utcnow()),
        _("Deliberación guardada."),
    )


@bp.post("/sesiones/<int:session_id>/puntos/<int:item_id>/votacion/<any(abrir, cerrar):step>")
@roles_required(Role.SECRETARIA_TECNICA)
def item_voting(session_id: int, item_id: int, step: str) -> ResponseReturnValue:
    if step == "abrir":
        form = OpenVotingForm()
        return _item_action(
            session_id,
            item_id,
            form,
            lambda item: meeting.open_voting(
                db.session, item, actor=current_user, now=utcnow(), without_head=bool(form.without_head.data)
            ),
            _("Votación abierta."),
        )
    return _item_action(
        session_id,
        item_id,
        EmptyForm(),
        lambda item: meeting.close_voting(db.session, item, actor=current_user, now=utcnow()),
        _("Votación cerrada."),
    )


@bp.post("/sesiones/<int:session_id>/puntos/<int:item_id>/votos")
@roles_required()
def item_vote(session_id: int, item_id: int) -> ResponseReturnValue:
    form = VoteForm()
    return _item_action(
        session_id,
        item_id,
        form,
        lambda item: meeting.cast_vote(
            db.session,
            item,
            actor=current_user,
            choice=VoteChoice(form.choice.data),
            member_id=form.member_id.data or None,
            now=utcnow(),
        ),
        _("Voto registrado."),
    )


@bp.post("/sesiones/<int:session_id>/puntos/<int:item_id>/dirimir")
@roles_required(Role.SECRETARIO)
def item_casting(session_id: int, item_id: int) -> ResponseReturnValue:
    form = CastingForm()
    return _item_action(
        session_id,
        item_id,
        form,
        lambda item: meeting.cast_deciding_vote(
            db.session, item, actor=current_user, decision=ItemOutcome(form.decision.data), note=form.note.data, now=utcnow()
        ),
        _("Decisión de quien preside registrada."),
    )
