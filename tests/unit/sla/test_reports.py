"""The ANS report on eight requests with known instants equals the figures worked out by hand
(``report_fixture``), on screen, in the API, and in the XLSX, PDF and CSV exports."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.extensions import db
from sla.models import SlaMetric
from sla.reports.assembly import build_report
from sla.reports.queries import ReportFilters
from tests.unit.sla import report_fixture as fx
from tests.unit.sla.flow import user
from tickets.models import RequestForm

DEPENDENCY_NAMES = {"SAL": "Secretaría de Salud", "HAC": "Secretaría de Hacienda"}


def figures(stats):
    return (stats.total, stats.met, stats.percent, stats.median_hours, stats.p90_hours)


def dependency_id(code: str) -> int:
    from portal.services import find_dependency

    dependency = find_dependency(db.session, code)
    assert dependency is not None
    return dependency.id


@pytest.fixture(scope="module")
def report_database(tmp_path_factory, demo_sqlite_template):
    """The demo database with the eight requests of ``report_fixture``, built once for the module."""
    from portal import create_app
    from tests.conftest import app_config

    base = tmp_path_factory.mktemp("report")
    path = base / "report.sqlite"
    shutil.copy(demo_sqlite_template, path)
    builder = create_app(app_config(base, f"sqlite:///{path}"))
    with builder.app_context():
        ids = fx.build()
        db.engine.dispose()
    return path, ids


@pytest.fixture
def app(make_app, tmp_path, report_database):
    """Every test of this module starts from a copy of the report database."""
    shutil.copy(report_database[0], tmp_path / "app.sqlite")
    return make_app()


@pytest.fixture
def built(report_database):
    return report_database[1]


def check_report(report, ids) -> None:
    """Every figure of the report against the hand-computed ones (shared with the PostgreSQL test)."""
    assert {m.value: figures(s) for m, s in report.summary.items()} == fx.SUMMARY
    by_form = {row.key: row for row in report.by_form}
    assert {k: figures(r.stats[SlaMetric.SOLUCION]) for k, r in by_form.items()} == fx.SOLUCION_BY_FORM
    assert {k: figures(r.stats[SlaMetric.ATENCION]) for k, r in by_form.items()} == fx.ATENCION_BY_FORM
    assert by_form[RequestForm.CREACION.value].label == "FO-M11-P2-05 Creación, activación o retiro de usuario"
    by_action = {row.key: figures(row.stats[SlaMetric.SOLUCION]) for row in report.by_action}
    assert by_action == {"crear": fx.SOLUCION_BY_FORM["FO-M11-P2-05"], "desbloquear": fx.SOLUCION_BY_FORM["FO-M11-P2-12"]}
    by_dependency = {row.label: figures(row.stats[SlaMetric.SOLUCION]) for row in report.by_dependency}
    assert by_dependency == {DEPENDENCY_NAMES[code]: value for code, value in fx.SOLUCION_BY_DEPENDENCY.items()}
    assert [row.label for row in report.by_month] == ["marzo de 2026"]
    assert {m.value: figures(s) for m, s in report.by_month[0].stats.items()} == fx.SUMMARY
    approvers = {row.label: figures(row.stats[SlaMetric.PASO]) for row in report.approvers}
    assert approvers == {user(username).full_name: value for username, value in fx.APPROVERS.items()}
    breaches = [(b.request_id, b.metric.value, b.target_hours, b.elapsed_hours) for b in report.worst_breaches]
    assert breaches == [(ids[n], metric, target, measured) for n, metric, target, measured in fx.BREACHES]
    assert report.breached_total == 4
    assert [count for _label, count in report.open_by_age] == fx.OPEN_BY_AGE
    assert report.exception_count == 1 and [e.request_id for e in report.exceptions] == [ids[7]]
    assert report.exceptions[0].authorised_by == user("secretario").full_name
    assert report.uses_placeholders


def test_report_numbers_equal_the_hand_computed_values(app, built):
    with app.app_context():
        report = build_report(db.session, ReportFilters(*fx.PERIOD), fx.REPORT_NOW)
        check_report(report, built)

        hacienda = build_report(db.session, ReportFilters(*fx.PERIOD, dependency_id=dependency_id("HAC")), fx.REPORT_NOW)
        assert figures(hacienda.summary[SlaMetric.SOLUCION]) == fx.SOLUCION_BY_DEPENDENCY["HAC"]
        assert hacienda.dependency_name == "Secretaría de Hacienda"
        assert hacienda.exception_count == 0 and [c for _l, c in hacienda.open_by_age] == [0, 0, 0, 0, 0]

        april = build_report(db.session, ReportFilters(date(2026, 4, 1), date(2026, 4, 30)), fx.REPORT_NOW)
        assert april.summary == {} and april.by_month == [] and april.exception_count == 0


def test_report_filters_are_validated():
    from portal.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        ReportFilters(date(2026, 3, 31), date(2026, 3, 1))
    with pytest.raises(ValidationFailed):
        ReportFilters(date(2020, 1, 1), date(2026, 1, 1))


def _sheet_rows(sheet):
    return list(sheet.iter_rows(values_only=True))


def test_xlsx_holds_the_numbers_as_real_cells(app, built, login_as):
    client = login_as("secretario")
    response = client.get("/ans/informes.xlsx?desde=2026-03-01&hasta=2026-03-31")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "Resumen",
        "Por formato",
        "Por acción",
        "Por dependencia",
        "Por mes",
        "Aprobadores",
        "Abiertas por antigüedad",
        "Incumplimientos",
        "Excepciones",
    ]
    summary = workbook["Resumen"]
    assert summary["B3"].value.date() == date(2026, 3, 1) and summary["B3"].number_format == "dd/mm/yyyy"
    rows = {row[0]: row for row in _sheet_rows(summary) if row and row[0] in ("Atención", "Solución", "Paso de aprobación")}
    assert rows["Atención"][1:6] == (8, 7, 0.875, 1.0, 2.9)
    assert rows["Solución"][1:6] == (6, 4, pytest.approx(4 / 6), 10.0, 25.0)
    assert rows["Paso de aprobación"][1:6] == (13, 12, pytest.approx(12 / 13), 1.0, 4.4)
    percent_cell = next(c for c in summary["D"] if c.value == 0.875)
    assert percent_cell.number_format == "0.0%"
    approvers = {row[0]: row[1:6] for row in _sheet_rows(workbook["Aprobadores"])[3:]}
    with app.app_context():
        assert approvers[user("lider.ed").full_name] == (6, 5, pytest.approx(5 / 6), 1.5, 5.5)
    breaches = _sheet_rows(workbook["Incumplimientos"])
    assert breaches[1][:6] == ("SOL-2026-00005", "Solución", "Secretaría de Salud", 16.0, 30.0, 14.0)
    assert breaches[1][6].year == 2026  # a real date cell (local time)
    exceptions = _sheet_rows(workbook["Excepciones"])
    assert exceptions[1][0] == "SOL-2026-00007"


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_the_institutional_header_and_the_numbers(app, built, login_as):
    client = login_as("control.interno")
    response = client.get("/ans/informes.pdf?desde=2026-03-01&hasta=2026-03-31")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    for expected in (
        "Gobernación del Valle del Cauca",
        "Secretaría de las TIC",
        "INFORME DE CUMPLIMIENTO DE ANS",
        "Código: TIC-ANS-01",
        "Versión: 01",
        "Página 1 de",
        "87,5 %",
        "66,7 %",
        "92,3 %",
        "2,90",
        "25,00",
        "4,40",
        "SOL-2026-00005",
        "Excepciones del Secretario: 1",
        "valores provisionales",
    ):
        assert expected in text, expected


def test_cli_report_in_the_three_formats(app, built, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "ans", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    summary = {r["metrica"]: r for r in rows if r["seccion"] == "resumen"}
    assert (summary["solucion"]["medidos"], summary["solucion"]["cumplimiento_pct"], summary["solucion"]["p90_h"]) == (
        "6",
        "66.7",
        "25.0",
    )
    assert {r["grupo"]: r["cumplimiento_pct"] for r in rows if r["seccion"] == "dependencia" and r["metrica"] == "solucion"} == {
        "Secretaría de Hacienda": "66.7",
        "Secretaría de Salud": "66.7",
    }

    xlsx = tmp_path / "ans.xlsx"
    result = runner.invoke(
        args=[
            "report",
            "ans",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--format",
            "xlsx",
            "--output",
            str(xlsx),
            "--dependency",
            "HAC",
        ]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx)["Resumen"]
    assert sheet["B5"].value == "Secretaría de Hacienda"

    pdf = tmp_path / "ans.pdf"
    result = runner.invoke(
        args=["report", "ans", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "pdf", "--output", str(pdf)]
    )
    assert result.exit_code == 0, result.output
    assert "66,7 %" in _pdf_text(pdf.read_bytes())

    result = runner.invoke(args=["report", "ans", "--from", "2026-03-31", "--to", "2026-03-01"])
    assert result.exit_code != 0 and "periodo" in result.output
    result = runner.invoke(args=["report", "ans", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "pdf"])
    assert result.exit_code != 0 and "--output" in result.output


def test_reports_page_shows_tables_and_accessible_charts(app, built, login_as):
    client = login_as("secretario")
    page = client.get("/ans/informes?desde=2026-03-01&hasta=2026-03-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-metric="atencion"' in html and "87,5 %" in html and "66,7 %" in html and "92,3 %" in html
    assert html.count('role="img"') >= 6 and "<title id=" in html and "<desc id=" in html
    assert "valores provisionales" in html
    assert "SOL-2026-00007" in html  # the exception
    assert "<script>" not in html and "style=" not in html
    assert 'href="/ans/informes.xlsx?desde=2026-03-01&amp;hasta=2026-03-31"' in html

    bad = client.get("/ans/informes?desde=2026-03-31&hasta=2026-03-01")
    assert bad.status_code == 400 and "Revise los filtros" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("secretario", 200),
        ("lider.ed", 200),
        ("control.interno", 200),
        ("admin", 200),
        ("enlace.salud", 403),
        ("agente", 403),
        ("jefe.salud", 403),
    ],
)
def test_reports_permissions(app, login_as, username, status):
    client = login_as(username)
    assert client.get("/ans/informes").status_code == status
    assert client.get("/ans/informes.xlsx").status_code == status
    nav = client.get("/").get_data(as_text=True)
    assert ("Informes ANS" in nav) is (status == 200)


def test_reports_need_login(client):
    response = client.get("/ans/informes")
    assert response.status_code == 302 and "/ingresar" in response.headers["Location"]


def test_report_api(app, built, api):
    response = api("secretario", "GET", "/api/v1/reports/ans?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["summary"]["atencion"] == {
        "total": 8,
        "within_target": 7,
        "compliance_percent": 87.5,
        "median_hours": 1.0,
        "p90_hours": 2.9,
    }
    assert body["exceptions"]["count"] == 1 and body["uses_placeholder_targets"] is True
    assert api("enlace.salud", "GET", "/api/v1/reports/ans?from=2026-03-01&to=2026-03-31").status_code == 403
    bad = api("secretario", "GET", "/api/v1/reports/ans?from=2026-03-31&to=2026-03-01")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    missing = api("secretario", "GET", "/api/v1/reports/ans?from=2026-03-01")
    assert missing.status_code == 400 and "to" in missing.get_json()["errors"]
