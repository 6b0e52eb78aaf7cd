"""After a full journey — an account created, its password re-initialised, the person retired —
no temporary password, API token or bind password is in the database, the logs, the audit
trail or the mail files (apart from the beneficiary's own message)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sqlalchemy import select, text

from portal import services
from portal.extensions import db
from tests.conftest import csrf_token, login
from tests.unit.tickets.factories import build_request
from tickets.models import RequestAction, RequestForm, RequestState
from tickets.provisioning_models import JobState, ProvisioningJob

BENEFICIARY_EMAIL = "maria.rojas@valledelcauca.gov.co"
PASSWORD_LINE = re.compile(r"Clave temporal: (\S+)")


def _run_jobs(app) -> None:
    from tickets.tasks import run_provisioning_job

    with app.app_context():
        ids = db.session.execute(select(ProvisioningJob.id).where(ProvisioningJob.state == JobState.PENDIENTE)).scalars().all()
    for job_id in ids:
        run_provisioning_job.apply(args=[job_id])


def _approve(app, form: RequestForm, **overrides) -> None:
    with app.app_context():
        build_request(form, state=RequestState.APROBADA, **overrides)
    _run_jobs(app)


def _database_text(app) -> str:
    chunks: list[str] = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(text(f"SELECT * FROM {table.name}")):
                chunks.extend(str(v) if not isinstance(v, bytes) else v.decode("latin-1") for v in row)
    return "\n".join(chunks)


def test_no_secret_leaks_after_a_full_journey(app, caplog, login_as):
    caplog.set_level(logging.DEBUG)
    _approve(app, RequestForm.CREACION)
    _approve(app, RequestForm.CLAVE, action=RequestAction.INICIALIZAR)
    _approve(app, RequestForm.CREACION, action=RequestAction.RETIRAR, roles_to_add=[])

    tokens = [app.test_cli_runner().invoke(args=["users", "token", "agente"]).output.strip()]
    client = login_as("jefe.salud")
    page = client.post(
        "/cuenta/tokens", data={"name": "tablero", "days": "30", "csrf_token": csrf_token(client, "/cuenta/tokens")}
    )
    tokens.append(re.search(r"data-new-token>(mtic_[^<]+)<", page.get_data(as_text=True)).group(1))
    assert login(app.test_client(), "jefe.salud", "mala-clave").status_code == 401

    mail_dir = Path(app.config["MAIL_FILE_PATH"])
    own, others = [], []
    for path in sorted(mail_dir.glob("*.log")):
        content = path.read_text(encoding="utf-8", errors="replace")
        (own if "Clave temporal:" in content and BENEFICIARY_EMAIL in content else others).append(content)
    passwords = [m for content in own for m in PASSWORD_LINE.findall(content)]
    assert len(passwords) == 2, "one temporary password for the creation, one for the re-initialisation"
    assert all("To: " + BENEFICIARY_EMAIL in content for content in own)

    secrets = {*passwords, *tokens, app.config["LDAP_BIND_PASSWORD"], "mala-clave", "Demo2026!"}
    places = {
        "database (audit trail included)": _database_text(app),
        "logs": "\n".join(r.getMessage() for r in caplog.records),
        "other mail": "\n".join(others),
    }
    leaks = [f"{secret[:6]}… in {place}" for secret in secrets for place, content in places.items() if secret in content]
    assert not leaks, leaks
    with app.app_context():
        assert services.find_user(db.session, "jefe.salud") is not None
