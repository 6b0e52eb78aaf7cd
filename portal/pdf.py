"""The one page every PDF of the portal is printed on (FO forms, ANS report, actas, attendance sheets,
the mayor's report, Gobierno Digital documents): embedded Unicode fonts, the entity's logo and the
institutional header (entity, office, title, Código, Versión, Fecha, Página X de Y) in dark ink on
every page.

Every document builds an ``InstitutionalPdf`` (or a subclass), so none can forget the fonts, the
header colours or the logo: the PDF core fonts print only Windows-1252 and replace the rest by "?",
so any family a document asks for is printed with the vendored Work Sans (text) and Montserrat
(headings), both under the SIL Open Font License (``static/fonts/LICENSE-OFL.txt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import FontFace

from config.profiles import Profile

STATIC = Path(__file__).resolve().parent / "static"
FONTS = STATIC / "fonts"
#: the text family and the headings' family, as ``set_font`` names them
TEXT_FONT = "WorkSans"
HEADING_FONT = "Montserrat"
#: (family, style) → vendored TTF file. Work Sans ships no italic here: "I" prints upright.
FONT_FILES = {
    (TEXT_FONT, ""): "work-sans-400.ttf",
    (TEXT_FONT, "B"): "work-sans-600.ttf",
    (TEXT_FONT, "I"): "work-sans-400.ttf",
    (TEXT_FONT, "BI"): "work-sans-600.ttf",
    (HEADING_FONT, ""): "montserrat-600.ttf",
    (HEADING_FONT, "B"): "montserrat-700.ttf",
}
#: the header's ink on every page: near black, on white, framed in the entity's dark blue
HEADER_TEXT = (33, 33, 33)
FRAME = (0, 72, 132)
#: table headings: the entity's blue with white text, wrapped (never cut) by ``InstitutionalPdf.grid``
TABLE_HEADINGS = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=FRAME)
_LOGO_WIDTH = 16.0
_META_WIDTH = 62.0


def pdf_text(value: object) -> str:
    """The text of a cell: "—" for a missing value; narrow no-break spaces (Babel's "p. m.") become
    spaces, the only sign Babel writes that the fonts lack."""
    return "—" if value is None else str(value).replace("\u202f", " ")


def field_text(value: object) -> str:
    """The value of a form's field: "—" when it is empty (FO forms print no blank field)."""
    return "—" if value is None or not str(value).strip() else pdf_text(value)


class InstitutionalPdf(FPDF):
    """Letter pages with the entity's logo and the institutional header on every page, in dark ink
    whatever colours the page before left set (a table cut by a page break leaves white on blue)."""

    def __init__(self, *, profile: Profile, title: str, code: str, version: str, date_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="Letter")
        for (family, style), filename in FONT_FILES.items():
            self.add_font(family, style, str(FONTS / filename))
        self.profile = profile
        self.entity, self.office, self.doc_title = profile.entity_name, profile.it_office_name, title
        self.code, self.version, self.date_text = code, version, date_text
        self.logo = STATIC / profile.logo
        self.alias_nb_pages("{nb}")
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(15, 15, 15)
        self.set_font(TEXT_FONT, "", 9)

    def set_font(self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0) -> None:  # type: ignore[override]
        """Any family but the headings' prints in Work Sans: a core font would print "?" for "—" or "≥"."""
        chosen = HEADING_FONT if family and family.lower() == HEADING_FONT.lower() else TEXT_FONT
        letters = (style if isinstance(style, str) else style.style).upper()
        wanted = "".join(letter for letter in "BI" if letter in letters)
        if chosen == HEADING_FONT:
            wanted = wanted.replace("I", "")
        super().set_font(chosen, wanted + ("U" if "U" in letters else ""), size)

    def header(self) -> None:
        self.set_text_color(*HEADER_TEXT)
        self.set_fill_color(255, 255, 255)
        self.set_draw_color(*FRAME)
        self.set_line_width(0.2)
        top = self.t_margin
        self.set_y(top)
        meta_left = self.w - self.r_margin - _META_WIDTH
        title_left = self.l_margin + _LOGO_WIDTH + 2
        self.set_x(title_left)
        self.set_font(HEADING_FONT, "B", 9.5)
        self.multi_cell(meta_left - title_left, 5, pdf_text(f"{self.entity}\n{self.office}\n{self.doc_title}"), border=1)
        bottom = self.get_y()
        self.image(str(self.logo), x=self.l_margin, y=top, w=_LOGO_WIDTH, h=bottom - top, keep_aspect_ratio=True)
        self.set_font(TEXT_FONT, "", 8)
        rows = [
            f"Código: {self.code}",
            f"Versión: {self.version}",
            f"Fecha: {self.date_text}",
            f"Página {self.page_no()} de {{nb}}",
        ]
        height = (bottom - top) / len(rows)
        self.set_y(top)
        for row in rows:
            self.set_x(meta_left)
            self.cell(_META_WIDTH, height, pdf_text(row), border=1, new_x="LMARGIN", new_y="NEXT")
        self.set_y(max(bottom, self.get_y(), top + _LOGO_WIDTH) + 4)
        self.set_font(TEXT_FONT, "", 9)

    def section(self, title: str) -> None:
        if self.get_y() > self.page_break_trigger - 20:
            self.add_page()
        self.set_font(HEADING_FONT, "B", 10)
        self.set_text_color(*HEADER_TEXT)
        self.set_fill_color(230, 238, 249)
        self.cell(0, 7, pdf_text(title), border=0, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def row(self, label: str, value: object) -> None:
        self.set_font(TEXT_FONT, "B", 9)
        self.cell(55, 6, pdf_text(label))
        self.set_font(TEXT_FONT, "", 9)
        self.multi_cell(0, 6, field_text(value), new_x="LMARGIN", new_y="NEXT")

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
        *,
        size: float = 8,
        min_height: float | None = None,
    ) -> None:
        """A table whose headings and cells wrap (never cut) and whose headings repeat on a new page."""
        self.set_font(TEXT_FONT, "", size)
        self.set_text_color(*HEADER_TEXT)
        with self.table(
            col_widths=tuple(widths),
            width=min(sum(widths), self.epw),
            align="LEFT",
            text_align="LEFT",
            line_height=4.5,
            headings_style=TABLE_HEADINGS,
            padding=1,
        ) as table:
            table.row([pdf_text(h) for h in headings])
            for values in rows:
                table.row([pdf_text(v) for v in values], min_height=min_height)
        self.ln(3)
