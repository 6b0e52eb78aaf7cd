"""The scores template the portal offers for download (XLSX with the accepted values, or CSV)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from gobierno_digital.common import Component, Instrument
from gobierno_digital.evaluations.importer import HEADINGS
from portal.spreadsheets import csv_writer, workbook_bytes

EXAMPLES = (
    (
        2025,
        "FURAG",
        "Arquitectura",
        "GD-ARQ-01",
        "La entidad cuenta con un catálogo de servicios tecnológicos actualizado",
        45,
        100,
    ),
    (2025, "FURAG", "Seguridad y Privacidad de la Información", "GD-SEG-01", "La entidad adoptó el MSPI", 70, 100),
    (2025, "ITD", "Estado abierto", "ITD-3.2", "Publicación de conjuntos de datos abiertos", 2, 5),
)
_BLUE = PatternFill("solid", fgColor="004884")


def template_xlsx() -> bytes:
    """Sheet «Calificaciones» with the headings and three example rows; sheet «Valores» with the
    instruments and components accepted (the first column lists are also offered as drop-downs)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Calificaciones"
    sheet.append(list(HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _BLUE
    for row in EXAMPLES:
        sheet.append(list(row))
    for column, width in zip("ABCDEFG", (10, 14, 40, 14, 70, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    values = workbook.create_sheet("Valores")
    values.append(["Instrumento", "Componente o habilitador (Decreto 767 de 2022)", "Tipo"])
    for cell in values[1]:
        cell.font = Font(bold=True)
    rows = max(len(Instrument), len(Component))
    for index in range(rows):
        instrument = list(Instrument)[index].short if index < len(Instrument) else None
        component = list(Component)[index] if index < len(Component) else None
        values.append([instrument, component.label if component else None, component.kind_label if component else None])
    values.column_dimensions["A"].width = 14
    values.column_dimensions["B"].width = 45
    values.column_dimensions["C"].width = 18
    for column, source in (("B", f"Valores!$A$2:$A${len(Instrument) + 1}"), ("C", f"Valores!$B$2:$B${len(Component) + 1}")):
        validation = DataValidation(type="list", formula1=source, allow_blank=True)
        validation.add(f"{column}2:{column}5000")
        sheet.add_data_validation(validation)
    return workbook_bytes(workbook)


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADINGS)
    for row in EXAMPLES:
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()
