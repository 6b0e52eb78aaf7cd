"""Provisioning against the real slapd, Redis and Celery worker of the harness (SPEC §4).

Each request is filed and approved through the service layer as the web edge would do it (commit,
then enqueue), the real worker runs the job, and the directory is read back.
"""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ldap3.utils.conv import escape_filter_chars
from sqlalchemy import func, select, text

from portal.db import utcnow
from portal.extensions import db
from portal.models import Dependency, User
from tests.fixtures.services import Redis, Slapd
from tests.fixtures.stack import wait_until
from tests.unit.tickets.factories import directory
from tickets import provisioning
from tickets.models import AccessRequest, DocumentType, LinkType, RequestAction, RequestForm, RequestState, TargetSystem
from tickets.provisioning_models import JobState, ProvisioningAttempt, ProvisioningJob
from tickets.services.decisions import Decision, decide_step
from tickets.services.filing import RequestData, create_draft, submit_request
from tickets.tasks import commit_and_dispatch, sweep_provisioning

#: takes minutes: the workers are handed this file first
pytestmark = pytest.mark.long

DOMAIN = "valledelcauca.gov.co"
FORM_OF = {
    RequestAction.CREAR: RequestForm.CREACION,
    RequestAction.ACTIVAR: RequestForm.CREACION,
    RequestAction.RETIRAR: RequestForm.CREACION,
    RequestAction.DESBLOQUEAR: RequestForm.CLAVE,
    RequestAction.INICIALIZAR: RequestForm.CLAVE,
    RequestAction.MODIFICAR_ROLES: RequestForm.ROLES,
}
CHAIN = {
    RequestForm.CREACION: ["jefe.salud", "lider.ed"],
    RequestForm.CLAVE: ["jefe.salud", "lider.ed"],
    RequestForm.ROLES: ["jefe.salud", "seguridad", "lider.ed"],
}


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def approve(
    app: Any,
    action: RequestAction,
    username: str,
    *,
    name: str = "Persona de Prueba",
    roles_to_add: list[str] | None = None,
    roles_to_remove: list[str] | None = None,
    dispatch: bool = True,
    decide: bool = True,
) -> int:
    """File and approve a request for ``username`` on the directory system; return its id.

    ``decide=False`` only files it (filing a ``crear`` reads the directory): ``approve_filed``
    approves it later."""
    form = FORM_OF[action]
    with app.app_context():
        system = db.session.execute(select(TargetSystem).where(TargetSystem.code == "directorio")).scalar_one()
        salud = db.session.execute(select(Dependency).where(Dependency.code == "SAL")).scalar_one()
        data = RequestData(
            form=form,
            action=action,
            system_id=system.id,
            dependency_id=salud.id,
            beneficiary_name=name,
            beneficiary_document_type=DocumentType.CC,
            beneficiary_document="1144001122",
            beneficiary_email=f"{username}@{DOMAIN}",
            beneficiary_position="Profesional",
            beneficiary_username=username,
            link_type=LinkType.PLANTA,
            justification="Solicitud de prueba del aprovisionamiento automático.",
            roles_to_add=roles_to_add or (["correo"] if action in (RequestAction.CREAR, RequestAction.MODIFICAR_ROLES) else []),
            roles_to_remove=roles_to_remove or [],
        )
        request = create_draft(db.session, actor=_user("enlace.salud"), data=data, email_domain=DOMAIN, today=date.today())
        submit_request(db.session, request, actor=_user("enlace.salud"), email_domain=DOMAIN, now=utcnow(), directory=directory())
        db.session.commit()
        request_id = request.id
        db.session.remove()
    if decide:
        approve_filed(app, request_id, form, dispatch=dispatch)
    return request_id


def approve_filed(app: Any, request_id: int, form: RequestForm, *, dispatch: bool = True) -> None:
    """Every step of a filed request approved, as the web edge does it (commit, then enqueue)."""
    with app.app_context():
        for approver in CHAIN[form]:
            request = db.session.get(AccessRequest, request_id)
            decide_step(db.session, request, actor=_user(approver), decision=Decision.APROBAR, comment=None, now=utcnow())
            if dispatch:
                commit_and_dispatch(db.session)
            else:
                provisioning.pop_planned_jobs(db.session)
                db.session.commit()
        db.session.remove()


