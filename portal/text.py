"""Text typed by people, as the services keep it."""

from __future__ import annotations


def optional_text(value: str | None) -> str | None:
    """The text without surrounding blanks, or None when nothing is left."""
    value = (value or "").strip()
    return value or None
