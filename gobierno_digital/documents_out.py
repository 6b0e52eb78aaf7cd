"""The plan's printed documents share the institutional header of the committee's documents
(``committee/documents``): entity, office, title, Código, Versión, Fecha, Página X de Y."""

from __future__ import annotations

from datetime import datetime

from committee.documents.common import CommitteePdf
from config.profiles import Profile
from portal.clock import BOGOTA

FORMAT_VERSION = "01"
#: the Código of each document, after the office's code: FO-TIC-GD-IND, FO-OAI-GD-SUP…
DOCUMENT_SUFFIXES = {"indicadores": "GD-IND", "riesgos": "GD-RIE", "supervision": "GD-SUP"}
TITLES = {
    "indicadores": "REPORTE DE INDICADORES DE GOBIERNO DIGITAL",
    "riesgos": "MAPA DE RIESGOS DE GOBIERNO DIGITAL",
    "supervision": "INFORME DE SUPERVISIÓN DE GOBIERNO DIGITAL",
}


def gd_code(profile: Profile, document: str) -> str:
    return f"FO-{profile.it_office_code}-{DOCUMENT_SUFFIXES[document]}"


def gd_pdf(profile: Profile, document: str, generated_at: datetime, *, landscape: bool = False) -> CommitteePdf:
    """A first page with the institutional header; Letter, portrait unless ``landscape``."""
    pdf = CommitteePdf(
        profile=profile,
        title=TITLES[document],
        code=gd_code(profile, document),
        version=FORMAT_VERSION,
        date_text=generated_at.astimezone(BOGOTA).strftime("%d/%m/%Y"),
    )
    pdf.add_page(orientation="L" if landscape else "P")
    return pdf


def es_number(value: float | None, decimals: int = 1) -> str:
    """``1234.5`` → ``1.234,5``; ``None`` → ``—``."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def es_percent(value: float | None) -> str:
    return "—" if value is None else f"{es_number(value)} %"


def pesos_text(amount: int | None) -> str:
    return "—" if amount is None else "$" + f"{amount:,}".replace(",", ".")
