"""The README's operator path, followed on the real services (issue 15): the ``sh`` blocks of its
"Deploying" section are read from the README and run in their order with the harness's
PostgreSQL, slapd and Redis (env file, migrations, ``flask setup check``, directory import,
systems and policies from the CLI, roles, gunicorn, two workers, beat, health checks); then one
request is filed through the API and provisioned end to end.

The commands are not copied here: a change to the README's commands changes what this test runs.
Only host-specific paths and the port are replaced, and the install block is not run (the
virtualenv exists and the harness is offline).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Dependency
from tests.conftest import app_config
from tests.fixtures.services import Postgres, Redis, Slapd, free_port
from tests.fixtures.stack import ROOT, wait_until
from tests.integration.test_provisioning import temporary_password

#: about twenty CLI runs, each starting the application, plus three servers: minutes on a busy 2-core machine
pytestmark = [pytest.mark.long, pytest.mark.timeout(1200)]

DOMAIN = "valledelcauca.gov.co"
#: the harness has no SMTP relay: mail is written as files on purpose instead
NOT_IN_HARNESS = {"MAIL_SERVER"}
LONG_RUNNING = (".venv/bin/gunicorn", ".venv/bin/celery")


def deploy_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Deploying on PostgreSQL, Redis and several workers")
    end = text.index("\n## ", start + 3)
    return text[start:end]


def fenced_blocks(section: str) -> list[tuple[str, str]]:
    """Each fenced block of the section: its language (may be empty) and its text."""
    blocks: list[tuple[str, str]] = []
    language: str | None = None
    lines: list[str] = []
    for line in section.splitlines():
        if line.startswith("```"):
            if language is None:
                language, lines = line[3:].strip(), []
            else:
                blocks.append((language, "\n".join(lines)))
                language = None
        elif language is not None:
            lines.append(line)
    return blocks


def sh_blocks(section: str) -> list[list[str]]:
    """The commands of each ``sh`` block, in order (one command per line)."""
    return [
        [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
        for language, text in fenced_blocks(section)
        if language == "sh"
    ]


def env_example_keys(section: str) -> set[str]:
    text = next(text for language, text in fenced_blocks(section) if not language and "PORTAL_ENV=" in text)
    return {line.split("=", 1)[0] for line in text.splitlines() if "=" in line}


def _http(method: str, url: str, token: str | None = None, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


class Operator:
    """Runs README commands as the operator would, with the env file loaded by the README's own line."""

    def __init__(self, load_env: str, replacements: dict[str, str], base_env: dict[str, str], logs: Path) -> None:
        self.load_env = self.adapt(load_env, replacements)
        self.replacements = replacements
        self.base_env = base_env
        self.logs = logs
        self.processes: list[subprocess.Popen[bytes]] = []

    @staticmethod
    def adapt(command: str, replacements: dict[str, str]) -> str:
        for old, new in replacements.items():
            command = command.replace(old, new)
        return command

    def run(self, command: str, extra_env: dict[str, str] | None = None) -> str:
        script = f"{self.load_env} && {self.adapt(command, self.replacements)}"
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=ROOT,
            env={**self.base_env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def start(self, command: str) -> None:
        log = (self.logs / f"proceso{len(self.processes)}.log").open("ab")
        script = f"{self.load_env} && exec {self.adapt(command, self.replacements)}"
        self.processes.append(
            subprocess.Popen(
                ["bash", "-c", script], cwd=ROOT, env=self.base_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
        log.close()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def logs_tail(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.logs.glob("proceso*.log")))


@pytest.fixture
def operator_setup(
    tmp_path: Path, pg_database: str, slapd_server: Slapd, redis_server: Redis, postgres_server: Postgres
) -> Iterator[dict[str, Any]]:
    instance, run_dir, mail_dir = tmp_path / "var", tmp_path / "run", tmp_path / "correo"
    for folder in (instance, run_dir, mail_dir):
        folder.mkdir()
    port = free_port()
    env_file = tmp_path / "env"
    values = {
        "PORTAL_ENV": "production",
        "PORTAL_PROFILE": "valle",
        "PORTAL_INSTANCE_PATH": str(instance),
        "SECRET_KEY": secrets.token_hex(32),
        "AUDIT_HMAC_KEY": secrets.token_hex(32),
        "OUTBOX_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": pg_database,
        "CELERY_BROKER_URL": redis_server.database_url(2),
        "RATELIMIT_STORAGE_URI": redis_server.database_url(3),
        **slapd_server.env(),
        "MAIL_FILE_DIR": str(mail_dir),
        "MAIL_DEFAULT_SENDER": f"mesatic@{DOMAIN}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TRUSTED_PROXY_HOPS": "1",
    }
    env_file.write_text("".join(f"{key}='{value}'\n" for key, value in values.items()), encoding="utf-8")
    env_file.chmod(0o600)
    # the harness's shell: no settings leak in from the test process; the repository is importable
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("LDAP_", "DATABASE_", "CELERY_", "MAIL_", "PORTAL_"))}
    base_env["PYTHONPATH"] = str(ROOT)
    replacements = {
        "/etc/mesatic/env": str(env_file),
        "/var/lib/mesatic": str(instance),
        "/run/mesatic": str(run_dir),
        "127.0.0.1:8000": f"127.0.0.1:{port}",
    }
    yield {
        "values": values,
        "replacements": replacements,
        "base_env": base_env,
        "base_url": f"http://127.0.0.1:{port}",
        "mail_dir": mail_dir,
        "database_url": pg_database,
        "tmp_path": tmp_path,
    }


