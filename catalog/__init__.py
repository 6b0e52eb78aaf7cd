"""TIC initiatives and the committee: catalogue, sessions, agenda and convocations (SPEC §6)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the catalogue's models, pages, API, navigation and dashboard panels.

    Called by the application factory before ``init_api``, so the API blueprints imported here are
    registered with the others. The navigation and the panels are module-level lists shared by
    every application of the process: they are extended once.
    """
    from flask_babel import lazy_gettext as _l

    from catalog import (  # noqa: F401  (the tables; the API blueprints append themselves to API_BLUEPRINTS;
        acta_views,  # the routes of acta_views join the room blueprint)
        api,
        committee_api,
        meeting_models,
        models,
        room_api,
    )
    from catalog.committee_views import bp as committee_bp
    from catalog.dashboard import install_panels
    from catalog.permissions import CATALOG_USERS, COMMITTEE_READERS
    from catalog.room_views import bp as room_bp
    from catalog.views import bp as catalog_bp
    from portal.views import NAV_ITEMS, NavItem

    app.register_blueprint(catalog_bp)
    app.register_blueprint(committee_bp)
    app.register_blueprint(room_bp)
    if not any(item.endpoint == "catalog.index" for item in NAV_ITEMS):
        NAV_ITEMS.extend(
            [
                NavItem("catalog.index", _l("Iniciativas"), frozenset(CATALOG_USERS)),
                NavItem("committee.plan", _l("Comité"), frozenset(COMMITTEE_READERS)),
                NavItem("room.commitment_list", _l("Compromisos"), frozenset(COMMITTEE_READERS)),
            ]
        )
    install_panels()