def search(slapd: Slapd, base: str, search_filter: str, attribute: str) -> list[list[str]]:
    conn = slapd.connection()
    try:
        conn.search(base, search_filter, attributes=[attribute])
        return [list(e[attribute].values) for e in conn.entries]
    finally:
        conn.unbind()


def states(app: Any, ids: list[int]) -> dict[int, RequestState]:
    with app.app_context():
        rows = db.session.execute(select(AccessRequest.id, AccessRequest.state).where(AccessRequest.id.in_(ids))).all()
        db.session.remove()
        return dict(rows)  # type: ignore[arg-type]


def wait_resolved(app: Any, ids: list[int], timeout: float = 60) -> None:
    wait_until(
        lambda: set(states(app, ids).values()) == {RequestState.RESUELTA},
        timeout=timeout,
        what=f"{len(ids)} requests resolved",
    )


def mail_with(mail_dir: Path, needle: str) -> list[str]:
    return [p.read_text() for p in sorted(mail_dir.glob("*.log")) if needle in p.read_text()]


def temporary_password(mail_dir: Path, email: str) -> str:
    """The one password mail to ``email``; it leaves the outbox just after the job's commit."""

    def password_mails() -> list[str]:
        return [t for t in mail_with(mail_dir, f"To: {email}") if "Clave temporal:" in t]

    wait_until(password_mails, timeout=30, what=f"the password mail to {email}")
    texts = password_mails()
    assert len(texts) == 1, f"expected one password mail to {email}, got {len(texts)}"
    return re.search(r"Clave temporal: (\S+)", texts[0]).group(1)  # type: ignore[union-attr]


def assert_secret_nowhere(app: Any, secret: str, worker_log: Path) -> None:
    """The temporary password is in the mail and in no table and no log."""
    with app.app_context():
        for table in ("provisioning_jobs", "provisioning_attempts", "audit_events", "request_events", "access_requests"):
            dump = db.session.execute(text(f"SELECT CAST(t AS TEXT) FROM {table} AS t")).scalars().all()
            assert not any(secret in row for row in dump), f"password found in {table}"
        db.session.remove()
    assert secret not in worker_log.read_text()