def test_following_the_readme_gives_a_working_portal(operator_setup, slapd_server):  # type: ignore[no-untyped-def]
    setup = operator_setup
    section = deploy_section()
    assert env_example_keys(section) - NOT_IN_HARNESS <= set(setup["values"]), (
        "the README's env file names a setting the test does not set"
    )
    blocks = sh_blocks(section)
    install, (load_env,), *steps = blocks
    assert any("pip install" in line for line in install)  # not run: the virtualenv exists, the harness is offline
    assert load_env.startswith("set -a") and "/etc/mesatic/env" in load_env
    flat = [line for block in steps for line in block]
    order = [
        "flask db upgrade",
        "flask setup check",
        "flask directory import",
        "flask systems create",
        "flask users grant",
        "gunicorn",
        "curl",
    ]
    positions = [next(i for i, line in enumerate(flat) if marker in line) for marker in order]
    assert positions == sorted(positions), "the README's steps are out of the operator's order"

    operator = Operator(load_env, setup["replacements"], setup["base_env"], setup["tmp_path"])
    outputs: dict[str, str] = {}
    try:
        for line in flat:
            if line.startswith(LONG_RUNNING):
                operator.start(line)
            elif line.startswith("curl"):
                wait_until(partial(_try, operator, line), timeout=90, what=f"{line}\n{operator.logs_tail()}")
            else:
                outputs[line] = operator.run(line, extra_env={"ADMIN_PASSWORD": "Administrador-2026!"})

        check = next(out for cmd, out in outputs.items() if "setup check" in cmd)
        assert check.rstrip().endswith("Entorno listo."), check
        assert "[FALLA]" not in check
        imported = next(out for cmd, out in outputs.items() if "directory import" in cmd)
        assert "dependencias nuevas:" in imported and "SAL" in imported
        systems = next(out for cmd, out in outputs.items() if "systems list" in cmd)
        system_id = int(next(row for row in systems.splitlines() if "\tdirectorio\t" in row).split("\t")[0])

        def healthy() -> bool:
            # 503 until the workers and beat have written their first heartbeat
            status, health = _http("GET", f"{setup['base_url']}/healthz")
            return status == 200 and health["status"] == "ok"

        wait_until(healthy, timeout=120, what=f"/healthz answering ok\n{operator.logs_tail()}")

        # the test's own steps from here on: a request filed, approved and provisioned through the API
        tokens = {
            user: operator.run(f".venv/bin/flask users token {user}").strip().splitlines()[-1]
            for user in ("enlace.salud", "jefe.salud", "lider.ed")
        }
        request_id = _file_and_approve(setup, tokens, system_id)
        wait_until(
            lambda: (
                _http("GET", f"{setup['base_url']}/api/v1/requests/{request_id}", tokens["enlace.salud"])[1]["state"]
                == "resuelta"
            ),
            timeout=120,
            what=f"the request provisioned\n{operator.logs_tail()}",
        )
        entry = slapd_server.read_entry(slapd_server.user_dn(setup["beneficiary"]))
        assert entry["mail"] == [f"{setup['beneficiary']}@{DOMAIN}"]
        group = slapd_server.read_entry(f"cn=correo-usuarios,{slapd_server.groups_dn}")
        assert slapd_server.user_dn(setup["beneficiary"]).lower() in [m.lower() for m in group["member"]]
        password = temporary_password(setup["mail_dir"], f"{setup['beneficiary']}@{DOMAIN}")  # exactly one mail
        assert slapd_server.try_bind(slapd_server.user_dn(setup["beneficiary"]), password)
    finally:
        operator.stop()


def _try(operator: Operator, command: str) -> bool:
    try:
        operator.run(command)
    except AssertionError:
        return False
    return True


def _file_and_approve(setup: dict[str, Any], tokens: dict[str, str], system_id: int) -> int:
    app = create_app(app_config(setup["tmp_path"] / "lookup", setup["database_url"]))
    with app.app_context():
        salud = db.session.execute(select(Dependency.id).where(Dependency.code == "SAL")).scalar_one()
        db.session.remove()
        db.engine.dispose()
    beneficiary = f"nuevo{uuid.uuid4().hex[:6]}"
    setup["beneficiary"] = beneficiary
    base = f"{setup['base_url']}/api/v1/requests"
    status, created = _http(
        "POST",
        base,
        tokens["enlace.salud"],
        {
            "form": "FO-M11-P2-05",
            "action": "crear",
            "system_id": system_id,
            "dependency_id": salud,
            "beneficiary_name": "Persona Nueva",
            "beneficiary_document_type": "CC",
            "beneficiary_document": "1144009988",
            "beneficiary_email": f"{beneficiary}@{DOMAIN}",
            "beneficiary_position": "Profesional",
            "beneficiary_username": beneficiary,
            "link_type": "planta",
            "justification": "Ingreso de personal de planta a la Secretaría de Salud.",
            "roles_to_add": ["correo"],
        },
    )
    assert status == 201, created
    request_id = int(created["id"])
    status, filed = _http("POST", f"{base}/{request_id}/submit", tokens["enlace.salud"])
    assert status == 200, filed
    for approver in ("jefe.salud", "lider.ed"):
        status, decided = _http("POST", f"{base}/{request_id}/decision", tokens[approver], {"decision": "aprobar"})
        assert status == 200, decided
    return request_id
