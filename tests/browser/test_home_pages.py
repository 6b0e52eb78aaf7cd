"""Each role's home page in real headless Chromium: the líder's count, oldest request and the link that
opens it; axe-core (WCAG 2.1 A and AA) on every page the roles' menus reach and on each role's home
page, at desktop and phone width, with zero violations."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, PageFactory, format_violations, login, run_axe
from tests.conftest import login as client_login

#: takes minutes: the workers are handed this file first
pytestmark = pytest.mark.long


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


class _MenuLinks(HTMLParser):
    """The ``href`` of each ``a.nav-link`` inside ``#nav-principal`` of a server-rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # > 0 inside the menu
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.depth:
            self.depth += tag not in VOID_TAGS
            if tag == "a" and "nav-link" in (attributes.get("class") or "").split() and attributes.get("href"):
                self.links.append(str(attributes["href"]))
        elif attributes.get("id") == "nav-principal":
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID_TAGS:
            self.depth -= 1


VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@pytest.fixture(scope="module")
def pages_to_check(live_app: Flask) -> dict[str, list[str]]:
    """Which pages each account's test checks: its own home page (each role's differs), then each
    other page of the menus once, under the first account whose menu reaches it.

    A page reached by several roles is the same template showing other rows; what only one role
    sees on it (its buttons, its panels) is covered by that page's own browser tests. Menus are
    read from the server-rendered home page, as the browser shows them (checked in each test)."""
    plan: dict[str, list[str]] = {}
    seen = {"/"}
    for username in ACCOUNTS:
        client = live_app.test_client()
        assert client_login(client, username).status_code == 302, username
        parser = _MenuLinks()
        parser.feed(client.get("/").get_data(as_text=True))
        menu = list(dict.fromkeys(parser.links))
        assert "/" in menu, f"{username}'s menu has no home page"
        plan[username] = ["/"] + [path for path in menu if path not in seen]
        seen.update(menu)
    return plan


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_page_of_the_menu_is_accessible(
    new_page: PageFactory, live_server: str, username: str, pages_to_check: dict[str, list[str]]
) -> None:
    """axe-core finds nothing on the pages of this account's share, at desktop and at phone width."""
    page = new_page(bypass_csp=True, viewport=DESKTOP)
    login(page, live_server, username)
    paths = pages_to_check[username]
    assert {f"{live_server}{path}" for path in paths} <= set(menu_urls(page)), "the browser's menu is not the server's"
    problems: list[str] = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in paths:
            response = page.goto(f"{live_server}{path}")
            assert response is not None and response.ok, f"{path}: {response and response.status}"
            violations = run_axe(page)
            if violations:
                problems.append(f"{path} at {viewport['width']} px:\n{format_violations(violations)}")
    assert not problems, f"axe-core violations for {username}:\n" + "\n".join(problems)


def test_every_menu_page_is_checked_by_some_account(pages_to_check: dict[str, list[str]]) -> None:
    """The shares cover the union of the menus, each account's home page included."""
    assert all(paths[0] == "/" for paths in pages_to_check.values())
    shared = [path for paths in pages_to_check.values() for path in paths[1:]]
    assert len(shared) == len(set(shared)) and len(shared) >= 15, shared


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
