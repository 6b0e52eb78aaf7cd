"""Celery bound to the Flask application (Flask's Celery pattern).

Periodic tasks are declared next to their task with ``periodic(...)``; the worker started with
``-B`` (``make run``) or a separate ``celery beat`` (production) runs them. The embedded default
broker is a SQLite file under ``instance/`` (kombu's SQLAlchemy transport): no server needed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import Celery, Task
from flask import Flask

#: beat entries collected from every domain's tasks module: name -> (task name, schedule)
PERIODIC: dict[str, dict[str, Any]] = {}


def periodic(schedule: timedelta | float, name: str | None = None) -> Callable[[Any], Any]:
    """Register a Celery task for beat, next to its definition."""

    def decorator(task: Any) -> Any:
        PERIODIC[name or task.name] = {"task": task.name, "schedule": schedule}
        return task

    return decorator


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            from portal.audit import source_address

            with app.app_context():
                source_address.set("tarea")
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=app.config["CELERY_BROKER_URL"],
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_always_eager=app.config.get("CELERY_TASK_ALWAYS_EAGER", False),
        task_eager_propagates=True,
        timezone="America/Bogota",
        enable_utc=True,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        task_publish_retry=False,
        beat_schedule_filename=str(app.instance_path) + "/celerybeat-schedule",
    )
    if celery_app.conf.broker_url.startswith(("redis://", "rediss://")):
        # a task not acknowledged within the hour (worker died) is delivered again
        celery_app.conf.broker_transport_options = {
            "visibility_timeout": 3600,
            # publishing gives up fast when Redis is down: the outbox rows wait for the sweeper
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        }
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    celery_app.autodiscover_tasks(lambda: [], force=True)
    __import__("portal.tasks")
    from portal.heartbeats import connect_worker_heartbeat

    celery_app.flask_app = app
    connect_worker_heartbeat()
    return celery_app


def schedule_periodic_tasks(app: Flask) -> None:
    """Give beat every periodic task, once each domain package has imported its tasks."""
    app.extensions["celery"].conf.beat_schedule = dict(PERIODIC)
