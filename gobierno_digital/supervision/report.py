"""The supervision report of a period (activity 9: "Informes de supervisión"), as PDF and DOCX with the
institutional header: per project the planned and executed percent at the end of the period, its
milestones, the contracts' progress reports of the period and the late milestones; then the plan's
overdue activities and the indicators measured in the period."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from committee.documents.acta_docx import docx_header, docx_paragraph, docx_table
from config.profiles import Profile
from gobierno_digital.common import day_text
from gobierno_digital.documents_out import FORMAT_VERSION, TITLES, es_number, es_percent, gd_code, gd_pdf, pesos_text
from gobierno_digital.indicators.models import Measurement
from gobierno_digital.plan.models import PlanActivity
from gobierno_digital.plan.services import overdue_activities
from gobierno_digital.projects.models import Contract, ContractReport, Project
from gobierno_digital.supervision import curve as curves
from gobierno_digital.supervision.models import Milestone
from gobierno_digital.supervision.services import milestones_of
from portal.clock import local_date
from portal.db import DbSession
from portal.errors import ValidationFailed
from sla.calendar import BusinessCalendar


@dataclass(frozen=True)
class ProjectSection:
    project: Project
    planned: float
    executed: float
    milestones: list[Milestone]
    late: list[Milestone]
    reports: list[tuple[Contract, ContractReport]]
    contracts: list[Contract]


@dataclass(frozen=True)
class SupervisionReport:
    start: date
    end: date
    generated_at: datetime
    projects: list[ProjectSection]
    overdue_activities: list[PlanActivity]
    measurements: list[Measurement]

    @property
    def period_text(self) -> str:
        return f"{day_text(self.start)} a {day_text(self.end)}"


def build_report(
    session: DbSession, *, start: date, end: date, now: datetime, calendar: BusinessCalendar, late_days: int
) -> SupervisionReport:
    """Figures at the end of the period (or today, if the period has not ended)."""
    if end < start:
        raise ValidationFailed("El periodo no es válido: la fecha final es anterior a la inicial.", fields={"end": ["Revise."]})
    cut = min(end, local_date(now))
    projects = session.execute(select(Project).where(Project.start_date <= end).order_by(Project.name)).scalars().all()
    sections = []
    for project in projects:
        milestones = milestones_of(session, project.id)
        plans = [curves.PlannedMilestone(m.id, m.planned_date, m.weight) for m in milestones]
        entries = [curves.ProgressEntry(m.id, p.reported_on, p.percent) for m in milestones for p in m.progress]
        contracts = (
            session.execute(select(Contract).where(Contract.project_id == project.id).order_by(Contract.start_date))
            .scalars()
            .all()
        )
        sections.append(
            ProjectSection(
                project=project,
                planned=curves.planned_percent(plans, cut),
                executed=curves.executed_percent(plans, entries, cut),
                milestones=milestones,
                late=[m for m in milestones if curves.is_late(calendar, m.planned_date, m.progress_percent, late_days, now)],
                reports=[(c, r) for c in contracts for r in c.reports if start <= r.reported_on <= end],
                contracts=list(contracts),
            )
        )
    measurements = (
        session.execute(
            select(Measurement)
            .where(Measurement.period_end >= start, Measurement.period_end <= end)
            .order_by(Measurement.period_end)
        )
        .scalars()
        .all()
    )
    return SupervisionReport(start, end, now, sections, overdue_activities(session, cut), list(measurements))


def _project_rows(report: SupervisionReport) -> list[list[str]]:
    return [
        [
            s.project.name,
            s.project.component.label,
            s.project.responsible.full_name,
            es_percent(s.planned),
            es_percent(s.executed),
            es_number(s.executed - s.planned) + " pp",
            str(len(s.late)),
        ]
        for s in report.projects
    ]


PROJECT_HEADINGS = ["Proyecto", "Componente", "Responsable", "Programado", "Ejecutado", "Diferencia", "Hitos atrasados"]
MILESTONE_HEADINGS = ["Hito", "Programado", "Peso", "Avance", "Terminado", "Estado"]
REPORT_HEADINGS = ["Contrato", "Contratista", "Corte", "Avance", "Entregables"]


def _milestone_rows(section: ProjectSection) -> list[list[str]]:
    late = {m.id for m in section.late}
    return [
        [
            m.name,
            day_text(m.planned_date),
            f"{m.weight} %",
            f"{m.progress_percent} %",
            day_text(m.completed_on),
            "Atrasado" if m.id in late else ("Terminado" if m.completed_on else "En curso"),
        ]
        for m in section.milestones
    ]


def _report_rows(section: ProjectSection) -> list[list[str]]:
    return [[c.number, c.contractor, day_text(r.reported_on), f"{r.percent} %", r.deliverables] for c, r in section.reports]


def _activity_rows(report: SupervisionReport) -> list[list[str]]:
    return [
        [a.description, a.component.label, a.responsible.full_name, day_text(a.end_date), a.status.label]
        for a in report.overdue_activities
    ]


def _measurement_rows(report: SupervisionReport) -> list[list[str]]:
    return [
        [
            m.indicator.name,
            m.label,
            day_text(m.due_at),
            es_number(m.value, 2) if m.value is not None else "sin reporte",
            es_percent(m.indicator.compliance(m.value)),
        ]
        for m in report.measurements
    ]


def supervision_pdf(report: SupervisionReport, profile: Profile) -> bytes:
    pdf = gd_pdf(profile, "supervision", report.generated_at)
    pdf.paragraph(
        f"Periodo: {report.period_text}. Avance programado y ejecutado al cierre del periodo, según el cronograma de hitos de cada proyecto."
    )
    pdf.section("Resumen de los proyectos")
    pdf.grid(PROJECT_HEADINGS, _project_rows(report), [48, 30, 32, 18, 18, 18, 17], size=7)
    for section in report.projects:
        pdf.section(f"{section.project.name} · {section.project.dependency.name}")
        if section.contracts:
            pdf.paragraph(
                "Contratos: "
                + "; ".join(
                    f"{c.number} ({c.contractor}, {pesos_text(c.value)}, {day_text(c.start_date)} a {day_text(c.end_date)})"
                    for c in section.contracts
                ),
                size=8,
            )
        pdf.grid(
            MILESTONE_HEADINGS, _milestone_rows(section) or [["Sin hitos", "", "", "", "", ""]], [60, 24, 16, 18, 24, 30], size=7
        )
        if section.reports:
            pdf.grid(REPORT_HEADINGS, _report_rows(section), [24, 40, 22, 16, 80], size=7)
        else:
            pdf.paragraph("Sin informes de avance de contratos en el periodo.", size=8)
    pdf.section("Actividades del plan vencidas")
    if report.overdue_activities:
        pdf.grid(
            ["Actividad", "Componente", "Responsable", "Vencía", "Estado"], _activity_rows(report), [70, 35, 35, 22, 20], size=7
        )
    else:
        pdf.paragraph("No hay actividades vencidas.")
    pdf.section("Indicadores del periodo")
    if report.measurements:
        pdf.grid(
            ["Indicador", "Periodo", "Vence", "Valor", "Cumplimiento"], _measurement_rows(report), [75, 25, 25, 30, 25], size=7
        )
    else:
        pdf.paragraph("No hay mediciones con periodo cerrado en estas fechas.")
    pdf.ln(8)
    pdf.signatures([(profile.secretary_title, profile.it_office_name)])
    return bytes(pdf.output())


def supervision_docx(report: SupervisionReport, profile: Profile) -> bytes:
    from docx import Document as new_docx

    document = new_docx()
    docx_header(
        document,
        profile=profile,
        title=TITLES["supervision"],
        code=gd_code(profile, "supervision"),
        version=FORMAT_VERSION,
        date_text=day_text(report.generated_at),
        draft=False,
    )
    document.core_properties.title = f"Informe de supervisión {report.period_text}"
    document.core_properties.author = profile.it_office_name
    docx_paragraph(document, f"Periodo: {report.period_text}.")
    document.add_heading("Resumen de los proyectos", level=2)
    docx_table(document, PROJECT_HEADINGS, _project_rows(report), [40, 25, 30, 18, 18, 18, 18])
    for section in report.projects:
        document.add_heading(section.project.name, level=2)
        docx_table(
            document,
            MILESTONE_HEADINGS,
            _milestone_rows(section) or [["Sin hitos", "", "", "", "", ""]],
            [55, 22, 15, 18, 22, 25],
        )
        if section.reports:
            docx_table(document, REPORT_HEADINGS, _report_rows(section), [25, 40, 22, 16, 70])
    document.add_heading("Actividades del plan vencidas", level=2)
    if report.overdue_activities:
        docx_table(
            document, ["Actividad", "Componente", "Responsable", "Vencía", "Estado"], _activity_rows(report), [65, 35, 35, 22, 20]
        )
    else:
        docx_paragraph(document, "No hay actividades vencidas.")
    document.add_heading("Indicadores del periodo", level=2)
    if report.measurements:
        docx_table(
            document, ["Indicador", "Periodo", "Vence", "Valor", "Cumplimiento"], _measurement_rows(report), [70, 25, 25, 30, 25]
        )
    else:
        docx_paragraph(document, "No hay mediciones con periodo cerrado en estas fechas.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
