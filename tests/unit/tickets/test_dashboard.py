"""The requests' panels on the home page: counts with their plural, when the oldest falls due, and
the oldest requests as links with the next action."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from portal.i18n import when_phrase
from tests.conftest import login
from tests.unit.tickets.factories import build_request
from tickets.models import RequestState


def panel(client: FlaskClient, key: str) -> str:
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'data-panel="' + key + r'">(.*?)</div>', page, re.S)
    assert found is not None, page[:2000]
    return " ".join(found.group(1).split())


def test_approver_sees_the_count_the_oldest_due_and_links_to_approve(app: Flask) -> None:
    client = app.test_client()
    login(client, "lider.ed")
    assert "No hay solicitudes esperando su aprobación." in panel(client, "por_aprobar")

    with app.app_context():
        first = build_request(state=RequestState.EN_APROBACION)
    text = panel(client, "por_aprobar")
    assert "1 solicitud por aprobar — la más antigua vence " in text
    assert ".." not in text
    assert f'href="/solicitudes/{first}"' in text
    assert "María Fernanda Rojas Peña — Aprobar</a>" in text

    with app.app_context():
        build_request(state=RequestState.EN_APROBACION)
    assert "2 solicitudes por aprobar — la más antigua vence" in panel(client, "por_aprobar")


def test_jefe_signs_and_enlace_corrects_what_was_returned(app: Flask) -> None:
    with app.app_context():
        build_request(state=RequestState.RADICADA)
        returned = build_request(state=RequestState.DEVUELTA)
    jefe = app.test_client()
    login(jefe, "jefe.salud")
    signing = panel(jefe, "por_firmar")
    assert signing.startswith("<h3>Solicitudes por firmar</h3>")
    assert "1 solicitud por firmar" in signing and "— Firmar</a>" in signing

    enlace = app.test_client()
    login(enlace, "enlace.salud")
    mine = panel(enlace, "mis_solicitudes")
    assert "1 devuelta para corregir · 1 en curso." in mine
    assert f'href="/solicitudes/{returned}"' in mine and "— Corregir</a>" in mine


def test_when_phrase_says_today_tomorrow_or_the_long_date(app: Flask) -> None:
    now = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # 9:00 a. m. in Bogotá
    with app.test_request_context():
        assert when_phrase(datetime(2026, 12, 7, 21, 0, tzinfo=UTC), now) == "hoy 4:00 p.\xa0m."
        assert when_phrase(datetime(2026, 12, 8, 13, 0, tzinfo=UTC), now) == "mañana 8:00 a.\xa0m."
        assert when_phrase(datetime(2026, 12, 16, 15, 0, tzinfo=UTC), now) == "el 16 de diciembre"
