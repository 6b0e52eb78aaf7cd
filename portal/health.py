"""``GET /healthz``: the database, the broker and the directory, for load balancers and operators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from portal.directory import Directory, DirectorySettings, DirectoryUnavailable
from portal.extensions import db
from portal.models import SchedulerHeartbeat

bp = Blueprint("health", __name__)


def _check_database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "backend": db.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def _check_broker() -> dict[str, Any]:
    celery_app = current_app.extensions["celery"]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        return {"ok": True, "transport": celery_app.conf.broker_url.split(":", 1)[0]}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}


def _check_directory() -> dict[str, Any]:
    settings = DirectorySettings.from_config(current_app.config)
    try:
        Directory(settings).ping()
        return {"ok": True, "flavor": "demo" if settings.is_mock else settings.flavor}
    except DirectoryUnavailable as exc:
        return {"ok": False, "error": str(exc)[:200]}


def _scheduler() -> dict[str, Any]:
    try:
        row = db.session.get(SchedulerHeartbeat, "portal.heartbeat")
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return {"last_run_at": None}
    return {"last_run_at": row.last_run_at.isoformat() if row else None}


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    checks = {"database": _check_database(), "broker": _check_broker(), "directory": _check_directory()}
    healthy = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if healthy else "degraded", "checks": checks, "scheduler": _scheduler()}
    return jsonify(body), 200 if healthy else 503
