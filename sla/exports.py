"""The ANS report as XLSX (real number and date cells), PDF (institutional header) and CSV."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from config.profiles import Profile
from portal.clock import BOGOTA
from portal.pdf import TEXT_FONT, InstitutionalPdf, pdf_text
from portal.spreadsheets import csv_writer, workbook_bytes
from sla.models import SlaMetric
from sla.reports.assembly import AnsReport, GroupRow
from sla.reports.queries import Stats

REPORT_TITLE = "Informe de cumplimiento de ANS"
REPORT_VERSION = "01"
PLACEHOLDER_WARNING = "Algunas metas son valores provisionales del sistema: reemplácelas por las del Manual ANS de la entidad."
METRICS = tuple(SlaMetric)


def report_code(profile: Profile) -> str:
    return f"{profile.it_office_code}-ANS-01"


def _local(instant: datetime | None) -> datetime | None:
    """A local (Bogotá) naive datetime for a spreadsheet cell: Excel has no time zones."""
    return instant.astimezone(BOGOTA).replace(tzinfo=None) if instant else None


def es_number(value: float | None, decimals: int = 1) -> str:
    """``87.5`` → ``87,5`` (Spanish decimal comma); ``None`` → ``—``."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def es_percent(value: float | None) -> str:
    return "—" if value is None else f"{es_number(value)} %"


def _local_text(instant: datetime | None) -> str:
    if instant is None:
        return "—"
    return instant.astimezone(BOGOTA).strftime("%d/%m/%Y %I:%M %p").replace("AM", "a. m.").replace("PM", "p. m.")


def _period_text(report: AnsReport) -> str:
    f = report.filters
    text = f"Periodo: {f.start.strftime('%d/%m/%Y')} a {f.end.strftime('%d/%m/%Y')}"
    return text + f" · Dependencia: {report.dependency_name or 'todas'}"


# ---------------------------------------------------------------- XLSX

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="004884")
_HOURS = "0.00"
_PERCENT = "0.0%"
_DATETIME = "dd/mm/yyyy hh:mm"


