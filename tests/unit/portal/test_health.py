"""/livez, /readyz and /healthz (issue 15): honest, cheap, cached."""

from __future__ import annotations


def test_livez_and_readyz_answer_without_a_login(client):
    assert client.get("/livez").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["database"]["ok"] is True


def test_healthz_reports_the_outboxes_and_reuses_its_answer(client, app):
    first = client.get("/healthz").get_json()
    assert set(first["queues"]) == {"oldest_pending_job_at", "oldest_pending_mail_at", "failed_mails"}
    assert first["queues"]["failed_mails"] == 0
    app.config["LDAP_URL"] = "ldap://127.0.0.1:1"
    assert client.get("/healthz").get_json() == first  # cached: a probe storm does not reach the directory


def test_healthz_flags_stale_workers_and_beat_and_says_why(make_app):
    from datetime import timedelta

    from portal.db import utcnow
    from portal.extensions import db
    from portal.heartbeats import record_worker_heartbeat
    from portal.tasks import heartbeat

    app = make_app(CELERY_TASK_ALWAYS_EAGER=False, HEALTH_CACHE_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        url = db.engine.url
    nobody = client.get("/healthz")
    body = nobody.get_json()
    assert nobody.status_code == 503 and body["status"] == "degraded"
    assert body["workers"]["ok"] is False and "Ningún trabajador" in body["workers"]["reason"]
    assert body["scheduler"]["ok"] is False and "programador" in body["scheduler"]["reason"]

    record_worker_heartbeat(url, "w1@host", now=utcnow() - timedelta(seconds=300))
    stale = client.get("/healthz").get_json()["workers"]
    assert stale["ok"] is False and stale["heartbeat_age_seconds"] >= 300 and "desde hace" in stale["reason"]

    record_worker_heartbeat(url, "w2@host")
    with app.app_context():
        heartbeat()
    healthy = client.get("/healthz")
    body = healthy.get_json()
    assert healthy.status_code == 200 and body["status"] == "ok", body
    assert body["workers"]["alive"] == 1 and body["workers"]["heartbeat_age_seconds"] < 90
    assert set(body["workers"]["workers"]) == {"w1@host", "w2@host"}
    assert body["scheduler"]["ok"] is True and body["scheduler"]["age_seconds"] < 180
