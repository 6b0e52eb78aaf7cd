"""The one blueprint of the plan's pages (``/gobierno-digital``); each sub-package's ``views`` adds its routes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("gd", __name__, url_prefix="/gobierno-digital", template_folder="templates", static_folder="static")


@bp.context_processor
def reader_flag() -> dict[str, bool]:
    """Whether to show the plan's section tabs: only to those who may open every section."""
    from flask_login import current_user

    from gobierno_digital.permissions import can_read

    return {"gd_is_reader": bool(current_user.is_authenticated and can_read(current_user))}
