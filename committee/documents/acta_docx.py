"""The acta as an editable DOCX, with the same content as the PDF."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

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
    DRAFT_MARK,
    DRAFT_NOTICE,
    _day,
    _instant,
    document_code,
    local_time,
    short_date,
)
from config.profiles import Profile


def _docx_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``): Word computes it when it lays out the pages."""

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def docx_paragraph(document: DocxDocument, text: str, *, bold: bool = False, size: float = 10) -> Paragraph:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    paragraph.paragraph_format.space_after = Pt(2)
    return paragraph


def _docx_cell_text(table: DocxTable, row: int, column: int, text: str, *, bold: bool = False, size: float = 9) -> None:
    cell = table.cell(row, column)
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def docx_header(
    document: DocxDocument, *, profile: Profile, title: str, code: str, version: str, date_text: str, draft: bool
) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(15), Mm(20)
    section.header_distance = Mm(8)
    header = section.header
    table = header.add_table(1, 2, Mm(175.9))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.cell(0, 0), table.cell(0, 1)
    left.width, right.width = Mm(115), Mm(60.9)
    left.text = ""
    for index, (text, bold) in enumerate(((profile.entity_name, True), (profile.it_office_name, False), (title, True))):
        paragraph = left.paragraphs[0] if index == 0 else left.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(9)
    right.text = ""
    for index, text in enumerate((f"Código: {code}", f"Versión: {version}", f"Fecha: {date_text}")):
        paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
        paragraph.add_run(text).font.size = Pt(8)
    pages = right.add_paragraph()
    pages.add_run("Página ")
    _docx_field(pages, "PAGE", "1")
    pages.add_run(" de ")
    _docx_field(pages, "NUMPAGES", "1")
    for run in pages.runs:
        run.font.size = Pt(8)
    if draft:
        mark = header.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(DRAFT_MARK)
        run.bold = True
        run.font.size = Pt(16)
        run.font.color.rgb = RGBColor(0xB4, 0, 0)


def docx_table(
    document: DocxDocument, headings: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float]
) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for column, heading in enumerate(headings):
        _docx_cell_text(table, 0, column, heading, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for column, value in enumerate(values):
            cells[column].text = ""
            cells[column].paragraphs[0].add_run(str(value)).font.size = Pt(9)
    for row in table.rows:
        for column, width in enumerate(widths_mm):
            row.cells[column].width = Mm(width)
    document.add_paragraph()


def render_acta_docx(
    body: ActaBody,
    *,
    profile: Profile,
    version_number: int,
    version_kind: str,
    signatures: Sequence[SignatureLine] = (),
) -> bytes:
    """The acta as an editable DOCX with the same content as the PDF; the header numbers pages with Word fields."""
    draft = _is_draft(version_kind)
    document = new_docx()
    docx_header(
        document,
        profile=profile,
        title=_acta_title(body),
        code=document_code(profile, ACTA_DOCUMENT),
        version=_version_text(version_number, version_kind),
        date_text=short_date(_day(body["date"])),
        draft=draft,
    )
    document.core_properties.title = body["title"]
    document.core_properties.author = profile.it_office_name
    if draft:
        notice = docx_paragraph(document, DRAFT_NOTICE, bold=True)
        notice.runs[0].font.color.rgb = RGBColor(0xB4, 0, 0)
    elif "approval" in body:
        docx_paragraph(document, f"{body['approval']['text']}.", bold=True)

    document.add_heading(ACTA_SECTIONS[0], level=2)
    rows = _session_data_rows(body, version_number=version_number, version_kind=version_kind)
    data = document.add_table(rows=len(rows), cols=2)
    data.style = "Table Grid"
    for index, (label, value) in enumerate(rows):
        _docx_cell_text(data, index, 0, label, bold=True)
        _docx_cell_text(data, index, 1, value)
    document.add_paragraph()

    document.add_heading(ACTA_SECTIONS[1], level=2)
    for line in _quorum_lines(body):
        docx_paragraph(document, line)
    movements = _movement_lines(body)
    if movements:
        docx_paragraph(document, "Llegadas y salidas:", bold=True)
        for line in movements:
            docx_paragraph(document, line, size=8)

    document.add_heading(ACTA_SECTIONS[2], level=2)
    docx_table(document, ATTENDEE_HEADINGS, _attendee_rows(body["attendees"]), [55, 75, 22, 28])

    document.add_heading(ACTA_SECTIONS[3], level=2)
    if body["absent"]:
        docx_table(
            document,
            ["Nombre", "Cargo", "Con voto"],
            [[a["name"], a["position"], "Sí" if a["is_voting"] else "No"] for a in body["absent"]],
            [60, 100, 20],
        )
    else:
        docx_paragraph(document, "Asistieron todos los integrantes del comité.")

    document.add_heading(ACTA_SECTIONS[4], level=2)
    for item in body["items"]:
        docx_paragraph(document, _item_heading(item))

    document.add_heading(ACTA_SECTIONS[5], level=2)
    for text in _paragraphs(body["introduction"]):
        docx_paragraph(document, text)
    for item in body["items"]:
        docx_paragraph(document, _item_heading(item), bold=True)
        for text in _paragraphs(item["notes"]) or ["Sin observaciones."]:
            docx_paragraph(document, text)
        for line in _item_lines(item):
            docx_paragraph(document, line, bold=line.startswith(("Resultado", "Decisión")))

    document.add_heading(ACTA_SECTIONS[6], level=2)
    if body["commitments"]:
        docx_table(document, COMMITMENT_HEADINGS, _commitment_rows(body["commitments"], with_session=False), [85, 45, 25, 25])
    else:
        docx_paragraph(document, "No se adquirieron compromisos en esta sesión.")

    document.add_heading(ACTA_SECTIONS[7], level=2)
    if body["followed_up"]:
        docx_table(document, FOLLOW_UP_HEADINGS, _commitment_rows(body["followed_up"], with_session=True), [35, 60, 35, 25, 25])
    else:
        docx_paragraph(document, "No había compromisos anteriores por revisar.")

    document.add_heading(ACTA_SECTIONS[8], level=2)
    for text in _paragraphs(body["closing"]):
        docx_paragraph(document, text)
    docx_paragraph(document, f"Hora de cierre: {local_time(_instant(body['closed_at']))}")

    document.add_heading(ACTA_SECTIONS[9], level=2)
    signatories = body["signatories"]
    if signatories:
        table = document.add_table(rows=(len(signatories) + 1) // 2, cols=2)
        for index, person in enumerate(signatories):
            cell = table.cell(index // 2, index % 2)
            cell.text = ""
            space = cell.paragraphs[0]
            space.paragraph_format.space_before = Pt(30)
            space.add_run("_" * 38)
            name = cell.add_paragraph()
            name.add_run(person["name"]).bold = True
            cell.add_paragraph(person["position"]).runs[0].font.size = Pt(9)
    if signatures:
        docx_paragraph(document, "Firmas en el portal:", bold=True)
        for index, line in enumerate(signature_lines(signatures)):
            docx_paragraph(document, line, bold=index % 2 == 1, size=8)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
