"""Accounts and designations against the real directory (slapd with ppolicy) and PostgreSQL:
FO-M11-P2-05 ``crear`` for an existing account is refused at filing and never touches it at
provisioning; the FO-M11-P2-13 a designation prepares lists the groups slapd holds; two
simultaneous designations give 201 and 409."""

from __future__ import annotations

import io
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from enlaces import services as designations
from enlaces.models import ActType, Designation, DesignationStatus, Handover
from portal.db import utcnow
from portal.demo import demo_act_pdf
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.models import Dependency, User
from portal.uploads import check_upload
from tests.fixtures.services import Slapd
from tests.unit.tickets.factories import directory
from tickets import provisioning
from tickets.models import AccessRequest, DocumentType, LinkType, RequestAction, RequestForm, RequestState, TargetSystem
from tickets.provisioning_models import JobState, ProvisioningJob
from tickets.services.decisions import Decision, decide_step
from tickets.services.filing import ACCOUNT_EXISTS, RequestData, create_draft, submit_request
from tickets.tasks import enqueue_jobs

DOMAIN = "valledelcauca.gov.co"
PDF = demo_act_pdf("Resolución de prueba: designa al enlace TIC.")


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _salud() -> Dependency:
    return db.session.execute(select(Dependency).where(Dependency.code == "SAL")).scalar_one()


def creation_draft(username: str) -> AccessRequest:
    system = db.session.execute(select(TargetSystem).where(TargetSystem.code == "directorio")).scalar_one()
    data = RequestData(
        form=RequestForm.CREACION,
        action=RequestAction.CREAR,
        system_id=system.id,
        dependency_id=_salud().id,
        beneficiary_name="Persona de Prueba",
        beneficiary_document_type=DocumentType.CC,
        beneficiary_document="1144001133",
        beneficiary_email=f"{username}@{DOMAIN}",
        beneficiary_position="Profesional",
        beneficiary_username=username,
        link_type=LinkType.PLANTA,
        justification="Ingreso a la dependencia, requiere cuenta de red y correo.",
        roles_to_add=["correo"],
    )
    request = create_draft(db.session, actor=_user("enlace.salud"), data=data, email_domain=DOMAIN, today=date.today())
    db.session.commit()
    return request


def test_crear_for_an_account_slapd_holds_is_refused_at_filing(pg_app, slapd_server: Slapd) -> None:
    with pg_app.app_context():
        request = creation_draft("integrante4")
        with pytest.raises(ValidationFailed) as refused:
            submit_request(
                db.session, request, actor=_user("enlace.salud"), email_domain=DOMAIN, now=utcnow(), directory=directory()
            )
        db.session.rollback()
        assert refused.value.message == ACCOUNT_EXISTS
        assert list(refused.value.fields) == ["beneficiary_username"]
        assert db.session.get(AccessRequest, request.id).state is RequestState.BORRADOR
        db.session.remove()


def test_at_provisioning_an_account_someone_else_made_keeps_its_password(pg_app, slapd_server: Slapd, tmp_path: Path) -> None:
    """Filed while the name was free; an administrator created it by hand before the job ran."""
    username = "hecha.amano"
    dn = slapd_server.user_dn(username)
    with pg_app.app_context():
        request = creation_draft(username)
        submit_request(db.session, request, actor=_user("enlace.salud"), email_domain=DOMAIN, now=utcnow(), directory=directory())
        db.session.commit()
        for approver in ("jefe.salud", "lider.ed"):
            decide_step(db.session, request, actor=_user(approver), decision=Decision.APROBAR, comment=None, now=utcnow())
            planned = provisioning.pop_planned_jobs(db.session)
            db.session.commit()
        request_id = request.id
        db.session.remove()

    conn = slapd_server.connection()
    try:
        conn.add(
            dn,
            ["inetOrgPerson"],
            {"uid": username, "cn": "Hecha a Mano", "sn": "Mano", "mail": f"{username}@{DOMAIN}", "userPassword": "Propia2026!x"},
        )
    finally:
        conn.unbind()
    before = slapd_server.read_entry(dn)

    with pg_app.app_context():
        enqueue_jobs(planned)  # eager in this application: the job runs here, against slapd
        job = db.session.execute(select(ProvisioningJob).where(ProvisioningJob.request_id == request_id)).scalar_one()
        assert job.state is JobState.FALLIDO and job.password_sent_at is None
        assert "ya existe en el directorio y no la creó esta solicitud" in (job.last_error or "")
        db.session.remove()
    assert slapd_server.try_bind(dn, "Propia2026!x"), "the owner's password was changed"
    after = slapd_server.read_entry(dn)
    assert {k: v for k, v in after.items() if k not in ("entryCSN", "modifyTimestamp", "modifiersName")} == {
        k: v for k, v in before.items() if k not in ("entryCSN", "modifyTimestamp", "modifiersName")
    }
    mails = [p.read_text() for p in (tmp_path / "mail").glob("*.log")]
    assert not any("Clave temporal" in m and f"{username}@{DOMAIN}" in m for m in mails)


