"""Failures visible to the people who filed (SPEC §4): a job that went to the service desk shows
on the request page and in the enlace's list with its reason, and the requester is mailed; when the
portal retired an expired contractor, the enlace and the jefe get a confirmation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from portal.db import utcnow
from portal.extensions import db
from tests.conftest import login
from tests.unit.tickets.factories import add_to_directory, build_request, fetch, today_local
from tickets.models import AccessRequest, LinkType, RequestAction, RequestState
from tickets.provisioning_models import JobState, ProvisioningJob


def mails(tmp_path) -> list[str]:
    return [p.read_text() for p in sorted((tmp_path / "mail").glob("*.log"))]


def test_a_job_sent_to_the_desk_shows_to_the_enlace_and_mails_the_requester(app, tmp_path) -> None:
    from tickets.tasks import run_provisioning_job

    with app.app_context():
        request_id = build_request(state=RequestState.APROBADA)
        number = fetch(request_id).number
        add_to_directory("maria.rojas", "María Rojas (creada a mano)", "SAL")
        job_id = db.session.execute(select(ProvisioningJob.id).where(ProvisioningJob.request_id == request_id)).scalar_one()
        db.session.commit()
        run_provisioning_job(job_id)
        assert db.session.get(ProvisioningJob, job_id).state is JobState.FALLIDO

    told = [m for m in mails(tmp_path) if "aprovisionamiento no completado" in m and "To: enlace.salud@" in m]
    assert len(told) == 1 and number in told[0]
    assert "ya existe en el directorio y no la cre" in told[0]

    enlace = app.test_client()
    login(enlace, "enlace.salud")
    page = enlace.get(f"/solicitudes/{request_id}").get_data(as_text=True)
    assert 'data-job-state="fallido"' in page
    assert "no se completó y pasó a la mesa de servicio" in page
    assert "la cuenta maria.rojas ya existe en el directorio y no la creó esta solicitud" in page
    listing = enlace.get("/solicitudes?bandeja=mias").get_data(as_text=True)
    row = listing.split(f'data-request="{request_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Aprovisionamiento fallido" in row


def test_the_retirement_of_an_expired_contractor_is_confirmed_to_the_enlace_and_the_jefe(app, tmp_path) -> None:
    from tickets.tasks import run_expiry

    with app.app_context():
        today = today_local()
        request_id = build_request(
            state=RequestState.RESUELTA, link_type=LinkType.CONTRATISTA, contract_end_date=today + timedelta(days=30)
        )
        db.session.execute(
            update(AccessRequest).where(AccessRequest.id == request_id).values(contract_end_date=today - timedelta(days=1))
        )
        db.session.commit()
        add_to_directory("maria.rojas", "María Fernanda Rojas Peña", "SAL")
        report = run_expiry(utcnow())
        assert len(report.filed) == 1
        ending = db.session.execute(select(AccessRequest).where(AccessRequest.origin_request_id == request_id)).scalar_one()
        assert (ending.action, ending.state) == (RequestAction.RETIRAR, RequestState.RESUELTA)

    confirmations = [m for m in mails(tmp_path) if "acceso retirado" in m]
    assert len(confirmations) == 1
    assert "enlace.salud@valledelcauca.gov.co" in confirmations[0] and "jefe.salud@valledelcauca.gov.co" in confirmations[0]
    assert "Se retiró la cuenta maria.rojas de María Fernanda Rojas Peña por el fin de su contrato" in confirmations[0]
