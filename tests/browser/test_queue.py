"""The request queue in real headless Chromium: a header sorts by the ANS due time on the server, one
way then the other; the export downloads the same rows as an XLSX that openpyxl opens; on a phone
the filters fold away and each request is a card."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import DOWNLOAD_TIMEOUT_MS, PHONE, PageFactory, format_violations, login, run_axe


@pytest.fixture(scope="module")
def live_app_config() -> dict[str, object]:
    """Tasks go to an in-memory broker that no worker reads."""
    return {"CELERY_TASK_ALWAYS_EAGER": False, "CELERY_BROKER_URL": "memory://"}


#: hours from now to each new request's ANS due time, in filing order: the due order differs
HOURS_TO_DUE = (30, -2, 5)


@pytest.fixture(scope="module")
def due_requests(live_app: Flask) -> list[str]:
    """Three requests signed by Salud's jefe, their ANS due in ``HOURS_TO_DUE``; their numbers."""
    from sqlalchemy import update

    from portal.db import utcnow
    from portal.extensions import db
    from sla.models import SlaMetric, SlaTimer
    from tests.unit.tickets.factories import build_request, fetch
    from tickets.models import RequestState

    with live_app.app_context():
        numbers = []
        for hours in HOURS_TO_DUE:
            request_id = build_request(state=RequestState.EN_APROBACION)
            db.session.execute(
                update(SlaTimer)
                .where(SlaTimer.request_id == request_id, SlaTimer.metric == SlaMetric.SOLUCION)
                .values(due_at=utcnow() + timedelta(hours=hours))
            )
            numbers.append(str(fetch(request_id).number))
        db.session.commit()
        db.session.remove()
    return numbers


def listed_numbers(page: Page) -> list[str]:
    return page.locator("table[data-queue] tbody tr[data-request] td:first-child > a").all_inner_texts()


def due_times(page: Page) -> list[datetime | None]:
    """Each row's ANS due time in the order shown; None where the request has none."""
    cells = page.locator("table[data-queue] tbody tr[data-request] td[data-label='Vence (ANS)']")
    found = cells.evaluate_all("cells => cells.map(c => c.dataset.due || null)")
    return [datetime.fromisoformat(value) if value else None for value in found]


def in_order(shown: list[str], ours: list[str]) -> list[str]:
    return [number for number in shown if number in ours]


def test_a_header_sorts_by_due_time_and_the_export_has_the_same_rows(
    new_page: PageFactory, live_server: str, due_requests: list[str], tmp_path: Path
) -> None:
    later, overdue, sooner = due_requests
    page = new_page(bypass_csp=True)  # for axe-core
    login(page, live_server, "lider.ed")
    page.goto(f"{live_server}/solicitudes?bandeja=todas&por_pagina=200")
    table = page.locator("table[data-queue]")
    header = table.get_by_role("columnheader", name=re.compile(r"^Vence \(ANS\)"))
    expect(header).not_to_have_attribute("aria-sort", re.compile(".+"))

    header.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"[?&]orden=vence(&|$)"))
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert in_order(listed_numbers(page), due_requests) == [overdue, sooner, later]
    dues = due_times(page)
    known = [d for d in dues if d is not None]
    assert known == sorted(known) and dues == known + [None] * (len(dues) - len(known))  # no due time: last
    expect(table.locator(f"tr:has(a:text-is('{overdue}'))")).to_contain_text("Vencida")

    header.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"[?&]orden=-vence(&|$)"))
    expect(header).to_have_attribute("aria-sort", "descending")
    assert in_order(listed_numbers(page), due_requests) == [later, sooner, overdue]
    shown = listed_numbers(page)
    violations = run_axe(page)  # WCAG 2.1 A and AA: none of any impact
    assert not violations, format_violations(violations)

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as info:
        page.get_by_role("link", name="Exportar a XLSX").click()
    download = info.value
    assert re.fullmatch(r"solicitudes-todas-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    header_row, *body = list(sheet.iter_rows(values_only=True))
    assert header_row[0] == "Número" and "Vence (ANS)" in header_row
    assert [row[0] for row in body] == shown


def test_on_a_phone_the_filters_fold_and_the_rows_are_cards(
    new_page: PageFactory, live_server: str, due_requests: list[str]
) -> None:
    page = new_page(viewport=PHONE, bypass_csp=True)  # for axe-core
    login(page, live_server, "lider.ed")
    page.goto(f"{live_server}/solicitudes?bandeja=todas&orden=vence")
    expect(page.get_by_text("Más filtros", exact=True)).to_be_visible()
    expect(page.get_by_label("Dependencia")).to_be_hidden()
    page.get_by_text("Más filtros", exact=True).click()
    expect(page.get_by_label("Dependencia")).to_be_visible()
    card = page.locator(f"tr[data-request]:has(a:text-is('{due_requests[1]}'))")
    expect(card).to_be_visible()
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    box = card.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    # the sort the person chose is still there, in the select a phone sorts with
    expect(page.get_by_label("Orden")).to_have_value("vence")
    violations = run_axe(page)
    assert not violations, format_violations(violations)
