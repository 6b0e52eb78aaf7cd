"""Health endpoints: ``/livez`` (the process answers), ``/readyz`` (the database answers: for load
balancers) and ``/healthz`` (each component with a Spanish reason, the scheduler and the outboxes,
for operators). Results are cached a few seconds per process so probes never pile up on a slow
component; each check has a short timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text

from portal.directory import Directory, DirectorySettings, DirectoryUnavailable
from portal.extensions import db
from portal.models import MailState, OutboxMail, SchedulerHeartbeat

bp = Blueprint("health", __name__)


def _check_database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "backend": db.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__, "reason": "La base de datos no responde."}


def _check_broker() -> dict[str, Any]:
    celery_app = current_app.extensions["celery"]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        return {"ok": True, "transport": celery_app.conf.broker_url.split(":", 1)[0]}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__, "reason": "El broker (Redis) no responde."}


def _check_directory() -> dict[str, Any]:
    settings = DirectorySettings.from_config(current_app.config)
    try:
        Directory(settings).ping()
        return {"ok": True, "flavor": "demo" if settings.is_mock else settings.flavor}
    except DirectoryUnavailable as exc:
        return {"ok": False, "error": str(exc)[:200], "reason": "El directorio LDAP no responde."}


def _scheduler() -> dict[str, Any]:
    try:
        row = db.session.get(SchedulerHeartbeat, "portal.heartbeat")
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return {"last_run_at": None}
    return {"last_run_at": row.last_run_at.isoformat() if row else None}


def _oldest(column: Any, *conditions: Any) -> str | None:
    value = db.session.execute(select(func.min(column)).where(*conditions)).scalar()
    return value.isoformat() if value else None


#: the oldest waiting item of each domain's queue (name -> a function returning an instant or None),
#: added by the domain packages: a growing age means workers or the sweeper are not running
QUEUE_PROBES: dict[str, Callable[[], datetime | None]] = {}


def add_queue_probe(name: str, probe: Callable[[], datetime | None]) -> None:
    QUEUE_PROBES[name] = probe


def _queues() -> dict[str, Any]:
    try:
        queues: dict[str, Any] = {
            "oldest_pending_mail_at": _oldest(
                OutboxMail.created_at, OutboxMail.state.in_([MailState.PENDIENTE, MailState.ENVIANDO])
            ),
            "failed_mails": db.session.execute(
                select(func.count()).select_from(OutboxMail).where(OutboxMail.state == MailState.FALLIDO)
            ).scalar_one(),
        }
        for name, probe in QUEUE_PROBES.items():
            value = probe()
            queues[name] = value.isoformat() if value else None
        return queues
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return {}


def _cached(name: str, compute: Any) -> Any:
    cache = current_app.extensions.setdefault("mesatic_health", {})
    now = time.monotonic()
    hit = cache.get(name)
    if hit and now - hit[0] < float(current_app.config.get("HEALTH_CACHE_SECONDS", 10)):
        return hit[1]
    value = compute()
    cache[name] = (now, value)
    return value


@bp.get("/livez")
def livez():  # type: ignore[no-untyped-def]
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    check = _cached("readyz", _check_database)
    return jsonify({"status": "ok" if check["ok"] else "unavailable", "database": check}), 200 if check["ok"] else 503


def _health() -> tuple[dict[str, Any], int]:
    checks = {"database": _check_database(), "broker": _check_broker(), "directory": _check_directory()}
    healthy = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if healthy else "degraded", "checks": checks, "scheduler": _scheduler(), "queues": _queues()}
    return body, 200 if healthy else 503


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    body, status = _cached("healthz", _health)
    return jsonify(body), status
