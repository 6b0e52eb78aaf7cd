"""Where a redirect may go when the target comes from the client (``next``, the Referer).

Only a path of this site: it starts with exactly one ``/``, has no scheme, host, backslash or
control character. ``//evil.example``, ``/\\evil.example``, ``https://evil.example`` and
``javascript:`` all fall back to the given default.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None, default: str | None = None) -> str | None:
    """``target`` if it is a same-origin path, else ``default``."""
    if not target or len(target) > 2000:
        return default
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def safe_referrer(default: str) -> str:
    """The Referer's path and query when it is this site's own page, else ``default``."""
    ref = request.referrer
    if not ref:
        return default
    parts = urlsplit(ref)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return default
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path, default) or default
