"""The report as a PDF with the institutional header."""

from __future__ import annotations

from committee.documents import MAYOR_REPORT_DOCUMENT, CommitteePdf, document_code, local_time, short_date
from committee.reports.data import PLACEHOLDER_WARNING, REPORT_TITLE, MayorReport
from config.profiles import Profile
from portal.clock import local_date

REPORT_VERSION = "01"
#: to whom the report goes, by profile (SPEC §6: "report to the mayor"); the entity's head otherwise
ADDRESSEES = {
    "valle": "Despacho del Gobernador del Valle del Cauca",
    "cartagena": "Despacho del Alcalde Mayor de Cartagena de Indias",
}
DEFAULT_ADDRESSEE = "Despacho del representante legal de la entidad"


def _addressee(profile: Profile) -> str:
    return ADDRESSEES.get(profile.code, DEFAULT_ADDRESSEE)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def render_mayor_report_pdf(report: MayorReport, *, profile: Profile) -> bytes:
    """The report as a PDF with the institutional header and one section per subject."""
    pdf = CommitteePdf(
        profile=profile,
        title=f"{REPORT_TITLE.upper()} · {report.period.label.upper()}",
        code=document_code(profile, MAYOR_REPORT_DOCUMENT),
        version=REPORT_VERSION,
        date_text=short_date(local_date(report.generated_at)),
    )
    pdf.add_page()
    period = report.period
    pdf.pairs(
        [
            ("Dirigido a", _addressee(profile)),
            ("Comité", profile.committee_name),
            ("Periodo", f"{period.label} ({short_date(period.start)} a {short_date(period.end)})"),
            ("Corte", report.cutoff_text),
        ]
    )
    pdf.ln(3)

    pdf.section(f"1. Sesiones realizadas: {len(report.sessions)}")
    if report.sessions:
        pdf.grid(
            ["Fecha", "Sesión", "Tipo", "Integrantes asistentes", "Con voto al cierre", "Invitados", "Quórum al cierre"],
            [
                [
                    short_date(s.day),
                    s.label,
                    s.kind.label,
                    str(s.members_present),
                    f"{s.voting_present} de {s.voting_members}",
                    str(s.guests),
                    "Sí" if s.has_quorum else "No",
                ]
                for s in report.sessions
            ],
            [20, 56, 24, 24, 24, 18, 20],
        )
    else:
        pdf.paragraph("El comité no sesionó en el periodo.")
        pdf.ln(2)

    pdf.section(f"2. Decisiones: {len(report.decisions)}")
    if report.decisions:
        pdf.grid(
            ["Sesión", "Punto", "Votación", "Resultado", "Decisión"],
            [
                [
                    f"{d.session_label} ({short_date(d.day)})",
                    d.title,
                    f"{d.counts_text} (de {d.present_voting} presentes con voto)",
                    d.outcome.label,
                    d.casting_text or d.final_outcome.label,
                ]
                for d in report.decisions
            ],
            [34, 52, 42, 20, 38],
        )
    else:
        pdf.paragraph("No se votaron decisiones en el periodo.")
        pdf.ln(2)

    pdf.section(f"3. Iniciativas del catálogo: {report.initiatives_total}")
    pdf.grid(["Estado", "Iniciativas"], [[s.label, str(n)] for s, n in report.initiatives_by_state], [70, 30])
    pdf.grid(
        ["Habilitador de Gobierno Digital", "Iniciativas"],
        [[e.label, str(n)] for e, n in report.initiatives_by_enabler],
        [90, 30],
    )
    pdf.paragraph(f"Iniciativas decididas por el comité en el periodo: {len(report.decided)}", style="B")
    if report.decided:
        pdf.grid(
            ["Código", "Iniciativa", "Dependencia", "Decisión", "Fecha"],
            [[d.code, d.title, d.dependency, d.decision.label, short_date(local_date(d.decided_at))] for d in report.decided],
            [28, 70, 46, 22, 20],
        )
    pdf.ln(2)

    counts = report.commitment_counts
    pdf.section(f"4. Compromisos adquiridos en el periodo: {counts.total}")
    pdf.paragraph(
        f"Cumplidos: {counts.met} · Pendientes: {counts.pending} (vencidos: {counts.overdue}) · "
        f"Cancelados: {counts.cancelled}. Estado al corte del {report.cutoff_text}."
    )
    pdf.ln(1)
    if report.commitments:
        pdf.grid(
            ["Compromiso", "Responsable", "Fecha límite", "Estado", "Sesión"],
            [
                [
                    c.description,
                    c.responsible,
                    short_date(c.due_date),
                    c.state.label + (" (vencido)" if c.is_overdue else ""),
                    c.session_label,
                ]
                for c in report.commitments
            ],
            [66, 40, 22, 24, 34],
        )

    ans = report.ans
    pdf.section("5. Acuerdos de nivel de servicio (ANS) de la mesa de servicio")
    pdf.paragraph(
        f"Cumplimiento global: {_percent(ans.compliance_percent)} ({ans.within_target} de {ans.measured} mediciones en meta). "
        f"Incumplimientos: {ans.breaches}. Excepciones del Secretario: {ans.exceptions}."
    )
    if ans.uses_placeholders:
        pdf.paragraph(PLACEHOLDER_WARNING, style="I", size=8)
    pdf.ln(1)
    pdf.grid(
        ["Medición", "Medidas", "En meta", "Cumplimiento", "Incumplimientos"],
        [[m.label, str(s.total), str(s.met), _percent(s.percent), str(s.breached)] for m, s in ans.summary.items()],
        [56, 28, 28, 32, 32],
    )
    if ans.by_form:
        pdf.grid(
            ["Formato", "Medición", "Medidas", "Cumplimiento", "Incumplimientos"],
            [
                [label, metric.label, str(s.total), _percent(s.percent), str(s.breached)]
                for label, stats in ans.by_form
                for metric, s in stats.items()
            ],
            [70, 40, 22, 26, 28],
        )
    pdf.paragraph(f"Generado el {short_date(local_date(report.generated_at))} a las {local_time(report.generated_at)}", size=8)
    return bytes(pdf.output())
