"""The committee's printed documents (SPEC §6): the acta as PDF and DOCX, and the listado de asistencia.

Every page carries the institutional header (entity, office, title | Código, Versión, Fecha,
Página X de Y). The acta is printed from an ``ActaVersion.body`` (``catalog.acta_body.ActaBody``):
what was frozen when the draft was generated plus the texts the secretariat edited, never from the
live session, so a version prints the same today and in ten years. Nothing here writes to the
database.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from babel.dates import format_date
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
from fpdf.fonts import FontFace
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from catalog.acta_body import ActaBody, AttendeeEntry, CommitmentEntry, ItemEntry, VoteCounts
from catalog.meeting_models import AttendanceKind, CommitmentState, ItemOutcome, SessionAttendance, VoteChoice
from catalog.models import AgendaItemKind, CommitteeMember, CommitteeSession, SessionGuest, SessionKind, SessionState
from config.profiles import Profile
from portal.clock import BOGOTA, local_date
from portal.db import DbSession
from portal.models import User
from tickets.pdf import InstitutionalPdf

#: Código of the committee's documents in each entity's document control, by profile: the prefix
#: of the committee ("CTD": Comité TIC Departamental; "MTD": Mesa de Trabajo de Transformación
#: Digital) and one suffix per document. An entity without an entry gets ``FO-<office code>``.
DOCUMENT_CODE_PREFIXES = {"valle": "FO-CTD", "cartagena": "FO-MTD"}
ACTA_DOCUMENT = "ACTA"
ATTENDANCE_DOCUMENT = "ASIS"
MAYOR_REPORT_DOCUMENT = "INFC"
#: Versión of the attendance sheet's format (the acta shows its own version number instead)
ATTENDANCE_FORMAT_VERSION = "01"
DRAFT_MARK = "BORRADOR"
DRAFT_NOTICE = "BORRADOR: documento sujeto a observaciones de los integrantes; no es el acta aprobada."
#: table headings: the entity's blue with white text, as the other exports
_BLUE = (0, 72, 132)
_HEADINGS = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=_BLUE)


def document_code(profile: Profile, document: str) -> str:
    """``FO-MTD-ACTA``: the Código printed in the header of a committee document."""
    prefix = DOCUMENT_CODE_PREFIXES.get(profile.code, f"FO-{profile.it_office_code}")
    return f"{prefix}-{document}"


# ---------------------------------------------------------------- text helpers


def local_time(instant: datetime | None) -> str:
    """``09:05 a. m.`` in Bogotá (independent of the process locale); ``—`` when missing."""
    if instant is None:
        return "—"
    local = instant.astimezone(BOGOTA)
    suffix = "a. m." if local.hour < 12 else "p. m."
    return f"{local.hour % 12 or 12:02d}:{local.minute:02d} {suffix}"


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])


def short_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def long_date(day: date) -> str:
    """``viernes, 20 de marzo de 2026``."""
    return format_date(day, "full", locale="es_CO")


def _label(enum: type[ItemOutcome] | type[CommitmentState] | type[VoteChoice] | type[AgendaItemKind], value: str | None) -> str:
    if value is None:
        return "—"
    try:
        return enum(value).label
    except ValueError:
        return value


def vote_counts_text(votes: VoteCounts) -> str:
    """``A favor 5 · En contra 2 · Abstención 1`` (and those present who did not vote, if any)."""
    text = f"A favor {votes['a_favor']} · En contra {votes['en_contra']} · Abstención {votes['abstencion']}"
    if votes["sin_voto"]:
        text += f" · Sin voto {votes['sin_voto']}"
    return text


def _kind_label(kind: str) -> str:
    try:
        return AttendanceKind(kind).label
    except ValueError:
        return kind


def _session_kind_label(kind: str) -> str:
    try:
        return SessionKind(kind).label
    except ValueError:
        return kind


def quorum_text(voting_members: int, present_voting: int) -> str:
    """The quorum rule (SPEC §6): more than half of the voting members present."""
    required = voting_members // 2 + 1
    verdict = "Hay quórum para deliberar y decidir" if present_voting >= required else "No hay quórum: no se delibera ni se vota"
    return (
        f"Integrantes con voto presentes: {present_voting} de {voting_members} "
        f"(se requieren al menos {required}, más de la mitad). {verdict}."
    )


def _item_heading(item: ItemEntry) -> str:
    return f"{item['position']}. {item['title']}"


def _item_lines(item: ItemEntry) -> list[str]:
    """The votes, the outcome and the casting decision of an item, one line each."""
    lines: list[str] = []
    votes = item["votes"]
    if votes is not None:
        lines.append(
            f"Votación: {vote_counts_text(votes)} "
            f"({votes['present_voting']} de {votes['voting_members']} integrantes con voto presentes)."
        )
    if item["vote_detail"]:
        lines.append(
            "Sentido del voto: "
            + "; ".join(f"{v['member']}: {_label(VoteChoice, v['choice'])}" for v in item["vote_detail"])
            + "."
        )
    if item["outcome"] is not None:
        lines.append(f"Resultado de la votación: {_label(ItemOutcome, item['outcome'])}.")
    if item["casting"]:
        lines.append(f"Decisión dirimente: {item['casting']}")
    if item["final_outcome"] is not None and item["final_outcome"] != item["outcome"]:
        lines.append(f"Decisión del comité: {_label(ItemOutcome, item['final_outcome'])}.")
    return lines


def _attendee_rows(attendees: Sequence[AttendeeEntry]) -> list[list[str]]:
    rows = []
    for person in attendees:
        position = person["position"]
        if person["represents"]:
            position = f"{position} (en representación de {person['represents']})"
        rows.append([person["name"], position, _kind_label(person["kind"]), local_time(_instant(person["arrived_at"]))])
    return rows


def _commitment_rows(commitments: Sequence[CommitmentEntry], *, with_session: bool) -> list[list[str]]:
    rows = []
    for c in commitments:
        row = [c["description"], c["responsible"], short_date(_day(c["due_date"])), _label(CommitmentState, c["state"])]
        rows.append([c["session"], *row] if with_session else row)
    return rows


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n") if part.strip()]


def _session_data_rows(body: ActaBody, *, version_number: int, version_kind: str, acta_state_label: str) -> list[tuple[str, str]]:
    return [
        ("Comité", body["committee"]),
        ("Sesión", body["session_label"]),
        ("Tipo de sesión", _session_kind_label(body["kind"])),
        ("Fecha", long_date(_day(body["date"]))),
        ("Hora de instalación", local_time(_instant(body["opened_at"]))),
        ("Hora de cierre", local_time(_instant(body["closed_at"]))),
        ("Lugar", body["place"] or "—"),
        ("Estado del acta", acta_state_label),
        ("Versión del acta", _version_text(version_number, version_kind)),
    ]


def _version_text(version_number: int, version_kind: str) -> str:
    label = {"borrador": "borrador", "definitiva": "versión definitiva"}.get(version_kind, version_kind)
    return f"{version_number} ({label})"


def _is_draft(version_kind: str) -> bool:
    return version_kind == "borrador"


ACTA_SECTIONS = (
    "1. Datos de la sesión",
    "2. Verificación del quórum",
    "3. Asistentes",
    "4. Ausentes",
    "5. Orden del día",
    "6. Desarrollo de la sesión",
    "7. Compromisos",
    "8. Seguimiento de compromisos",
    "9. Cierre",
    "10. Firmas",
)
ATTENDEE_HEADINGS = ["Nombre", "Cargo", "Calidad", "Hora de llegada"]
COMMITMENT_HEADINGS = ["Compromiso", "Responsable", "Fecha límite", "Estado"]
FOLLOW_UP_HEADINGS = ["Sesión de origen", *COMMITMENT_HEADINGS]


# ---------------------------------------------------------------- PDF


def _pdf_text(value: object) -> str:
    """What the PDF core fonts can print (Windows-1252: Spanish, dashes and quotes); the rest becomes ``?``."""
    text = str(value if value is not None else "—").replace("\u202f", " ").replace("\u00a0", " ")
    return text.encode("cp1252", "replace").decode("cp1252")


#: the header of ``InstitutionalPdf`` prints Latin-1: the Windows-1252 signs outside it, as their plain twins
_LATIN1_TWINS = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


class CommitteePdf(InstitutionalPdf):
    """The institutional page, printing Windows-1252 text, with a ``BORRADOR`` mark on every page of a draft."""

    def __init__(self, *, draft: bool = False, **kwargs: str) -> None:
        super().__init__(**{name: value.translate(_LATIN1_TWINS) for name, value in kwargs.items()})
        self.core_fonts_encoding = "cp1252"
        self.is_draft = draft

    def header(self) -> None:
        if self.is_draft:
            with self.local_context(text_color=(225, 225, 225)):
                self.set_font("Helvetica", "B", 80)
                with self.rotation(50, self.w / 2, self.h / 2):
                    width = self.get_string_width(DRAFT_MARK)
                    self.text(self.w / 2 - width / 2, self.h / 2, DRAFT_MARK)
        super().header()

    def section(self, title: str) -> None:
        if self.get_y() > self.page_break_trigger - 20:
            self.add_page()
        self.set_font("Helvetica", "B", 10)
        self.set_fill_color(230, 238, 249)
        self.cell(0, 7, _pdf_text(title), border=0, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, text: str, *, style: str = "", size: float = 9) -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, 5, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")

    def pairs(self, rows: Sequence[tuple[str, str]], label_width: float = 45) -> None:
        for label, value in rows:
            self.set_font("Helvetica", "B", 9)
            self.cell(label_width, 5.5, _pdf_text(label))
            self.set_font("Helvetica", "", 9)
            self.multi_cell(0, 5.5, _pdf_text(value), new_x="LMARGIN", new_y="NEXT")

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
        *,
        size: float = 8,
        min_height: float | None = None,
    ) -> None:
        """A table that wraps long cells and repeats its headings on a new page."""
        self.set_font("Helvetica", "", size)
        with self.table(
            col_widths=tuple(widths),
            width=min(sum(widths), self.epw),
            align="LEFT",
            text_align="LEFT",
            line_height=4.5,
            headings_style=_HEADINGS,
            padding=1,
        ) as table:
            table.row([_pdf_text(h) for h in headings])
            for values in rows:
                table.row([_pdf_text(v) for v in values], min_height=min_height)
        self.ln(3)

    def signatures(self, people: Sequence[tuple[str, str]]) -> None:
        """Two signature blocks per line: room to sign, a line, the name and the position."""
        column = (self.w - self.l_margin - self.r_margin) / 2
        for start in range(0, len(people), 2):
            if self.get_y() + 32 > self.page_break_trigger:
                self.add_page()
            top = self.get_y() + 14
            bottom = top
            for offset, (name, position) in enumerate(people[start : start + 2]):
                left = self.l_margin + offset * column
                self.line(left, top, left + column - 10, top)
                self.set_xy(left, top + 1)
                self.set_font("Helvetica", "B", 9)
                self.multi_cell(column - 10, 4.5, _pdf_text(name), new_x="LEFT", new_y="NEXT")
                self.set_font("Helvetica", "", 8)
                self.multi_cell(column - 10, 4, _pdf_text(position), new_x="LEFT", new_y="NEXT")
                bottom = max(bottom, self.get_y())
            self.set_xy(self.l_margin, bottom + 2)


def _acta_title(body: ActaBody) -> str:
    return f"{body['title']} · {body['committee']}".upper()


def render_acta_pdf(body: ActaBody, *, profile: Profile, version_number: int, version_kind: str, acta_state_label: str) -> bytes:
    """The acta as a PDF: header on every page, the sections of SPEC §6, a signature block per signatory."""
    draft = _is_draft(version_kind)
    pdf = CommitteePdf(
        draft=draft,
        entity=profile.entity_name,
        office=profile.it_office_name,
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

    pdf.section(ACTA_SECTIONS[0])
    pdf.pairs(
        _session_data_rows(body, version_number=version_number, version_kind=version_kind, acta_state_label=acta_state_label)
    )
    pdf.ln(2)

    quorum = body["quorum"]
    pdf.section(ACTA_SECTIONS[1])
    pdf.paragraph(quorum_text(quorum["voting_members"], quorum["present_voting"]))
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
    return bytes(pdf.output())


# ---------------------------------------------------------------- DOCX


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


def _docx_paragraph(document: DocxDocument, text: str, *, bold: bool = False, size: float = 10) -> Paragraph:
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


def _docx_header(
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


def _docx_table(
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


def render_acta_docx(body: ActaBody, *, profile: Profile, version_number: int, version_kind: str, acta_state_label: str) -> bytes:
    """The acta as an editable DOCX with the same content; the header numbers pages with Word fields."""
    draft = _is_draft(version_kind)
    document = new_docx()
    _docx_header(
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
        notice = _docx_paragraph(document, DRAFT_NOTICE, bold=True)
        notice.runs[0].font.color.rgb = RGBColor(0xB4, 0, 0)

    document.add_heading(ACTA_SECTIONS[0], level=2)
    rows = _session_data_rows(body, version_number=version_number, version_kind=version_kind, acta_state_label=acta_state_label)
    data = document.add_table(rows=len(rows), cols=2)
    data.style = "Table Grid"
    for index, (label, value) in enumerate(rows):
        _docx_cell_text(data, index, 0, label, bold=True)
        _docx_cell_text(data, index, 1, value)
    document.add_paragraph()

    quorum = body["quorum"]
    document.add_heading(ACTA_SECTIONS[1], level=2)
    _docx_paragraph(document, quorum_text(quorum["voting_members"], quorum["present_voting"]))

    document.add_heading(ACTA_SECTIONS[2], level=2)
    _docx_table(document, ATTENDEE_HEADINGS, _attendee_rows(body["attendees"]), [55, 75, 22, 28])

    document.add_heading(ACTA_SECTIONS[3], level=2)
    if body["absent"]:
        _docx_table(
            document,
            ["Nombre", "Cargo", "Con voto"],
            [[a["name"], a["position"], "Sí" if a["is_voting"] else "No"] for a in body["absent"]],
            [60, 100, 20],
        )
    else:
        _docx_paragraph(document, "Asistieron todos los integrantes del comité.")

    document.add_heading(ACTA_SECTIONS[4], level=2)
    for item in body["items"]:
        _docx_paragraph(document, _item_heading(item))

    document.add_heading(ACTA_SECTIONS[5], level=2)
    for text in _paragraphs(body["introduction"]):
        _docx_paragraph(document, text)
    for item in body["items"]:
        _docx_paragraph(document, _item_heading(item), bold=True)
        for text in _paragraphs(item["notes"]) or ["Sin observaciones."]:
            _docx_paragraph(document, text)
        for line in _item_lines(item):
            _docx_paragraph(document, line, bold=line.startswith(("Resultado", "Decisión")))

    document.add_heading(ACTA_SECTIONS[6], level=2)
    if body["commitments"]:
        _docx_table(document, COMMITMENT_HEADINGS, _commitment_rows(body["commitments"], with_session=False), [85, 45, 25, 25])
    else:
        _docx_paragraph(document, "No se adquirieron compromisos en esta sesión.")

    document.add_heading(ACTA_SECTIONS[7], level=2)
    if body["followed_up"]:
        _docx_table(document, FOLLOW_UP_HEADINGS, _commitment_rows(body["followed_up"], with_session=True), [35, 60, 35, 25, 25])
    else:
        _docx_paragraph(document, "No había compromisos anteriores por revisar.")

    document.add_heading(ACTA_SECTIONS[8], level=2)
    for text in _paragraphs(body["closing"]):
        _docx_paragraph(document, text)
    _docx_paragraph(document, f"Hora de cierre: {local_time(_instant(body['closed_at']))}")

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

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- listado de asistencia

ATTENDANCE_HEADINGS = ["Nombre", "Cargo u organización", "Calidad", "En representación de", "Llegada", "Salida", "Firma"]
_KIND_ORDER = {AttendanceKind.INTEGRANTE: 0, AttendanceKind.DELEGADO: 1, AttendanceKind.INVITADO: 2}


@dataclass(frozen=True)
class AttendanceLine:
    """One row of the listado de asistencia, as printed."""

    kind: AttendanceKind
    name: str
    position: str
    represents: str
    arrived_at: datetime
    left_at: datetime | None
    member_id: int | None
    is_voting: bool


def attendance_lines(session: DbSession, committee_session: CommitteeSession) -> tuple[list[AttendanceLine], int]:
    """The attendance of a session (members, then delegates, then guests, each by arrival) and the
    committee's voting seats, in one query of plain columns (no entity, so nothing loads lazily)."""
    member_user = aliased(User)
    voting_seats = (
        select(func.count(CommitteeMember.id))
        .where(CommitteeMember.is_voting.is_(True), CommitteeMember.is_active.is_(True))
        .scalar_subquery()
    )
    result = session.execute(
        select(
            SessionAttendance.kind,
            SessionAttendance.name,
            SessionAttendance.position,
            SessionAttendance.arrived_at,
            SessionAttendance.left_at,
            SessionAttendance.member_id,
            CommitteeMember.position,
            CommitteeMember.is_voting,
            member_user.full_name,
            SessionGuest.organization,
            voting_seats,
        )
        .outerjoin(CommitteeMember, CommitteeMember.id == SessionAttendance.member_id)
        .outerjoin(member_user, member_user.id == CommitteeMember.user_id)
        .outerjoin(SessionGuest, SessionGuest.id == SessionAttendance.guest_id)
        .where(SessionAttendance.session_id == committee_session.id)
        .order_by(SessionAttendance.arrived_at, SessionAttendance.id)
    ).all()
    lines = []
    for kind, name, position, arrived_at, left_at, member_id, seat, is_voting, member_name, organization, _ in result:
        if kind is AttendanceKind.INTEGRANTE:
            shown = seat or position
        elif kind is AttendanceKind.INVITADO:
            shown = position or organization
        else:
            shown = position
        represents = f"{member_name}, {seat}" if kind is AttendanceKind.DELEGADO and member_name else ""
        lines.append(
            AttendanceLine(kind, name, shown or "—", represents, arrived_at, left_at, member_id, bool(member_id and is_voting))
        )
    lines.sort(key=lambda line: _KIND_ORDER.get(line.kind, len(_KIND_ORDER)))
    return lines, int(result[0][-1]) if result else 0


