"""Web pages of the committee: its members, the yearly plan of sessions, a session with its agenda,
guests and convocations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from catalog.forms import ReasonForm
from catalog.models import Initiative
from committee import members
from committee import permissions as committee_permissions
from committee.models import CommitteeMember, CommitteeSession, SessionConvocation, SessionGuest, SessionKind
from committee.sessions import agenda, convocations
from committee.sessions import services as sessions
from committee.sessions.forms import AgendaInitiativeForm, AgendaTopicForm, ConveneForm, GuestForm, MemberForm, SessionForm
from committee.sessions.plan import year_plan
from committee.web import READER_ROLES, commit_action, committee_context, form_is_valid
from portal.clock import BOGOTA, local_date
from portal.db import utcnow
from portal.downloads import send_stored_file
from portal.extensions import db
from portal.forms import EmptyForm
from portal.models import Dependency, User
from portal.permissions import roles_required
from portal.roles import Role
from portal.web import save_form

bp = Blueprint("committee", __name__, url_prefix="/comite")


# ---------------------------------------------------------------- members


@bp.get("")
@roles_required(*READER_ROLES)
def index():  # type: ignore[no-untyped-def]
    seats = members.active_members(db.session)
    former = (
        db.session.execute(select(CommitteeMember).where(CommitteeMember.is_active.is_(False)).order_by(CommitteeMember.id))
        .scalars()
        .all()
    )
    return render_template(
        "committee/committee.html",
        members=seats,
        former=former,
        rules=committee_context().rules,
        can_manage=committee_permissions.can_manage_members(current_user),
    )


@bp.route("/integrantes/nuevo", methods=["GET", "POST"], defaults={"member_id": None})
@bp.route("/integrantes/<int:member_id>/editar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def member_edit(member_id: int | None):  # type: ignore[no-untyped-def]
    member = db.get_or_404(CommitteeMember, member_id) if member_id else None
    form = MemberForm(obj=member)
    people = db.session.execute(select(User).where(User.is_active_account.is_(True)).order_by(User.full_name)).scalars()
    form.user_id.choices = [(u.id, f"{u.full_name} ({u.username})") for u in people]
    dependencies = db.session.execute(select(Dependency).order_by(Dependency.name)).scalars()
    form.dependency_id.choices = [(0, _("— Ninguna —"))] + [(d.id, d.name) for d in dependencies]
    if member is not None and not form.is_submitted():
        form.dependency_id.data = member.dependency_id or 0
    status = 200
    if form.validate_on_submit():
        data = members.MemberData(
            user_id=form.user_id.data,
            position=form.position.data or "",
            is_voting=bool(form.is_voting.data),
            dependency_id=form.dependency_id.data or None,
            is_chair=bool(form.is_chair.data),
            is_technical_secretariat=bool(form.is_technical_secretariat.data),
            is_active=bool(form.is_active.data),
        )
        outcome = save_form(
            form,
            lambda: members.save_committee_member(db.session, actor=current_user, data=data, member=member),
            success=lambda _saved: _("Integrante guardado."),
            target=lambda _saved: url_for("committee.index"),
        )
        if not isinstance(outcome, int):
            return outcome
        status = outcome
    elif form.is_submitted():
        status = 400
    return render_template("committee/member_form.html", form=form, member=member), status


# ---------------------------------------------------------------- the plan and the sessions


@bp.get("/sesiones")
@roles_required(*READER_ROLES)
def plan():  # type: ignore[no-untyped-def]
    today = local_date(utcnow())
    year = request.args.get("anio", type=int) or today.year
    if not 2000 <= year <= 2100:
        abort(404)
    quarters = year_plan(db.session, year)
    return render_template(
        "committee/plan.html",
        year=year,
        today=today,
        quarters=quarters,
        can_manage=committee_permissions.can_manage_sessions(current_user),
    )


def _member_choices(form: SessionForm) -> None:
    choices = [(0, _("— Seleccione —"))]
    choices += [(m.id, f"{m.user.full_name} — {m.position}") for m in members.active_members(db.session)]
    form.requested_by_member_id.choices = choices


def _session_data(form: SessionForm) -> sessions.SessionData:
    return sessions.SessionData(
        kind=SessionKind(form.kind.data),
        day=form.day.data,
        start_time=form.start_time.data or time(9),
        end_time=form.end_time.data or time(11),
        place=form.place.data,
        virtual_link=form.virtual_link.data,
        requested_inputs=form.requested_inputs.data,
        requested_by_member_id=form.requested_by_member_id.data or None,
        extraordinary_reason=form.extraordinary_reason.data,
    )


@bp.route("/sesiones/nueva", methods=["GET", "POST"], defaults={"session_id": None})
@bp.route("/sesiones/<int:session_id>/editar", methods=["GET", "POST"])
@roles_required(Role.SECRETARIA_TECNICA)
def session_edit(session_id: int | None):  # type: ignore[no-untyped-def]
    committee_session = db.get_or_404(CommitteeSession, session_id) if session_id else None
    context = committee_context()
    form = SessionForm()
    _member_choices(form)
    if not form.is_submitted():
        if committee_session is not None:
            starts = committee_session.starts_at.astimezone(BOGOTA)
            form.kind.data = committee_session.kind.value
            form.day.data = starts.date()
            form.start_time.data = starts.time()
            form.end_time.data = committee_session.ends_at.astimezone(BOGOTA).time()
            form.place.data = committee_session.place
            form.virtual_link.data = committee_session.virtual_link
            form.requested_inputs.data = committee_session.requested_inputs
            form.requested_by_member_id.data = committee_session.requested_by_member_id or 0
            form.extraordinary_reason.data = committee_session.extraordinary_reason
        else:
            form.kind.data = (
                request.args.get("tipo") if request.args.get("tipo") in ("ordinaria", "extraordinaria") else "ordinaria"
            )
            form.start_time.data = time(9)
            form.end_time.data = time(11)
            form.requested_inputs.data = context.rules.default_requested_inputs
    status = 200
    if form.validate_on_submit():
        now = utcnow()

        def save() -> CommitteeSession:
            data = _session_data(form)
            if committee_session is None:
                return sessions.create_session(db.session, actor=current_user, data=data, context=context, now=now)
            return sessions.update_session(db.session, committee_session, actor=current_user, data=data, context=context, now=now)

        outcome = save_form(
            form,
            save,
            success=lambda saved: _("%(label)s guardada.", label=saved.label),
            target=lambda saved: url_for("committee.session_detail", session_id=saved.id),
        )
        if not isinstance(outcome, int):
            return outcome
        status = outcome
    elif form.is_submitted():
        status = 400
    return render_template("committee/session_form.html", form=form, committee_session=committee_session), status


@bp.get("/sesiones/<int:session_id>")
@roles_required(*READER_ROLES)
def session_detail(session_id: int):  # type: ignore[no-untyped-def]
    committee_session = db.get_or_404(CommitteeSession, session_id)
    now = utcnow()
    context = committee_context()
    items = agenda.agenda_items(db.session, committee_session)
    guests = (
        db.session.execute(select(SessionGuest).where(SessionGuest.session_id == session_id).order_by(SessionGuest.id))
        .scalars()
        .all()
    )
    sent = (
        db.session.execute(
            select(SessionConvocation)
            .where(SessionConvocation.session_id == session_id)
            .order_by(SessionConvocation.sequence.desc())
        )
        .scalars()
        .all()
    )
    can_edit = committee_permissions.can_edit_session(current_user, committee_session)
    add_form = AgendaInitiativeForm()
    candidates: list[Initiative] = agenda.agenda_candidates(db.session) if can_edit else []
    add_form.initiative_id.choices = [(i.id, f"{i.code} — {i.title} ({i.dependency.name})") for i in candidates]
    problem = convocations.convocation_problem(
        committee_session,
        context.rules,
        now,
        last_convened_day=convocations.last_convened_day(db.session, committee_session),
    )
    return render_template(
        "committee/session_detail.html",
        s=committee_session,
        items=items,
        guests=guests,
        sent=sent,
        recipients=convocations.convocation_recipients(db.session, committee_session),
        candidates=candidates,
        can_edit=can_edit,
        problem=problem,
        days_before=convocations.days_before(committee_session, now),
        add_form=add_form,
        topic_form=AgendaTopicForm(),
        guest_form=GuestForm(),
        convene_form=ConveneForm(),
        cancel_form=ReasonForm(),
        button_form=EmptyForm(),
    )


def _run(session_id: int, action: Callable[[CommitteeSession], Any], success: str) -> ResponseReturnValue:
    committee_session = db.get_or_404(CommitteeSession, session_id)
    target = url_for("committee.session_detail", session_id=session_id)
    return commit_action(lambda: action(committee_session), success, target)


def _form_or_back(form: Any, session_id: int) -> ResponseReturnValue | None:
    target = url_for("committee.session_detail", session_id=session_id)
    return None if form_is_valid(form, target) else redirect(target, code=303)


@bp.post("/sesiones/<int:session_id>/agenda/iniciativas")
@roles_required(Role.SECRETARIA_TECNICA)
def agenda_add_initiative(session_id: int) -> ResponseReturnValue:
    form = AgendaInitiativeForm()
    form.initiative_id.choices = [(i.id, i.code) for i in agenda.agenda_candidates(db.session)]
    back = _form_or_back(form, session_id)
    if back is not None:
        return back
    initiative = db.get_or_404(Initiative, form.initiative_id.data)
    return _run(
        session_id,
        lambda s: agenda.add_initiative_to_agenda(db.session, s, initiative, actor=current_user, now=utcnow()),
        _("Iniciativa %(code)s incluida en el orden del día.", code=initiative.code),
    )


@bp.post("/sesiones/<int:session_id>/agenda/temas")
@roles_required(Role.SECRETARIA_TECNICA)
def agenda_add_topic(session_id: int) -> ResponseReturnValue:
    form = AgendaTopicForm()
    back = _form_or_back(form, session_id)
    if back is not None:
        return back
    return _run(
        session_id,
        lambda s: agenda.add_topic(db.session, s, actor=current_user, title=form.title.data, now=utcnow()),
        _("Tema incluido en el orden del día."),
    )


@bp.post("/sesiones/<int:session_id>/agenda/<int:item_id>/<any(subir, bajar):direction>")
@roles_required(Role.SECRETARIA_TECNICA)
def agenda_move(session_id: int, item_id: int, direction: str) -> ResponseReturnValue:
    back = _form_or_back(EmptyForm(), session_id)
    if back is not None:
        return back
    offset = -1 if direction == "subir" else 1
    return _run(
        session_id,
        lambda s: agenda.move_agenda_item(db.session, s, item_id, actor=current_user, offset=offset, now=utcnow()),
        _("Orden del día actualizado."),
    )


@bp.post("/sesiones/<int:session_id>/agenda/<int:item_id>/retirar")
@roles_required(Role.SECRETARIA_TECNICA)
def agenda_remove(session_id: int, item_id: int) -> ResponseReturnValue:
    back = _form_or_back(EmptyForm(), session_id)
    if back is not None:
        return back
    return _run(
        session_id,
        lambda s: agenda.remove_agenda_item(db.session, s, item_id, actor=current_user, now=utcnow()),
        _("Punto retirado del orden del día."),
    )


@bp.post("/sesiones/<int:session_id>/invitados")
@roles_required(Role.SECRETARIA_TECNICA)
def guest_add(session_id: int) -> ResponseReturnValue:
    form = GuestForm()
    back = _form_or_back(form, session_id)
    if back is not None:
        return back
    return _run(
        session_id,
        lambda s: sessions.add_guest(
            db.session,
            s,
            actor=current_user,
            name=form.name.data,
            email=form.email.data,
            organization=form.organization.data,
            now=utcnow(),
        ),
        _("Invitado agregado."),
    )


@bp.post("/sesiones/<int:session_id>/invitados/<int:guest_id>/retirar")
@roles_required(Role.SECRETARIA_TECNICA)
def guest_remove(session_id: int, guest_id: int) -> ResponseReturnValue:
    back = _form_or_back(EmptyForm(), session_id)
    if back is not None:
        return back
    return _run(
        session_id,
        lambda s: sessions.remove_guest(db.session, s, guest_id, actor=current_user, now=utcnow()),
        _("Invitado retirado."),
    )


@bp.post("/sesiones/<int:session_id>/convocar")
@roles_required(Role.SECRETARIA_TECNICA)
def convene(session_id: int) -> ResponseReturnValue:
    form = ConveneForm()
    back = _form_or_back(form, session_id)
    if back is not None:
        return back
    return _run(
        session_id,
        lambda s: convocations.convene_session(
            db.session, s, actor=current_user, context=committee_context(), now=utcnow(), note=form.note.data
        ),
        _("Convocatoria enviada por correo con la invitación de calendario."),
    )


@bp.post("/sesiones/<int:session_id>/cancelar")
@roles_required(Role.SECRETARIA_TECNICA)
def cancel(session_id: int) -> ResponseReturnValue:
    form = ReasonForm()
    form.validate_on_submit()
    return _run(
        session_id,
        lambda s: sessions.cancel_session(
            db.session, s, actor=current_user, reason=form.reason.data, context=committee_context(), now=utcnow()
        ),
        _("Sesión cancelada."),
    )


@bp.get("/sesiones/<int:session_id>/invitacion.ics")
@roles_required(*READER_ROLES)
def invitation(session_id: int) -> Response:
    """The last invitation sent for the session, as the members received it."""
    convocation = convocations.latest_convocation(db.session, session_id)
    if convocation is None:
        abort(404)
    return send_stored_file(convocation.ics, f"sesion-{session_id}.ics", "text/calendar")
