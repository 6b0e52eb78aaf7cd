"""The Secretario's and Control Interno's dashboard on the demo data, its API twin, the panels of the
home page, and the settings."""

from __future__ import annotations

from gobierno_digital.risks import dafp
from gobierno_digital.settings import get_settings
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from tests.conftest import csrf_token, login


def test_the_demo_fills_the_dashboard(app, login_as):
    from gobierno_digital.dashboard import dashboard_data

    with app.app_context():
        data = dashboard_data(db.session, utcnow())
        year = local_date(utcnow()).year
        assert data.vigencia == year and data.plan is not None
        assert data.comparison.vigencias == [year - 2, year - 1]
        assert len(data.comparison.rows) == 7
        assert sum(p.total for p in data.by_component) == 4
        assert len(data.indicators) == 2
        assert sum(data.risks_inherent.values()) == 3 and data.risks_inherent[dafp.Zone.ALTA] >= 1
        assert len(data.late_milestones) == 1
    page = login_as("secretario").get("/gobierno-digital/").get_data(as_text=True)
    assert 'data-count="hitos">1<' in page
    assert "Tablero de Gobierno Digital" in page and 'role="img"' in page


def test_the_api_twin_of_the_dashboard(api):
    response = api("control.interno", "GET", "/api/v1/gd/dashboard")
    assert response.status_code == 200
    assert len(response.json["overdue"]["milestones"]) == 1
    assert sum(response.json["risks"]["inherent"].values()) == 3
    assert api("enlace.salud", "GET", "/api/v1/gd/dashboard").status_code == 403


def test_home_page_panels(app):
    for username, key in (
        ("secretario", "gd_vencidos"),
        ("control.interno", "gd_vencidos"),
        ("lider.ed", "gd_plan"),
        ("enlace.salud", "gd_deberes"),
    ):
        client = app.test_client()
        assert login(client, username).status_code == 302
        page = client.get("/").get_data(as_text=True)
        assert f'data-panel="{key}"' in page, username


def test_the_secretario_tunes_the_settings(app, login_as):
    secretario = login_as("secretario")
    token = csrf_token(secretario, "/gobierno-digital/configuracion")
    form = {
        "csrf_token": token,
        "gap_threshold_percent": "70",
        "milestone_late_days": "3",
        "measurement_due_days": "10",
        "duty_periodicity": "semestral",
        "duty_due_days": "15",
    }
    assert secretario.post("/gobierno-digital/configuracion", data={**form, "gap_threshold_percent": "0"}).status_code == 422
    assert secretario.post("/gobierno-digital/configuracion", data=form).status_code == 303
    with app.app_context():
        settings = get_settings(db.session)
        assert (settings.gap_threshold_percent, settings.milestone_late_days, settings.duty_periodicity.value) == (
            70,
            3,
            "semestral",
        )
