"""The Gobierno Digital implementation plan (procedure PR-M2-P6-01, activities 0–9; issue 19): from
the FURAG scores to the supervision reports, and the enlaces' standing duties."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the plan's tables, pages, API, menu entries, home-page panels, CLI group, periodic task and demo data."""
    from flask_babel import lazy_gettext as _l

    from gobierno_digital import models, tasks  # noqa: F401  (the tables; the periodic task)
    from gobierno_digital import views as _dashboard_views  # noqa: F401  (the routes join ``bp``)
    from gobierno_digital.blueprint import bp
    from gobierno_digital.cli import gd_cli
    from gobierno_digital.dashboard import PANELS
    from gobierno_digital.demo import load_demo
    from gobierno_digital.duties import api as _duties_api  # noqa: F401  (API blueprints append themselves)
    from gobierno_digital.duties import views as _duties_views  # noqa: F401
    from gobierno_digital.evaluations import api as _evaluations_api  # noqa: F401
    from gobierno_digital.evaluations import views as _evaluations_views  # noqa: F401
    from gobierno_digital.indicators import api as _indicators_api  # noqa: F401
    from gobierno_digital.indicators import views as _indicators_views  # noqa: F401
    from gobierno_digital.permissions import GD_READERS
    from gobierno_digital.plan import api as _plan_api  # noqa: F401
    from gobierno_digital.plan import views as _plan_views  # noqa: F401
    from gobierno_digital.projects import views as _projects_views  # noqa: F401
    from gobierno_digital.risks import api as _risks_api  # noqa: F401
    from gobierno_digital.risks import views as _risks_views  # noqa: F401
    from gobierno_digital.supervision import api as _supervision_api  # noqa: F401
    from gobierno_digital.supervision import views as _supervision_views  # noqa: F401
    from portal.roles import Role
    from portal.shell import NavItem, add_demo_loader, add_nav_items, add_panels

    app.register_blueprint(bp)
    add_nav_items(
        app,
        NavItem("gd.dashboard", _l("Gobierno Digital"), frozenset(GD_READERS), order=170),
        NavItem("gd.duties", _l("Deberes TIC"), frozenset({Role.ENLACE}), order=180),
    )
    add_panels(app, PANELS)
    app.cli.add_command(gd_cli)
    add_demo_loader(app, 40, load_demo)
