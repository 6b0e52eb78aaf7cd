"""The lease of a running provisioning attempt, renewed while the attempt lives (issue 15).

A claimed job is owned until ``lease_until``. The lease is short (``PROVISIONING_LEASE_SECONDS``,
45 s by default) so that a job whose worker died is sent again by the sweeper within about a
minute; a live attempt keeps it by renewing it every third of the lease from a small thread.

Why a thread and not a renewal between directory operations: the attempt's own session holds
uncommitted work (its row locks, the staged password mail) between those operations, and one slow
LDAP call (up to ``LDAP_TIMEOUT`` per operation, several per attempt) could outlast a short lease.
The thread uses a connection of its own (``NullPool``: nothing shared with the worker's pool or
across a fork) and renews only the claim it was given: the job id together with the attempt
number the claim set (a fencing token), so it never extends a lease another worker took after
this one lapsed. It dies with the process, which is the point: a killed worker stops renewing and
its lease lapses. A hung attempt is not kept forever: renewal stops after ``max_seconds``.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from types import TracebackType

from sqlalchemy import create_engine, update
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from portal.db import utcnow
from tickets.provisioning_models import JobState, ProvisioningJob

log = logging.getLogger(__name__)


def renew_lease(connection_url: str | URL, job_id: int, attempt: int, lease_seconds: float) -> bool:
    """Extend the lease of claim ``attempt`` of the job, in a connection of its own; False when the
    claim is no longer this attempt's (finished, released, or taken over after a lapse)."""
    engine = create_engine(connection_url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(
                update(ProvisioningJob)
                .where(
                    ProvisioningJob.id == job_id,
                    ProvisioningJob.state == JobState.EN_CURSO,
                    ProvisioningJob.attempts == attempt,
                )
                .values(lease_until=utcnow() + timedelta(seconds=lease_seconds))
            )
            return int(getattr(result, "rowcount", 0)) == 1
    finally:
        engine.dispose()


class LeaseHeartbeat:
    """``with LeaseHeartbeat(url, job_id, attempt, lease_seconds):`` renews the claim while the
    block runs. Leave the block only after the attempt's transaction is committed or rolled back:
    the renewal may wait on the job row's lock, and leaving joins the thread."""

    def __init__(
        self, connection_url: str | URL, job_id: int, attempt: int, lease_seconds: float, *, max_seconds: float = 900.0
    ) -> None:
        self.connection_url = connection_url
        self.job_id = job_id
        self.attempt = attempt
        self.lease_seconds = lease_seconds
        self.interval = max(0.5, lease_seconds / 3)
        self.max_seconds = max_seconds
        self.renewals = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-job-{job_id}", daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self._stop.wait(self.interval):
            if time.monotonic() > deadline:
                log.warning(
                    "job %s: attempt %s still running after %.0f s; lease no longer renewed",
                    self.job_id,
                    self.attempt,
                    self.max_seconds,
                )
                return
            try:
                if not renew_lease(self.connection_url, self.job_id, self.attempt, self.lease_seconds):
                    log.warning("job %s: claim of attempt %s lost; lease no longer renewed", self.job_id, self.attempt)
                    return
                self.renewals += 1
            except Exception:  # noqa: BLE001 - the database may be briefly away: try again next beat
                log.warning("job %s: lease not renewed (database unavailable)", self.job_id)

    def __enter__(self) -> LeaseHeartbeat:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 10)
