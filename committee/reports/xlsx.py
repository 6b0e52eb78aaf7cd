"""The report as a workbook, one sheet per subject."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from committee.reports.data import PLACEHOLDER_WARNING, REPORT_TITLE, MayorReport
from config.profiles import Profile
from portal.clock import BOGOTA
from portal.spreadsheets import workbook_bytes

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="004884")
_DATE = "DD/MM/YYYY"
_DATETIME = "DD/MM/YYYY HH:MM"
_PERCENT = "0.0%"
#: the row of each sheet's column headings, under the title rows; panes freeze below it
HEADER_ROW = 4


def _naive_local(instant: datetime | None) -> datetime | None:
    """A Bogotá wall-clock time for a spreadsheet cell (Excel has no time zones)."""
    return instant.astimezone(BOGOTA).replace(tzinfo=None) if instant else None


def _sheet(
    workbook: Workbook, title: str, heading: str, report: MayorReport, columns: list[tuple[str, int]], first: bool = False
) -> Worksheet:
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title
    sheet["A1"] = heading
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = f"Periodo: {report.period.label} · corte: {report.cutoff_text}"
    for index, (name, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=name)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    return sheet


def _append(sheet: Worksheet, values: list[Any], formats: dict[int, str] | None = None) -> None:
    row = sheet.max_row + 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if formats and column in formats:
            cell.number_format = formats[column]


def _bold_row(sheet: Worksheet, values: list[Any]) -> None:
    _append(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def render_mayor_report_xlsx(report: MayorReport, *, profile: Profile) -> bytes:
    """The report as a workbook (Sesiones, Decisiones, Iniciativas, Compromisos, ANS): numbers and
    dates are real cells, the heading row is bold and stays in view (frozen panes)."""
    workbook = Workbook()
    workbook.properties.title = f"{REPORT_TITLE} · {report.period.label}"
    workbook.properties.creator = profile.it_office_name
    title = f"{profile.entity_name} · {profile.committee_name} · {REPORT_TITLE}"

    sessions = _sheet(
        workbook,
        "Sesiones",
        title,
        report,
        [
            ("Fecha", 12),
            ("Sesión", 34),
            ("Tipo", 15),
            ("Instalada", 17),
            ("Cerrada", 17),
            ("Integrantes asistentes", 12),
            ("Con voto al cierre", 12),
            ("Integrantes con voto", 12),
            ("Invitados", 10),
            ("Quórum al cierre", 9),
        ],
        first=True,
    )
    for s in report.sessions:
        _append(
            sessions,
            [
                s.day,
                s.label,
                s.kind.label,
                _naive_local(s.opened_at),
                _naive_local(s.closed_at),
                s.members_present,
                s.voting_present,
                s.voting_members,
                s.guests,
                "Sí" if s.has_quorum else "No",
            ],
            {1: _DATE, 4: _DATETIME, 5: _DATETIME},
        )

    decisions = _sheet(
        workbook,
        "Decisiones",
        title,
        report,
        [
            ("Fecha", 12),
            ("Sesión", 30),
            ("Punto", 6),
            ("Título", 50),
            ("Iniciativa", 15),
            ("Integrantes con voto", 11),
            ("Presentes con voto", 11),
            ("A favor", 9),
            ("En contra", 9),
            ("Abstención", 10),
            ("Sin voto", 9),
            ("Resultado", 13),
            ("Decisión", 13),
            ("Decisión dirimente", 50),
        ],
    )
    for d in report.decisions:
        _append(
            decisions,
            [
                d.day,
                d.session_label,
                d.position,
                d.title,
                d.initiative_code,
                d.voting_members,
                d.present_voting,
                d.votes_for,
                d.votes_against,
                d.abstentions,
                d.not_voted,
                d.outcome.label,
                d.final_outcome.label,
                d.casting_text,
            ],
            {1: _DATE},
        )

    initiatives = _sheet(workbook, "Iniciativas", title, report, [("Agrupación", 22), ("Categoría", 44), ("Iniciativas", 12)])
    for state, count in report.initiatives_by_state:
        _append(initiatives, ["Estado", state.label, count])
    for enabler, count in report.initiatives_by_enabler:
        _append(initiatives, ["Habilitador", enabler.label, count])
    _bold_row(initiatives, ["Total", "", report.initiatives_total])
    _append(initiatives, [])
    _bold_row(initiatives, ["Decididas en el periodo"])
    _bold_row(initiatives, ["Código", "Iniciativa", "Dependencia", "Decisión", "Fecha"])
    for decided in report.decided:
        _append(
            initiatives,
            [decided.code, decided.title, decided.dependency, decided.decision.label, _naive_local(decided.decided_at)],
            {5: _DATETIME},
        )
    for column, width in ((4, 14), (5, 17)):
        initiatives.column_dimensions[get_column_letter(column)].width = width

    commitments = _sheet(
        workbook,
        "Compromisos",
        title,
        report,
        [("Sesión", 30), ("Compromiso", 60), ("Responsable", 30), ("Fecha límite", 12), ("Estado al corte", 14), ("Vencido", 9)],
    )
    for c in report.commitments:
        _append(
            commitments,
            [c.session_label, c.description, c.responsible, c.due_date, c.state.label, "Sí" if c.is_overdue else "No"],
            {4: _DATE},
        )
    counts = report.commitment_counts
    _append(commitments, [])
    for label, value in (
        ("Total", counts.total),
        ("Cumplidos", counts.met),
        ("Pendientes", counts.pending),
        ("Vencidos", counts.overdue),
        ("Cancelados", counts.cancelled),
    ):
        _append(commitments, [label, value])

    ans = _sheet(
        workbook,
        "ANS",
        title,
        report,
        [("Grupo", 44), ("Medición", 20), ("Medidas", 10), ("En meta", 10), ("Cumplimiento", 13), ("Incumplimientos", 15)],
    )
    figures = report.ans
    overall = figures.within_target / figures.measured if figures.measured else None
    _bold_row(ans, ["Global", "Todas", figures.measured, figures.within_target, overall, figures.breaches])
    ans.cell(row=ans.max_row, column=5).number_format = _PERCENT
    for metric, stats in figures.summary.items():
        fraction = stats.met / stats.total if stats.total else None
        _append(ans, ["Total", metric.label, stats.total, stats.met, fraction, stats.breached], {5: _PERCENT})
    for label, by_metric in figures.by_form:
        for metric, stats in by_metric.items():
            fraction = stats.met / stats.total if stats.total else None
            _append(ans, [label, metric.label, stats.total, stats.met, fraction, stats.breached], {5: _PERCENT})
    _append(ans, [])
    _append(ans, ["Excepciones del Secretario", "", figures.exceptions])
    if figures.uses_placeholders:
        _append(ans, [PLACEHOLDER_WARNING])

    return workbook_bytes(workbook)