@pytest.fixture
def stack(celery_stack: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {**celery_stack, "mail": tmp_path / "instance" / "mail", "log": tmp_path / "worker.log"}


def test_create_reads_back_attributes_groups_and_a_working_temporary_password(stack, slapd_server: Slapd):
    app = stack["app"]
    request_id = approve(app, RequestAction.CREAR, "nuevo.funcionario", name="Nuevo Funcionario Ejemplo")
    wait_resolved(app, [request_id])
    dn = slapd_server.user_dn("nuevo.funcionario")
    entry = slapd_server.read_entry(dn)
    assert entry["cn"] == ["Nuevo Funcionario Ejemplo"]
    assert entry["mail"] == [f"nuevo.funcionario@{DOMAIN}"]
    assert entry["ou"] == ["SAL"] and entry["title"] == ["Profesional"] and entry["employeeNumber"] == ["1144001122"]
    assert entry["pwdReset"] == ["TRUE"]
    members = slapd_server.read_entry(f"cn=correo-usuarios,{slapd_server.groups_dn}")["member"]
    assert dn in members
    password = temporary_password(stack["mail"], f"nuevo.funcionario@{DOMAIN}")
    assert slapd_server.try_bind(dn, password)
    assert_secret_nowhere(app, password, stack["log"])
    assert mail_with(stack["mail"], "resuelta")  # requester and beneficiary told


def test_reinitialise_sets_a_new_password_that_must_be_changed(stack, slapd_server: Slapd):
    app = stack["app"]
    request_id = approve(app, RequestAction.INICIALIZAR, "integrante4")
    wait_resolved(app, [request_id])
    dn = slapd_server.user_dn("integrante4")
    password = temporary_password(stack["mail"], f"integrante4@{DOMAIN}")
    assert slapd_server.try_bind(dn, password)
    assert not slapd_server.try_bind(dn, "Demo2026!")
    assert slapd_server.read_entry(dn)["pwdReset"] == ["TRUE"]
    assert_secret_nowhere(app, password, stack["log"])


def test_retire_disables_and_empties_groups_but_keeps_the_entry_then_activate(stack, slapd_server: Slapd):
    app = stack["app"]
    dn = slapd_server.user_dn("integrante3")
    retired = approve(app, RequestAction.RETIRAR, "integrante3")
    wait_resolved(app, [retired])
    entry = slapd_server.read_entry(dn)
    assert entry["pwdAccountLockedTime"] == ["000001010000Z"]
    assert search(slapd_server, slapd_server.groups_dn, f"(member={escape_filter_chars(dn)})", "cn") == []
    assert not slapd_server.try_bind(dn, "Demo2026!")

    activated = approve(app, RequestAction.ACTIVAR, "integrante3")
    wait_resolved(app, [activated])
    assert "pwdAccountLockedTime" not in slapd_server.read_entry(dn)
    assert slapd_server.try_bind(dn, "Demo2026!")


def test_unlock_clears_the_lock_and_keeps_the_password(stack, slapd_server: Slapd):
    app = stack["app"]
    slapd_server.lock_user("integrante2")
    dn = slapd_server.user_dn("integrante2")
    assert not slapd_server.try_bind(dn, "Demo2026!")
    request_id = approve(app, RequestAction.DESBLOQUEAR, "integrante2")
    wait_resolved(app, [request_id])
    assert "pwdAccountLockedTime" not in slapd_server.read_entry(dn)
    assert slapd_server.try_bind(dn, "Demo2026!")


def test_role_change_adds_and_removes_groups(stack, slapd_server: Slapd):
    app = stack["app"]
    dn = slapd_server.user_dn("jefe.hacienda")
    request_id = approve(
        app, RequestAction.MODIFICAR_ROLES, "jefe.hacienda", roles_to_add=["gestion-documental"], roles_to_remove=["sap-consulta"]
    )
    wait_resolved(app, [request_id])
    assert dn in slapd_server.read_entry(f"cn=gestion-documental,{slapd_server.groups_dn}")["member"]
    assert dn not in slapd_server.read_entry(f"cn=sap-consulta,{slapd_server.groups_dn}").get("member", [])


def test_repeating_a_job_changes_nothing_and_succeeds(stack, slapd_server: Slapd):
    app = stack["app"]
    ids = [
        approve(app, RequestAction.MODIFICAR_ROLES, "integrante1", roles_to_add=["sap-consulta"]),
        approve(app, RequestAction.RETIRAR, "integrante5"),
    ]
    wait_resolved(app, ids)
    before = {uid: slapd_server.read_entry(slapd_server.user_dn(uid)) for uid in ("integrante1", "integrante5")}
    with app.app_context():
        jobs = db.session.execute(select(ProvisioningJob).where(ProvisioningJob.request_id.in_(ids))).scalars().all()
        for job in jobs:
            job.state = JobState.PENDIENTE
        db.session.commit()
        from tickets.tasks import enqueue_jobs

        enqueue_jobs([j.id for j in jobs])
        db.session.remove()

    def repeated() -> bool:
        with app.app_context():
            done = db.session.execute(
                select(func.count())
                .select_from(ProvisioningJob)
                .where(ProvisioningJob.request_id.in_(ids), ProvisioningJob.state == JobState.EXITOSO)
            ).scalar_one()
            db.session.remove()
            return done == len(ids)

    wait_until(repeated, timeout=30, what="the repeated jobs")
    with app.app_context():
        last = (
            db.session.execute(
                select(ProvisioningAttempt.detail)
                .join(ProvisioningJob)
                .where(ProvisioningJob.request_id.in_(ids))
                .order_by(ProvisioningAttempt.id.desc())
                .limit(2)
            )
            .scalars()
            .all()
        )
        db.session.remove()
    assert last == ["sin cambios: el directorio ya estaba así"] * 2
    after = {uid: slapd_server.read_entry(slapd_server.user_dn(uid)) for uid in ("integrante1", "integrante5")}
    assert after == before


def test_special_characters_in_a_name_are_created_and_found(stack, slapd_server: Slapd):
    app = stack["app"]
    request_id = approve(app, RequestAction.CREAR, "contratista.perez", name="Pérez (contratista) *")
    wait_resolved(app, [request_id])
    found = search(slapd_server, slapd_server.users_dn, f"(cn={escape_filter_chars('Pérez (contratista) *')})", "uid")
    assert ["contratista.perez"] in found


# ------------------------------------------------------------------------------------- faults


def _exactly_once(app: Any, ids: list[int]) -> None:
    with app.app_context():
        jobs = db.session.execute(select(ProvisioningJob).where(ProvisioningJob.request_id.in_(ids))).scalars().all()
        assert len(jobs) == len(ids)
        assert {j.state for j in jobs} == {JobState.EXITOSO}
        successes = db.session.execute(
            select(ProvisioningAttempt.job_id, func.count())
            .where(ProvisioningAttempt.job_id.in_([j.id for j in jobs]), ProvisioningAttempt.succeeded.is_(True))
            .group_by(ProvisioningAttempt.job_id)
        ).all()
        assert sorted(n for _job, n in successes) == [1] * len(ids), "a job succeeded more than once"
        db.session.remove()


def _members(slapd: Slapd, group: str) -> list[str]:
    return slapd.read_entry(f"cn={group},{slapd.groups_dn}").get("member", [])


def test_directory_down_for_a_minute_while_100_approvals_are_processed(stack, slapd_server: Slapd):
    app = stack["app"]
    # filed while the directory answers (filing a crear checks it), approved during the outage
    ids = [approve(app, RequestAction.CREAR, f"lote.a{n:03d}", decide=False) for n in range(100)]
    with slapd_server.stopped():
        back_at = time.monotonic() + 60  # the outage the issue asks for: one minute, while the approvals are decided
        for request_id in ids:
            approve_filed(app, request_id, RequestForm.CREACION)
        wait_until(lambda: _attempted(app, ids), timeout=30, what="first attempts failing against the stopped directory")
        time.sleep(max(0.0, back_at - time.monotonic()))
    wait_resolved(app, ids, timeout=120)
    _exactly_once(app, ids)
    assert sum(1 for m in _members(slapd_server, "correo-usuarios") if "lote.a" in m) == 100


def _attempted(app: Any, ids: list[int]) -> bool:
    with app.app_context():
        failed = db.session.execute(
            select(func.count(func.distinct(ProvisioningJob.id)))
            .join(ProvisioningAttempt)
            .where(ProvisioningJob.request_id.in_(ids), ProvisioningAttempt.succeeded.is_(False))
        ).scalar_one()
        db.session.remove()
        return failed > 0


def test_worker_killed_mid_batch_then_restarted(stack, slapd_server: Slapd):
    app, worker = stack["app"], stack["worker"]
    ids = [approve(app, RequestAction.CREAR, f"lote.b{n:03d}", dispatch=True) for n in range(40)]

    def some_done() -> bool:
        return sum(1 for s in states(app, ids).values() if s is RequestState.RESUELTA) >= 5

    wait_until(some_done, timeout=60, what="part of the batch processed")
    worker.kill()
    worker.start()

    # the sweeper (beat, every minute) sends again what the dead worker left: run it as beat would
    def swept() -> bool:
        with app.app_context():
            sweep_provisioning()
            db.session.remove()
        return set(states(app, ids).values()) == {RequestState.RESUELTA}

    wait_until(swept, timeout=90, interval=3, what="the batch finished after the restart")
    _exactly_once(app, ids)
    assert sum(1 for m in _members(slapd_server, "correo-usuarios") if "lote.b" in m) == 40


def test_broker_down_when_requests_are_approved_the_sweeper_sends_them_later(stack, redis_server: Redis, slapd_server: Slapd):
    app = stack["app"]
    with redis_server.stopped():
        ids = [approve(app, RequestAction.CREAR, f"lote.c{n:03d}") for n in range(20)]
        assert set(states(app, ids).values()) == {RequestState.APROBADA}  # approved, nothing lost, nothing run
        with app.app_context():
            pending = db.session.execute(
                select(func.count())
                .select_from(ProvisioningJob)
                .where(ProvisioningJob.request_id.in_(ids), ProvisioningJob.state == JobState.PENDIENTE)
            ).scalar_one()
            db.session.remove()
        assert pending == 20

    def swept() -> bool:
        with app.app_context():
            sweep_provisioning()
            db.session.remove()
        return set(states(app, ids).values()) == {RequestState.RESUELTA}

    wait_until(swept, timeout=120, interval=3, what="the sweeper's jobs processed once Redis is back")
    _exactly_once(app, ids)
    assert sum(1 for m in _members(slapd_server, "correo-usuarios") if "lote.c" in m) == 20
