"""Every PDF the portal prints (FO forms, ANS report, acta, attendance sheet, mayor's report, Gobierno
Digital documents): embedded Unicode fonts, the institutional header in a dark colour on every page
(a page break inside a table must not leave the table's white heading colour on the next header),
the entity's logo, and no character replaced by "?" (Spanish letters and "—" come out as written).

The cases are found, not listed by hand alone: every function of the code base that outputs a PDF
must have a case here, and no module builds an ``FPDF`` of its own outside ``portal.pdf``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("portal", "tickets", "sla", "committee", "catalog", "enlaces", "gobierno_digital")
#: the header of every page, as printed (Valle's profile): accents must survive
HEADER = ("Gobernación del Valle del Cauca", "Secretaría de las TIC", "Código:", "Versión:", "Página")
#: PDFs outside the institutional page, and why: the demo's stand-in for a scanned, signed act
NOT_INSTITUTIONAL = {("portal/demo.py", "demo_act_pdf")}


# ---------------------------------------------------------------- reading a PDF


def page_pieces(page: Any, painted: set[tuple[int, ...]] | None = None) -> list[tuple[str, tuple[float, ...]]]:
    """Each piece of text of a page with the fill colour it is painted in (RGB 0–1); ``painted``
    collects every fill colour the page sets (RGB 0–255)."""
    colour: list[tuple[float, ...]] = [(0.0, 0.0, 0.0)]
    pieces: list[tuple[str, tuple[float, ...]]] = []

    def operand(op: bytes, args: list[Any], *_: Any) -> None:
        if op == b"rg":
            colour[0] = tuple(float(a) for a in args)
            if painted is not None:
                painted.add(tuple(round(float(a) * 255) for a in args))
        elif op == b"g":
            colour[0] = (float(args[0]),) * 3
        elif op == b"k":
            c, m, y, k = (float(a) for a in args)
            colour[0] = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))

    def text(value: str, *_: Any) -> None:
        if value.strip():
            pieces.append((value, colour[0]))

    page.extract_text(visitor_operand_before=operand, visitor_text=text)
    return pieces


def is_dark(colour: tuple[float, ...]) -> bool:
    red, green, blue = colour[:3]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.35


def fonts_of(page: Any) -> dict[str, Any]:
    resources = page.get("/Resources") or {}
    return {name: font.get_object() for name, font in (resources.get("/Font") or {}).items()}


def is_embedded(font: Any) -> bool:
    descendants = font.get("/DescendantFonts")
    descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    return any(key in descriptor for key in ("/FontFile2", "/FontFile3", "/FontFile"))


def logo_colours() -> set[tuple[int, ...]]:
    """The colours of Valle's logo (an SVG drawn as paths), but white: a page that paints them shows the logo."""
    svg = (ROOT / "portal/static/img/logo-valle.svg").read_text(encoding="utf-8")
    colours = {tuple(int(h[i : i + 2], 16) for i in (0, 2, 4)) for h in re.findall(r'fill="#([0-9a-fA-F]{6})"', svg)}
    assert colours, "the logo has no colour to look for"
    return colours


def check_pdf(data: bytes, expected: tuple[str, ...] = ()) -> str:
    """Assert what every PDF of the portal must be; return its whole text (wrapped lines joined)."""
    reader = PdfReader(BytesIO(data))
    assert reader.pages, "no pages"
    texts = []
    logo = logo_colours()
    for number, page in enumerate(reader.pages, start=1):
        painted: set[tuple[int, ...]] = set()
        pieces = page_pieces(page, painted)
        header = [(text, colour) for text, colour in pieces if "Código" in text]
        assert header, f"page {number} has no header (Código)"
        assert all(is_dark(colour) for _, colour in header), f"page {number}: header colour {header}"
        fonts = fonts_of(page)
        assert fonts, f"page {number}: no fonts"
        assert all(is_embedded(font) for font in fonts.values()), f"page {number}: a font is not embedded: {fonts}"
        assert logo <= painted, f"page {number}: no logo"
        text = " ".join(page.extract_text().split())
        assert text.count("?") == text.count("¿"), f"page {number}: a character printed as '?'"
        for word in HEADER:
            assert word in text, f"page {number}: header lacks {word!r}"
        texts.append(text)
    whole = " ".join(texts)
    for sentence in expected:
        assert sentence in whole, f"{sentence!r} not printed as written"
    return whole


def test_the_check_sees_a_white_header_and_a_core_font() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(0, 10, "Código: X")
    with pytest.raises(AssertionError, match="header colour"):
        check_pdf(bytes(pdf.output()))
    core = FPDF()
    core.add_page()
    core.set_font("Helvetica", size=10)
    core.cell(0, 10, "Código: X")
    with pytest.raises(AssertionError, match="not embedded"):
        check_pdf(bytes(core.output()))


# ---------------------------------------------------------------- every PDF, built


def fo_form(app: Flask, tmp_path: Path) -> tuple[bytes, tuple[str, ...]]:
    from portal.extensions import db
    from tests.unit.tickets.factories import build_request, fetch
    from tickets.models import RequestState
    from tickets.pdf import render_request_pdf
    from tickets.services.decisions import request_steps

    request = fetch(build_request(state=RequestState.EN_APROBACION, beneficiary_name="María José Ñáñez Peña"))
    # fields left empty (an old request, a blank typed): the form prints "—" for each, never a blank
    request.beneficiary_position = "  "
    request.justification = ""
    data = render_request_pdf(request, request_steps(db.session, request, current_round_only=False), app.config["PROFILE"])
    db.session.rollback()
    # the pending step has no signer yet: "—", never "?" nor a blank
    return data, ("María José Ñáñez Peña", "Cargo —", "Justificación —", "Firmó", "Pendiente —")