def _header(sheet: Worksheet, row: int, titles: Iterable[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL


def _stats_cells(sheet: Worksheet, row: int, column: int, stats: Stats | None) -> None:
    """Measured, within target, compliance (a fraction shown as %), median and p90 (hours)."""
    values: list[Any] = (
        [stats.total, stats.met, stats.met / stats.total if stats.total else None, stats.median_hours, stats.p90_hours]
        if stats
        else [0, 0, None, None, None]
    )
    formats = ["0", "0", _PERCENT, _HOURS, _HOURS]
    for offset, (value, number_format) in enumerate(zip(values, formats, strict=True)):
        cell = sheet.cell(row=row, column=column + offset, value=value)
        cell.number_format = number_format


_STATS_TITLES = ("medidos", "en meta", "cumplimiento", "mediana (h)", "p90 (h)")


def _group_sheet(workbook: Workbook, title: str, heading: str, rows: list[GroupRow], metrics: tuple[SlaMetric, ...]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.cell(row=1, column=1, value=heading).font = Font(bold=True, size=12)
    titles = [heading.split(" por ")[-1].capitalize() if " por " in heading else "Grupo"]
    for metric in metrics:
        titles += [f"{metric.label}: {t}" for t in _STATS_TITLES]
    _header(sheet, 3, titles)
    for index, row in enumerate(rows, start=4):
        sheet.cell(row=index, column=1, value=row.label)
        for m_index, metric in enumerate(metrics):
            _stats_cells(sheet, index, 2 + m_index * len(_STATS_TITLES), row.stats.get(metric))
    _filterable(sheet, 3, len(titles))
    _widths(sheet, len(titles))


def _filterable(sheet: Worksheet, header_row: int, columns: int) -> None:
    """The heading row stays in view when scrolling and carries the filters of its table."""
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    last_row = max(sheet.max_row, header_row)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{last_row}"


def _widths(sheet: Worksheet, columns: int, first: int = 38, rest: int = 16) -> None:
    for column in range(1, columns + 1):
        sheet.column_dimensions[get_column_letter(column)].width = first if column == 1 else rest


def report_xlsx(report: AnsReport, profile: Profile) -> bytes:
    """The report as a workbook: one sheet per table; numbers, percentages and dates are real cells."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Resumen"
    sheet["A1"] = f"{profile.entity_name} · {profile.it_office_name}"
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = REPORT_TITLE
    sheet["A3"], sheet["B3"] = "Desde", report.filters.start
    sheet["A4"], sheet["B4"] = "Hasta", report.filters.end
    sheet["B3"].number_format = sheet["B4"].number_format = "dd/mm/yyyy"
    sheet["A5"], sheet["B5"] = "Dependencia", report.dependency_name or "Todas"
    sheet["A6"], sheet["B6"] = "Generado", _local(report.now)
    sheet["B6"].number_format = _DATETIME
    row = 7
    if report.uses_placeholders:
        sheet.cell(row=row, column=1, value=PLACEHOLDER_WARNING).font = Font(italic=True, color="9C5700")
        row += 1
    row += 1
    _header(sheet, row, ["Métrica", *_STATS_TITLES, "abiertas vencidas"])
    for metric in METRICS:
        row += 1
        sheet.cell(row=row, column=1, value=metric.label)
        _stats_cells(sheet, row, 2, report.summary.get(metric))
        sheet.cell(row=row, column=7, value=report.open_breached.get(metric, 0))
    row += 2
    sheet.cell(row=row, column=1, value="Excepciones del Secretario en el periodo")
    sheet.cell(row=row, column=2, value=report.exception_count)
    _widths(sheet, 7)

    for key, title, rows in report.dimensions():
        _group_sheet(
            workbook,
            {"formato": "Por formato", "accion": "Por acción", "dependencia": "Por dependencia", "mes": "Por mes"}[key],
            title,
            rows,
            METRICS,
        )
    _group_sheet(workbook, "Aprobadores", "Tiempos de los aprobadores por aprobador", report.approvers, (SlaMetric.PASO,))

    ages = workbook.create_sheet("Abiertas por antigüedad")
    ages["A1"] = f"Solicitudes abiertas al {_local_text(report.now)} por antigüedad"
    _header(ages, 3, ["Antigüedad", "Solicitudes"])
    for index, (label, count) in enumerate(report.open_by_age, start=4):
        ages.cell(row=index, column=1, value=label)
        ages.cell(row=index, column=2, value=count)
    _filterable(ages, 3, 2)
    _widths(ages, 2)

    breaches = workbook.create_sheet("Incumplimientos")
    _header(breaches, 1, ["Solicitud", "Métrica", "Dependencia", "Meta (h)", "Medido (h)", "Exceso (h)", "Terminó"])
    for index, b in enumerate(report.worst_breaches, start=2):
        values: list[Any] = [
            b.number,
            b.metric.label,
            b.dependency,
            b.target_hours,
            b.elapsed_hours,
            b.over_hours,
            _local(b.stopped_at),
        ]
        for column, value in enumerate(values, start=1):
            cell = breaches.cell(row=index, column=column, value=value)
            cell.number_format = {4: _HOURS, 5: _HOURS, 6: _HOURS, 7: _DATETIME}.get(column, "General")
    _filterable(breaches, 1, 7)
    _widths(breaches, 7, first=18, rest=22)

    exceptions = workbook.create_sheet("Excepciones")
    _header(exceptions, 1, ["Solicitud", "Aprobada", "Dependencia", "Autorizó", "Justificación"])
    for index, e in enumerate(report.exceptions, start=2):
        for column, value in enumerate(
            [e.number, _local(e.approved_at), e.dependency, e.authorised_by, e.justification], start=1
        ):
            cell = exceptions.cell(row=index, column=column, value=value)
            if column == 2:
                cell.number_format = _DATETIME
    _filterable(exceptions, 1, 5)
    _widths(exceptions, 5, first=18, rest=30)

    return workbook_bytes(workbook)


# ---------------------------------------------------------------- PDF


def _table(pdf: InstitutionalPdf, headings: list[str], rows: list[list[str]], widths: list[float]) -> None:
    """A breakdown table: headings wrap within their column (never cut), headings repeat on a new page."""
    pdf.grid(headings, rows, widths, size=7)


def _stats_texts(stats: Stats | None) -> list[str]:
    if stats is None:
        return ["0", "—", "—", "—"]
    return [str(stats.total), es_percent(stats.percent), es_number(stats.median_hours, 2), es_number(stats.p90_hours, 2)]


def report_pdf(report: AnsReport, profile: Profile) -> bytes:
    """The report as a PDF with the institutional header (Código, Versión, Fecha, Página X de Y)."""
    pdf = InstitutionalPdf(
        profile=profile,
        title=REPORT_TITLE.upper(),
        code=report_code(profile),
        version=REPORT_VERSION,
        date_text=report.now.astimezone(BOGOTA).strftime("%d/%m/%Y"),
    )
    pdf.add_page()
    pdf.set_font(TEXT_FONT, "", 9)
    pdf.multi_cell(0, 5, pdf_text(_period_text(report)), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        5,
        pdf_text("Tiempos en horas hábiles del calendario de la entidad; p90: percentil 90."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if report.uses_placeholders:
        pdf.set_font(TEXT_FONT, "I", 8)
        pdf.multi_cell(0, 5, pdf_text(PLACEHOLDER_WARNING), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.section("Resumen por métrica")
    _table(
        pdf,
        ["Métrica", "Medidos", "Cumplimiento", "Mediana (h)", "P90 (h)", "Abiertas vencidas"],
        [[m.label, *_stats_texts(report.summary.get(m)), str(report.open_breached.get(m, 0))] for m in METRICS],
        [45, 22, 28, 28, 28, 34],
    )
    for _key, title, rows in report.dimensions():
        pdf.section(title)
        headings = ["Grupo"] + [f"{m.label} {t}" for m in METRICS for t in ("n", "%", "med.", "p90")]
        widths = [42.0] + [11.5] * (len(headings) - 1)
        _table(pdf, headings, [[r.label] + [t for m in METRICS for t in _stats_texts(r.stats.get(m))] for r in rows], widths)
    pdf.section("Tiempos de los aprobadores (pasos de aprobación)")
    _table(
        pdf,
        ["Aprobador", "Pasos", "Cumplimiento", "Mediana (h)", "P90 (h)"],
        [[r.label, *_stats_texts(r.stats.get(SlaMetric.PASO))] for r in report.approvers],
        [70, 25, 30, 30, 30],
    )
    pdf.section(f"Solicitudes abiertas por antigüedad (al {_local_text(report.now)})")
    _table(pdf, ["Antigüedad", "Solicitudes"], [[label, str(count)] for label, count in report.open_by_age], [70, 30])
    pdf.section(f"Incumplimientos del periodo: {report.breached_total}")
    _table(
        pdf,
        ["Solicitud", "Métrica", "Dependencia", "Meta (h)", "Medido (h)", "Exceso (h)"],
        [
            [
                b.number or str(b.request_id),
                b.metric.label,
                b.dependency,
                es_number(b.target_hours, 2),
                es_number(b.elapsed_hours, 2),
                es_number(b.over_hours, 2),
            ]
            for b in report.worst_breaches
        ],
        [28, 32, 50, 25, 25, 25],
    )
    pdf.section(f"Excepciones del Secretario: {report.exception_count}")
    _table(
        pdf,
        ["Solicitud", "Aprobada", "Dependencia", "Autorizó", "Justificación"],
        [
            [
                e.number or str(e.request_id),
                _local_text(e.approved_at),
                e.dependency,
                e.authorised_by or "—",
                e.justification or "—",
            ]
            for e in report.exceptions
        ],
        [26, 34, 40, 36, 50],
    )
    return bytes(pdf.output())


# ---------------------------------------------------------------- CSV


def report_csv(report: AnsReport) -> str:
    """One flat table (section, group, metric, figures), dot decimals, for other tools."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(["seccion", "grupo", "metrica", "medidos", "en_meta", "cumplimiento_pct", "mediana_h", "p90_h"])

    def stats_row(section: str, group: str, metric: SlaMetric, stats: Stats) -> list[Any]:
        return [section, group, metric.value, stats.total, stats.met, stats.percent, stats.median_hours, stats.p90_hours]

    for metric, stats in report.summary.items():
        writer.writerow(stats_row("resumen", "", metric, stats))
    for key, _title, rows in [*report.dimensions(), ("aprobador", "", report.approvers)]:
        for row in rows:
            for metric, stats in row.stats.items():
                writer.writerow(stats_row(key, row.label, metric, stats))
    for label, count in report.open_by_age:
        writer.writerow(["abiertas_por_antiguedad", label, "", count, "", "", "", ""])
    writer.writerow(["excepciones", "", "", report.exception_count, "", "", "", ""])
    return buffer.getvalue()
