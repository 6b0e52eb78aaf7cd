"""A real Celery worker on Redis runs the portal's tasks against PostgreSQL."""

from __future__ import annotations

import redis

from portal.extensions import db
from portal.mail import OutgoingMail, queue_mail
from portal.models import SchedulerHeartbeat
from portal.tasks import sweep_mail
from tests.fixtures.stack import wait_until


def test_worker_runs_the_heartbeat_task_sent_through_redis(celery_stack):
    app = celery_stack["app"]
    with app.app_context():
        from portal.tasks import heartbeat

        heartbeat.delay()

        def recorded():
            db.session.rollback()
            return db.session.get(SchedulerHeartbeat, "portal.heartbeat")

        row = wait_until(recorded, timeout=30, what="the heartbeat row written by the worker")
        assert row.last_run_at is not None
    health = app.test_client().get("/healthz").get_json()
    assert health["checks"]["broker"] == {"ok": True, "transport": "redis"}
    assert health["checks"]["database"]["backend"] == "postgresql"
    assert health["scheduler"]["last_run_at"] is not None


def test_worker_delivers_mail_to_files(celery_stack, tmp_path):
    app = celery_stack["app"]
    with app.test_request_context():
        queue_mail(OutgoingMail(to=("jefe.salud@valledelcauca.gov.co",), subject="Prueba de correo", template="test"))
    mail_dir = tmp_path / "instance" / "mail"
    files = wait_until(
        lambda: [p for p in mail_dir.glob("*.log") if "Subject: Prueba de correo" in p.read_text()],
        timeout=30,
        what="the mail file",
    )
    assert "jefe.salud@valledelcauca.gov.co" in files[0].read_text()


def test_mails_queued_when_redis_loses_its_data_are_still_delivered_once(celery_stack, redis_server, tmp_path):
    """The outbox keeps the mails; the sweeper (beat, every minute: run here as beat would) sends them."""
    app, worker = celery_stack["app"], celery_stack["worker"]
    worker.stop()
    with app.test_request_context():
        queue_mail(
            *[
                OutgoingMail(to=(f"perdido{n}@valledelcauca.gov.co",), subject="Correo encolado", template="test")
                for n in range(5)
            ]
        )
    flushed = redis.Redis.from_url(redis_server.url).flushall()
    assert flushed
    worker.start()
    mail_dir = tmp_path / "instance" / "mail"

    def delivered() -> list[str]:
        with app.app_context():
            sweep_mail()
            db.session.remove()
        texts = [p.read_text() for p in mail_dir.glob("*.log")]
        return [t for t in texts if "Subject: Correo encolado" in t]

    wait_until(lambda: len(delivered()) >= 5, timeout=60, interval=2, what="the five mails")
    texts = delivered()
    assert sorted(n for n in range(5) for t in texts if f"perdido{n}@" in t) == list(range(5))  # each once
