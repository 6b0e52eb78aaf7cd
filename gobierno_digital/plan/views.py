"""Pages of the work plan: the plans by vigencia, a plan with its activities, resources, CDPs and
versions, the activity form, and the Secretario's decision."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from gobierno_digital import permissions
from gobierno_digital.blueprint import bp
from gobierno_digital.common import Component
from gobierno_digital.plan import services
from gobierno_digital.plan.forms import ActivityForm, BudgetForm, NewPlanForm, NoteForm, ResourceForm, StatusForm
from gobierno_digital.plan.models import ActivityStatus, PlanActivity, PlanState, ResourceKind, WorkPlan
from gobierno_digital.web import dependency_choices, done, form_errors, get_or_404, people_choices, run, run_form, with_empty
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.permissions import roles_required
from portal.roles import Role

READERS = tuple(sorted(permissions.GD_READERS))


def _plan(vigencia: int) -> WorkPlan:
    plan = services.load_plan(db.session, vigencia)
    if plan is None:
        abort(404)
    return plan


def _refuse(form: object) -> None:
    raise ValidationFailed(form_errors(form) or _("Revise los datos del formulario."))  # type: ignore[arg-type]


@bp.route("/plan", methods=["GET", "POST"])
@roles_required(*READERS)
def plans() -> ResponseReturnValue:
    form = NewPlanForm()
    status = 200
    if request.method == "POST":
        if not permissions.can_run(current_user):
            abort(403)
        if form.validate_on_submit():
            plan, status = run_form(
                form, lambda: services.create_plan(db.session, vigencia=form.vigencia.data, actor=current_user, now=utcnow())
            )
            if plan is not None:
                return done(_("Plan de trabajo %(y)s creado.", y=plan.vigencia), url_for("gd.plan", vigencia=plan.vigencia))
        else:
            status = 422
    rows = db.session.execute(select(WorkPlan).order_by(WorkPlan.vigencia.desc())).scalars().all()
    return render_template(
        "gobierno_digital/plans.html", plans=rows, form=form, can_run=permissions.can_run(current_user)
    ), status


@bp.get("/plan/<int:vigencia>")
@roles_required()
def plan(vigencia: int) -> ResponseReturnValue:
    """Readers see the whole plan; the person responsible of an activity (told by mail) sees theirs."""
    found = _plan(vigencia)
    is_reader = permissions.can_read(current_user)
    activities = found.activities if is_reader else [a for a in found.activities if a.responsible_id == current_user.id]
    if not activities and not is_reader:
        abort(403)
    by_component = {c: [a for a in activities if a.component is c] for c in Component}
    can_run = permissions.can_run(current_user)
    return render_template(
        "gobierno_digital/plan.html",
        plan=found,
        is_reader=is_reader,
        by_component={c: rows for c, rows in by_component.items() if rows},
        is_draft=found.state is PlanState.BORRADOR,
        can_run=can_run,
        can_decide=permissions.can_approve_plan(current_user) and found.state is PlanState.EN_REVISION,
        resource_form=ResourceForm(),
        budget_form=BudgetForm(),
        note_form=NoteForm(),
        status_form=StatusForm(),
        resource_totals={k: sum(r.amount or 0 for r in found.resources if r.kind is k) for k in ResourceKind},
        budget_total=sum(b.amount for b in found.budget),
        states=PlanState,
    )


def _activity_form(found: WorkPlan, activity: PlanActivity | None) -> ActivityForm:
    form = ActivityForm(obj=activity)
    form.gap_id.choices = with_empty(
        _("— Sin brecha asociada —"),
        [
            SelectChoice(g.id, f"{g.vigencia} · {g.component.label} · {g.label}")
            for g in services.gaps_for_plan(db.session, found.vigencia)
        ],
    )
    form.dependency_id.choices = dependency_choices(_("— Seleccione —"))
    form.responsible_id.choices = people_choices(_("— Seleccione —"))
    if activity is not None and not form.is_submitted():
        form.gap_id.data = activity.gap_id or 0
        form.component.data = activity.component.value
    if activity is None and not form.is_submitted() and request.args.get("brecha", "").isdigit():
        form.gap_id.data = int(request.args["brecha"])
    return form


def _activity_data(form: ActivityForm) -> services.ActivityData:
    return services.ActivityData(
        gap_id=form.gap_id.data or None,
        component=Component(form.component.data) if form.component.data else None,
        description=form.description.data or "",
        dependency_id=form.dependency_id.data,
        responsible_id=form.responsible_id.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        deliverable=form.deliverable.data or "",
    )


@bp.route("/plan/<int:vigencia>/actividades/nueva", methods=["GET", "POST"], defaults={"activity_id": None})
@bp.route("/plan/<int:vigencia>/actividades/<int:activity_id>/editar", methods=["GET", "POST"])
@roles_required(Role.PROFESIONAL_GD)
def activity_form(vigencia: int, activity_id: int | None) -> ResponseReturnValue:
    found = _plan(vigencia)
    activity = get_or_404(PlanActivity, activity_id) if activity_id else None
    if activity is not None and activity.plan_id != found.id:
        abort(404)
    form = _activity_form(found, activity)
    status = 200
    if form.validate_on_submit():
        data = _activity_data(form)
        saved, status = run_form(
            form,
            lambda: (
                services.add_activity(db.session, found, data=data, actor=current_user, now=utcnow())
                if activity is None
                else services.update_activity(db.session, activity, data=data, actor=current_user, now=utcnow())
            ),
        )
        if saved is not None:
            message = _("Actividad guardada. Se informó por correo a %(name)s.", name=saved.responsible.full_name)
            return done(message, url_for("gd.plan", vigencia=vigencia) + "#actividades")
    elif form.is_submitted():
        status = 422
    return render_template("gobierno_digital/activity_form.html", form=form, plan=found, activity=activity), status


@bp.post("/plan/actividades/<int:activity_id>/eliminar")
@roles_required(Role.PROFESIONAL_GD)
def remove_activity(activity_id: int) -> ResponseReturnValue:
    activity = get_or_404(PlanActivity, activity_id)
    plan_row = get_or_404(WorkPlan, activity.plan_id)
    run(lambda: services.remove_activity(db.session, activity, actor=current_user))
    return done(_("Actividad quitada del borrador."), url_for("gd.plan", vigencia=plan_row.vigencia) + "#actividades")


@bp.post("/plan/actividades/<int:activity_id>/estado")
@roles_required()
def activity_status(activity_id: int) -> ResponseReturnValue:
    activity = get_or_404(PlanActivity, activity_id)
    plan_row = get_or_404(WorkPlan, activity.plan_id)
    form = StatusForm()
    if not form.validate_on_submit():
        _refuse(form)
    run(
        lambda: services.set_activity_status(
            db.session, activity, status=ActivityStatus(form.status.data), actor=current_user, now=utcnow()
        )
    )
    target = url_for("gd.plan", vigencia=plan_row.vigencia) if permissions.can_read(current_user) else url_for("portal.dashboard")
    return done(_("Estado de la actividad actualizado."), target)


@bp.post("/plan/<int:vigencia>/recursos")
@roles_required(Role.PROFESIONAL_GD)
def add_resource(vigencia: int) -> ResponseReturnValue:
    found, form = _plan(vigencia), ResourceForm()
    if not form.validate_on_submit():
        _refuse(form)
    run(
        lambda: services.add_resource(
            db.session,
            found,
            kind=ResourceKind(form.kind.data),
            description=form.description.data or "",
            amount=form.amount.data,
            actor=current_user,
        )
    )
    return done(_("Recurso agregado."), url_for("gd.plan", vigencia=vigencia) + "#recursos")


@bp.post("/plan/<int:vigencia>/cdp")
@roles_required(Role.PROFESIONAL_GD)
def add_budget(vigencia: int) -> ResponseReturnValue:
    found, form = _plan(vigencia), BudgetForm()
    if not form.validate_on_submit():
        _refuse(form)
    run(
        lambda: services.add_budget_availability(
            db.session,
            found,
            number=form.number.data or "",
            issued_on=form.issued_on.data,
            amount=form.amount.data,
            description=form.description.data,
            actor=current_user,
        )
    )
    return done(_("Disponibilidad presupuestal agregada."), url_for("gd.plan", vigencia=vigencia) + "#presupuesto")


@bp.post("/plan/<int:vigencia>/enviar")
@roles_required(Role.PROFESIONAL_GD)
def submit_plan(vigencia: int) -> ResponseReturnValue:
    found = _plan(vigencia)
    run(lambda: services.submit_plan(db.session, found, actor=current_user, now=utcnow()))
    return done(_("Plan enviado al Secretario para su aprobación."), url_for("gd.plan", vigencia=vigencia))


@bp.post("/plan/<int:vigencia>/aprobar")
@roles_required(Role.SECRETARIO)
def approve_plan(vigencia: int) -> ResponseReturnValue:
    found = _plan(vigencia)
    run(lambda: services.approve_plan(db.session, found, actor=current_user, now=utcnow()))
    return done(_("Plan de trabajo aprobado."), url_for("gd.plan", vigencia=vigencia))


@bp.post("/plan/<int:vigencia>/devolver")
@roles_required(Role.SECRETARIO)
def return_plan(vigencia: int) -> ResponseReturnValue:
    found, form = _plan(vigencia), NoteForm()
    if not form.validate_on_submit():
        _refuse(form)
    run(lambda: services.return_plan(db.session, found, actor=current_user, note=form.note.data or "", now=utcnow()))
    return done(_("Plan devuelto al profesional con el motivo."), url_for("gd.plan", vigencia=vigencia))


@bp.post("/plan/<int:vigencia>/nueva-version")
@roles_required(Role.PROFESIONAL_GD)
def new_version(vigencia: int) -> ResponseReturnValue:
    found, form = _plan(vigencia), NoteForm()
    if not form.validate_on_submit():
        _refuse(form)
    run(lambda: services.open_new_version(db.session, found, actor=current_user, reason=form.note.data or "", now=utcnow()))
    return done(_("Nueva versión del plan abierta en borrador."), url_for("gd.plan", vigencia=vigencia))


@bp.get("/plan/<int:vigencia>/versiones/<int:number>")
@roles_required(*READERS)
def plan_version(vigencia: int, number: int) -> ResponseReturnValue:
    found = _plan(vigencia)
    version = next((v for v in found.versions if v.number == number), None)
    if version is None:
        abort(404)
    return render_template(
        "gobierno_digital/plan_version.html",
        plan=found,
        version=version,
        components={c.value: c.label for c in Component},
        kinds={k.value: k.label for k in ResourceKind},
        statuses={s.value: s.label for s in ActivityStatus},
    )
