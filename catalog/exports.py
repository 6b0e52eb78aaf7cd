"""The catalogue as an XLSX workbook: real numbers and dates, so the sheet sums and sorts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from catalog.models import Initiative
from portal.clock import local_date
from portal.spreadsheets import workbook_bytes

DATE_FORMAT = "DD/MM/YYYY"
PESOS_FORMAT = '"$"#,##0'
HEADER_FILL = PatternFill("solid", fgColor="004884")

COLUMNS: tuple[tuple[str, int], ...] = (
    ("Código", 15),
    ("Dependencia", 34),
    ("Iniciativa", 44),
    ("Estado", 16),
    ("Habilitadores de Gobierno Digital", 44),
    ("En el PETI", 11),
    ("Presupuesto estimado (COP)", 22),
    ("Fuente de financiación", 30),
    ("Inicio estimado", 15),
    ("Finalización estimada", 15),
    ("Avance (%)", 11),
    ("Patrocinador", 30),
    ("Registrada", 13),
    ("Postulada", 13),
    ("Objetivo", 60),
)


def initiatives_xlsx(initiatives: Iterable[Initiative], *, title: str, generated_at: datetime) -> bytes:
    """One row per initiative under a title row; dates and amounts stay numbers with a display format."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Catálogo"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Generado el {local_date(generated_at):%d/%m/%Y}"])
    sheet.append([])
    header_row = 4
    sheet.append([name for name, _ in COLUMNS])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for initiative in initiatives:
        sheet.append(
            [
                initiative.code,
                initiative.dependency.name,
                initiative.title,
                initiative.state.label,
                "; ".join(e.label for e in initiative.enablers),
                "Sí" if initiative.is_in_peti else "No",
                initiative.estimated_budget,
                initiative.funding_source.label if initiative.funding_source else None,
                initiative.start_date,
                initiative.end_date,
                initiative.progress_percent,
                initiative.sponsor,
                local_date(initiative.created_at),
                local_date(initiative.postulated_at) if initiative.postulated_at else None,
                initiative.objective,
            ]
        )
        row = sheet.max_row
        sheet.cell(row=row, column=7).number_format = PESOS_FORMAT
        for column in (9, 10, 13, 14):
            sheet.cell(row=row, column=column).number_format = DATE_FORMAT
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, header_row)}"
    return workbook_bytes(workbook)
