"""Reading a scores file (XLSX or CSV) row by row: every bad row gets its own error, and a file with
any bad row imports nothing (issue 19). The columns are those of the template (``template.py``)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from gobierno_digital.common import Component, Instrument, fold
from portal.errors import ValidationFailed
from portal.uploads import MAX_UPLOAD_BYTES, TooLarge

#: column key -> the headings accepted for it (folded: no accents, lower case)
COLUMNS: dict[str, tuple[str, ...]] = {
    "vigencia": ("vigencia", "ano", "anio"),
    "instrument": ("instrumento",),
    "component": ("componente", "habilitador", "componente o habilitador", "componente/habilitador", "linea de accion"),
    "code": ("codigo", "cod"),
    "question": ("pregunta", "indicador", "pregunta o indicador", "pregunta/indicador"),
    "score": ("puntaje", "calificacion", "valor"),
    "maximum": ("maximo", "puntaje maximo", "valor maximo"),
}
HEADINGS = ("vigencia", "instrumento", "componente", "codigo", "pregunta", "puntaje", "maximo")
MAX_ROWS = 5000
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class ScoreRow:
    line: int
    vigencia: int
    instrument: Instrument
    component: Component
    code: str
    question: str
    score: float
    maximum: float

    @property
    def key(self) -> tuple[int, Instrument, str]:
        return self.vigencia, self.instrument, self.code.upper()


@dataclass
class ParsedFile:
    filename: str
    sha256: str
    rows: list[ScoreRow] = field(default_factory=list)


class ImportRejected(ValidationFailed):
    """The file has bad rows: ``fields`` names each one (``"fila 7": [...]``); nothing was imported."""

    def __init__(self, errors: dict[int, list[str]], *, general: list[str] | None = None) -> None:
        self.row_errors = errors
        count = len(errors)
        if general:
            message = " ".join(general)
        else:
            message = (
                f"El archivo tiene {count} {'fila' if count == 1 else 'filas'} con errores; no se importó nada. "
                "Corrija las filas señaladas y vuelva a cargar el archivo completo."
            )
        fields = {f"fila {line}": messages for line, messages in sorted(errors.items())}
        if general:
            fields["archivo"] = general
        super().__init__(message, fields=fields)


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw or "").strip().replace(" ", "")
    if not text:
        return None
    if "," in text:  # 85,5 or 1.234,5 (Spanish); never a thousands comma in a score
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _read_xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportRejected({}, general=[f"El archivo no es un libro XLSX válido ({type(exc).__name__})."]) from None
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def _read_csv(content: bytes) -> list[list[Any]]:
    if b"\x00" in content[:4096]:
        raise ImportRejected({}, general=["El archivo no es un CSV de texto ni un libro XLSX."])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _columns(heading_row: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, heading in enumerate(heading_row):
        name = fold(_text(heading))
        for key, accepted in COLUMNS.items():
            if name in accepted and key not in found:
                found[key] = index
    missing = [HEADINGS[list(COLUMNS).index(key)] for key in COLUMNS if key not in found]
    if missing:
        raise ImportRejected(
            {},
            general=[
                "La primera fila debe tener los encabezados de la plantilla. Faltan: " + ", ".join(missing) + ". "
                "Descargue la plantilla del portal."
            ],
        )
    return found


def _row(line: int, values: dict[str, Any]) -> tuple[ScoreRow | None, list[str]]:
    errors: list[str] = []
    vigencia_raw = _number(values["vigencia"])
    vigencia = int(vigencia_raw) if vigencia_raw is not None and vigencia_raw.is_integer() else None
    if vigencia is None or not FIRST_YEAR <= vigencia <= LAST_YEAR:
        errors.append(f"vigencia «{_text(values['vigencia'])}» no es un año entre {FIRST_YEAR} y {LAST_YEAR}")
    instrument = Instrument.parse(_text(values["instrument"]))
    if instrument is None:
        errors.append(f"instrumento «{_text(values['instrument'])}» no es FURAG, ITD, IGA ni Propio")
    component = Component.parse(_text(values["component"]))
    if component is None:
        errors.append(
            f"componente «{_text(values['component'])}» no es un habilitador ni una línea de acción del Decreto 767 de 2022"
        )
    code = _text(values["code"])
    if not code:
        errors.append("falta el código")
    elif len(code) > 40:
        errors.append("el código tiene más de 40 caracteres")
    question = _text(values["question"])
    if not question:
        errors.append("falta la pregunta o indicador")
    elif len(question) > 2000:
        errors.append("la pregunta tiene más de 2000 caracteres")
    score, maximum = _number(values["score"]), _number(values["maximum"])
    if score is None:
        errors.append(f"puntaje «{_text(values['score'])}» no es un número")
    if maximum is None:
        errors.append(f"máximo «{_text(values['maximum'])}» no es un número")
    elif maximum <= 0:
        errors.append("el máximo debe ser mayor que cero")
    if score is not None and maximum is not None and maximum > 0 and not 0 <= score <= maximum:
        errors.append(f"el puntaje {_text(values['score'])} debe estar entre 0 y el máximo {_text(values['maximum'])}")
    if errors:
        return None, errors
    assert vigencia is not None and instrument and component and score is not None and maximum is not None
    return ScoreRow(line, vigencia, instrument, component, code, question, score, maximum), []


def check_table_file(filename: str, content: bytes) -> bytes:
    """At most 10 MB and not empty (the same limits as every upload, ``portal.uploads``)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise TooLarge("El archivo supera el tamaño máximo permitido (10 MB).", fields={"file": ["Máximo 10 MB."]})
    if not content.strip():
        raise ValidationFailed("El archivo está vacío.", fields={"file": ["Archivo vacío."]})
    return content


def parse_scores(filename: str, content: bytes) -> ParsedFile:
    """Every row checked; ``ImportRejected`` naming each bad row (its spreadsheet line) when any is wrong.

    The kind of file is decided by its content: an XLSX is a ZIP package, anything else is read as CSV
    (comma or semicolon separated, UTF-8 or Windows-1252).
    """
    check_table_file(filename, content)
    table = _read_xlsx(content) if content[:4] == b"PK\x03\x04" else _read_csv(content)
    while table and not any(_text(v) for v in table[0]):
        table.pop(0)
    if not table:
        raise ImportRejected({}, general=["El archivo no tiene filas."])
    columns = _columns(table[0])
    parsed = ParsedFile(filename=filename, sha256=hashlib.sha256(content).hexdigest())
    errors: dict[int, list[str]] = {}
    seen: dict[tuple[int, Instrument, str], int] = {}
    for line, raw in enumerate(table[1:], start=2):
        if not any(_text(v) for v in raw):
            continue
        values = {key: raw[index] if index < len(raw) else None for key, index in columns.items()}
        row, row_errors = _row(line, values)
        if row is not None:
            if row.key in seen:
                row_errors.append(
                    f"el código {row.code} de {row.instrument.short} {row.vigencia} ya está en la fila {seen[row.key]}"
                )
            else:
                seen[row.key] = line
                parsed.rows.append(row)
        if row_errors:
            errors[line] = row_errors
        if len(parsed.rows) + len(errors) > MAX_ROWS:
            raise ImportRejected({}, general=[f"El archivo tiene más de {MAX_ROWS} filas."])
    if errors:
        raise ImportRejected(errors)
    if not parsed.rows:
        raise ImportRejected({}, general=["El archivo no tiene filas de calificaciones bajo los encabezados."])
    return parsed
