"""The jefe is the beneficiary: the Secretario decides the jefe step by suplencia, in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageFactory, check_accessibility, login


@pytest.fixture(scope="module")
def live_app_config() -> dict[str, object]:
    """Tasks go to an in-memory broker that no worker reads: the request stays as approved."""
    return {"CELERY_TASK_ALWAYS_EAGER": False, "CELERY_BROKER_URL": "memory://"}


def file_unlock_for_the_jefe(page: Page, base_url: str) -> str:
    login(page, base_url, "enlace.salud")
    page.goto(f"{base_url}/solicitudes/nueva/fo-m11-p2-12")
    page.get_by_label("Desbloqueo (recuerda la clave)").check()
    page.get_by_label("Sistema de información").select_option(label="Directorio institucional (cuenta de red y correo)")
    page.get_by_label("Nombres y apellidos").fill("Andrés Mejía Castro")
    page.get_by_label("Tipo de documento").select_option("CC")
    page.get_by_label("Número de documento").fill("1130765432")
    page.get_by_label("Correo institucional").fill("jefe.salud@valledelcauca.gov.co")
    page.get_by_label("Cargo").fill("Secretario de Salud")
    page.get_by_label("Usuario en el sistema").fill("jefe.salud")
    page.get_by_label("Planta").check()
    page.get_by_label("Justificación").fill("El secretario de Salud quedó bloqueado por intentos fallidos y recuerda la clave.")
    page.get_by_role("button", name="Radicar solicitud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^SOL-\d{4}-\d{5}$"))
    return page.url


def test_the_request_page_names_the_substitute_and_the_reason(new_page: PageFactory, live_server: str) -> None:
    url = file_unlock_for_the_jefe(new_page(), live_server)

    jefe = new_page()
    login(jefe, live_server, "jefe.salud")
    jefe.goto(url)
    who = jefe.locator("[data-routing]")
    expect(who).to_have_attribute("data-routing", "suplencia")
    expect(who).to_contain_text("Jorge Salazar Henao, por suplencia (Secretario de las TIC)")
    expect(who).to_contain_text("Andrés Mejía Castro es el beneficiario de la solicitud")
    expect(who).to_contain_text("No es una excepción.")
    expect(jefe.get_by_role("button", name="Registrar decisión")).to_have_count(0)
    jefe.goto(f"{live_server}/solicitudes?bandeja=por_aprobar")
    expect(jefe.locator("tbody")).not_to_contain_text("Andrés Mejía Castro")

    secretario = new_page(bypass_csp=True)  # only to inject axe-core for the accessibility check
    login(secretario, live_server, "secretario")
    secretario.goto(f"{live_server}/solicitudes?bandeja=por_aprobar")
    secretario.get_by_role("row").filter(has_text="Andrés Mejía Castro").get_by_role("link").first.click()
    expect(
        secretario.get_by_text("Decide por suplencia: Andrés Mejía Castro es el beneficiario de la solicitud.")
    ).to_be_visible()
    check_accessibility(secretario)
    secretario.get_by_label("Aprobar").check()
    secretario.get_by_role("button", name="Registrar decisión").click()
    expect(secretario.get_by_role("status").filter(has_text="Paso aprobado.")).to_be_visible()
    jefe_step = secretario.get_by_role("region", name="Cadena de aprobación").locator('[data-step="jefe"]')
    expect(jefe_step).to_contain_text("Jorge Salazar Henao")
    expect(jefe_step).to_contain_text("Suplencia")
    expect(secretario.locator("[data-routing]")).to_contain_text("Juliana Cárdenas Mora, titular del paso.")
    expect(secretario.locator(".page-title .badge", has_text="Excepción")).to_have_count(0)
