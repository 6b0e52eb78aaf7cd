"""The calendar helpers of the API (SPEC §8), for any user with a personal token."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from sla import services
from tests.unit.sla.flow import bogota


def test_add_business_time(api):
    # Friday 20 March 2026 16:00 + 4 h: Friday 16–18, San José on Monday 23, Tuesday 08–10
    response = api("enlace.salud", "GET", "/api/v1/calendar/add-business-time?start=2026-03-20T16:00:00-05:00&hours=4")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"due": "2026-03-24T15:00:00+00:00"}
    naive = api("agente", "GET", "/api/v1/calendar/add-business-time?start=2026-03-20T16:00&hours=4")
    assert naive.get_json() == {"due": "2026-03-24T15:00:00+00:00"}
    utc = api("agente", "GET", "/api/v1/calendar/add-business-time?start=2026-03-20T21:00:00Z&hours=0.5")
    assert utc.get_json() == {"due": "2026-03-20T21:30:00+00:00"}


def test_add_business_days(api):
    response = api("jefe.salud", "GET", "/api/v1/calendar/add-business-days?date=2026-03-20&days=1")
    assert response.status_code == 200 and response.get_json() == {"date": "2026-03-24"}
    assert api("jefe.salud", "GET", "/api/v1/calendar/add-business-days?date=2026-03-20&days=0").get_json() == {
        "date": "2026-03-20"
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=mañana&hours=4", "start"),
        ("start=2026-13-01T08:00&hours=4", "start"),
        ("hours=4", "start"),
        ("start=2026-03-20T08:00", "hours"),
        ("start=2026-03-20T08:00&hours=-1", "hours"),
        ("start=2026-03-20T08:00&hours=muchas", "hours"),
        ("start=2099-03-20T08:00&hours=1", "start"),
        ("start=2060-12-31T17:00&hours=100", "hours"),
    ],
)
def test_add_business_time_refuses_bad_input_with_problem_json(api, query, field):
    response = api("enlace.salud", "GET", f"/api/v1/calendar/add-business-time?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and field in body["errors"]


@pytest.mark.parametrize(
    "query", ["date=20/03/2026&days=1", "date=2026-03-20&days=-1", "date=2026-03-20", "date=1990-01-01&days=1"]
)
def test_add_business_days_refuses_bad_input(api, query):
    response = api("enlace.salud", "GET", f"/api/v1/calendar/add-business-days?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_calendar_api_needs_a_token(api):
    response = api(None, "GET", "/api/v1/calendar/add-business-days?date=2026-03-20&days=1")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert api(None, "GET", "/api/v1/calendar/add-business-time?start=bad").status_code == 401


def test_entity_days_off_count(app, api):
    with app.app_context():
        services.add_day_off(
            db.session, actor=None, day=date(2026, 3, 24), description="Día de la entidad", now=bogota(2026, 3, 1)
        )
        db.session.commit()
    assert api("agente", "GET", "/api/v1/calendar/add-business-days?date=2026-03-20&days=1").get_json() == {"date": "2026-03-25"}


def test_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/calendar/add-business-time" in spec["paths"]
    assert "/api/v1/calendar/add-business-days" in spec["paths"]
    assert "/api/v1/reports/ans" in spec["paths"]
