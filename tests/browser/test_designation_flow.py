"""The head of Salud designates a new enlace with the act's PDF, completes the handover once the
outgoing enlace's privileges are removed, and the coverage view reflects it, in real headless Chromium."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from playwright.sync_api import expect

from portal.demo import demo_act_pdf
from tests.browser.conftest import PageFactory, check_accessibility, login


def _resolve_removal(app: Flask) -> None:
    """The service desk resolved the FO-M11-P2-13 that removes the outgoing enlace's groups."""
    from sqlalchemy import select

    from enlaces.models import Handover
    from portal.extensions import db
    from tickets.models import AccessRequest, RequestState

    with app.app_context():
        handover = db.session.execute(select(Handover).where(Handover.is_completed.is_(False))).scalar_one()
        removal = db.session.get(AccessRequest, handover.removal_request_id)
        removal.state, removal.number = RequestState.RESUELTA, "SOL-2026-09997"
        db.session.commit()
        db.session.remove()


def test_jefe_designates_completes_the_handover_and_coverage_shows_it(
    new_page: PageFactory, live_server: str, live_app: Flask, tmp_path: Path
) -> None:
    act = tmp_path / "resolucion-0456.pdf"
    act.write_bytes(demo_act_pdf("Resolución 0456 de 2026: designa el enlace TIC de la Secretaría de Salud."))

    head = new_page()
    login(head, live_server, "jefe.salud")
    head.get_by_role("link", name="Dependencias").click()
    head.get_by_role("link", name="Secretaría de Salud").click()
    head.get_by_role("link", name="Designación y transferencias").click()
    expect(head.locator("[data-vigente]")).to_have_attribute("data-vigente", "enlace.salud")

    head.get_by_label("Usuario de la persona designada").fill("integrante3")
    head.get_by_label("Tipo de acto").select_option(label="Resolución")
    head.get_by_label("Número del acto").fill("0456")
    head.get_by_label("Fecha del acto").fill("2026-11-03")
    head.get_by_label("Rige a partir de").fill("2026-11-04")
    head.get_by_label("Acto en PDF (máximo 10 MB)").set_input_files(str(act))
    head.get_by_role("button", name="Registrar designación").click()
    expect(head.get_by_role("status").filter(has_text="Designación registrada.")).to_be_visible()
    expect(head.locator("[data-vigente]")).to_have_attribute("data-vigente", "integrante3")

    head.get_by_role("region", name="Transferencias de conocimiento").get_by_role("link").first.click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Transferencia de conocimiento")
    expect(head.get_by_role("status").filter(has_text="la transferencia se cierra cuando esté resuelta")).to_be_visible()
    expect(head.get_by_role("button", name="Completar transferencia")).to_have_count(0)
    _resolve_removal(live_app)
    head.reload()
    for label in (
        "Solicitudes de acceso abiertas entregadas al nuevo enlace",
        "Iniciativas y proyectos TIC de la dependencia explicados al nuevo enlace",
        "Documentos, archivos y publicaciones a cargo del enlace entregados (portal web, SUIT, datos abiertos)",
        "Credenciales del enlace saliente retiradas y las del entrante solicitadas",
    ):
        head.get_by_label(label).check()
    head.get_by_role("button", name="Completar transferencia").click()
    expect(head.get_by_role("status").filter(has_text="Transferencia de conocimiento completada.")).to_be_visible()

    secretario = new_page(bypass_csp=True)
    login(secretario, live_server, "secretario")
    secretario.get_by_role("link", name="Enlaces TIC").click()
    row = secretario.locator('[data-coverage="SAL"]')
    expect(row).to_have_attribute("data-covered", "si")
    expect(row).to_contain_text("Natalia Duque Serna")
    expect(row.locator("td").last).to_have_text("0")
    check_accessibility(secretario)
