"""What the portal's lists share: filters read from the query string, and one page of results.

A filter that is missing or does not parse (a stale or hand-edited link) filters nothing; it is
never an error. The page links are ``macros/pagination.html``. The API's lists page by keyset
(``keyset_page``): a cursor names the last row read, so a deep page costs what the first does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, tuple_

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


#: the longest ``?after=`` cursor a list accepts, in characters
MAX_CURSOR = 200


@dataclass(frozen=True)
class KeysetOrder:
    """A list's order for keyset pagination: one sort column, then a unique id that breaks ties.

    A nullable sort column puts its NULLs last. ``parse`` turns the column's value, as the cursor
    stores it (an ISO date-time, an enum's value, a string), back into a value to compare with.
    """

    name: str
    column: Any
    descending: bool
    nullable: bool
    id_column: Any
    id_descending: bool
    parse: Callable[[str], Any] = str

    def order_by(self) -> tuple[Any, ...]:
        column = self.column.desc() if self.descending else self.column.asc()
        return (
            column.nulls_last() if self.nullable else column,
            self.id_column.desc() if self.id_descending else self.id_column.asc(),
        )

    def encode(self, row: Any) -> str:
        value = getattr(row, self.column.key)
        stored = value.isoformat() if isinstance(value, datetime) else getattr(value, "value", value)
        raw = json.dumps([self.name, stored, getattr(row, self.id_column.key)], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[Any, int] | None:
        """The (sort value, id) a cursor of this order holds; None when it is not one (a cursor of
        another sort, a hand-edited one)."""
        try:
            name, value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            if name != self.name or type(row_id) is not int or not 0 < row_id < 2**63:
                return None
            if value is None:
                return (None, row_id) if self.nullable else None
            return (self.parse(value), row_id) if isinstance(value, str) else None
        except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
            return None

    def _after(self, value: Any, row_id: int) -> ColumnElement[bool]:
        """Rows after (value, id) whose sort column is not NULL (``value`` is not None)."""
        if self.descending == self.id_descending:  # a row comparison: an index range in PostgreSQL
            pair = tuple_(self.column, self.id_column)
            at = tuple_(literal(value, self.column.type), literal(row_id, self.id_column.type))
            return pair < at if self.descending else pair > at
        beyond = self.column < value if self.descending else self.column > value
        tie = self.id_column < row_id if self.id_descending else self.id_column > row_id
        return or_(beyond, and_(self.column == value, tie))


@dataclass
class KeysetPage:
    """One page of a list read by keyset: the rows after the cursor, and the next page's cursor."""

    items: list[Any]
    next_cursor: str | None


def keyset_page(query: Select[Any], order: KeysetOrder, *, per_page: int, after: tuple[Any, int] | None) -> KeysetPage:
    """The ``per_page`` rows of ``query`` after the decoded cursor ``after`` (from the start when
    None), in ``order``: each page reads its rows from where the last one ended, whatever its depth.

    Costs one query, or two on the page where a nullable sort column's NULLs begin.
    """
    session = db.session()
    ordered = query.order_by(None).order_by(*order.order_by())

    def read(where: Any, limit: int) -> list[Any]:
        return list(session.execute(ordered.where(where).limit(limit)).unique().scalars())

    wanted = per_page + 1
    if after is None:
        rows = list(session.execute(ordered.limit(wanted)).unique().scalars())
    elif after[0] is None:  # already among the NULLs: they are in id order
        tie = order.id_column < after[1] if order.id_descending else order.id_column > after[1]
        rows = read(and_(order.column.is_(None), tie), wanted)
    else:
        rows = read(order._after(*after), wanted)
        if order.nullable and len(rows) < wanted:
            rows += read(order.column.is_(None), wanted - len(rows))
    items = rows[:per_page]
    return KeysetPage(items, order.encode(items[-1]) if len(rows) > per_page else None)
