"""Enlaces TIC (SPEC §2, seed PR-M2-P6-01 "Designar un servidor público enlace TIC"): each dependency
designates its liaison by administrative act, one in force at a time, with history, the knowledge
transfer (handover) when it changes, and the coverage of dependencies without one."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the designations' tables, pages, API, menu entry and demo data."""
    from flask_babel import lazy_gettext as _l

    from enlaces import api, models, tasks  # noqa: F401  (the tables, the API blueprint, the daily task)
    from enlaces.cli import enlaces_cli
    from enlaces.demo import load_demo
    from enlaces.views import bp
    from portal.roles import Role
    from portal.shell import NavItem, add_demo_loader, add_nav_items

    app.register_blueprint(bp)
    app.cli.add_command(enlaces_cli)
    add_nav_items(
        app,
        NavItem(
            "designations.coverage_page",
            _l("Enlaces TIC"),
            frozenset({Role.SECRETARIO, Role.ADMIN, Role.CONTROL_INTERNO}),
            order=40,
        ),
    )
    add_demo_loader(app, 20, load_demo)
