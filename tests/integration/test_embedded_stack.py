"""`make run`'s embedded defaults: a real worker on the SQLite-backed broker and SQLite database."""

from __future__ import annotations

import shutil

from portal import create_app
from portal.extensions import db
from portal.models import SchedulerHeartbeat
from tests.conftest import app_config
from tests.fixtures.stack import ROOT, CeleryWorker, wait_until


def test_worker_with_beat_runs_tasks_on_the_embedded_broker(tmp_path, demo_sqlite_template):
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(demo_sqlite_template, instance / "mesatic.sqlite")
    database = f"sqlite:///{instance / 'mesatic.sqlite'}"
    broker = f"sqla+sqlite:///{instance / 'broker.sqlite'}"
    app = create_app(app_config(tmp_path, database, CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER=False))
    env = {
        "PORTAL_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key",
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
    }
    worker = CeleryWorker(env, tmp_path / "worker.log", beat=True)
    worker.start()
    try:
        assert "portal.heartbeat" in app.extensions["celery"].conf.beat_schedule
        with app.app_context():
            from portal.tasks import heartbeat

            heartbeat.delay()

            def recorded():
                db.session.rollback()
                return db.session.get(SchedulerHeartbeat, "portal.heartbeat")

            wait_until(recorded, timeout=30, what="the heartbeat written through the embedded broker")
            db.engine.dispose()
        assert "beat: Starting..." in worker.log_tail(200)
        assert "Traceback" not in worker.log_tail(200)
    finally:
        worker.stop()
