"""Uploaded documents: checked by their content (not their name), at most 10 MB, hashed.

A PDF is one only if it starts with ``%PDF-`` and pypdf parses it; one that carries active
content (``/JavaScript``, ``/JS``, ``/Launch``, ``/EmbeddedFile(s)``) is refused, looked for
both in the raw bytes and in every object pypdf resolves (names written with ``#xx`` escapes or
inside compressed object streams included).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import warnings
from dataclasses import dataclass
from typing import Any

from portal.errors import ValidationFailed

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

#: magic bytes -> (content type, what we call it)
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class TooLarge(ValidationFailed):
    status = 413
    title = "Archivo demasiado grande"


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


#: PDF names that run or carry something: refused in uploaded PDFs.
ACTIVE_PDF_NAMES = frozenset({"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"})
_ACTIVE_RAW = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?)(?![A-Za-z0-9])")
#: Objects visited at most when looking for active content (a 10 MB PDF has far fewer).
_MAX_PDF_OBJECTS = 200_000


def sniff(content: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if content.startswith(magic):
            return content_type
    return None


def _pdf_problem(content: bytes) -> str | None:
    """None for a parseable PDF without active content, else what is wrong with it."""
    if _ACTIVE_RAW.search(content):
        return "active"
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            stack: list[Any] = [reader.trailer]
            seen: set[tuple[int, int]] = set()
            visited = 0
            while stack and visited < _MAX_PDF_OBJECTS:
                item = stack.pop()
                visited += 1
                if isinstance(item, IndirectObject):
                    ref = (item.idnum, item.generation)
                    if ref in seen:
                        continue
                    seen.add(ref)
                    item = item.get_object()
                if isinstance(item, dict):
                    for key, value in item.items():
                        if str(key) in ACTIVE_PDF_NAMES or (str(key) == "/S" and str(value) in ACTIVE_PDF_NAMES):
                            return "active"
                        stack.append(value)
                elif isinstance(item, list):
                    stack.extend(item)
            if "/Root" not in reader.trailer:
                return "unparseable"
    except Exception:  # noqa: BLE001 - any parser failure means "not a PDF we accept"
        return "unparseable"
    return None


def check_upload(filename: str, content: bytes, *, allowed: frozenset[str] = frozenset({"application/pdf"})) -> CheckedFile:
    """Accept the file only if its bytes are one of ``allowed`` types and it fits in 10 MB."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise TooLarge("El archivo supera el tamaño máximo permitido (10 MB).", fields={"file": ["Máximo 10 MB."]})
    if not content:
        raise ValidationFailed("El archivo está vacío.", fields={"file": ["Archivo vacío."]})
    content_type = sniff(content)
    if content_type == "application/pdf" and content_type in allowed:
        problem = _pdf_problem(content)
        if problem == "active":
            raise ValidationFailed(
                "El PDF contiene contenido activo (JavaScript, acciones de ejecución o archivos incrustados) y no se acepta.",
                fields={"file": ["PDF con contenido activo."]},
            )
        if problem is not None:
            content_type = None
    if content_type not in allowed:
        names = ", ".join(sorted({"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}[t] for t in allowed))
        raise ValidationFailed(
            f"El archivo no es un documento válido: por su contenido no es {names}.",
            fields={"file": [f"Se acepta {names}."]},
        )
    safe_name = "".join(c for c in filename.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())[:200] or "documento"
    return CheckedFile(safe_name, content_type, content, hashlib.sha256(content).hexdigest())
