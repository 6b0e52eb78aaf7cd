"""The reports of the plan on the demo data — supervision (PDF, DOCX), indicators (XLSX, PDF), risk map
(PDF) — with the institutional header, by ``flask gd report`` and by the API."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pypdf import PdfReader

from portal.clock import local_date
from portal.db import utcnow


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["supervision", "--format", "pdf"], "FO-TIC-GD-SUP", "Sede electrónica y trámites en línea"),
        (["indicators", "--format", "pdf"], "FO-TIC-GD-IND", "Conjuntos de datos abiertos actualizados"),
        (["risk-map", "--format", "pdf"], "FO-TIC-GD-RIE", "Mapa de calor: riesgo residual"),
    ],
)
def test_flask_gd_report_writes_the_pdfs(app, tmp_path, args, code, expected):
    output = tmp_path / "informe.pdf"
    result = app.test_cli_runner().invoke(args=["gd", "report", *args, "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = pdf_text(output.read_bytes())
    assert f"Código: {code}" in text and "Página 1 de" in text and "Gobernación del Valle del Cauca" in text
    assert expected in text


def test_the_supervision_report_in_docx_has_the_header_and_the_late_milestone(app, tmp_path):
    year = local_date(utcnow()).year
    output = tmp_path / "informe.docx"
    result = app.test_cli_runner().invoke(
        args=[
            "gd",
            "report",
            "supervision",
            "--format",
            "docx",
            "--from",
            f"{year}-01-01",
            "--to",
            f"{year}-12-31",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    document = Document(str(output))
    header = " ".join(cell.text for table in document.sections[0].header.tables for row in table.rows for cell in row.cells)
    assert "Código: FO-TIC-GD-SUP" in header and "INFORME DE SUPERVISIÓN DE GOBIERNO DIGITAL" in header
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Primer trámite en producción" in cells and "Atrasado" in cells


def test_a_format_a_report_does_not_have_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["gd", "report", "risk-map", "--format", "docx", "--output", str(tmp_path / "x")])
    assert result.exit_code != 0 and "risk-map se genera en: pdf" in result.output


def test_the_api_serves_the_reports(api):
    year = local_date(utcnow()).year
    pdf = api("control.interno", "GET", f"/api/v1/gd/reports/supervision.pdf?from={year}-01-01&to={year}-12-31")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    docx = api("secretario", "GET", f"/api/v1/gd/reports/supervision.docx?from={year}-01-01&to={year}-12-31")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    assert api("secretario", "GET", f"/api/v1/gd/reports/supervision.pdf?from={year}-12-31&to={year}-01-01").status_code == 422
    assert api("lider.ed", "GET", "/api/v1/gd/reports/indicators.xlsx").data.startswith(b"PK")
    assert api("enlace.salud", "GET", "/api/v1/gd/reports/risk-map.pdf").status_code == 403
