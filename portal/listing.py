"""What the portal's lists share: filters read from the query string, and one page of results.

A filter that is missing or does not parse (a stale or hand-edited link) filters nothing; it is
never an error. The page links are ``macros/pagination.html``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func, select

from portal.extensions import db

E = TypeVar("E", bound=Enum)

#: the longest text search a list accepts, in characters
MAX_SEARCH = 100
#: a list counts its rows up to this many; past it, it says "más de 1.000" (an exact count would
#: read every matching row on every page)
COUNT_LIMIT = 1000


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


class BoundedPagination(SelectPagination):
    """A page of a list whose count stops at ``COUNT_LIMIT + 1`` rows.

    Counting a whole filtered set costs as much as reading it, on every page; past
    ``COUNT_LIMIT`` the page says "más de 1.000" and offers the next page while it is full. The
    count is skipped when the page itself shows where the list ends. A select of several columns
    pages rows, not only its first entity.
    """

    def _query_items(self) -> list[Any]:
        query = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        result = self._query_args["session"].execute(query).unique()
        return list(result.all() if len(query.column_descriptions) > 1 else result.scalars())

    def _query_count(self) -> int:
        if 0 < len(self.items) < self.per_page or (self.page == 1 and not self.items):
            return self._query_offset + len(self.items)
        query = self._query_args["select"]
        bounded = query.with_only_columns(query.selected_columns[0]).order_by(None).limit(COUNT_LIMIT + 1).subquery()
        return int(self._query_args["session"].execute(select(func.count()).select_from(bounded)).scalar_one())

    @property
    def is_exact(self) -> bool:
        """Whether ``total`` is the number of rows, not only "more than ``COUNT_LIMIT``"."""
        return (self.total or 0) <= COUNT_LIMIT

    @property
    def has_next(self) -> bool:
        return super().has_next if self.is_exact else len(self.items) == self.per_page

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def paginate(query: Select[Any], *, per_page: int, page: int | None = None) -> BoundedPagination:
    """One page of ``query``, its number from ``?page=``; a page past the end is empty, not a 404.

    Costs the page's query and at most one count bounded by ``COUNT_LIMIT``.
    """
    return BoundedPagination(select=query, session=db.session(), page=page, per_page=per_page, max_per_page=None, error_out=False)