def render_attendance_pdf(session: DbSession, committee_session: CommitteeSession, *, profile: Profile) -> bytes:
    """The listado de asistencia of a session with a column to sign, and the quorum line.

    The quorum counts the voting members in the room, in person or through a delegate (SPEC §6);
    once the session is over, the voting members who attended.
    """
    rows, voting_members = attendance_lines(session, committee_session)
    in_progress = committee_session.state is SessionState.EN_CURSO
    voting_present = len({r.member_id for r in rows if r.is_voting and (r.left_at is None or not in_progress)})

    day = local_date(committee_session.starts_at)
    pdf = CommitteePdf(
        entity=profile.entity_name,
        office=profile.it_office_name,
        title=f"LISTADO DE ASISTENCIA · {profile.committee_name.upper()}",
        code=document_code(profile, ATTENDANCE_DOCUMENT),
        version=ATTENDANCE_FORMAT_VERSION,
        date_text=short_date(day),
    )
    pdf.add_page()
    pdf.section("Datos de la sesión")
    pdf.pairs(
        [
            ("Sesión", committee_session.label),
            ("Fecha", long_date(day)),
            ("Hora de instalación", local_time(committee_session.opened_at)),
            ("Lugar", committee_session.place or committee_session.virtual_link or "—"),
            ("Estado", committee_session.state.label),
        ]
    )
    pdf.ln(2)
    pdf.section("Quórum")
    pdf.paragraph(quorum_text(voting_members, voting_present) if rows else "Sin asistencia registrada.")
    pdf.ln(2)
    pdf.section(f"Asistentes ({len(rows)})")
    if rows:
        pdf.grid(
            ATTENDANCE_HEADINGS,
            [
                [
                    r.name,
                    r.position,
                    r.kind.label,
                    r.represents,
                    local_time(r.arrived_at),
                    local_time(r.left_at) if r.left_at else "",
                    "",
                ]
                for r in rows
            ],
            [34, 38, 18, 34, 17, 17, 28],
            size=7.5,
            min_height=10,
        )
    else:
        pdf.paragraph("No se ha registrado asistencia.")
    pdf.paragraph(
        "Los invitados no cuentan para el quórum ni votan. Un delegado cuenta por el integrante que representa, "
        "con la comunicación oficial de la delegación.",
        size=7.5,
    )
    return bytes(pdf.output())