def cli_report(*args: str, expected: tuple[str, ...] = ()) -> Callable[[Flask, Path], tuple[bytes, tuple[str, ...]]]:
    def build(app: Flask, tmp_path: Path) -> tuple[bytes, tuple[str, ...]]:
        output = tmp_path / "out.pdf"
        result = app.test_cli_runner().invoke(args=[*args, "--output", str(output)])
        assert result.exit_code == 0, result.output
        return output.read_bytes(), expected

    return build


def acta(app: Flask, tmp_path: Path) -> tuple[bytes, tuple[str, ...]]:
    from committee.actas import services as actas
    from config.profiles import VALLE
    from portal.extensions import db
    from tests.unit.committee.acta_factories import close, held_session

    acta_id = close(held_session(date(2026, 3, 20)))
    page = actas.acta_page(db.session, acta_id)
    assert page is not None
    data, _ = actas.render_version(page, 1, "pdf", profile=VALLE)
    return data, ("BORRADOR", "quórum")


def attendance(app: Flask, tmp_path: Path) -> tuple[bytes, tuple[str, ...]]:
    from committee.documents import render_attendance_pdf
    from config.profiles import VALLE
    from portal.extensions import db
    from tests.unit.committee.acta_factories import held_session, session_row

    held = held_session(date(2026, 3, 20))
    return render_attendance_pdf(db.session, session_row(held.session_id), profile=VALLE), ("Ana Invitada",)


BUILDERS: dict[str, Callable[[Flask, Path], tuple[bytes, tuple[str, ...]]]] = {
    "fo-form": fo_form,
    "ans": cli_report(
        "report",
        "ans",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "pdf",
        expected=("Solicitudes abiertas por antigüedad",),
    ),
    "mayor": cli_report("report", "mesa", "--year", "2026", "--period", "1", "--format", "pdf"),
    "gd-indicators": cli_report("gd", "report", "indicators", "--format", "pdf"),
    "gd-risk-map": cli_report("gd", "report", "risk-map", "--format", "pdf"),
    "gd-supervision": cli_report("gd", "report", "supervision", "--format", "pdf", "--from", "2026-01-01", "--to", "2026-12-31"),
    "acta": acta,
    "attendance": attendance,
}
#: each function of the code base that outputs a PDF → the case that builds it
PDF_FUNCTIONS = {
    ("tickets/pdf.py", "render_request_pdf"): "fo-form",
    ("sla/exports.py", "report_pdf"): "ans",
    ("committee/reports/pdf.py", "render_mayor_report_pdf"): "mayor",
    ("gobierno_digital/indicators/exports.py", "indicators_pdf"): "gd-indicators",
    ("gobierno_digital/risks/document.py", "risk_map_pdf"): "gd-risk-map",
    ("gobierno_digital/supervision/report.py", "supervision_pdf"): "gd-supervision",
    ("committee/documents/acta_pdf.py", "render_acta_pdf"): "acta",
    ("committee/documents/attendance.py", "render_attendance_pdf"): "attendance",
}


@pytest.mark.parametrize("case", sorted(BUILDERS))
def test_every_pdf_prints_fonts_logo_and_a_dark_header_on_every_page(app: Flask, tmp_path: Path, case: str) -> None:
    with app.app_context():
        data, expected = BUILDERS[case](app, tmp_path)
    check_pdf(data, expected)


# ---------------------------------------------------------------- finding them all


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found.append((path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))))
    return found


def pdf_functions() -> set[tuple[str, str]]:
    """Functions that return ``pdf.output()``: every document the portal prints."""
    found = set()
    for name, module in _modules():
        for node in ast.walk(module):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
                if any(call.func.attr == "output" and not call.args for call in calls):  # type: ignore[attr-defined]
                    found.add((name, node.name))
    return found


def test_every_pdf_of_the_code_base_has_a_case() -> None:
    found = pdf_functions() - NOT_INSTITUTIONAL
    assert found, "the search found no PDF at all"
    assert found == set(PDF_FUNCTIONS), "a PDF without a case here (or a case for a PDF that is gone)"
    assert set(PDF_FUNCTIONS.values()) == set(BUILDERS)


def test_only_the_institutional_page_builds_an_fpdf() -> None:
    """So no PDF can forget the fonts, the header colours or the logo."""
    builders = set()
    for name, module in _modules():
        for node in ast.walk(module):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "FPDF":
                builders.add(name)
            if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id == "FPDF" for b in node.bases):
                builders.add(name)
    assert builders == {"portal/pdf.py"} | {name for name, _ in NOT_INSTITUTIONAL}


def test_a_table_cut_by_a_page_break_leaves_the_next_header_dark(app: Flask) -> None:
    from config.profiles import VALLE
    from portal.pdf import InstitutionalPdf

    pdf = InstitutionalPdf(profile=VALLE, title="PRUEBA", code="FO-X", version="01", date_text="01/01/2026")
    pdf.add_page()
    pdf.grid(["Número de la solicitud", "Justificación del aprobador"], [[str(n), "—"] for n in range(120)], [40, 60])
    data = bytes(pdf.output())
    text = check_pdf(data, ("Número de la solicitud", "Justificación del aprobador"))
    assert len(PdfReader(BytesIO(data)).pages) > 1
    assert "Página 2 de" in text
