"""Uploaded documents: checked by their content (not their name), at most 10 MB, hashed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

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


def sniff(content: bytes) -> str | None:
    head = content[:1024]
    for magic, content_type in SIGNATURES:
        if content_type == "application/pdf":
            if magic in head:  # PDF allows a little junk before the header
                return content_type
        elif head.startswith(magic):
            return content_type
    return None


def check_upload(filename: str, content: bytes, *, allowed: frozenset[str] = frozenset({"application/pdf"})) -> CheckedFile:
    """Accept the file only if its bytes are one of ``allowed`` types and it fits in 10 MB."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise TooLarge("El archivo supera el tamaño máximo permitido (10 MB).", fields={"file": ["Máximo 10 MB."]})
    if not content:
        raise ValidationFailed("El archivo está vacío.", fields={"file": ["Archivo vacío."]})
    content_type = sniff(content)
    if content_type not in allowed:
        names = ", ".join(sorted({"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}[t] for t in allowed))
        raise ValidationFailed(
            f"El archivo no es un documento válido: por su contenido no es {names}.",
            fields={"file": [f"Se acepta {names}."]},
        )
    safe_name = "".join(c for c in filename.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())[:200] or "documento"
    return CheckedFile(safe_name, content_type, content, hashlib.sha256(content).hexdigest())