def test_the_removal_draft_lists_the_groups_slapd_holds(pg_app, slapd_server: Slapd) -> None:
    act = check_upload("acto.pdf", PDF)
    with pg_app.app_context():
        designation = designations.designate(
            db.session,
            actor=_user("jefe.salud"),
            dependency=_salud(),
            person=_user("integrante3"),
            act=designations.ActData(ActType.RESOLUCION, "R-1", date(2026, 11, 2), date(2026, 11, 2)),
            act_file=act,
            email_domain=DOMAIN,
            now=utcnow(),
            directory=directory(),
        )
        db.session.commit()
        handover = db.session.execute(select(Handover).where(Handover.designation_id == designation.id)).scalar_one()
        removal = db.session.get(AccessRequest, handover.removal_request_id)
        assert (removal.form, removal.beneficiary_username) == (RequestForm.ROLES, "enlace.salud")
        # tests/fixtures/test_tree.ldif: enlace.salud is in correo-usuarios and gestion-documental
        assert removal.roles_to_remove == ["correo", "gestion-documental"]
        db.session.remove()


def _post_designation(app: Any, token: str, person: str, replaces: int) -> int:
    client = app.test_client()
    with app.app_context():
        salud_id = _salud().id
        db.session.remove()
    response = client.post(
        f"/api/v1/dependencies/{salud_id}/designations",
        data={
            "person": person,
            "act_type": "resolucion",
            "act_number": f"R-{person}",
            "act_date": "2026-11-02",
            "effective_date": "2026-11-02",
            "replaces": str(replaces),
            "act_file": (io.BytesIO(PDF), "acto.pdf"),
        },
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    return response.status_code


def test_two_simultaneous_designations_give_201_and_409(pg_app, slapd_server: Slapd) -> None:
    token = pg_app.test_cli_runner().invoke(args=["users", "token", "jefe.salud"]).output.strip()
    with pg_app.app_context():
        current = db.session.execute(
            select(Designation.id).where(
                Designation.dependency_id == _salud().id, Designation.status == DesignationStatus.VIGENTE
            )
        ).scalar_one()
        db.session.remove()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def run(person: str) -> None:
        barrier.wait()
        statuses.append(_post_designation(pg_app, token, person, current))

    threads = [threading.Thread(target=run, args=(p,)) for p in ("integrante1", "integrante2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409]
    with pg_app.app_context():
        vigentes = db.session.execute(
            select(func.count())
            .select_from(Designation)
            .where(Designation.dependency_id == _salud().id, Designation.status == DesignationStatus.VIGENTE)
        ).scalar_one()
        db.session.remove()
    assert vigentes == 1


def test_the_por_aprobar_queue_follows_the_routing_on_postgresql(pg_app, slapd_server: Slapd) -> None:
    """The SQL form of tickets.routing names the same people as the Python form (jefe as beneficiary)."""
    from portal.clock import local_date
    from tickets.queries import Queue, QueueFilters, queue_query
    from tickets.routing import step_routing
    from tickets.services.decisions import current_step

    with pg_app.app_context():
        system = db.session.execute(select(TargetSystem).where(TargetSystem.code == "directorio")).scalar_one()
        data = RequestData(
            form=RequestForm.CLAVE,
            action=RequestAction.DESBLOQUEAR,
            system_id=system.id,
            dependency_id=_salud().id,
            beneficiary_name="Andrés Mejía Castro",
            beneficiary_document_type=DocumentType.CC,
            beneficiary_document="1130765432",
            beneficiary_email=f"jefe.salud@{DOMAIN}",
            beneficiary_position="Secretario de Salud",
            beneficiary_username="jefe.salud",
            link_type=LinkType.PLANTA,
            justification="Bloqueado por intentos fallidos; recuerda la clave.",
        )
        request = create_draft(db.session, actor=_user("enlace.salud"), data=data, email_domain=DOMAIN, today=date.today())
        submit_request(db.session, request, actor=_user("enlace.salud"), email_domain=DOMAIN, now=utcnow(), directory=directory())
        db.session.commit()
        today = local_date(utcnow())
        routing = step_routing(db.session, request, current_step(db.session, request), today)
        deciders = {d.person.username for d in routing.deciders}
        assert deciders == {"secretario"}
        for person in db.session.execute(select(User).where(User.is_active_account.is_(True))).scalars().all():
            listed = {
                r.id
                for r in db.session.execute(queue_query(db.session, person, Queue.TO_APPROVE, QueueFilters(), today))
                .scalars()
                .unique()
            }
            assert (request.id in listed) is (person.username in deciders), person.username
        db.session.remove()
