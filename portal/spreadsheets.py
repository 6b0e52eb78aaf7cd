"""Every XLSX and CSV the portal writes goes out through here, neutralising formula injection.

A spreadsheet evaluates a cell that starts with ``=`` (openpyxl even stores such a string as a
live formula), and on editing or CSV import also one that starts with ``+``, ``-``, ``@``, a tab
or a carriage return. Titles, names and responsibles typed by people reach our exports, so:

- XLSX (``workbook_bytes``): such a cell is written explicitly as text, with Excel's
  "quote prefix" style: the value stays verbatim and is never evaluated, even when edited.
- CSV (``csv_writer``): a CSV has no types, so such a value gets a leading apostrophe (OWASP's
  advice), which spreadsheet programs show as text.

Numbers are written as numbers and never touched; the portal writes no formulas of its own.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """The value for a CSV cell: text that a spreadsheet would evaluate gets a leading ``'``."""
    return "'" + value if is_formula_like(value) else value


def workbook_bytes(workbook: Workbook) -> bytes:
    """Save ``workbook`` to bytes, with every formula-like text cell written as plain text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised first."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **kwargs)
