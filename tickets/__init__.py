"""Access requests on the official forms FO-M11-P2-05, -12 and -13 (SPEC §3, §4; seed PR-M2-P6-01): filing
by the enlace, the approval chain (jefe, seguridad, líder de economía digital, the Secretario's
exception), and the provisioning in the directory that runs by itself once a request is approved."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the requests' tables, pages, API, tasks, commands, menu entries and demo data."""
    from flask_babel import lazy_gettext as _l

    from portal.roles import Role
    from portal.shell import NavItem, add_demo_loader, add_nav_items, add_panels
    from tickets import (  # noqa: F401  (the tables, the API blueprints, the views, the tasks)
        admin_api,
        api,
        models,
        provisioning_models,
        queue_views,
        tasks,
    )
    from tickets.admin_views import bp as admin_bp
    from tickets.cli import COMMAND_GROUPS
    from tickets.dashboard import PANELS
    from tickets.delegation_views import bp as delegations_bp
    from tickets.demo import load_demo
    from tickets.desk_views import bp as desk_bp
    from tickets.views import bp

    for blueprint in (bp, admin_bp, desk_bp, delegations_bp):
        app.register_blueprint(blueprint)
    from portal.health import add_queue_probe
    from tickets.provisioning import oldest_pending_job_at

    add_queue_probe("oldest_pending_job_at", oldest_pending_job_at)
    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
    requesters = frozenset(
        {Role.ENLACE, Role.JEFE, Role.SEGURIDAD, Role.APROBADOR, Role.AGENTE, Role.SECRETARIO, Role.CONTROL_INTERNO, Role.ADMIN}
    )
    add_nav_items(
        app,
        NavItem("tickets.queue", _l("Solicitudes"), requesters, order=10),
        NavItem("delegations.page", _l("Delegaciones"), frozenset({Role.JEFE, Role.SEGURIDAD, Role.APROBADOR}), order=20),
        NavItem(
            "desk.jobs",
            _l("Aprovisionamiento"),
            frozenset({Role.AGENTE, Role.ADMIN, Role.CONTROL_INTERNO, Role.SECRETARIO}),
            order=60,
        ),
        NavItem("desk.tasks", _l("Tareas manuales"), frozenset({Role.AGENTE}), order=70),
        NavItem("tickets_admin.systems", _l("Sistemas"), frozenset({Role.ADMIN, Role.CONTROL_INTERNO}), order=80),
        NavItem("tickets_admin.policies", _l("Políticas"), frozenset({Role.ADMIN, Role.CONTROL_INTERNO}), order=90),
    )
    add_panels(app, PANELS)
    add_demo_loader(app, 10, load_demo)
