"""A real Celery worker on Redis runs the portal's tasks against PostgreSQL."""

from __future__ import annotations

from portal.extensions import db
from portal.mail import OutgoingMail, queue_mail
from portal.models import SchedulerHeartbeat
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
    files = wait_until(lambda: list(mail_dir.glob("*.log")), timeout=30, what="the mail file")
    content = files[0].read_text()
    assert "Subject: Prueba de correo" in content
    assert "jefe.salud@valledelcauca.gov.co" in content
