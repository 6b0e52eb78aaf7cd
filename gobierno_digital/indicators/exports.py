"""The indicator report (activity 6: "Reporte de indicadores") as XLSX (real number cells) and as PDF
with the institutional header; the layout follows ``sla/exports.py``."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from config.profiles import Profile
from gobierno_digital.common import day_text
from gobierno_digital.documents_out import es_number, es_percent, gd_code, gd_pdf
from gobierno_digital.indicators.services import IndicatorRow
from portal.clock import BOGOTA
from portal.spreadsheets import workbook_bytes

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="004884")
SUMMARY_HEADINGS = [
    "Indicador",
    "Componente",
    "Fórmula",
    "Unidad",
    "Línea base",
    "Meta",
    "Periodicidad",
    "Responsable",
    "Último periodo",
    "Último valor",
    "Cumplimiento",
    "Vencidas",
]


def _local(instant: datetime | None) -> datetime | None:
    return instant.astimezone(BOGOTA).replace(tzinfo=None) if instant else None


def indicators_xlsx(rows: list[IndicatorRow], profile: Profile, generated_at: datetime) -> bytes:
    """Sheet «Indicadores» (one row each, compliance as a percent cell) and «Mediciones» (every period)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Indicadores"
    sheet["A1"] = f"{profile.entity_name} · {profile.it_office_name}"
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = f"Reporte de indicadores de Gobierno Digital ({gd_code(profile, 'indicadores')})"
    sheet["A3"], sheet["B3"] = "Generado", _local(generated_at)
    sheet["B3"].number_format = "dd/mm/yyyy hh:mm"
    for column, title in enumerate(SUMMARY_HEADINGS, start=1):
        cell = sheet.cell(row=5, column=column, value=title)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for index, row in enumerate(rows, start=6):
        ind = row.indicator
        values = [
            ind.name,
            ind.component.label,
            ind.formula,
            ind.unit,
            ind.baseline,
            ind.target,
            ind.periodicity.label,
            ind.responsible.full_name,
            row.last.label if row.last else None,
            row.last.value if row.last else None,
            row.compliance / 100 if row.compliance is not None else None,
            row.overdue,
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=index, column=column, value=value)
            if column == 11:
                cell.number_format = "0.0%"
    for column in range(1, len(SUMMARY_HEADINGS) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 40 if column in (1, 3) else 16

    detail = workbook.create_sheet("Mediciones")
    headings = ["Indicador", "Periodo", "Desde", "Hasta", "Vence", "Valor", "Cumplimiento", "Reportó", "Reportado", "Observación"]
    for column, title in enumerate(headings, start=1):
        cell = detail.cell(row=1, column=column, value=title)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    line = 2
    for row in rows:
        for m in row.indicator.measurements:
            compliance = row.indicator.compliance(m.value)
            values = [
                row.indicator.name,
                m.label,
                m.period_start,
                m.period_end,
                _local(m.due_at),
                m.value,
                compliance / 100 if compliance is not None else None,
                m.reported_by.full_name if m.reported_by else None,
                _local(m.reported_at),
                m.note,
            ]
            for column, value in enumerate(values, start=1):
                cell = detail.cell(row=line, column=column, value=value)
                cell.number_format = {
                    3: "dd/mm/yyyy",
                    4: "dd/mm/yyyy",
                    5: "dd/mm/yyyy hh:mm",
                    7: "0.0%",
                    9: "dd/mm/yyyy hh:mm",
                }.get(column, "General")
            line += 1
    for column in range(1, len(headings) + 1):
        detail.column_dimensions[get_column_letter(column)].width = 40 if column == 1 else 16
    return workbook_bytes(workbook)


def indicators_pdf(rows: list[IndicatorRow], profile: Profile, generated_at: datetime) -> bytes:
    pdf = gd_pdf(profile, "indicadores", generated_at, landscape=True)
    pdf.paragraph(f"Generado el {generated_at.astimezone(BOGOTA):%d/%m/%Y %H:%M}. Cumplimiento: último valor frente a la meta.")
    pdf.section("Indicadores frente a sus metas")
    pdf.grid(
        [
            "Indicador",
            "Componente",
            "Unidad",
            "Línea base",
            "Meta",
            "Periodicidad",
            "Responsable",
            "Último valor",
            "Cumplimiento",
            "Vencidas",
        ],
        [
            [
                r.indicator.name,
                r.indicator.component.label,
                r.indicator.unit,
                es_number(r.indicator.baseline, 2),
                es_number(r.indicator.target, 2),
                r.indicator.periodicity.label,
                r.indicator.responsible.full_name,
                f"{es_number(r.last.value, 2)} ({r.last.label})" if r.last else "—",
                es_percent(r.compliance),
                str(r.overdue),
            ]
            for r in rows
        ],
        [52, 34, 18, 18, 18, 20, 34, 28, 20, 12],
        size=7,
    )
    for r in rows:
        pdf.section(f"{r.indicator.name}: {r.indicator.formula}")
        pdf.grid(
            ["Periodo", "Vence", "Valor", "Cumplimiento", "Reportó", "Observación"],
            [
                [
                    m.label,
                    day_text(m.due_at),
                    es_number(m.value, 2),
                    es_percent(r.indicator.compliance(m.value)),
                    m.reported_by.full_name if m.reported_by else ("vencida" if m.due_at < generated_at else "pendiente"),
                    m.note or "",
                ]
                for m in r.indicator.measurements
            ],
            [25, 25, 25, 25, 50, 100],
            size=7,
        )
    return bytes(pdf.output())
