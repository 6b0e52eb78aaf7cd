"""The committee's panels on the dashboard: open acta deadlines for the secretariat, actas to
review for the members, overdue commitments for Control Interno (seed Mesa §4, §6)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import login
from tests.unit.committee import acta_factories
from tests.unit.committee.test_room_api import overdue_commitment


def panel(client: FlaskClient, title: str) -> str:
    page = client.get("/").get_data(as_text=True)
    found = re.search(re.escape(title) + r"</h3>\s*<p[^>]*>(.*?)</p>", page, re.S)
    assert found is not None, page[:2000]
    return found.group(1).strip()


def test_panels_say_when_nothing_is_pending(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    assert panel(login_as("st.mesa"), "Plazos de las actas") == "No hay plazos de actas abiertos."


def test_secretariat_sees_the_acta_deadline_and_members_the_acta_to_review(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        held = acta_factories.held_session()
        acta_id = acta_factories.close(held)
    text = panel(login_as("st.mesa"), "Plazos de las actas")
    # held on Friday 20 March 2026; Monday 23 is a holiday: the fifth business day is Monday 30 March (and
    # long past by now, so it reads "vencido")
    assert text == "Envío del proyecto de acta: vencido 30/03/2026."
    with app.app_context():
        acta_factories.send(acta_id, acta_factories.bogota(2026, 3, 24, 10))
    client = app.test_client()
    login(client, "integrante1")
    assert panel(client, "Actas por revisar") == "Actas en observaciones: 1 · aprobadas por suscribir: 0."
    page = client.get("/").get_data(as_text=True)
    # sent Tuesday 24 March: three business days, to Friday 27 March 2026
    link = f'<a href="/comite/actas/{acta_id}">Acta de la sesión ordinaria N.º 1 de 2026 espera sus observaciones hasta el 27 de marzo'
    assert link in page, page[page.find('data-panel="actas"') :][:800]
    assert "— Aprobar u observar</a>" in page


def test_control_interno_sees_the_overdue_commitments(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("control.interno")
    assert panel(client, "Compromisos vencidos del comité") == "No hay compromisos del comité vencidos."
    overdue_commitment(app)
    assert panel(client, "Compromisos vencidos del comité") == "1 compromiso del comité está vencido."
