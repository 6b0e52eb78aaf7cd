"""An initiative registered and postulated, put on a session's agenda and convened, in real Chromium."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from icalendar import Calendar
from playwright.sync_api import Page, expect

from catalog.models import InitiativeState
from committee.demo import load_committee_demo
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from tests.browser.conftest import PHONE, PageFactory, check_accessibility, login
from tests.unit.catalog.factories import make_initiative, make_session

TITLE = "Sede electrónica de trámites de salud pública"


@pytest.fixture(scope="module", autouse=True)
def committee(live_app: Flask) -> Iterator[None]:
    """The demo committee (``portal.demo`` may already load it: the loader is idempotent)."""
    with live_app.app_context():
        load_committee_demo(db.session, live_app.config["PROFILE"])
        db.session.commit()
    yield


def sent_mails(app: Flask) -> list[EmailMessage]:
    found = []
    for path in sorted(Path(app.config["MAIL_FILE_PATH"]).glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                found.append(message)
    return found


def register_initiative(page: Page, base_url: str) -> str:
    login(page, base_url, "enlace.salud")
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Iniciativas").click()
    page.get_by_role("link", name="Registrar iniciativa").click()
    page.get_by_label("Nombre de la iniciativa").fill(TITLE)
    page.get_by_label("Descripción", exact=True).fill(
        "Ventanilla única digital para los trámites de salud pública, integrada a GOV.CO."
    )
    page.get_by_label("Objetivo", exact=True).fill("Que ningún trámite de salud pública exija ir a una oficina.")
    page.get_by_label("Servicios Ciudadanos Digitales").check()
    page.get_by_label("Arquitectura").check()
    page.get_by_label("Está incluida en el PETI").check()
    page.get_by_label("Presupuesto estimado (pesos)").fill("$ 480.000.000")
    page.get_by_label("Fuente de financiación").select_option(label="Recursos propios")
    page.get_by_label("Fecha estimada de inicio").fill("2027-02-01")
    page.get_by_label("Fecha estimada de finalización").fill("2027-11-30")
    page.get_by_label("Patrocinador (cargo de quien la respalda)").fill("Secretario de Salud")
    page.get_by_role("button", name="Guardar iniciativa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("[data-state]")).to_have_text("Registrada")
    code = re.search(r"INI-\d{4}-\d{4}", page.locator(".page-title").inner_text())
    assert code is not None
    page.get_by_role("button", name="Postular al comité").click()
    expect(page.get_by_role("status").filter(has_text="Postulación enviada al jefe")).to_be_visible()
    expect(page.locator('[data-postulation="pendiente"]')).to_be_visible()
    return code.group(0)


def test_enlace_postulates_secretariat_puts_it_on_the_agenda_and_convenes(
    new_page: PageFactory, live_server: str, live_app: Flask
) -> None:
    enlace = new_page()
    code = register_initiative(enlace, live_server)
    initiative_url = enlace.url

    jefe = new_page()
    login(jefe, live_server, "jefe.salud")
    jefe.goto(initiative_url)
    jefe.get_by_role("button", name="Confirmar postulación").click()
    expect(jefe.get_by_role("status").filter(has_text="Postulación confirmada")).to_be_visible()
    expect(jefe.locator("[data-state]")).to_have_text("Postulada")

    st = new_page()
    login(st, live_server, "st.mesa")
    st.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Comité").click()
    expect(st.get_by_role("heading", level=1)).to_contain_text("Plan de sesiones")
    st.get_by_role("link", name="Programar sesión ordinaria").click()
    day = local_date(utcnow()) + timedelta(days=10)
    st.get_by_role("radio", name="Ordinaria", exact=True).check()
    st.get_by_label("Fecha", exact=True).fill(day.isoformat())
    st.get_by_label("Hora de inicio").fill("09:00")
    st.get_by_label("Hora de finalización").fill("11:00")
    st.get_by_label("Lugar", exact=True).fill("Sala de juntas, piso 7")
    st.get_by_role("button", name="Guardar sesión").click()
    expect(st.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Sesión ordinaria N\.º \d+ de \d{4}$"))
    session_url = st.url

    st.get_by_label("Iniciativa postulada").select_option(label=f"{code} — {TITLE} (Secretaría de Salud)")
    st.get_by_role("button", name="Incluir en el orden del día").click()
    expect(st.get_by_role("status").filter(has_text=f"Iniciativa {code} incluida")).to_be_visible()
    agenda = st.get_by_role("region", name="Orden del día")
    expect(agenda.locator("[data-item-kind]")).to_have_count(5)
    expect(agenda.locator('[data-item-kind="iniciativa"]')).to_contain_text(code)
    convocados = st.get_by_role("region", name="Convocados")
    expect(convocados.locator('[data-mandatory="1"]')).to_contain_text("Andrés Mejía Castro")
    st.get_by_role("button", name="Enviar convocatoria").click()
    expect(st.get_by_role("status").filter(has_text="Convocatoria enviada")).to_be_visible()
    expect(st.locator("[data-session-state]")).to_have_text("Convocada")
    expect(st.locator('[data-convocation="0"]')).to_be_visible()

    enlace.goto(initiative_url)
    expect(enlace.locator("[data-state]")).to_have_text("En agenda")

    messages = [m for m in sent_mails(live_app) if str(m["Subject"]).strip().startswith("Convocatoria:")]
    assert len(messages) == 1
    message = messages[0]
    assert "jefe.salud@valledelcauca.gov.co" in message["To"] and "integrante1@valledelcauca.gov.co" in message["To"]
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    event = Calendar.from_ical(payload).walk("VEVENT")[0]
    session_id = session_url.rstrip("/").rsplit("/", 1)[1]
    assert event["UID"] == f"sesion-{session_id}@valledelcauca.gov.co" and event["SEQUENCE"] == 0
    assert event.decoded("DTSTART").date() == day and event["DTSTART"].params["TZID"] == "America/Bogota"
    assert code in event["DESCRIPTION"]
    assert {str(a): a.params["ROLE"] for a in event.get("attendee")}[
        "mailto:jefe.salud@valledelcauca.gov.co"
    ] == "REQ-PARTICIPANT"

    download = st.request.get(f"{session_url}/invitacion.ics")
    assert download.ok and "BEGIN:VCALENDAR" in download.text()


def test_catalogue_and_committee_pages_are_accessible(new_page: PageFactory, live_server: str, live_app: Flask) -> None:
    now = utcnow()
    with live_app.app_context():
        session_id = make_session(day=local_date(now) + timedelta(days=20), now=now)
        initiative_id = make_initiative(InitiativeState.EN_AGENDA, session_id=session_id, now=now)

    enlace = new_page(bypass_csp=True)
    login(enlace, live_server, "enlace.salud")
    for path in ("/", "/iniciativas", "/iniciativas/nueva", f"/iniciativas/{initiative_id}"):
        enlace.goto(f"{live_server}{path}")
        check_accessibility(enlace)

    st = new_page(bypass_csp=True)
    login(st, live_server, "st.mesa")
    for path in ("/", "/comite", "/comite/sesiones", "/comite/sesiones/nueva", f"/comite/sesiones/{session_id}"):
        st.goto(f"{live_server}{path}")
        check_accessibility(st)

    phone = new_page(bypass_csp=True, viewport=PHONE)
    phone.goto(f"{live_server}/catalogo-publico")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Catálogo público de iniciativas TIC")
    check_accessibility(phone)
