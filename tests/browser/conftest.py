"""Browser fixtures: a live server on the demo data, headless Chromium through Playwright, helpers.

The live server and its application are module-scoped: each test opens a fresh browser context
(its own cookies), so tests never share a session. Pages enforce the application's CSP unless a
test asks for ``bypass_csp`` (only the axe-core checks do, to inject the axe script).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from tests.conftest import DEMO_PASSWORD, app_config
from tests.fixtures.services import HOST, free_port

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
#: a generated document (PDF, XLSX) is built while the browser waits: on a busy machine, where a
#: whole run shares two cores, that can outlast the 10 s every other wait gets
DOWNLOAD_TIMEOUT_MS = 30_000
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 740}

#: The report of each test phase, kept on the item so the ``page`` fixture knows about failures.
PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


# --- live server ------------------------------------------------------------------------------


class QuietRequestHandler(WSGIRequestHandler):
    """Log page requests but not the static assets every page pulls in."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not self.path.startswith("/static/"):
            super().log_request(code, size)


@pytest.fixture(scope="module")
def live_app_config() -> dict[str, object]:
    """Configuration overrides of a module's live application (a module may redefine it)."""
    return {}


@pytest.fixture(scope="module")
def live_app(
    tmp_path_factory: pytest.TempPathFactory, demo_sqlite_template: Path, live_app_config: dict[str, object]
) -> Iterator[Flask]:
    """An application on its own copy of the demo database, shared by one test module."""
    base = tmp_path_factory.mktemp("live")
    db_file = base / "app.sqlite"
    shutil.copy(demo_sqlite_template, db_file)
    app = create_app(app_config(base, f"sqlite:///{db_file}", **live_app_config))
    yield app
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_app: Flask) -> Iterator[str]:
    """Serve ``live_app`` on a free local port in a daemon thread; yield its base URL."""
    port = free_port()
    server = make_server(HOST, port, live_app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"live-server-{port}", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# --- browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium (no browser download)."""
    launched = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


PageFactory = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PageFactory]:
    """Open pages in fresh contexts (es-CO, Bogotá); screenshots of every page land in tmp_path on failure."""
    contexts: list[BrowserContext] = []

    def factory(*, bypass_csp: bool = False, viewport: ViewportSize | None = None) -> Page:
        context = browser.new_context(
            locale="es-CO",
            timezone_id="America/Bogota",
            viewport=viewport or DESKTOP,
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory

    reports = request.node.stash.get(PHASE_REPORTS, {})
    failed = any(report.failed for report in reports.values())
    for index, context in enumerate(contexts):
        if failed:
            for number, open_page in enumerate(context.pages):
                try:
                    open_page.screenshot(path=str(tmp_path / f"failure-{index}-{number}.png"), full_page=True)
                except Exception as exc:  # a screenshot is a courtesy, never a second failure
                    print(f"could not save a screenshot: {exc}")
        context.close()
    if failed:
        print(f"screenshots of the failed test: {tmp_path}")


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A desktop page with the application's CSP enforced."""
    return new_page()


@pytest.fixture
def a11y_page(new_page: PageFactory) -> Page:
    """A desktop page that ignores the CSP so the axe-core script can be injected."""
    return new_page(bypass_csp=True)


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of ``page`` (a CSP refusal shows up here)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# --- helpers ------------------------------------------------------------------------------------


def login(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form with accessible locators, as a person would."""
    page.goto(f"{base_url}/ingresar")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Ingresar").click()


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core with the WCAG 2.0/2.1 A and AA rules on the current document; return its violations."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` in {ROOT}")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return list(result["violations"])


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [
            ", ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"]) for node in violation["nodes"]
        ]
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} -> {'; '.join(targets[:3])}")
        summary = violation["nodes"][0].get("failureSummary") if violation["nodes"] else None
        if summary:
            lines.append("    " + summary.replace("\n", "\n    "))
    return "\n".join(lines)


def check_accessibility(page: Page) -> list[dict[str, Any]]:
    """Fail on any serious or critical WCAG 2.1 AA violation; return all violations found."""
    violations = run_axe(page)
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core found serious/critical violations on {page.url}:\n{format_violations(blocking)}"
    return violations
