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
