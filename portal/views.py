"""Web pages of the portal package: the dashboard, the organisation, the privacy notice."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal import permissions, services
from portal.clock import BOGOTA
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import DependencyForm
from portal.models import Dependency, DependencyKind, User
from portal.permissions import roles_required
from portal.roles import Role
from portal.shell import NavItem, Panel, menu, shell

bp = Blueprint("portal", __name__)


#: What each role finds on its dashboard until its domain package installs the real panel (by key).
DASHBOARD_PANELS: dict[Role, list[Panel]] = {
    Role.ENLACE: [
        Panel("mis_solicitudes", _l("Mis solicitudes"), _l("Solicitudes de acceso que radicó para su dependencia.")),
        Panel("iniciativas", _l("Iniciativas TIC de la dependencia"), _l("Proyectos registrados y postulados al comité.")),
    ],
    Role.JEFE: [
        Panel("por_firmar", _l("Solicitudes por firmar"), _l("Solicitudes de su dependencia que esperan su firma.")),
        Panel("enlace", _l("Enlace TIC designado"), _l("Designación vigente y transferencias de conocimiento.")),
    ],
    Role.APROBADOR: [Panel("por_aprobar", _l("Por aprobar"), _l("Solicitudes que esperan su aprobación."))],
    Role.SEGURIDAD: [Panel("por_aprobar", _l("Cambios de rol por revisar"), _l("Solicitudes FO-M11-P2-13 en su paso."))],
    Role.AGENTE: [
        Panel("cola", _l("Cola de la mesa de servicio"), _l("Solicitudes aprobadas en ejecución y tareas manuales.")),
        Panel("aprovisionamiento", _l("Aprovisionamiento"), _l("Trabajos del directorio pendientes o fallidos.")),
    ],
    Role.SECRETARIO: [
        Panel("ans", _l("Cumplimiento de ANS"), _l("Indicadores del Manual ANS del periodo.")),
        Panel("cobertura", _l("Cobertura de enlaces TIC"), _l("Dependencias con y sin enlace vigente.")),
    ],
    Role.SECRETARIA_TECNICA: [
        Panel("sesiones", _l("Sesiones del comité"), _l("Próximas sesiones, convocatorias y actas.")),
        Panel("compromisos", _l("Compromisos"), _l("Compromisos abiertos y vencidos.")),
    ],
    Role.INTEGRANTE: [
        Panel("sesiones", _l("Próximas sesiones"), _l("Sesiones a las que está convocado.")),
        Panel("actas", _l("Actas por revisar"), _l("Proyectos de acta para aprobar u observar.")),
    ],
    Role.CONTROL_INTERNO: [
        Panel("auditoria", _l("Trazabilidad"), _l("Eventos de auditoría y su verificación.")),
        Panel("compromisos_vencidos", _l("Compromisos vencidos"), _l("Incumplimientos reportados por el comité.")),
    ],
    Role.ADMIN: [
        Panel("dependencias", _l("Dependencias"), _l("Organización, jefes y estado.")),
        Panel("configuracion", _l("Configuración"), _l("Calendarios, ANS, políticas de aprobación y sistemas.")),
    ],
}


#: The shell's own menu entries; domain packages add theirs (``portal.shell.add_nav_items``).
NAV_ITEMS = (
    NavItem("portal.dashboard", _l("Inicio"), order=0),
    NavItem("portal.dependency_list", _l("Dependencias"), order=30),
    NavItem("portal.audit_log", _l("Auditoría"), frozenset({Role.ADMIN, Role.CONTROL_INTERNO}), order=50),
    NavItem("account.users", _l("Usuarios"), frozenset({Role.ADMIN}), order=55),
)


AUDIT_PAGE_SIZE = 50


@bp.app_context_processor
def navigation() -> dict[str, object]:
    def nav_items() -> list[dict[str, object]]:
        if not current_user.is_authenticated:
            return []
        endpoint = request.endpoint
        return [
            {"url": url, "label": label, "active": endpoint == item_endpoint}
            for item_endpoint, url, label in menu(frozenset(current_user.roles), request.script_root)
        ]

    return {"nav_items": nav_items}


@bp.get("/")
@roles_required()
def dashboard():  # type: ignore[no-untyped-def]
    panels = shell().panels
    sections = [(role, panels.get(role, [])) for role in Role if role in current_user.roles]
    return render_template("portal/dashboard.html", sections=sections)


@bp.get("/privacidad")
def privacy():  # type: ignore[no-untyped-def]
    return render_template("portal/privacy.html")


@bp.get("/dependencias")
@roles_required()
def dependency_list():  # type: ignore[no-untyped-def]
    query = select(Dependency).order_by(Dependency.name)
    visible = permissions.visible_dependency_ids(current_user)
    if visible is not None:
        query = query.where(Dependency.id.in_(visible))
    dependencies = db.session.execute(query).scalars().all()
    return render_template(
        "portal/dependency_list.html",
        dependencies=dependencies,
        can_manage=permissions.can_manage_dependencies(current_user),
    )


@bp.get("/dependencias/<int:dependency_id>")
@roles_required()
def dependency_detail(dependency_id: int):  # type: ignore[no-untyped-def]
    dependency = db.get_or_404(Dependency, dependency_id)
    if not permissions.can_view_dependency(current_user, dependency):
        abort(403)
    return render_template(
        "portal/dependency_detail.html",
        dependency=dependency,
        can_manage=permissions.can_manage_dependencies(current_user),
    )


def _head_choices() -> list[SelectChoice]:
    users = db.session.execute(select(User).where(User.is_active_account.is_(True)).order_by(User.full_name)).scalars()
    return [SelectChoice("0", _("— Sin asignar —"))] + [SelectChoice(str(u.id), f"{u.full_name} ({u.username})") for u in users]


@bp.route("/dependencias/nueva", methods=["GET", "POST"], defaults={"dependency_id": None})
@bp.route("/dependencias/<int:dependency_id>/editar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def dependency_edit(dependency_id: int | None):  # type: ignore[no-untyped-def]
    dependency = db.get_or_404(Dependency, dependency_id) if dependency_id else None
    form = DependencyForm(obj=dependency)
    form.head_id.choices = _head_choices()
    if dependency is not None and not form.is_submitted():
        form.kind.data = dependency.kind.value
        form.head_id.data = dependency.head_id or 0
    if form.validate_on_submit():
        data = services.DependencyData(
            code=form.code.data or "",
            name=form.name.data or "",
            kind=DependencyKind(form.kind.data),
            head_id=form.head_id.data or None,
            is_active=bool(form.is_active.data),
        )
        try:
            saved = services.save_dependency(db.session, actor=current_user, data=data, dependency=dependency)
        except DomainError as exc:
            db.session.rollback()
            for name, messages in exc.fields.items():
                getattr(form, name).errors = list(messages)
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Dependencia guardada."), "success")
            return redirect(url_for("portal.dependency_detail", dependency_id=saved.id))
    status = 422 if form.is_submitted() else 200
    return render_template("portal/dependency_form.html", form=form, dependency=dependency), status


@bp.get("/auditoria")
@roles_required(Role.ADMIN, Role.CONTROL_INTERNO)
def audit_log():  # type: ignore[no-untyped-def]
    """The audit trail, newest first, filtered by who, what, object and dates (the filters stay in the
    URL), with readable names, links to the objects and the chain's verification on demand."""
    from portal.audit import verify_chain
    from portal.audit_log import AuditFilters, action_choices, object_labels
    from portal.audit_names import OBJECT_NAMES, OBJECT_PAGES, action_name
    from portal.listing import paginate

    filters = AuditFilters.from_args(request.args)
    page = paginate(filters.query(), per_page=AUDIT_PAGE_SIZE)
    problem = verify_chain(db.session) if request.args.get("verificar") else None
    return render_template(
        "portal/audit_log.html",
        page=page,
        filters=filters,
        actions=action_choices(),
        object_types=sorted(OBJECT_NAMES.items(), key=lambda item: str(item[1])),
        object_pages=OBJECT_PAGES,
        action_name=action_name,
        object_labels=object_labels(list(page.items)),
        verified=bool(request.args.get("verificar")),
        problem=problem,
    )


@bp.get("/auditoria.xlsx")
@roles_required(Role.ADMIN, Role.CONTROL_INTERNO)
def audit_export() -> Response:
    """The filtered events as a workbook (at most ``EXPORT_LIMIT`` rows)."""
    from portal.audit_log import AuditFilters, export_workbook
    from portal.db import utcnow
    from portal.downloads import send_stored_file

    now = utcnow()
    data = export_workbook(AuditFilters.from_args(request.args), now=now)
    name = f"auditoria-{now.astimezone(BOGOTA):%Y%m%d-%H%M}.xlsx"
    return send_stored_file(data, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
