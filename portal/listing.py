"""What the portal's lists share: filters read from the query string, and one page of results.

A filter that is missing or does not parse (a stale or hand-edited link) filters nothing; it is
never an error. The page links are ``macros/pagination.html``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from portal.extensions import db

E = TypeVar("E", bound=Enum)

#: the longest text search a list accepts, in characters
MAX_SEARCH = 100


def enum_arg(args: Mapping[str, str], name: str, enum: type[E]) -> E | None:
    """The member of ``enum`` whose value is ``?<name>=``."""
    raw = args.get(name) or None
    try:
        return enum(raw) if raw else None
    except ValueError:
        return None


def int_arg(args: Mapping[str, str], name: str) -> int | None:
    """``?<name>=`` as a whole number (an id)."""
    raw = args.get(name, "")
    return int(raw) if raw.isdigit() else None


def date_arg(args: Mapping[str, str], name: str) -> date | None:
    """``?<name>=`` as an ISO date (``2026-07-31``)."""
    raw = args.get(name)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def search_arg(args: Mapping[str, str], name: str = "q") -> str | None:
    """The text to search for, trimmed and at most ``MAX_SEARCH`` characters."""
    return (args.get(name) or "").strip()[:MAX_SEARCH] or None


def paginate(query: Select[Any], *, per_page: int) -> Pagination:
    """One page of ``query``, its number from ``?page=``; a page past the end is empty, not a 404."""
    return db.paginate(query, per_page=per_page, error_out=False)
