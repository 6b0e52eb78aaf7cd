"""Fixtures of the Gobierno Digital tests: people by username, an API caller, the mails sent, score
files, and a database without the plan's demo data (``gd_empty``).

The shared demo database already holds the plan's demo (``gobierno_digital.demo``); tests that count
things start from ``gd_empty``. Service-level code runs inside ``with app.app_context():``.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import User

HEADINGS = ["vigencia", "instrumento", "componente", "codigo", "pregunta", "puntaje", "maximo"]


def user(username: str) -> User:
    found = db.session.execute(select(User).where(User.username == username).execution_options(populate_existing=True)).scalar()
    assert found is not None, username
    return found


def sent_mails(app: Flask) -> list[EmailMessage]:
    found = []
    for path in sorted(Path(app.config["MAIL_FILE_PATH"]).glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                found.append(message)
    return found


def subject(message: EmailMessage) -> str:
    return str(message["Subject"]).strip()


def xlsx_bytes(rows: Sequence[Sequence[Any]], headings: Sequence[str] = HEADINGS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], headings: Sequence[str] = HEADINGS, delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


#: a well-formed vigencia 2030: seven components, FURAG and ITD, one question under 60 % per component
GOOD_ROWS = [
    (2030, "FURAG", "Arquitectura", "ARQ-1", "Catálogo de servicios tecnológicos", 45, 100),
    (2030, "FURAG", "Arquitectura", "ARQ-2", "PETI publicado", 90, 100),
    (2030, "FURAG", "Seguridad y Privacidad de la Información", "SEG-1", "MSPI adoptado", 70, 100),
    (2030, "FURAG", "Cultura y Apropiación", "CUL-1", "Estrategia de apropiación", "55,5", 100),
    (2030, "FURAG", "Servicios Ciudadanos Digitales", "SCD-1", "Trámites en GOV.CO", 20, 100),
    (2030, "furag", "servicios y procesos inteligentes", "SPI-1", "Trámites automatizados", 80, 100),
    (2030, "FURAG", "Decisiones basadas en datos", "DAT-1", "Gobierno de datos", 30, 100),
    (2030, "ITD", "Estado abierto", "ITD-3.2", "Datos abiertos publicados", 2, 5),
]


def gd_tables() -> list[Any]:
    """The plan's tables, children first (for deleting)."""
    from gobierno_digital import models as m

    return [
        m.GdDocument, m.DutyItem, m.DutyChecklist, m.MilestoneProgress, m.Milestone, m.Measurement, m.Indicator,
        m.RiskAction, m.RiskControl, m.Risk, m.ContractReport, m.Contract, m.Project, m.PlanVersion, m.BudgetAvailability,
        m.PlanResource, m.PlanActivity, m.WorkPlan, m.Gap, m.AnalysisAttendee, m.AnalysisSession, m.Score, m.ScoreImport,
        m.GdSettings,
    ]  # fmt: skip


@pytest.fixture
def gd_empty(app: Flask) -> None:
    """The demo database without the plan's demo rows (the profesional_gd role of lider.ed stays)."""
    with app.app_context():
        for model in gd_tables():
            db.session.execute(delete(model))
        db.session.commit()


@pytest.fixture
def api(app: Flask) -> Callable[..., Any]:
    """``api(username, method, path, **kwargs)``: a call to the API with that user's token."""
    client = app.test_client()
    tokens: dict[str, str] = {}

    def call(username: str | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = {}
        if username:
            if username not in tokens:
                result = app.test_cli_runner().invoke(args=["users", "token", username])
                assert result.exit_code == 0, result.output
                tokens[username] = result.output.strip()
            headers["Authorization"] = f"Bearer {tokens[username]}"
        return client.open(path, method=method, headers=headers, **kwargs)

    return call
