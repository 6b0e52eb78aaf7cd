"""The Mesa de Transformación Digital / Comité TIC (SPEC §6, seed "Manual de lineamientos para la Mesa"):
its members, sessions and convocations, the room (attendance, quorum, votes), actas and their
business-day deadlines, commitments, and the four-monthly report to the mayor.

Where things are: ``sessions/`` (planning, agenda, convocations with iCalendar), ``room/`` (installing the
session, attendance, quorum in ``majority.py``, votes and the casting decision in ``votes.py``),
``actas/`` (the draft, versions, sending, answers, tacit approval in ``approval.py``, signatures),
``deadlines.py`` and ``tick.py`` (business-day deadlines and the periodic check), ``commitments/``,
``reports/`` (the report to the mayor) and ``documents/`` (PDF and DOCX).
"""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    """Register the committee's tables, pages, API, tasks, commands, menu entries, panels and demo data."""
    from flask_babel import lazy_gettext as _l

    from committee import models, tasks  # noqa: F401  (the tables and the periodic task)
    from committee.actas import api as actas_api  # noqa: F401  (each API blueprint registers itself)
    from committee.actas import models as acta_models  # noqa: F401
    from committee.actas.views import bp as actas_bp
    from committee.cli import mesa_cli
    from committee.commitments import api as commitments_api  # noqa: F401
    from committee.commitments import models as commitment_models  # noqa: F401
    from committee.commitments.views import bp as commitments_bp
    from committee.dashboard import PANELS
    from committee.demo import load_committee_demo, load_session_demo
    from committee.permissions import COMMITTEE_READERS
    from committee.reports import api as reports_api  # noqa: F401
    from committee.reports.views import bp as reports_bp
    from committee.room import api as room_api  # noqa: F401
    from committee.room import models as room_models  # noqa: F401
    from committee.room.views import bp as room_bp
    from committee.sessions import api as sessions_api  # noqa: F401
    from committee.sessions.views import bp as sessions_bp
    from portal.shell import NavItem, add_demo_loader, add_nav_items, add_panels

    app.register_blueprint(Blueprint("committee_templates", __name__, template_folder="templates"))
    for bp in (sessions_bp, room_bp, actas_bp, commitments_bp, reports_bp):
        app.register_blueprint(bp)
    app.cli.add_command(mesa_cli)
    readers = frozenset(COMMITTEE_READERS)
    add_nav_items(
        app,
        NavItem("committee.plan", _l("Comité"), readers, order=120),
        NavItem("commitments.commitment_list", _l("Compromisos"), readers, order=130),
    )
    add_panels(app, PANELS)
    add_demo_loader(app, 30, load_committee_demo)
    add_demo_loader(app, 90, load_session_demo, command_only=True)
