"""The provisioning lease (issue 15): short, renewed by the running attempt, fenced by the attempt
number; the attempt row is written with the claim, a crash gives the job back at once, and a job
whose worker died runs again once its lease lapses. The kill of a real worker is in
``tests/integration/test_provisioning_lease.py``."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import select, update

from portal.db import utcnow
from portal.extensions import db
from tests.fixtures.stack import wait_until
from tests.unit.tickets.factories import build_request, fetch
from tickets import provisioning
from tickets.lease import LeaseHeartbeat, renew_lease
from tickets.models import RequestState
from tickets.provisioning_models import JobState, ProvisioningAttempt, ProvisioningJob
from tickets.tasks import SWEEP_INTERVAL, retry_policy, run_provisioning_job


def _job_id(request_id: int) -> int:
    return int(db.session.execute(select(ProvisioningJob.id).where(ProvisioningJob.request_id == request_id)).scalar_one())


def _job(job_id: int) -> ProvisioningJob:
    db.session.expire_all()
    return db.session.execute(select(ProvisioningJob).where(ProvisioningJob.id == job_id)).scalar_one()


def _attempts(job_id: int) -> list[ProvisioningAttempt]:
    return list(
        db.session.execute(
            select(ProvisioningAttempt).where(ProvisioningAttempt.job_id == job_id).order_by(ProvisioningAttempt.id)
        )
        .scalars()
        .all()
    )


def test_the_default_lease_is_short(tmp_path, monkeypatch) -> None:
    from config import build_config

    monkeypatch.delenv("PROVISIONING_LEASE_SECONDS", raising=False)
    assert build_config(tmp_path)["PROVISIONING_LEASE_SECONDS"] == 45
    assert provisioning.RetryPolicy().lease_seconds == 45
    # a dead worker's job is claimed again at the first sweep after its lease lapses
    assert 45 + SWEEP_INTERVAL.total_seconds() <= 60


def test_the_claim_commits_a_visible_attempt_and_a_live_lease_keeps_others_out(app) -> None:
    with app.app_context():
        job_id = _job_id(build_request(state=RequestState.APROBADA))
        db.session.commit()
        policy = retry_policy()
        claim = provisioning.claim_job(db.session, job_id, utcnow(), policy)
        assert claim is not None and claim.attempt == 1
        db.session.commit()  # the worker dies here, before any directory work
        db.session.expire_all()
        [open_attempt] = _attempts(job_id)
        assert open_attempt.id == claim.attempt_id and open_attempt.finished_at is None
        assert provisioning.claim_job(db.session, job_id, utcnow(), policy) is None
        db.session.rollback()


def test_a_job_whose_worker_died_runs_again_once_the_lease_lapses(app) -> None:
    with app.app_context():
        request_id = build_request(state=RequestState.APROBADA)
        job_id = _job_id(request_id)
        db.session.commit()
        assert provisioning.claim_job(db.session, job_id, utcnow(), retry_policy()) is not None
        db.session.commit()
        lapsed = utcnow() - timedelta(seconds=1)
        db.session.execute(update(ProvisioningJob).where(ProvisioningJob.id == job_id).values(lease_until=lapsed))
        db.session.commit()
        assert job_id in provisioning.sweep(db.session, utcnow(), retry_policy())
        run_provisioning_job(job_id)
        job = _job(job_id)
        first, second = _attempts(job_id)
        assert job.state is JobState.EXITOSO and job.attempts == 2
        assert first.detail == provisioning.INTERRUPTED and first.finished_at is None
        assert second.succeeded and second.finished_at is not None
        assert job.finished_at is not None and job.finished_at >= second.started_at  # the end, not the start
        assert fetch(request_id).state is RequestState.RESUELTA


def test_a_crashed_attempt_gives_its_job_back_at_once_and_says_why(app) -> None:
    with app.app_context():
        job_id = _job_id(build_request(state=RequestState.APROBADA))
        db.session.commit()
        with mock.patch("tickets.provisioning._operate", side_effect=RuntimeError("fallo interno")), pytest.raises(RuntimeError):
            run_provisioning_job(job_id)
        job = _job(job_id)
        assert job.state is JobState.PENDIENTE and job.lease_until is None
        assert job.next_attempt_at is not None and job.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
        [attempt] = _attempts(job_id)
        assert "RuntimeError" in (attempt.detail or "") and attempt.finished_at is not None


def test_the_running_attempt_renews_its_own_claim_only(app) -> None:
    with app.app_context():
        job_id = _job_id(build_request(state=RequestState.APROBADA))
        db.session.commit()
        claim = provisioning.claim_job(db.session, job_id, utcnow(), retry_policy())
        assert claim is not None
        db.session.commit()
        url = db.engine.url

        def lease_until():
            return _job(job_id).lease_until

        before = lease_until()
        db.session.rollback()
        with LeaseHeartbeat(url, job_id, claim.attempt, lease_seconds=1.5) as heartbeat:
            wait_until(lambda: heartbeat.renewals >= 2, timeout=20, what="two renewals")
        assert lease_until() != before
        db.session.rollback()
        assert not renew_lease(url, job_id, claim.attempt + 1, 45)  # a stale or foreign claim is never extended
