"""Formula injection: every XLSX and CSV the portal writes goes through portal.spreadsheets.

Two checks. The source walk finds every place that writes a workbook or a CSV (openpyxl's
``Workbook``, ``csv.writer``/``DictWriter``) and requires the shared helper there, so a new export
that forgets it fails here. The exports themselves, fed hostile names, contain no formula.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from portal import services
from portal.extensions import db
from portal.spreadsheets import FORMULA_PREFIXES, csv_writer, neutralise, workbook_bytes

ROOT = Path(__file__).resolve().parents[3]
HOSTILE = ['=HYPERLINK("http://evil.example","clic")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]
SKIP_DIRS = {"tests", "migrations", "node_modules", "bench", "instance", "scripts"}


def _sources() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not ({part for part in path.relative_to(ROOT).parts} & SKIP_DIRS)
        and not path.relative_to(ROOT).parts[0].startswith(".")
    ]


def test_every_workbook_and_csv_writer_goes_through_the_helper():
    writers, offenders = [], []
    for path in _sources():
        if path.name == "spreadsheets.py":
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if re.search(r"\bcsv\.(writer|DictWriter)\(", text):
            offenders.append(f"{name}: csv.writer without portal.spreadsheets.csv_writer")
        if re.search(r"\bWorkbook\(\)", text):
            writers.append(name)
            if "workbook_bytes(" not in text or re.search(r"\.save\(", text):
                offenders.append(f"{name}: saves a workbook without portal.spreadsheets.workbook_bytes")
        if "csv_writer(" in text:
            writers.append(name)
    assert not offenders, offenders
    assert len(writers) >= 5, writers  # coverage, catalogue, mayor report, ANS report (XLSX, CSV), reconcile CSV


def test_the_helper_keeps_text_verbatim_and_never_writes_a_formula():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*HOSTILE, -5, 3.5, "normal", "a=b"])
    data = workbook_bytes(workbook)
    assert b"<f>" not in _sheet_xml(data)
    cells = next(load_workbook(io.BytesIO(data)).active.iter_rows())
    assert [c.value for c in cells] == [*HOSTILE, -5, 3.5, "normal", "a=b"]
    assert all(c.data_type == "s" for c in cells[: len(HOSTILE)])
    assert all(c.quotePrefix for c in cells[: len(HOSTILE)])


def test_csv_cells_get_a_leading_apostrophe():
    buffer = io.StringIO()
    csv_writer(buffer).writerows([[*HOSTILE, -5, "normal"]])
    row = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert [value[0] for value in row[: len(HOSTILE)]] == ["'"] * len(HOSTILE)
    assert row[-2:] == ["-5", "normal"]
    assert all(not neutralise(v).startswith(FORMULA_PREFIXES) for v in HOSTILE)


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


def _assert_no_formula(data: bytes, *expected: str) -> None:
    assert b"<f>" not in _sheet_xml(data)
    values = {str(c.value) for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row}
    for text in expected:
        assert text in values, text


@pytest.fixture
def hostile_names(app):
    """The Salud dependency and an initiative of it carry formula-like names."""
    from catalog import services as catalog_services
    from catalog.models import Enabler, FundingSource

    with app.app_context():
        dependency = services.find_dependency(db.session, "SAL")
        data = services.DependencyData(dependency.code, HOSTILE[0], dependency.kind, dependency.head_id)
        services.save_dependency(db.session, actor=None, data=data, dependency=dependency)
        catalog_services.create_initiative(
            db.session,
            actor=services.find_user(db.session, "enlace.salud"),
            data=catalog_services.InitiativeData(
                dependency_id=dependency.id,
                title=HOSTILE[6],
                description="-Implementar la historia clínica electrónica en la red pública de salud.",
                objective="@Que cada paciente tenga una sola historia clínica digital.",
                enablers=[Enabler.ARQUITECTURA],
                is_in_peti=True,
                estimated_budget=1000,
                funding_source=FundingSource.SGR,
                start_date=date(2026, 6, 1),
                end_date=date(2027, 5, 31),
                sponsor="+patrocinador",
            ),
            now=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        )
        db.session.commit()


def test_coverage_export_with_a_hostile_dependency_name(app, login_as, hostile_names):
    response = login_as("secretario").get("/enlaces/cobertura.xlsx")
    assert response.status_code == 200
    _assert_no_formula(response.data, HOSTILE[0])


def test_initiative_catalogue_export_with_a_hostile_title(app, login_as, hostile_names):
    response = login_as("enlace.salud").get("/iniciativas/exportar.xlsx")
    assert response.status_code == 200
    _assert_no_formula(response.data, HOSTILE[6])


@pytest.mark.parametrize("path", ["/ans/informes.xlsx", "/comite/informe-alcalde?formato=xlsx"])
def test_reports_export_without_formulas(app, login_as, hostile_names, path):
    response = login_as("secretario").get(path)
    assert response.status_code == 200
    assert b"<f>" not in _sheet_xml(response.data)


def test_ans_report_csv_through_the_cli(app, hostile_names, tmp_path):
    result = app.test_cli_runner().invoke(
        args=[
            "report",
            "ans",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--format",
            "csv",
            "--output",
            str(tmp_path / "a.csv"),
        ]
    )
    assert result.exit_code == 0, result.output
    for row in csv.reader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8"))):
        assert not any(cell.startswith(FORMULA_PREFIXES) for cell in row if not re.fullmatch(r"-?\d+(\.\d+)?", cell))
