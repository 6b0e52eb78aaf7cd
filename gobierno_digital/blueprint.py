"""The one blueprint of the plan's pages (``/gobierno-digital``); each sub-package's ``views`` adds its routes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("gd", __name__, url_prefix="/gobierno-digital", template_folder="templates", static_folder="static")
