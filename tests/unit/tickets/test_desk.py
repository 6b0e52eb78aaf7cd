"""The service desk: failed jobs become its tasks (retry or resolve by hand); manual systems get
a checklist closed with a note; the request is resolved when everything is done."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from tests.conftest import csrf_token, login
from tests.unit.tickets.factories import fetch
from tickets.models import RequestAction, RequestForm, RequestState
from tickets.provisioning_models import JobState, ManualTask, ProvisioningJob


def approve_via_ui(app, request_id: int, chain: list[str]) -> None:
    for username in chain:
        client = app.test_client()
        login(client, username)
        token = csrf_token(client, f"/solicitudes/{request_id}")
        response = client.post(f"/solicitudes/{request_id}/decidir", data={"decision": "aprobar", "csrf_token": token})
        assert response.status_code == 303


def test_a_refused_change_becomes_a_desk_task_that_can_be_resolved_by_hand(app, make_request):
    # unlocking an account that does not exist: the directory refuses, no retry can help
    request_id = make_request(
        form=RequestForm.CLAVE, action=RequestAction.DESBLOQUEAR, beneficiary_username="no.existe", state=RequestState.RADICADA
    )
    approve_via_ui(app, request_id, ["jefe.salud", "lider.ed"])
    with app.app_context():
        job = db.session.execute(select(ProvisioningJob).where(ProvisioningJob.request_id == request_id)).scalar_one()
        assert job.state is JobState.FALLIDO
        assert "no existe en el directorio" in job.last_error
        assert fetch(request_id).state is RequestState.EN_EJECUCION
        job_id = job.id
    agent = app.test_client()
    login(agent, "agente")
    page = agent.get("/mesa/aprovisionamiento?estado=fallido").get_data(as_text=True)
    assert f'data-job="{job_id}"' in page and "no existe en el directorio" in page

    token = csrf_token(agent, "/mesa/aprovisionamiento")
    short = agent.post(f"/mesa/aprovisionamiento/{job_id}/resolver", data={"reason": "listo", "csrf_token": token})
    assert short.status_code == 303  # refused with a message: the note is too short
    with app.app_context():
        assert db.session.get(ProvisioningJob, job_id).state is JobState.FALLIDO
    note = "Se verificó que la cuenta fue retirada; se informó al enlace."
    agent.post(f"/mesa/aprovisionamiento/{job_id}/resolver", data={"reason": note, "csrf_token": token})
    with app.app_context():
        job = db.session.get(ProvisioningJob, job_id)
        assert (job.state, job.resolution_note) == (JobState.RESUELTO_MANUAL, note)
        assert fetch(request_id).state is RequestState.RESUELTA


def test_retry_sends_a_failed_job_back(app, make_request):
    request_id = make_request(
        form=RequestForm.CLAVE,
        action=RequestAction.DESBLOQUEAR,
        beneficiary_username="otro.inexistente",
        state=RequestState.RADICADA,
    )
    approve_via_ui(app, request_id, ["jefe.salud", "lider.ed"])
    with app.app_context():
        job_id = db.session.execute(select(ProvisioningJob.id).where(ProvisioningJob.request_id == request_id)).scalar_one()
    outsider = app.test_client()
    login(outsider, "secretario")
    token = csrf_token(outsider, "/mesa/aprovisionamiento")
    assert outsider.post(f"/mesa/aprovisionamiento/{job_id}/reintentar", data={"csrf_token": token}).status_code == 403
    agent = app.test_client()
    login(agent, "agente")
    token = csrf_token(agent, "/mesa/aprovisionamiento")
    assert agent.post(f"/mesa/aprovisionamiento/{job_id}/reintentar", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        job = db.session.get(ProvisioningJob, job_id)
        # it ran again at once (eager tasks in unit tests) and failed again, with a new attempt recorded
        assert job.state is JobState.FALLIDO and job.attempts == 2


def test_manual_system_gets_a_checklist_closed_with_a_note(app, make_request):
    request_id = make_request(
        form=RequestForm.ROLES,
        action=RequestAction.MODIFICAR_ROLES,
        system="sap",
        roles_to_add=["contabilidad"],
        state=RequestState.RADICADA,
    )
    approve_via_ui(app, request_id, ["jefe.salud", "seguridad", "lider.ed"])
    with app.app_context():
        task = db.session.execute(select(ManualTask).where(ManualTask.request_id == request_id)).scalar_one()
        assert any("Z_FI_CONTABILIDAD" in item for item in task.checklist)
        assert any("PFCG" in item for item in task.checklist)
        assert fetch(request_id).state is RequestState.APROBADA
        task_id = task.id
    agent = app.test_client()
    login(agent, "agente")
    assert f'data-task="{task_id}"' in agent.get("/mesa/tareas").get_data(as_text=True)
    token = csrf_token(agent, "/mesa/tareas")
    agent.post(f"/mesa/tareas/{task_id}/cerrar", data={"reason": "Rol asignado en PFCG el mismo día.", "csrf_token": token})
    with app.app_context():
        assert db.session.get(ManualTask, task_id).is_closed
        assert fetch(request_id).state is RequestState.RESUELTA
