"""Workers' heartbeats for /healthz (issue 15): each Celery worker process writes when it was last
alive, and /healthz reports the age of the newest one and flags it stale.

A thread in the worker's main process (the one that takes messages from the broker) writes a row
of ``scheduler_heartbeats`` named ``worker:<hostname>`` every ``WORKER_HEARTBEAT_SECONDS``, in a
connection of its own (``NullPool``: nothing shared with the pool the worker's tasks use, nothing
inherited across a fork). A worker killed with SIGKILL stops writing, so its age grows; a worker
stopped cleanly deletes its row. A periodic task would not do: it proves that *some* worker ran it
and needs beat too, while this says which workers are alive even when beat is down.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import create_engine, delete, insert, select, update
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from portal.db import utcnow
from portal.models import SchedulerHeartbeat

log = logging.getLogger(__name__)

PREFIX = "worker:"


def _engine(url: str | URL) -> Any:
    return create_engine(url, poolclass=NullPool)


def record_worker_heartbeat(url: str | URL, hostname: str, now: datetime | None = None) -> None:
    """Write that the worker ``hostname`` is alive now."""
    name, at = f"{PREFIX}{hostname}"[:120], now or utcnow()
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            table = SchedulerHeartbeat.__table__
            updated = conn.execute(update(table).where(table.c.task_name == name).values(last_run_at=at))
            if not getattr(updated, "rowcount", 0):
                conn.execute(insert(table).values(task_name=name, last_run_at=at))
    finally:
        engine.dispose()


def forget_worker(url: str | URL, hostname: str) -> None:
    """A worker stopped cleanly is gone, not stale."""
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            table = SchedulerHeartbeat.__table__
            conn.execute(delete(table).where(table.c.task_name == f"{PREFIX}{hostname}"[:120]))
    finally:
        engine.dispose()


class WorkerHeartbeat:
    """The thread that writes one worker's heartbeat until the worker stops."""

    def __init__(self, url: str | URL, hostname: str, interval: float) -> None:
        self.url, self.hostname, self.interval = url, hostname, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def _beat(self) -> None:
        try:
            record_worker_heartbeat(self.url, self.hostname)
        except Exception:  # noqa: BLE001 - the database may be away: /healthz will show the age
            log.warning("worker heartbeat not written (database unavailable)")

    def _run(self) -> None:
        self._beat()
        while not self._stop.wait(self.interval):
            self._beat()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            forget_worker(self.url, self.hostname)
        except Exception:  # noqa: BLE001
            log.warning("worker heartbeat not removed (database unavailable)")


_RUNNING: dict[str, WorkerHeartbeat] = {}


def _worker_ready(sender: Any = None, **_kwargs: Any) -> None:
    app: Flask | None = getattr(getattr(sender, "app", None), "flask_app", None)
    if app is None:
        return
    with app.app_context():
        from portal.extensions import db

        url = db.engine.url
    beat = WorkerHeartbeat(url, str(sender.hostname), float(app.config.get("WORKER_HEARTBEAT_SECONDS", 30)))
    _RUNNING[beat.hostname] = beat
    beat.start()


def _worker_shutdown(sender: Any = None, **_kwargs: Any) -> None:
    beat = _RUNNING.pop(str(getattr(sender, "hostname", "")), None)
    if beat is not None:
        beat.stop()


def connect_worker_heartbeat() -> None:
    """Start the heartbeat when a worker is ready (its Celery app carries ``flask_app``); stop it
    at shutdown. Connected once per process."""
    from celery import signals

    signals.worker_ready.connect(_worker_ready, weak=False, dispatch_uid="mesatic.worker_heartbeat")
    signals.worker_shutdown.connect(_worker_shutdown, weak=False, dispatch_uid="mesatic.worker_heartbeat")


def _age(at: datetime | None, now: datetime) -> float | None:
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=now.tzinfo)
    return round((now - at).total_seconds(), 1)


def workers_status(session: Any, now: datetime, stale_after: float) -> dict[str, Any]:
    """Each worker seen in the last day with its heartbeat's age; down when none is fresh."""
    rows = session.execute(
        select(SchedulerHeartbeat).where(
            SchedulerHeartbeat.task_name.startswith(PREFIX),
            SchedulerHeartbeat.last_run_at >= now - timedelta(days=1),
        )
    ).scalars()
    ages = {row.task_name.removeprefix(PREFIX): _age(row.last_run_at, now) for row in rows}
    alive = sorted(name for name, age in ages.items() if age is not None and age <= stale_after)
    newest = min((a for a in ages.values() if a is not None), default=None)
    body: dict[str, Any] = {
        "ok": bool(alive),
        "alive": len(alive),
        "heartbeat_age_seconds": newest,
        "stale_after_seconds": stale_after,
        "workers": ages,
    }
    if not ages:
        body["reason"] = _("Ningún trabajador (Celery) ha registrado señales de vida.")
    elif not alive:
        body["reason"] = _("Ningún trabajador (Celery) da señales de vida desde hace %(seconds)d s.", seconds=newest or 0)
    return body
