"""One working temporary password per request, even when the attempt dies (issue 15).

A separate process runs the job and dies right after the directory accepted the password (SIGKILL,
or its database stops before it can commit). The real worker then retries the job: the beneficiary
gets exactly one mail, and the password in it binds.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import MailState, OutboxMail
from tests.fixtures.services import Postgres, Slapd
from tests.fixtures.stack import ROOT, wait_until
from tests.integration.test_provisioning import DOMAIN, approve, mail_with, states, temporary_password
from tickets.models import RequestAction, RequestState
from tickets.provisioning_models import ProvisioningJob
from tickets.tasks import sweep_provisioning

#: takes minutes: the workers are handed this file first
pytestmark = pytest.mark.long

#: runs one job in this process and dies once the directory has the password
DYING_ATTEMPT = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from portal import create_app
    from portal.directory.provisioning import OpenLdapProvisioner

    job_id, mode, marker = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    original = OpenLdapProvisioner.set_temporary_password

    def set_then_die(self, *args, **kwargs):
        changes = original(self, *args, **kwargs)
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        marker.write_text("set")
        while not (marker.parent / "go").exists():
            time.sleep(0.1)
        return changes

    OpenLdapProvisioner.set_temporary_password = set_then_die
    app = create_app()
    with app.app_context():
        from tickets.tasks import run_provisioning_job
        try:
            run_provisioning_job.run(job_id)
        except Exception as exc:
            print("attempt failed:", type(exc).__name__)
            sys.exit(3)
    """
)


@pytest.fixture
def stack(celery_stack: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {**celery_stack, "mail": tmp_path / "instance" / "mail"}


def _job_id(app: Any, request_id: int) -> int:
    with app.app_context():
        job_id = db.session.execute(select(ProvisioningJob.id).where(ProvisioningJob.request_id == request_id)).scalar_one()
        db.session.remove()
    return int(job_id)


def _dying_attempt(stack: dict[str, Any], job_id: int, mode: str, marker: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", DYING_ATTEMPT, str(job_id), mode, str(marker)], env=stack["env"], cwd=ROOT)


def _sweep_until_resolved(app: Any, request_id: int, timeout: float = 90) -> None:
    def swept() -> bool:
        with app.app_context():
            sweep_provisioning()
            db.session.remove()
        return states(app, [request_id])[request_id] is RequestState.RESUELTA

    wait_until(swept, timeout=timeout, interval=2, what="the job finished by the retry")


def _one_mail_that_binds(stack: dict[str, Any], slapd: Slapd, username: str) -> None:
    email = f"{username}@{DOMAIN}"
    wait_until(lambda: mail_with(stack["mail"], "Clave temporal:"), timeout=30, what="the password mail")
    password = temporary_password(stack["mail"], email)  # asserts exactly one
    assert slapd.try_bind(slapd.user_dn(username), password)
    with stack["app"].app_context():
        rows = db.session.execute(select(OutboxMail).where(OutboxMail.subject == "Su clave temporal")).scalars().all()
        assert [(r.state, r.sealed) for r in rows] == [(MailState.ENVIADO, None)]  # ciphertext erased once sent
        db.session.remove()


def test_attempt_killed_after_the_directory_took_the_password(stack, slapd_server: Slapd, tmp_path: Path):
    app = stack["app"]
    request_id = approve(app, RequestAction.CREAR, "clave.unica", name="Clave Unica Prueba", dispatch=False)
    dying = _dying_attempt(stack, _job_id(app, request_id), "kill", tmp_path / "marker")
    assert dying.wait(timeout=60) == -9
    assert slapd_server.read_entry(slapd_server.user_dn("clave.unica"))["pwdReset"] == ["TRUE"]
    _sweep_until_resolved(app, request_id)
    _one_mail_that_binds(stack, slapd_server, "clave.unica")


def test_database_stopped_after_the_directory_took_the_password(
    stack, slapd_server: Slapd, postgres_server: Postgres, tmp_path: Path
):
    app = stack["app"]
    request_id = approve(app, RequestAction.INICIALIZAR, "integrante4", dispatch=False)
    marker = tmp_path / "marker"
    dying = _dying_attempt(stack, _job_id(app, request_id), "stop-db", marker)
    wait_until(marker.exists, timeout=60, what="the directory took the password")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with postgres_server.stopped():
        (tmp_path / "go").write_text("go")
        assert dying.wait(timeout=60) == 3
    _sweep_until_resolved(app, request_id)
    _one_mail_that_binds(stack, slapd_server, "integrante4")


def test_a_password_changed_by_the_user_is_not_overwritten_by_a_retry(stack, slapd_server: Slapd, tmp_path: Path):
    app = stack["app"]
    request_id = approve(app, RequestAction.INICIALIZAR, "integrante5", dispatch=False)
    dying = _dying_attempt(stack, _job_id(app, request_id), "kill", tmp_path / "marker")
    assert dying.wait(timeout=60) == -9
    dn = slapd_server.user_dn("integrante5")
    slapd_server.modify(f"dn: {dn}\nchangetype: modify\nreplace: userPassword\nuserPassword: Propia2026!x\n")
    _sweep_until_resolved(app, request_id)
    assert slapd_server.try_bind(dn, "Propia2026!x")
