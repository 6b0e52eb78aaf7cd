"""The risk-map document (activity 7: "Documento mapa de riesgo") as a PDF with the institutional
header: the map, each risk's controls and treatment plan, and both heat maps."""

from __future__ import annotations

from datetime import datetime

from config.profiles import Profile
from gobierno_digital.common import day_text
from gobierno_digital.documents_out import gd_pdf
from gobierno_digital.risks import dafp
from gobierno_digital.risks.models import Risk
from gobierno_digital.risks.services import heat_map
from portal.clock import BOGOTA

SOURCE = (
    "Metodología: Guía para la administración del riesgo y el diseño de controles en entidades públicas, DAFP, "
    "versión 6 (2022): escalas de probabilidad e impacto, matriz de calor y atributos de eficiencia de los controles "
    "(preventivo 25 %, detectivo 15 %, correctivo 10 %; automático 25 %, manual 15 %). La ejecución del control "
    "(fuerte 100 %, moderada 50 %, débil 0 %) se lee de la versión 4 (2018)."
)


def _valuation(value: dafp.Valuation) -> str:
    return f"{dafp.PROBABILITY_LABELS[value.probability]} / {dafp.IMPACT_LABELS[value.impact]}: {value.zone.label}"


def risk_map_pdf(risks: list[Risk], profile: Profile, generated_at: datetime, vigencia: int | None) -> bytes:
    pdf = gd_pdf(profile, "riesgos", generated_at, landscape=True)
    pdf.paragraph(
        f"Vigencia: {vigencia or 'todas'} · generado el {generated_at.astimezone(BOGOTA):%d/%m/%Y %H:%M} · {len(risks)} riesgos."
    )
    pdf.paragraph(SOURCE, size=7)
    pdf.section("Mapa de riesgos")
    pdf.grid(
        [
            "N.º",
            "Riesgo",
            "Tipo",
            "Causa",
            "Consecuencia",
            "Riesgo inherente",
            "Controles",
            "Riesgo residual",
            "Tratamiento",
            "Responsable",
        ],
        [
            [
                str(r.id),
                r.name,
                r.category.label,
                r.cause,
                r.consequence,
                _valuation(r.inherent),
                "; ".join(f"{c.description} ({c.control_type.label}, {c.rating.percent:g} %)" for c in r.controls)
                or "Sin controles",
                _valuation(r.residual),
                r.treatment.label,
                r.responsible.full_name,
            ]
            for r in risks
        ],
        [10, 34, 18, 30, 30, 26, 40, 26, 18, 20],
        size=6.5,
    )
    pdf.section("Plan de tratamiento")
    actions = [(r, a) for r in risks for a in r.actions]
    if actions:
        pdf.grid(
            ["N.º", "Riesgo", "Acción", "Responsable", "Inicio", "Fin", "Estado"],
            [
                [
                    str(r.id),
                    r.name,
                    a.description,
                    a.responsible.full_name,
                    day_text(a.start_date),
                    day_text(a.end_date),
                    a.status.label,
                ]
                for r, a in actions
            ],
            [10, 55, 85, 40, 22, 22, 20],
            size=7,
        )
    else:
        pdf.paragraph("No hay acciones de tratamiento registradas.")
    maps = heat_map(risks)
    for title, counts in (("Mapa de calor: riesgo inherente", maps.inherent), ("Mapa de calor: riesgo residual", maps.residual)):
        pdf.section(title)
        rows = []
        for probability in range(5, 0, -1):
            rows.append(
                [dafp.PROBABILITY_LABELS[probability]]
                + [f"{dafp.zone(probability, impact).label}: {counts.get((probability, impact), 0)}" for impact in range(1, 6)]
            )
        pdf.grid(["Probabilidad / Impacto", *dafp.IMPACT_LABELS.values()], rows, [40, 36, 36, 36, 36, 36], size=7)
    return bytes(pdf.output())
