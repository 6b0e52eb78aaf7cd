"""FO-M11-P2-05 ``crear`` for an account that already exists (SPEC §4): refused at filing, and at
provisioning an entry someone else made is never touched (its owner keeps the password)."""

from __future__ import annotations

from contextlib import suppress

import pytest
from ldap3 import MODIFY_REPLACE
from sqlalchemy import select

from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from tests.conftest import csrf_token, login
from tests.unit.tickets.factories import (
    EMAIL_DOMAIN,
    add_to_directory,
    build_request,
    directory,
    fetch,
    get_user,
)
from tickets.models import RequestForm, RequestState
from tickets.provisioning_models import JobState, ProvisioningJob
from tickets.services.filing import ACCOUNT_EXISTS, submit_request


def file_draft(request_id: int) -> None:
    try:
        submit_request(
            db.session,
            fetch(request_id),
            actor=get_user("enlace.salud"),
            email_domain=EMAIL_DOMAIN,
            now=utcnow(),
            directory=directory(),
        )
    finally:
        db.session.rollback()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"beneficiary_username": "integrante3", "beneficiary_email": "natalia.duque@valledelcauca.gov.co"},
            "beneficiary_username",
            "Ya existe la cuenta «integrante3» de Natalia Duque Serna en el directorio.",
        ),
        (
            {"beneficiary_username": "natalia.duque", "beneficiary_email": "integrante3@valledelcauca.gov.co"},
            "beneficiary_email",
            "El correo integrante3@valledelcauca.gov.co ya pertenece a la cuenta «integrante3» del directorio.",
        ),
    ],
    ids=["username", "email"],
)
def test_creating_an_existing_account_is_refused_at_filing(app, overrides, field, message) -> None:
    with app.app_context():
        request_id = build_request(state=RequestState.BORRADOR, **overrides)
        with pytest.raises(ValidationFailed) as refused:
            file_draft(request_id)
        assert refused.value.message == ACCOUNT_EXISTS
        assert "«activar»" in refused.value.message and "FO-M11-P2-12" in refused.value.message
        assert refused.value.fields == {field: [message]}
        assert fetch(request_id).state is RequestState.BORRADOR


def test_the_refusal_shows_on_the_form_and_in_the_api(app, api) -> None:
    with app.app_context():
        request_id = build_request(state=RequestState.BORRADOR, beneficiary_username="integrante3")
    enlace = app.test_client()
    login(enlace, "enlace.salud")
    token = csrf_token(enlace, f"/solicitudes/{request_id}")
    response = enlace.post(f"/solicitudes/{request_id}/radicar", data={"csrf_token": token})
    assert response.status_code == 303
    page = enlace.get(response.headers["Location"]).get_data(as_text=True)
    assert "La cuenta ya existe en el directorio" in page
    answer = api("enlace.salud", "POST", f"/api/v1/requests/{request_id}/submit")
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["beneficiary_username"] == [
        "Ya existe la cuenta «integrante3» de Natalia Duque Serna en el directorio."
    ]


def test_a_retired_account_is_named_as_such(app) -> None:
    with app.app_context():
        conn = directory().service_connection()
        dn = f"uid=integrante3,{directory().settings.users_dn}"
        assert conn.modify(dn, {"pwdAccountLockedTime": [(MODIFY_REPLACE, ["000001010000Z"])]})
        conn.unbind()
        request_id = build_request(state=RequestState.BORRADOR, beneficiary_username="integrante3")
        with pytest.raises(ValidationFailed) as refused:
            file_draft(request_id)
        assert refused.value.fields["beneficiary_username"] == [
            "Ya existe la cuenta «integrante3» de Natalia Duque Serna (retirada) en el directorio."
        ]


def test_without_the_directory_a_creation_is_not_filed(app) -> None:
    with app.app_context():
        request_id = build_request(state=RequestState.BORRADOR)
        app.config.update(LDAP_URL="ldap://127.0.0.1:9", LDAP_TIMEOUT=1)
        with pytest.raises(ValidationFailed) as refused:
            file_draft(request_id)
        assert "No se pudo consultar el directorio" in refused.value.message


def test_other_actions_and_manual_systems_are_not_checked(app) -> None:
    with app.app_context():
        # SAP has no connector: a person with a network account gets an SAP user
        build_request(state=RequestState.RADICADA, system="sap", beneficiary_username="integrante3", roles_to_add=["consulta"])
        build_request(RequestForm.CLAVE, state=RequestState.RADICADA, beneficiary_username="integrante3")


def test_at_provisioning_an_account_made_by_someone_else_fails_to_the_desk_untouched(app) -> None:
    """Filed while the name was free; someone created it by hand before the job ran."""
    from tickets.tasks import run_provisioning_job

    with app.app_context():
        request_id = build_request(state=RequestState.APROBADA)
        add_to_directory("maria.rojas", "María Rojas (creada a mano)", "SAL", password="SuClave2026!")
        job = db.session.execute(select(ProvisioningJob).where(ProvisioningJob.request_id == request_id)).scalar_one()
        job_id = job.id
        db.session.commit()
        run_provisioning_job(job_id)
        db.session.expire_all()
        job = db.session.get(ProvisioningJob, job_id)
        assert job.state is JobState.FALLIDO and job.password_sent_at is None
        assert "ya existe en el directorio y no la creó esta solicitud" in (job.last_error or "")
        conn = directory().connect(f"uid=maria.rojas,{directory().settings.users_dn}", "SuClave2026!")
        try:
            assert conn.bind(), "the owner's password was changed"
        finally:
            with suppress(Exception):
                conn.unbind()
