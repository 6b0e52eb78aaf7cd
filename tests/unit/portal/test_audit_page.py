"""Control Interno's audit page: filters by who, what, object and dates that stay in the URL,
readable Spanish names instead of codes, a link to each object that has a page, and the filtered
list as a workbook."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from portal.audit import record_event
from portal.audit_names import ACTION_NAMES, OBJECT_NAMES, OBJECT_PAGES, action_name
from portal.clock import local_date
from portal.db import utcnow
from portal.extensions import db
from portal.models import AuditEvent, Dependency, User

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("portal", "tickets", "sla", "catalog", "committee", "enlaces", "gobierno_digital")


def table_body(html: str) -> str:
    """The rows of the events' table (the filters' options name every action, so look only here)."""
    match = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert match, "no table"
    return match.group(1)


def record(app, username: str, action: str, object_type: str, object_id: int | str) -> None:
    with app.app_context():
        actor = db.session.execute(select(User).where(User.username == username)).scalar_one()
        record_event(db.session, actor=actor, action=action, object_type=object_type, object_id=object_id)
        db.session.commit()


def a_dependency(app) -> tuple[int, str]:
    with app.app_context():
        dependency = db.session.execute(select(Dependency).order_by(Dependency.id)).scalars().first()
        assert dependency is not None
        return dependency.id, dependency.name


def full_name(app, username: str) -> str:
    with app.app_context():
        return db.session.execute(select(User.full_name).where(User.username == username)).scalar_one()


def test_filters_select_by_who_what_object_and_dates(app, login_as):
    dependency_id, _ = a_dependency(app)
    record(app, "admin", "dependencia.modificar", "dependencia", dependency_id)
    record(app, "agente", "token.emitir", "usuario", 1)
    client = login_as("control.interno")
    today = local_date(utcnow())

    rows = table_body(
        client.get(f"/auditoria?accion=dependencia.modificar&objeto=dependencia&id={dependency_id}").get_data(as_text=True)
    )
    assert "Dependencia modificada" in rows
    assert f'href="/dependencias/{dependency_id}"' in rows  # a link to the object
    assert "Token de API emitido" not in rows and "Ingreso al portal" not in rows

    agente = full_name(app, "agente")
    rows = table_body(client.get("/auditoria", query_string={"quien": agente.split()[-1].lower()}).get_data(as_text=True))
    assert "Token de API emitido" in rows
    rows = table_body(client.get("/auditoria", query_string={"quien": "agent"}).get_data(as_text=True))
    assert "Token de API emitido" in rows
    assert "Dependencia modificada" not in rows

    rows = table_body(client.get(f"/auditoria?accion=token.emitir&desde={today}&hasta={today}").get_data(as_text=True))
    assert "Token de API emitido" in rows
    tomorrow = today + timedelta(days=1)
    rows = table_body(client.get(f"/auditoria?accion=token.emitir&desde={tomorrow}").get_data(as_text=True))
    assert "Token de API emitido" not in rows and "No hay eventos con estos filtros." in rows
    yesterday = today - timedelta(days=1)
    rows = table_body(client.get(f"/auditoria?accion=token.emitir&hasta={yesterday}").get_data(as_text=True))
    assert "Token de API emitido" not in rows


def test_the_page_shows_names_not_codes_and_keeps_the_filters_in_its_links(app, login_as):
    client = login_as("control.interno")
    html = client.get("/auditoria?accion=sesion.ingresar").get_data(as_text=True)
    rows = table_body(html)
    assert "Ingreso al portal" in rows
    assert "sesion.ingresar" not in rows
    # the person, by name, never "usuario 11"
    assert f"Usuario: {full_name(app, 'control.interno')} (control.interno)" in rows
    assert not re.search(r"usuario\s+\d", rows, re.I)
    # export and verification keep the filter: a bookmark or a download is what is on screen
    assert 'href="/auditoria.xlsx?accion=sesion.ingresar"' in html
    verify = re.search(r'href="(/auditoria\?[^"]*verificar=1[^"]*)"', html)
    assert verify and "accion=sesion.ingresar" in verify.group(1)


def test_a_filter_that_does_not_parse_filters_nothing(app, login_as):
    client = login_as("control.interno")
    response = client.get("/auditoria?accion=%27%20OR%201%3D1&desde=ayer&id=")
    assert response.status_code == 200
    assert "Ingreso al portal" in table_body(response.get_data(as_text=True))


def test_export_holds_the_filtered_rows_with_frozen_headings_and_filters(app, login_as):
    dependency_id, _ = a_dependency(app)
    record(app, "admin", "dependencia.modificar", "dependencia", dependency_id)
    record(app, "admin", "dependencia.modificar", "dependencia", '=HYPERLINK("http://x")')
    client = login_as("control.interno")
    response = client.get("/auditoria.xlsx?accion=dependencia.modificar")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:H{sheet.max_row}"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    with app.app_context():
        expected = (
            db.session.execute(
                select(AuditEvent.id).where(AuditEvent.action == "dependencia.modificar").order_by(AuditEvent.id.desc())
            )
            .scalars()
            .all()
        )
    assert [row[0] for row in rows] == expected
    assert {row[3] for row in rows} == {"Dependencia modificada"}
    assert all(row[5] == f"Dependencia {row[6]}" for row in rows)
    # a typed text never becomes a live formula
    assert '=HYPERLINK("http://x")' in {row[6] for row in rows}
    assert all(cell.data_type == "s" for cell in sheet["G"][1:])
    filters = dict(workbook.worksheets[1].iter_rows(values_only=True))
    assert filters["Acción"] == "Dependencia modificada"


def test_only_control_interno_and_the_administrator_export(app, client, login_as):
    login_as("enlace.salud")
    assert client.get("/auditoria.xlsx").status_code == 403


def test_every_action_recorded_has_a_readable_name(app):
    """Events of the demo data, and every action written literally in the code base."""
    with app.app_context():
        recorded = set(db.session.execute(select(AuditEvent.action).distinct()).scalars())
        object_types = set(db.session.execute(select(AuditEvent.object_type).distinct()).scalars())
    literal = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.keyword) and node.arg == "action" and isinstance(node.value, ast.Constant):
                    literal.add(node.value.value)
    assert recorded and literal
    assert not (recorded | literal) - set(ACTION_NAMES)
    assert not object_types - set(OBJECT_NAMES)
    assert all(action_name(code) != code for code in ACTION_NAMES)
    assert set(OBJECT_PAGES) <= set(OBJECT_NAMES)
