"""Each role's home page in real headless Chromium: the líder's count, oldest request and the link that
opens it; axe-core (WCAG 2.1 A and AA) on every page each role's menu reaches, at desktop and phone
width, with zero violations."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, PageFactory, format_violations, login, run_axe


@pytest.fixture(scope="module")
def live_app_config() -> dict[str, object]:
    """Tasks go to an in-memory broker that no worker reads."""
    return {"CELERY_TASK_ALWAYS_EAGER": False, "CELERY_BROKER_URL": "memory://"}


def signed_requests(app: Flask, count: int) -> list[str]:
    """File ``count`` requests of Salud and sign them as its jefe; return their numbers, oldest first."""
    from portal.extensions import db
    from tests.unit.tickets.factories import build_request, fetch
    from tickets.models import RequestState

    with app.app_context():
        ids = [build_request(state=RequestState.EN_APROBACION) for _ in range(count)]
        numbers = [str(fetch(request_id).number) for request_id in ids]
        db.session.remove()
    return numbers


def test_lider_home_shows_the_count_and_the_oldest_request_and_opens_it(page: Page, live_server: str, live_app: Flask) -> None:
    oldest, _newer = signed_requests(live_app, 2)
    login(page, live_server, "lider.ed")

    section = page.get_by_role("region", name=re.compile(r"^Líder de economía digital"))
    panel = section.locator('[data-panel="por_aprobar"]')
    expect(panel).to_contain_text(re.compile(r"\d+ solicitudes por aprobar — la más antigua vence "))
    first = panel.get_by_role("link").first
    expect(first).to_have_text(f"{oldest} · María Fernanda Rojas Peña — Aprobar")
    first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(oldest)
    expect(page.get_by_label("Aprobar")).to_be_visible()


#: one account per role of SPEC §1 (lider.ed is also profesional_gd, seguridad also a member)
ACCOUNTS = (
    "enlace.salud",
    "jefe.salud",
    "lider.ed",
    "seguridad",
    "agente",
    "secretario",
    "st.mesa",
    "integrante1",
    "control.interno",
    "admin",
)


def menu_urls(page: Page) -> list[str]:
    """The links of the main menu, as the signed-in user sees them."""
    hrefs = page.locator("#nav-principal a.nav-link").evaluate_all("links => links.map(a => a.href)")
    return list(dict.fromkeys(hrefs))


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_page_of_the_menu_is_accessible(new_page: PageFactory, live_server: str, username: str) -> None:
    problems: list[str] = []
    for viewport in (DESKTOP, PHONE):
        page = new_page(bypass_csp=True, viewport=viewport)
        login(page, live_server, username)
        urls = menu_urls(page)
        assert urls, f"{username} has no menu"
        for url in urls:
            response = page.goto(url)
            assert response is not None and response.ok, f"{url}: {response and response.status}"
            violations = run_axe(page)
            if violations:
                problems.append(f"{url} at {viewport['width']} px:\n{format_violations(violations)}")
    assert not problems, f"axe-core violations for {username}:\n" + "\n".join(problems)


def test_the_administrators_menu_fits_a_1366_px_screen(new_page: PageFactory, live_server: str) -> None:
    """The longest menu wraps: "Salir" stays on screen and nothing scrolls sideways."""
    page = new_page(viewport={"width": 1366, "height": 768})
    login(page, live_server, "admin")
    leave = page.get_by_role("button", name="Salir")
    expect(leave).to_be_visible()
    box = leave.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1366
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366


def test_keyboard_focus_shows_the_yellow_ring_on_fields_and_menu_links(new_page: PageFactory, live_server: str) -> None:
    """Bootstrap sets ``outline: 0`` on focused fields; the app's 3 px ring must win (WCAG 2.4.7)."""
    page = new_page()
    page.goto(f"{live_server}/ingresar")
    ring = "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    field = page.get_by_label("Usuario")
    for _ in range(30):
        page.keyboard.press("Tab")
        if field.evaluate("e => e === document.activeElement"):
            break
    assert field.evaluate(ring) == ["solid", "3px"]
    login(page, live_server, "admin")
    link = page.locator("#nav-principal a.nav-link").first
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    assert link.evaluate(ring) == ["solid", "3px"]
