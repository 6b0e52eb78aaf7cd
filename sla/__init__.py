"""The ANS (SLA) engine (SPEC §5, seed PR-M2-P6-01 "Manual ANS"): business-time calendars with Colombian
holidays, timers per request and approval step, notices at 75/100/150 %, and the Secretario's reports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ANS tables, pages, API, tasks, commands and menu entries."""
    from flask_babel import lazy_gettext as _l

    from portal.shell import NavItem, add_nav_items
    from sla import api, models, tasks  # noqa: F401  (the tables, the API blueprints, the tick)
    from sla.cli import report_cli, sla_cli
    from sla.permissions import REPORT_ROLES, SETTINGS_READERS
    from sla.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(sla_cli)
    app.cli.add_command(report_cli)
    add_nav_items(
        app,
        NavItem("sla.reports", _l("Informes ANS"), REPORT_ROLES, order=140),
        NavItem("sla.targets", _l("Metas ANS"), SETTINGS_READERS, order=150),
        NavItem("sla.calendar", _l("Calendario"), SETTINGS_READERS, order=160),
    )
