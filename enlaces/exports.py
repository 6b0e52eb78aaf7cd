"""The coverage view as an XLSX workbook (real date cells)."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from config.profiles import Profile
from enlaces.services import CoverageRow
from portal.spreadsheets import workbook_bytes

HEADER = ("Código", "Dependencia", "Tipo", "Denominación", "Enlace vigente", "Acto", "Rige desde", "Transferencias abiertas")


def coverage_workbook(rows: Sequence[CoverageRow], profile: Profile) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cobertura"
    sheet.append([f"{profile.entity_name} · {profile.it_office_name}: cobertura de enlaces TIC"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="004884")
    for row in rows:
        d = row.designation
        sheet.append(
            [
                row.dependency.code,
                row.dependency.name,
                row.dependency.kind.label,
                row.dependency.kind.liaison_title,
                d.person.full_name if d else "SIN ENLACE",
                f"{d.act_type.label} {d.act_number}" if d else None,
                d.effective_date if d else None,
                row.open_handovers,
            ]
        )
        if d:
            sheet.cell(row=sheet.max_row, column=7).number_format = "DD/MM/YYYY"
    for column, width in zip("ABCDEFGH", (10, 45, 24, 14, 32, 28, 14, 12), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(workbook)
