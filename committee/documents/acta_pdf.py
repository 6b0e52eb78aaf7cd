"""The acta as a PDF."""

from __future__ import annotations

from collections.abc import Sequence

from committee.actas.content import ActaBody
from committee.documents.acta_content import (
    ACTA_SECTIONS,
    ATTENDEE_HEADINGS,
    COMMITMENT_HEADINGS,
    FOLLOW_UP_HEADINGS,
    SignatureLine,
    _acta_title,
    _attendee_rows,
    _commitment_rows,
    _is_draft,
    _item_heading,
    _item_lines,
    _movement_lines,
    _paragraphs,
    _quorum_lines,
    _session_data_rows,
    _version_text,
    signature_lines,
)
from committee.documents.common import (
    ACTA_DOCUMENT,
    DRAFT_NOTICE,
    CommitteePdf,
    _day,
    _instant,
    document_code,
    local_time,
    short_date,
)
from config.profiles import Profile


def render_acta_pdf(
    body: ActaBody,
    *,
    profile: Profile,
    version_number: int,
    version_kind: str,
    signatures: Sequence[SignatureLine] = (),
) -> bytes:
    """The acta as a PDF: header on every page, the sections of SPEC §6, a signature block per
    signatory. A draft carries the ``BORRADOR`` mark on every page; the approved version says how
    and when it was approved, and lists the signatures made in the portal with their code."""
    draft = _is_draft(version_kind)
    pdf = CommitteePdf(
        draft=draft,
        profile=profile,
        title=_acta_title(body),
        code=document_code(profile, ACTA_DOCUMENT),
        version=_version_text(version_number, version_kind),
        date_text=short_date(_day(body["date"])),
    )
    pdf.add_page()
    if draft:
        with pdf.local_context(text_color=(180, 0, 0)):
            pdf.paragraph(DRAFT_NOTICE, style="B")
        pdf.ln(2)
    elif "approval" in body:
        pdf.paragraph(f"{body['approval']['text']}.", style="B")
        pdf.ln(2)

    pdf.section(ACTA_SECTIONS[0])
    pdf.pairs(_session_data_rows(body, version_number=version_number, version_kind=version_kind))
    pdf.ln(2)

    pdf.section(ACTA_SECTIONS[1])
    for line in _quorum_lines(body):
        pdf.paragraph(line)
    movements = _movement_lines(body)
    if movements:
        pdf.paragraph("Llegadas y salidas:", style="B")
        for line in movements:
            pdf.paragraph(line, size=8)
    pdf.ln(2)

    pdf.section(ACTA_SECTIONS[2])
    pdf.grid(ATTENDEE_HEADINGS, _attendee_rows(body["attendees"]), [58, 78, 22, 28])

    pdf.section(ACTA_SECTIONS[3])
    if body["absent"]:
        pdf.grid(
            ["Nombre", "Cargo", "Con voto"],
            [[a["name"], a["position"], "Sí" if a["is_voting"] else "No"] for a in body["absent"]],
            [60, 106, 20],
        )
    else:
        pdf.paragraph("Asistieron todos los integrantes del comité.")
        pdf.ln(2)

    pdf.section(ACTA_SECTIONS[4])
    for item in body["items"]:
        pdf.paragraph(_item_heading(item))
    pdf.ln(2)

    pdf.section(ACTA_SECTIONS[5])
    for text in _paragraphs(body["introduction"]):
        pdf.paragraph(text)
    pdf.ln(1)
    for item in body["items"]:
        pdf.paragraph(_item_heading(item), style="B")
        for text in _paragraphs(item["notes"]) or ["Sin observaciones."]:
            pdf.paragraph(text)
        for line in _item_lines(item):
            pdf.paragraph(line, style="B" if line.startswith(("Resultado", "Decisión")) else "")
        pdf.ln(2)

    pdf.section(ACTA_SECTIONS[6])
    if body["commitments"]:
        pdf.grid(COMMITMENT_HEADINGS, _commitment_rows(body["commitments"], with_session=False), [86, 50, 25, 25])
    else:
        pdf.paragraph("No se adquirieron compromisos en esta sesión.")
        pdf.ln(2)

    pdf.section(ACTA_SECTIONS[7])
    if body["followed_up"]:
        pdf.grid(FOLLOW_UP_HEADINGS, _commitment_rows(body["followed_up"], with_session=True), [36, 60, 40, 25, 25])
    else:
        pdf.paragraph("No había compromisos anteriores por revisar.")
        pdf.ln(2)

    pdf.section(ACTA_SECTIONS[8])
    for text in _paragraphs(body["closing"]):
        pdf.paragraph(text)
    pdf.paragraph(f"Hora de cierre: {local_time(_instant(body['closed_at']))}")
    pdf.ln(2)

    pdf.section(ACTA_SECTIONS[9])
    pdf.signatures([(s["name"], s["position"]) for s in body["signatories"]])
    if signatures:
        pdf.paragraph("Firmas en el portal:", style="B")
        for index, line in enumerate(signature_lines(signatures)):
            pdf.paragraph(line, size=8 if index % 2 == 0 else 7.5, style="" if index % 2 == 0 else "B")
    return bytes(pdf.output())
