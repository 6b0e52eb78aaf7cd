"""The catalogue of TIC initiatives (SPEC §6): the entity's inventory of TIC projects and services, from
registration and postulation by the dependency (seed Mesa §3) to execution, and the public catalogue."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the catalogue's tables, pages, API, menu entry and home-page panels."""
    from flask_babel import lazy_gettext as _l

    from catalog import api, models  # noqa: F401  (the tables; the API blueprint registers itself)
    from catalog.dashboard import PANELS
    from catalog.permissions import CATALOG_USERS
    from catalog.views import bp
    from portal.shell import NavItem, add_nav_items, add_panels

    app.register_blueprint(bp)
    add_nav_items(app, NavItem("catalog.index", _l("Iniciativas"), frozenset(CATALOG_USERS), order=110))
    add_panels(app, PANELS)
