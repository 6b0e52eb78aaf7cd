"""Files sent to the browser: one ``Content-Disposition`` for every download (RFC 6266).

A name outside Latin-1 ("Resolución 012 – Ελλάδα.pdf", an emoji) cannot travel in a plain HTTP
header: servers fail writing it and the download hangs. The header carries an ASCII fallback
in ``filename`` and the real name, UTF-8 percent-encoded, in ``filename*`` (RFC 5987/8187).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response

_UNSAFE = '"\\/;%'


def _clean(filename: str) -> str:
    name = "".join(c for c in filename if c.isprintable() and c not in '"\\/')
    return name.strip()[:200] or "archivo"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    kind = "inline" if inline else "attachment"
    name = _clean(filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c for c in fallback if c not in _UNSAFE).strip() or "archivo"
    if fallback == name:
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_stored_file(content: bytes | str, filename: str, mimetype: str, *, inline: bool = False) -> Response:
    """A response carrying ``content`` as a download named ``filename``. An attachment (a file
    someone uploaded, an export) is also sandboxed, in case a browser renders it anyway."""
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not inline:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
