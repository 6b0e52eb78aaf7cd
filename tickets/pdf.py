"""The filled form as a printable PDF, with the institutional header and the signatures block."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from config.profiles import Profile
from portal.clock import BOGOTA
from portal.pdf import TEXT_FONT, InstitutionalPdf, field_text, pdf_text
from tickets.models import AccessRequest, ApprovalStep, StepState

FORM_VERSION = "01"


def _when(instant: datetime | None) -> str:
    return (
        instant.astimezone(BOGOTA).strftime("%d/%m/%Y %I:%M %p").replace("AM", "a. m.").replace("PM", "p. m.") if instant else "—"
    )


def render_request_pdf(request: AccessRequest, chain: Sequence[ApprovalStep], profile: Profile) -> bytes:
    """FO-M11-P2-05/12/13 filled in, with who signed each step and when."""
    pdf = InstitutionalPdf(
        profile=profile,
        title=f"{request.form.value} {request.form.label.upper()}",
        code=request.form.value,
        version=FORM_VERSION,
        date_text=_when(request.filed_at)[:10],
    )
    pdf.add_page()
    pdf.section("Datos de la solicitud")
    pdf.row("Número", request.number)
    pdf.row("Estado", request.state.label + (" (excepción del Secretario)" if request.is_exception else ""))
    pdf.row("Radicada", _when(request.filed_at))
    pdf.row("Dependencia", request.dependency.name)
    pdf.row("Solicitante (enlace TIC)", request.requester.full_name)
    pdf.row("Tipo de solicitud", request.action.label)
    pdf.row("Sistema", request.system.name)
    pdf.ln(2)
    pdf.section("Datos del usuario")
    pdf.row("Nombres y apellidos", request.beneficiary_name)
    doc_type = request.beneficiary_document_type.value if request.beneficiary_document_type else ""
    pdf.row("Documento", f"{doc_type} {request.beneficiary_document or ''}".strip())
    pdf.row("Correo institucional", request.beneficiary_email)
    pdf.row("Cargo", request.beneficiary_position)
    pdf.row("Usuario", request.beneficiary_username)
    link = request.link_type.label if request.link_type else None
    if request.contract_end_date:
        link = f"{link} hasta {request.contract_end_date.strftime('%d/%m/%Y')}"
    pdf.row("Vinculación", link)
    if request.roles_to_add or request.roles_to_remove:
        pdf.ln(2)
        pdf.section("Roles")
        pdf.row("Agregar", ", ".join(request.roles_to_add) or "—")
        pdf.row("Retirar", ", ".join(request.roles_to_remove) or "—")
        if request.roles_end_date:
            pdf.row("Vigentes hasta", request.roles_end_date.strftime("%d/%m/%Y"))
    pdf.ln(2)
    pdf.section("Justificación")
    pdf.set_font(TEXT_FONT, "", 9)
    pdf.multi_cell(0, 5, field_text(request.justification), new_x="LMARGIN", new_y="NEXT")
    if request.is_exception:
        pdf.ln(1)
        pdf.row("Justificación de la excepción", request.exception_justification)
    pdf.ln(3)
    pdf.section("Firmas")
    pdf.set_font(TEXT_FONT, "B", 8)
    widths = (50, 45, 55, 35)
    for width, heading in zip(widths, ("Paso", "Decisión", "Firmó", "Fecha y hora"), strict=True):
        pdf.cell(width, 6, pdf_text(heading), border=1)
    pdf.ln()
    pdf.set_font(TEXT_FONT, "", 8)
    for step in chain:
        signer = step.decided_by.full_name if step.decided_by else ""
        if step.on_behalf_of:
            signer += f" (por delegación de {step.on_behalf_of.full_name})"
        values = (
            step.kind.label,
            step.state.label,
            signer or "—",
            _when(step.decided_at) if step.state is not StepState.PENDIENTE else "—",
        )
        top, left = pdf.get_y(), pdf.l_margin
        heights = []
        for width, value in zip(widths, values, strict=True):
            pdf.set_xy(left, top)
            pdf.multi_cell(width, 5, pdf_text(value), border=0)
            heights.append(pdf.get_y() - top)
            left += width
        height = max(heights)
        left = pdf.l_margin
        for width in widths:
            pdf.rect(left, top, width, height)
            left += width
        pdf.set_xy(pdf.l_margin, top + height)
    return bytes(pdf.output())
