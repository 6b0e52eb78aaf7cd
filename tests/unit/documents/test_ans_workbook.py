"""The ANS workbook: every table sheet keeps its heading row in view and carries autofilters."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from openpyxl import load_workbook


def test_every_table_sheet_freezes_its_heading_and_filters(app: Flask, tmp_path: Path) -> None:
    output = tmp_path / "ans.xlsx"
    args = ["report", "ans", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "xlsx", "--output", str(output)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output

    workbook = load_workbook(output)
    tables = [sheet for sheet in workbook.worksheets if sheet.title != "Resumen"]
    assert len(tables) >= 4
    for sheet in tables:
        assert sheet.freeze_panes is not None, sheet.title
        header_row = int(sheet.freeze_panes[1:]) - 1
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith(f"A{header_row}:"), sheet.title
        assert sheet.cell(row=header_row, column=1).value, sheet.title
