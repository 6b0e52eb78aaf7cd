"""Every page of the plan answers for the roles that read it, on the demo data, and refuses the others."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gobierno_digital.duties.models import DutyChecklist
from gobierno_digital.indicators.models import Indicator
from gobierno_digital.projects.models import Project
from gobierno_digital.risks.models import Risk
from portal.extensions import db

READER_PAGES = [
    "/gobierno-digital/",
    "/gobierno-digital/evaluaciones",
    "/gobierno-digital/plan",
    "/gobierno-digital/proyectos",
    "/gobierno-digital/indicadores",
    "/gobierno-digital/riesgos",
    "/gobierno-digital/supervision",
    "/gobierno-digital/deberes",
    "/gobierno-digital/configuracion",
]


def demo_paths(app) -> list[str]:  # type: ignore[no-untyped-def]
    from portal.clock import local_date
    from portal.db import utcnow

    year = local_date(utcnow()).year
    with app.app_context():
        project = db.session.execute(select(Project.id)).scalar()
        indicator = db.session.execute(select(Indicator.id)).scalar()
        risk = db.session.execute(select(Risk.id)).scalar()
        checklist = db.session.execute(select(DutyChecklist.id)).scalar()
    return [
        f"/gobierno-digital/evaluaciones/{year - 1}",
        f"/gobierno-digital/plan/{year}",
        f"/gobierno-digital/plan/{year}/versiones/1",
        f"/gobierno-digital/proyectos/{project}",
        f"/gobierno-digital/indicadores/{indicator}",
        f"/gobierno-digital/riesgos/{risk}",
        f"/gobierno-digital/deberes/{checklist}",
    ]


@pytest.mark.parametrize("username", ["lider.ed", "secretario", "control.interno"])
def test_readers_see_every_page(app, login_as, username):
    client = login_as(username)
    for path in READER_PAGES + demo_paths(app):
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:3000])


@pytest.mark.parametrize("username", ["enlace.salud", "agente", "jefe.salud"])
def test_others_are_refused(login_as, username):
    client = login_as(username)
    for path in READER_PAGES:
        if username == "enlace.salud" and path == "/gobierno-digital/deberes":
            continue
        assert client.get(path).status_code == 403, path


def test_profesional_forms_render(app, login_as):
    from portal.clock import local_date
    from portal.db import utcnow

    client = login_as("lider.ed")
    year = local_date(utcnow()).year
    for path in (
        "/gobierno-digital/indicadores/nuevo",
        "/gobierno-digital/riesgos/nuevo",
        "/gobierno-digital/proyectos/nuevo",
        f"/gobierno-digital/evaluaciones/{year - 1}/sesion",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:3000])


def test_reports_download(login_as):
    client = login_as("control.interno")
    for path, kind in (
        ("/gobierno-digital/indicadores/reporte.xlsx", "spreadsheetml"),
        ("/gobierno-digital/indicadores/reporte.pdf", "pdf"),
        ("/gobierno-digital/riesgos/mapa.pdf", "pdf"),
        ("/gobierno-digital/supervision/informe.pdf?desde=2026-01-01&hasta=2026-12-31", "pdf"),
        ("/gobierno-digital/supervision/informe.docx?desde=2026-01-01&hasta=2026-12-31", "wordprocessingml"),
        ("/gobierno-digital/evaluaciones/plantilla.xlsx", "spreadsheetml"),
        ("/gobierno-digital/evaluaciones/plantilla.csv", "csv"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response.mimetype, (path, response.mimetype)
