"""Login, dashboard, accessibility (axe-core) and the phone layout in real headless Chromium."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import PHONE, PageFactory, check_accessibility, login


def dependency_id(app: Flask, code: str) -> int:
    from portal.extensions import db
    from portal.models import Dependency

    with app.app_context():
        found = db.session.execute(select(Dependency.id).where(Dependency.code == code)).scalar_one()
        db.session.remove()
        return int(found)


def test_head_of_dependency_logs_in_and_sees_the_dashboard(page: Page, live_server: str, console_errors: list[str]) -> None:
    login(page, live_server, "jefe.salud")

    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Andrés Mejía Castro")
    section = page.get_by_role("region", name=re.compile(r"^Jefe de dependencia"))
    expect(section.get_by_role("heading", level=2)).to_have_text("Jefe de dependencia · Secretaría de Salud")
    panel = section.locator('[data-panel="por_firmar"]')
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", level=3)).to_have_text("Solicitudes por firmar")
    expect(page.locator(".govco-bar")).to_contain_text("Andrés Mejía Castro")
    assert console_errors == [], f"the CSP or a script failed: {console_errors}"


def test_wrong_password_is_refused_and_stays_on_the_login_page(page: Page, live_server: str) -> None:
    login(page, live_server, "jefe.hacienda", "no-es-la-clave")

    expect(page).to_have_url(f"{live_server}/ingresar")
    expect(page.get_by_role("alert")).to_have_text("Usuario o contraseña incorrectos.")
    expect(page.get_by_label("Usuario")).to_have_value("jefe.hacienda")
    expect(page.get_by_label("Contraseña")).to_have_value("")


def test_login_page_is_accessible(a11y_page: Page, live_server: str) -> None:
    a11y_page.goto(f"{live_server}/ingresar")
    expect(a11y_page.get_by_role("heading", level=1)).to_have_text("Ingresar a la Mesa TIC")
    check_accessibility(a11y_page)


def test_failed_login_page_is_accessible(a11y_page: Page, live_server: str) -> None:
    login(a11y_page, live_server, "", "")
    expect(a11y_page.get_by_label("Usuario")).to_have_attribute("aria-invalid", "true")
    check_accessibility(a11y_page)


def test_dashboard_is_accessible(a11y_page: Page, live_server: str) -> None:
    login(a11y_page, live_server, "jefe.salud")
    expect(a11y_page.locator('[data-panel="por_firmar"]')).to_be_visible()
    check_accessibility(a11y_page)


def test_dependency_list_is_accessible(a11y_page: Page, live_server: str) -> None:
    login(a11y_page, live_server, "admin")
    a11y_page.get_by_role("link", name="Dependencias", exact=True).first.click()
    expect(a11y_page).to_have_url(f"{live_server}/dependencias")
    expect(a11y_page.get_by_role("link", name="Secretaría de Hacienda")).to_be_visible()
    check_accessibility(a11y_page)


def test_forbidden_page_is_accessible(a11y_page: Page, live_server: str, live_app: Flask) -> None:
    hacienda = dependency_id(live_app, "HAC")
    login(a11y_page, live_server, "enlace.salud")

    response = a11y_page.goto(f"{live_server}/dependencias/{hacienda}")

    assert response is not None and response.status == 403
    expect(a11y_page.get_by_role("heading", level=1)).to_have_text("Acceso denegado")
    expect(a11y_page.get_by_text("Código de error: 403")).to_be_visible()
    check_accessibility(a11y_page)


def test_phone_layout_collapses_the_navigation(new_page: PageFactory, live_server: str) -> None:
    page = new_page(viewport=PHONE)
    login(page, live_server, "jefe.salud")
    nav = page.get_by_role("navigation", name="Navegación principal")
    toggler = nav.get_by_role("button", name="Mostrar u ocultar el menú")
    link = nav.get_by_role("link", name="Dependencias")

    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(link).to_be_hidden()
    toggler.click()  # needs bootstrap.bundle.min.js, loaded under the strict CSP

    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(f"{live_server}/dependencias")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_pages_have_no_horizontal_scroll(new_page: PageFactory, live_server: str) -> None:
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server}/ingresar")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "login page"
    login(page, live_server, "jefe.salud")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Andrés Mejía Castro")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "dashboard"


def test_wide_navigation_is_not_collapsed(page: Page, live_server: str) -> None:
    login(page, live_server, "jefe.salud")
    nav = page.get_by_role("navigation", name="Navegación principal")
    expect(nav.get_by_role("button", name="Mostrar u ocultar el menú")).to_be_hidden()
    expect(nav.get_by_role("link", name="Inicio")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Dependencias")).to_be_visible()


def test_skip_link_is_the_first_focusable_element(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/ingresar")
    page.keyboard.press("Tab")

    focused = page.locator(":focus")
    expect(focused).to_have_text("Saltar al contenido principal")
    expect(focused).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#contenido")).to_be_focused()
