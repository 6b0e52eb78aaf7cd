"""Health endpoints: ``/livez`` (the process answers), ``/readyz`` (the database answers: for load
balancers) and ``/healthz`` (each component with a Spanish reason: database, broker, directory,
the workers' heartbeat age, beat's last run, the oldest pending job and mail; for operators). Results are cached a few seconds per process so probes never pile up on a slow
component; each check has a short timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask_babel import gettext as _
from sqlalchemy import func, select, text

from portal.db import utcnow
from portal.directory import Directory, DirectorySettings, DirectoryUnavailable
from portal.extensions import db
from portal.heartbeats import workers_status
from portal.models import MailState, OutboxMail, SchedulerHeartbeat

bp = Blueprint("health", __name__)


def _check_database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "backend": db.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__, "reason": _("La base de datos no responde.")}


def _check_broker() -> dict[str, Any]:
    celery_app = current_app.extensions["celery"]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        return {"ok": True, "transport": celery_app.conf.broker_url.split(":", 1)[0]}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__, "reason": _("El broker (Redis) no responde.")}


def _check_directory() -> dict[str, Any]:
    settings = DirectorySettings.from_config(current_app.config)
    try:
        Directory(settings).ping()
        return {"ok": True, "flavor": "demo" if settings.is_mock else settings.flavor}
    except DirectoryUnavailable as exc:
        return {"ok": False, "error": str(exc)[:200], "reason": _("El directorio LDAP no responde.")}


def _eager() -> bool:
    """Tasks run inside the web process (tests, a first run): there are no workers nor beat to watch."""
    return bool(current_app.config.get("CELERY_TASK_ALWAYS_EAGER"))


def _scheduler(now: datetime) -> dict[str, Any]:
    """Beat's last run: its ``portal.heartbeat`` task runs every minute, so older means beat (or
    every worker) is down."""
    stale_after = float(current_app.config.get("BEAT_STALE_SECONDS", 180))
    try:
        row = db.session.get(SchedulerHeartbeat, "portal.heartbeat")
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return {"ok": False, "last_run_at": None, "reason": _("No se pudo leer la última ejecución del programador.")}
    at = row.last_run_at if row else None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    age = round((now - at).total_seconds(), 1) if at else None
    body: dict[str, Any] = {"last_run_at": at.isoformat() if at else None, "age_seconds": age, "stale_after_seconds": stale_after}
    body["ok"] = _eager() or (age is not None and age <= stale_after)
    if not body["ok"]:
        body["reason"] = (
            _("El programador (Celery beat) no ha registrado ninguna ejecución.")
            if age is None
            else _("El programador (Celery beat) no se ejecuta desde hace %(seconds)d s.", seconds=age)
        )
    return body


def _workers(now: datetime) -> dict[str, Any]:
    stale_after = float(current_app.config.get("WORKER_STALE_SECONDS", 90))
    try:
        body = workers_status(db.session, now, stale_after)
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return {"ok": False, "reason": _("No se pudo leer el latido de los trabajadores.")}
    if _eager():
        body.update(ok=True, eager=True)
        body.pop("reason", None)
    return body


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
    now = utcnow()
    checks = {"database": _check_database(), "broker": _check_broker(), "directory": _check_directory()}
    workers, scheduler = _workers(now), _scheduler(now)
    healthy = all(c["ok"] for c in checks.values()) and workers["ok"] and scheduler["ok"]
    body = {
        "status": "ok" if healthy else "degraded",
        "checks": checks,
        "workers": workers,
        "scheduler": scheduler,
        "queues": _queues(),
    }
    return body, 200 if healthy else 503


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    body, status = _cached("healthz", _health)
    return jsonify(body), status
