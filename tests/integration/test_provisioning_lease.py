"""A worker killed while it holds a job (issue 15): the job still completes within 90 s.

A real Celery worker (solo pool) on Redis claims a ``crear`` job on PostgreSQL while the directory
is frozen (slapd stopped with SIGSTOP), so the attempt is blocked after its claim and before any
directory change. While it lives it keeps renewing its lease, so the sweeper leaves the job alone
although the attempt outlasts the lease. The worker is then killed with SIGKILL; its attempt row
is already there. A second worker with beat starts: nothing re-delivers the lost message (Redis
would after an hour), so beat's sweeper sends the job again once the dead worker's lease lapses.
The account is made once and the beneficiary gets exactly one password mail, which binds.

The lease is a few seconds here (``PROVISIONING_LEASE_SECONDS``) instead of the production 45 s;
the sweeper keeps its production cadence (``tickets.tasks.SWEEP_INTERVAL``). With the production
lease a dead worker's job runs again within lease + sweep interval, a minute
(``tests/unit/tickets/test_lease.py::test_the_default_lease_is_short``).
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from tests.fixtures.services import Slapd
from tests.fixtures.stack import CeleryWorker, wait_until
from tests.integration.test_provisioning import DOMAIN, approve, search, states, temporary_password
from tickets import provisioning
from tickets.models import RequestAction, RequestState
from tickets.provisioning_models import JobState, ProvisioningAttempt, ProvisioningJob
from tickets.tasks import enqueue_jobs, retry_policy

#: short, so the test does not wait the production 45 s; long enough that renewals (every third)
#: are observed while the holder lives
LEASE_SECONDS = 3


def _job(app: Any, request_id: int) -> tuple[ProvisioningJob, list[ProvisioningAttempt]]:
    with app.app_context():
        job = db.session.execute(select(ProvisioningJob).where(ProvisioningJob.request_id == request_id)).scalar_one()
        attempts = (
            db.session.execute(
                select(ProvisioningAttempt).where(ProvisioningAttempt.job_id == job.id).order_by(ProvisioningAttempt.id)
            )
            .scalars()
            .all()
        )
        db.session.expunge_all()
        db.session.remove()
    return job, list(attempts)


def test_a_job_held_by_a_killed_worker_completes_within_90_seconds(
    celery_stack: dict[str, Any], slapd_server: Slapd, tmp_path: Path
):
    app = celery_stack["app"]
    celery_stack["worker"].stop()
    # the first worker waits on the frozen directory far longer than the lease
    env = {**celery_stack["env"], "PROVISIONING_LEASE_SECONDS": str(LEASE_SECONDS)}
    holder = CeleryWorker({**env, "LDAP_TIMEOUT": "300"}, tmp_path / "holder.log")
    rescuer = CeleryWorker(env, tmp_path / "rescuer.log", beat=True)
    username = "lease.muerto"
    request_id = approve(app, RequestAction.CREAR, username, name="Lease Muerto Prueba", dispatch=False)
    job, _ = _job(app, request_id)
    try:
        holder.start()
        with slapd_server.paused():
            with app.app_context():
                enqueue_jobs([job.id])

            def claimed() -> bool:
                held, attempts = _job(app, request_id)
                return held.state is JobState.EN_CURSO and len(attempts) == 1

            wait_until(claimed, timeout=60, what="the first worker's claim")
            first_lease = _job(app, request_id)[0].lease_until
            assert first_lease is not None
            renewed_by = first_lease + timedelta(seconds=LEASE_SECONDS)

            def renewed_past_first_lease() -> bool:
                held, _ = _job(app, request_id)
                return held.lease_until is not None and held.lease_until > renewed_by

            # the live holder outlasts its first lease and keeps the job: the sweeper leaves it alone
            wait_until(renewed_past_first_lease, timeout=30, interval=0.5, what="the holder's lease renewals")
            with app.app_context():
                assert job.id not in provisioning.sweep(db.session, utcnow(), retry_policy())
                db.session.remove()
            holder.kill()
            killed_at = time.monotonic()
        held, [open_attempt] = _job(app, request_id)
        assert held.state is JobState.EN_CURSO and open_attempt.finished_at is None  # the interrupted attempt shows
        rescuer.start()
        wait_until(
            lambda: states(app, [request_id])[request_id] is RequestState.RESUELTA,
            timeout=max(1.0, 90 - (time.monotonic() - killed_at)),
            interval=1,
            what="the job held by the killed worker to complete",
        )
    finally:
        holder.kill()
        rescuer.stop()

    done, attempts = _job(app, request_id)
    assert done.state is JobState.EXITOSO and done.attempts == 2
    assert attempts[0].detail == provisioning.INTERRUPTED and attempts[1].succeeded
    assert len(search(slapd_server, slapd_server.users_dn, f"(uid={username})", "uid")) == 1
    password = temporary_password(tmp_path / "instance" / "mail", f"{username}@{DOMAIN}")  # asserts exactly one
    assert slapd_server.try_bind(slapd_server.user_dn(username), password)
