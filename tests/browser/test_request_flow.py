"""An FO-M11-P2-05 creation request from filing to approval, in real headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageFactory, check_accessibility, login


@pytest.fixture(scope="module")
def live_app_config() -> dict[str, object]:
    """Tasks go to an in-memory broker that no worker reads: the request stays as approved."""
    return {"CELERY_TASK_ALWAYS_EAGER": False, "CELERY_BROKER_URL": "memory://"}


def fill_creation_form(page: Page) -> None:
    page.get_by_label("Creación de usuario").check()
    page.get_by_label("Sistema de información").select_option(label="Directorio institucional (cuenta de red y correo)")
    page.get_by_label("Nombres y apellidos").fill("Camilo Andrés Torres Gil")
    page.get_by_label("Tipo de documento").select_option("CC")
    page.get_by_label("Número de documento").fill("1130998877")
    page.get_by_label("Correo institucional").fill("camilo.torres@valledelcauca.gov.co")
    page.get_by_label("Cargo").fill("Técnico administrativo")
    page.get_by_label("Usuario en el sistema").fill("camilo.torres")
    page.get_by_label("Planta").check()
    page.get_by_role("checkbox", name="correo", exact=True).check()
    page.get_by_label("Justificación").fill("Nuevo funcionario de la Secretaría de Salud; requiere cuenta de red y correo.")


def approve(page: Page, base_url: str, username: str, url: str) -> None:
    login(page, base_url, username)
    page.goto(url)
    page.get_by_label("Aprobar").check()
    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.get_by_role("status").filter(has_text="Paso aprobado.")).to_be_visible()


def test_enlace_files_jefe_signs_lider_approves(new_page: PageFactory, live_server: str) -> None:
    enlace = new_page()
    login(enlace, live_server, "enlace.salud")
    enlace.get_by_role("link", name="Solicitudes").click()
    enlace.get_by_role("link", name="Crear, activar o retirar un usuario (FO-M11-P2-05)").click()
    expect(enlace.get_by_role("heading", level=1)).to_have_text("Creación, activación o retiro de usuario")
    fill_creation_form(enlace)
    enlace.get_by_role("button", name="Radicar solicitud").click()
    expect(enlace.get_by_role("heading", level=1)).to_have_text(re.compile(r"^SOL-\d{4}-\d{5}$"))
    request_url = enlace.url
    number = enlace.get_by_role("heading", level=1).inner_text()

    approve(new_page(), live_server, "jefe.salud", request_url)
    approve(new_page(), live_server, "lider.ed", request_url)

    enlace.reload()
    expect(enlace.locator("[data-state]")).to_have_text("Aprobada")
    chain = enlace.get_by_role("region", name="Cadena de aprobación")
    expect(chain.locator('[data-step="jefe"]')).to_contain_text("Andrés Mejía Castro")
    expect(chain.locator('[data-step="jefe"]')).to_contain_text("Aprobado")
    expect(chain.locator('[data-step="aprobador"]')).to_contain_text("Juliana Cárdenas Mora")
    expect(chain.locator('[data-step="aprobador"]')).to_contain_text("Aprobado")

    outsider = new_page()
    login(outsider, live_server, "enlace.hacienda")
    response = outsider.goto(request_url)
    assert response is not None and response.status == 403
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Acceso denegado")
    outsider.goto(f"{live_server}/solicitudes?q={number}")
    expect(outsider.get_by_text("No hay solicitudes con estos filtros.")).to_be_visible()


def test_request_pages_are_accessible(new_page: PageFactory, live_server: str) -> None:
    page = new_page(bypass_csp=True)
    login(page, live_server, "enlace.salud")
    page.goto(f"{live_server}/solicitudes/nueva/fo-m11-p2-13")
    check_accessibility(page)
    page.goto(f"{live_server}/solicitudes")
    check_accessibility(page)


def test_an_fo05_with_two_mistakes_shows_both_at_once_and_files_once_fixed(new_page: PageFactory, live_server: str) -> None:
    enlace = new_page()
    login(enlace, live_server, "enlace.salud")
    enlace.get_by_role("link", name="Solicitudes").click()
    enlace.get_by_role("link", name="Crear, activar o retirar un usuario (FO-M11-P2-05)").click()
    fill_creation_form(enlace)
    enlace.get_by_label("Número de documento").fill("11A.998")
    enlace.get_by_label("Correo institucional").fill("camilo.torres@gmail.com")
    enlace.get_by_role("button", name="Radicar solicitud").click()

    # one round: both mistakes in the summary at the top, each a link to its field
    summary = enlace.locator("[data-error-summary]")
    expect(summary).to_contain_text("hay 2 errores")
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_contain_text("La cédula de ciudadanía lleva de 5 a 10 dígitos")
    expect(links.nth(1)).to_contain_text("Debe ser un correo institucional (@valledelcauca.gov.co).")
    assert links.nth(0).get_attribute("href") == "#beneficiary_document"
    # what was typed stays, including the role of the chosen system
    expect(enlace.get_by_label("Nombres y apellidos")).to_have_value("Camilo Andrés Torres Gil")
    expect(enlace.get_by_role("checkbox", name="correo", exact=True)).to_be_checked()

    enlace.get_by_label("Número de documento").fill("1.130.998.877")
    enlace.get_by_label("Correo institucional").fill("camilo.torres@valledelcauca.gov.co")
    enlace.get_by_role("button", name="Radicar solicitud").click()
    expect(enlace.get_by_role("heading", level=1)).to_have_text(re.compile(r"^SOL-\d{4}-\d{5}$"))
    expect(enlace.get_by_text("CC 1130998877")).to_be_visible()
    expect(enlace.locator("[data-waiting-for]")).to_contain_text("Espera la firma de Andrés Mejía Castro")

    # the history and the cancel form sit above the footer, on a desktop and on a phone
    for width, height in ((1366, 768), (390, 844)):
        enlace.set_viewport_size({"width": width, "height": height})
        footer = enlace.locator("footer").bounding_box()
        assert footer is not None
        for name in ("Historial", "Cancelar solicitud"):
            box = enlace.get_by_role("region", name=name).bounding_box()
            assert box is not None and box["y"] + box["height"] <= footer["y"], (width, name, box, footer)
