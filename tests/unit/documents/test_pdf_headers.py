"""Every PDF the portal prints: the institutional header in a dark colour on every page (a page break
inside a table must not leave the table's white heading colour on the next header), and no character
replaced by "?" (a sign the font could not print)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from tests.unit.tickets.factories import build_request
from tickets.models import RequestState


def page_pieces(page: Any) -> list[tuple[str, tuple[float, ...]]]:
    """Each piece of text of a page with the fill colour it is painted in (RGB 0–1)."""
    colour: list[tuple[float, ...]] = [(0.0, 0.0, 0.0)]
    pieces: list[tuple[str, tuple[float, ...]]] = []

    def operand(op: bytes, args: list[Any], *_: Any) -> None:
        if op == b"rg":
            colour[0] = tuple(float(a) for a in args)
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


def page_texts_with_colour(data: bytes) -> list[list[tuple[str, tuple[float, ...]]]]:
    return [page_pieces(page) for page in PdfReader(BytesIO(data)).pages]


def is_dark(colour: tuple[float, ...]) -> bool:
    red, green, blue = colour[:3]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.35


def check_pdf(data: bytes, header_word: str = "Código") -> int:
    pages = page_texts_with_colour(data)
    assert pages, "no pages"
    for number, pieces in enumerate(pages, start=1):
        header = [(text, colour) for text, colour in pieces if header_word in text]
        assert header, f"page {number} has no header ({header_word})"
        assert all(is_dark(colour) for _, colour in header), f"page {number}: header colour {header}"
        everything = "".join(text for text, _ in pieces)
        assert everything.count("?") == everything.count("¿"), f"page {number}: a character printed as '?'"
    return len(pages)


def test_the_check_sees_a_white_header() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(0, 10, "Código: X")
    with pytest.raises(AssertionError, match="header colour"):
        check_pdf(bytes(pdf.output()))


def test_the_request_form_prints_a_dark_header(app: Flask) -> None:
    from tests.unit.tickets.factories import fetch
    from tickets.pdf import render_request_pdf
    from tickets.services.decisions import request_steps

    with app.app_context():
        from portal.extensions import db

        request = fetch(build_request(state=RequestState.EN_APROBACION))
        data = render_request_pdf(request, request_steps(db.session, request, current_round_only=False), app.config["PROFILE"])
    check_pdf(data)


@pytest.mark.parametrize(
    "args",
    [
        ["report", "ans", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "pdf"],
        ["report", "mesa", "--year", "2026", "--period", "1", "--format", "pdf"],
        ["gd", "report", "indicators", "--format", "pdf"],
        ["gd", "report", "risk-map", "--format", "pdf"],
        ["gd", "report", "supervision", "--format", "pdf", "--from", "2026-01-01", "--to", "2026-12-31"],
    ],
    ids=["ans", "mesa", "gd-indicators", "gd-risk-map", "gd-supervision"],
)
def test_reports_print_a_dark_header_on_every_page(app: Flask, tmp_path: Path, args: list[str]) -> None:
    output = tmp_path / "out.pdf"
    result = app.test_cli_runner().invoke(args=[*args, "--output", str(output)])
    assert result.exit_code == 0, result.output
    check_pdf(output.read_bytes())
