"""What every committee document shares: the Código in its header, dates and times as printed, the
quorum line and the institutional PDF page (``CommitteePdf``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from babel.dates import format_date

from config.profiles import Profile
from portal.clock import BOGOTA
from portal.pdf import TEXT_FONT, InstitutionalPdf, pdf_text

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


def quorum_text(voting_members: int, present_voting: int) -> str:
    """The quorum rule (SPEC §6): more than half of the voting members present."""
    required = voting_members // 2 + 1
    verdict = "Hay quórum para deliberar y decidir" if present_voting >= required else "No hay quórum: no se delibera ni se vota"
    return (
        f"Integrantes con voto presentes: {present_voting} de {voting_members} "
        f"(se requieren al menos {required}, más de la mitad). {verdict}."
    )


# ---------------------------------------------------------------- PDF


class CommitteePdf(InstitutionalPdf):
    """The institutional page (``portal.pdf``) with a ``BORRADOR`` mark on every page of a draft."""

    def __init__(self, *, profile: Profile, draft: bool = False, **kwargs: str) -> None:
        super().__init__(profile=profile, **kwargs)
        self.is_draft = draft

    def header(self) -> None:
        if self.is_draft:
            with self.local_context(text_color=(225, 225, 225)):
                self.set_font(TEXT_FONT, "B", 80)
                with self.rotation(50, self.w / 2, self.h / 2):
                    width = self.get_string_width(DRAFT_MARK)
                    self.text(self.w / 2 - width / 2, self.h / 2, DRAFT_MARK)
        super().header()

    def paragraph(self, text: str, *, style: str = "", size: float = 9) -> None:
        self.set_font(TEXT_FONT, style, size)
        self.multi_cell(0, 5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")

    def pairs(self, rows: Sequence[tuple[str, str]], label_width: float = 45) -> None:
        for label, value in rows:
            self.set_font(TEXT_FONT, "B", 9)
            self.cell(label_width, 5.5, pdf_text(label))
            self.set_font(TEXT_FONT, "", 9)
            self.multi_cell(0, 5.5, pdf_text(value), new_x="LMARGIN", new_y="NEXT")

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
                self.set_font(TEXT_FONT, "B", 9)
                self.multi_cell(column - 10, 4.5, pdf_text(name), new_x="LEFT", new_y="NEXT")
                self.set_font(TEXT_FONT, "", 8)
                self.multi_cell(column - 10, 4, pdf_text(position), new_x="LEFT", new_y="NEXT")
                bottom = max(bottom, self.get_y())
            self.set_xy(self.l_margin, bottom + 2)
