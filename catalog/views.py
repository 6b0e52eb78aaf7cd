"""Web pages of the initiative catalogue: the list with filters and export, the card, its actions,
and the public catalogue of approved initiatives (no login, no personal data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from catalog import execution, permissions, services
from catalog.forms import DocumentForm, FinishForm, InitiativeForm, ProgressForm, ReasonForm
from catalog.models import PUBLIC_STATES, Enabler, FundingSource, Initiative, InitiativeDocument, InitiativeState
from catalog.queries import PAGE_SIZE, CatalogFilters, catalog_query, public_query
from committee import permissions as committee_permissions
from committee.models import AgendaItem, CommitteeSession
from portal.clock import local_date
from portal.db import utcnow
from portal.downloads import send_stored_file
from portal.errors import DomainError, ValidationFailed
from portal.extensions import db
from portal.listing import enum_arg, int_arg, paginate, search_arg
from portal.models import Dependency
from portal.permissions import roles_required
from portal.roles import Role
from portal.uploads import check_upload
from portal.web import save_form

bp = Blueprint("catalog", __name__, template_folder="templates")

CATALOG_ROLES = tuple(sorted(permissions.CATALOG_USERS))


def _load(initiative_id: int) -> Initiative:
    initiative = services.load_initiative_page(db.session, initiative_id)
    if initiative is None:
        abort(404)
    if not permissions.can_view_initiative(current_user, initiative):
        abort(403)
    return initiative


def filters_from_args(args: Any) -> CatalogFilters:
    peti = args.get("peti", "")
    return CatalogFilters(
        dependency_id=int_arg(args, "dependencia"),
        state=enum_arg(args, "estado", InitiativeState),
        enabler=enum_arg(args, "habilitador", Enabler),
        in_peti=True if peti == "si" else False if peti == "no" else None,
        year=int_arg(args, "anio"),
        text=search_arg(args),
    )


def _filter_choices() -> dict[str, Any]:
    visible = permissions.catalog_dependency_ids(current_user)
    query = select(Dependency).order_by(Dependency.name)
    if visible is not None:
        query = query.where(Dependency.id.in_(visible))
    years = db.session.execute(select(Initiative.year).distinct().order_by(Initiative.year.desc())).scalars().all()
    today_year = local_date(utcnow()).year
    return {
        "dependencies": db.session.execute(query).scalars().all(),
        "states": list(InitiativeState),
        "enablers": list(Enabler),
        "years": sorted(set(years) | {today_year}, reverse=True),
    }


@bp.get("/iniciativas")
@roles_required(*CATALOG_ROLES)
def index():  # type: ignore[no-untyped-def]
    filters = filters_from_args(request.args)
    page = paginate(catalog_query(current_user, filters), per_page=PAGE_SIZE)
    return render_template(
        "catalog/index.html",
        page=page,
        filters=filters,
        can_register=permissions.can_register_initiatives(current_user),
        **_filter_choices(),
    )


@bp.get("/iniciativas/exportar.xlsx")
@roles_required(*CATALOG_ROLES)
def export() -> Response:
    from catalog.exports import initiatives_xlsx

    filters = filters_from_args(request.args)
    initiatives = db.session.execute(catalog_query(current_user, filters)).scalars().all()
    now = utcnow()
    profile = current_app.config["PROFILE"]
    content = initiatives_xlsx(initiatives, title=f"Catálogo de iniciativas TIC · {profile.entity_name}", generated_at=now)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_stored_file(content, f"catalogo-iniciativas-{local_date(now):%Y%m%d}.xlsx", xlsx)


def _prepare(form: InitiativeForm) -> None:
    dependency_ids = sorted(current_user.scoped_dependency_ids(Role.ENLACE))
    dependencies = db.session.execute(
        select(Dependency).where(Dependency.id.in_(dependency_ids)).order_by(Dependency.name)
    ).scalars()
    form.dependency_id.choices = [(d.id, d.name) for d in dependencies]


def _data(form: InitiativeForm) -> services.InitiativeData:
    return services.InitiativeData(
        dependency_id=form.dependency_id.data,
        title=form.title.data or "",
        description=form.description.data or "",
        objective=form.objective.data or "",
        enablers=[Enabler(v) for v in form.enablers.data or []],
        is_in_peti=bool(form.is_in_peti.data),
        estimated_budget=form.estimated_budget.data,
        funding_source=FundingSource(form.funding_source.data) if form.funding_source.data else None,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        sponsor=form.sponsor.data,
    )


@bp.route("/iniciativas/nueva", methods=["GET", "POST"], defaults={"initiative_id": None})
@bp.route("/iniciativas/<int:initiative_id>/editar", methods=["GET", "POST"])
@roles_required(Role.ENLACE)
def edit(initiative_id: int | None):  # type: ignore[no-untyped-def]
    initiative = _load(initiative_id) if initiative_id else None
    if initiative is not None and not permissions.can_edit_initiative(current_user, initiative):
        abort(403)
    form = InitiativeForm(obj=initiative)
    _prepare(form)
    if initiative is not None and not form.is_submitted():
        form.enablers.data = [e.value for e in initiative.enablers]
        form.funding_source.data = initiative.funding_source.value if initiative.funding_source else ""
    status = 200
    if form.validate_on_submit():
        now = utcnow()

        def save() -> Initiative:
            if initiative is None:
                return services.create_initiative(db.session, actor=current_user, data=_data(form), now=now)
            return services.update_initiative(db.session, initiative, actor=current_user, data=_data(form), now=now)

        outcome = save_form(
            form,
            save,
            success=lambda saved: _("Iniciativa %(code)s guardada.", code=saved.code),
            target=lambda saved: url_for("catalog.detail", initiative_id=saved.id),
        )
        if not isinstance(outcome, int):
            return outcome
        status = outcome
    elif form.is_submitted():
        status = 400
    return render_template("catalog/form.html", form=form, initiative=initiative), status


@bp.get("/iniciativas/<int:initiative_id>")
@roles_required(*CATALOG_ROLES)
def detail(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load(initiative_id)
    agendas = db.session.execute(
        select(CommitteeSession, AgendaItem)
        .join(AgendaItem, AgendaItem.session_id == CommitteeSession.id)
        .where(AgendaItem.initiative_id == initiative.id)
        .order_by(CommitteeSession.starts_at.desc())
    ).all()
    user = current_user
    return render_template(
        "catalog/detail.html",
        ini=initiative,
        agendas=agendas,
        can_see_sessions=committee_permissions.can_view_sessions(user),
        actions={
            "edit": permissions.can_edit_initiative(user, initiative),
            "postulate": permissions.can_request_postulation(user, initiative),
            "confirm": permissions.can_confirm_postulation(user, initiative),
            "attach": permissions.can_attach_document(user, initiative),
            "start": permissions.can_start_execution(user, initiative),
            "progress": permissions.can_report_progress(user, initiative),
        },
        reason_form=ReasonForm(),
        document_form=DocumentForm(),
        progress_form=ProgressForm(reported_on=local_date(utcnow())),
        finish_form=FinishForm(),
    )


def _run(initiative_id: int, action: Callable[[Initiative], Any], success: str) -> ResponseReturnValue:
    initiative = _load(initiative_id)
    try:
        action(initiative)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("catalog.detail", initiative_id=initiative_id), code=303)


@bp.post("/iniciativas/<int:initiative_id>/postular")
@roles_required(Role.ENLACE)
def postulate(initiative_id: int) -> ResponseReturnValue:
    initiative = _load(initiative_id)
    try:
        services.request_postulation(db.session, initiative, actor=current_user, now=utcnow())
    except ValidationFailed as exc:
        db.session.rollback()
        missing = "; ".join(m for messages in exc.fields.values() for m in messages)
        flash(f"{exc.message} {missing}".strip(), "danger")
        return redirect(url_for("catalog.detail", initiative_id=initiative_id), code=303)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("Postulación enviada al jefe de la dependencia para su confirmación."), "success")
    return redirect(url_for("catalog.detail", initiative_id=initiative_id), code=303)


@bp.post("/iniciativas/<int:initiative_id>/confirmar")
@roles_required(Role.JEFE)
def confirm(initiative_id: int) -> ResponseReturnValue:
    return _run(
        initiative_id,
        lambda i: services.confirm_postulation(db.session, i, actor=current_user, now=utcnow()),
        _("Postulación confirmada: la iniciativa quedó postulada al comité."),
    )


@bp.post("/iniciativas/<int:initiative_id>/devolver")
@roles_required(Role.JEFE)
def return_postulation(initiative_id: int) -> ResponseReturnValue:
    form = ReasonForm()
    form.validate_on_submit()
    return _run(
        initiative_id,
        lambda i: services.return_postulation(db.session, i, actor=current_user, reason=form.reason.data, now=utcnow()),
        _("Postulación devuelta al enlace."),
    )


@bp.post("/iniciativas/<int:initiative_id>/iniciar")
@roles_required(Role.ENLACE)
def start(initiative_id: int) -> ResponseReturnValue:
    return _run(
        initiative_id,
        lambda i: execution.start_execution(db.session, i, actor=current_user, now=utcnow()),
        _("La iniciativa quedó en ejecución."),
    )


@bp.post("/iniciativas/<int:initiative_id>/avances")
@roles_required(Role.ENLACE)
def progress(initiative_id: int) -> ResponseReturnValue:
    form = ProgressForm()
    if not form.validate_on_submit():
        errors = "; ".join(str(m) for messages in form.errors.values() for m in messages)
        flash(_("Revise el reporte de avance: %(errors)s", errors=errors), "danger")
        return redirect(url_for("catalog.detail", initiative_id=initiative_id), code=303)
    return _run(
        initiative_id,
        lambda i: execution.report_progress(
            db.session,
            i,
            actor=current_user,
            reported_on=form.reported_on.data,
            percent=int(form.percent.data or 0),
            indicators=form.indicators.data,
            risks=form.risks.data,
            now=utcnow(),
        ),
        _("Avance registrado."),
    )


@bp.post("/iniciativas/<int:initiative_id>/finalizar")
@roles_required(Role.ENLACE)
def finish(initiative_id: int) -> ResponseReturnValue:
    form = FinishForm()
    form.validate_on_submit()
    return _run(
        initiative_id,
        lambda i: execution.finish_initiative(db.session, i, actor=current_user, note=form.note.data, now=utcnow()),
        _("Iniciativa finalizada."),
    )


@bp.post("/iniciativas/<int:initiative_id>/documentos")
@roles_required(Role.ENLACE)
def upload(initiative_id: int) -> ResponseReturnValue:
    form = DocumentForm()
    if not form.validate_on_submit():
        flash(_("Seleccione un archivo PDF."), "danger")
        return redirect(url_for("catalog.detail", initiative_id=initiative_id), code=303)
    file = form.file.data
    checked = check_upload(file.filename or "documento.pdf", file.read())
    return _run(
        initiative_id,
        lambda i: services.add_document(db.session, i, actor=current_user, file=checked, now=utcnow()),
        _("Documento adjuntado."),
    )


@bp.get("/iniciativas/<int:initiative_id>/documentos/<int:document_id>")
@roles_required(*CATALOG_ROLES)
def download(initiative_id: int, document_id: int) -> Response:
    _load(initiative_id)
    document = db.session.get(InitiativeDocument, document_id)
    if document is None or document.initiative_id != initiative_id:
        abort(404)
    return send_stored_file(document.content, document.filename, document.content_type)


@bp.get("/catalogo-publico")
def public():  # type: ignore[no-untyped-def]
    """The entity's approved TIC initiatives for citizens: no login, no names, no documents."""
    filters = filters_from_args(request.args)
    page = paginate(public_query(filters), per_page=PAGE_SIZE)
    dependencies = db.session.execute(
        select(Dependency)
        .where(Dependency.id.in_(select(Initiative.dependency_id).where(Initiative.state.in_(PUBLIC_STATES))))
        .order_by(Dependency.name)
    ).scalars()
    return render_template(
        "catalog/public.html",
        page=page,
        filters=filters,
        dependencies=list(dependencies),
        enablers=list(Enabler),
        states=[s for s in InitiativeState if s in PUBLIC_STATES],
    )
