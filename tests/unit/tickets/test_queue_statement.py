"""The queue's statement is built once a day, not on every page (issue 16): building its decider
columns (aliased users and assignments for every step kind) cost more CPU than the rest of the page."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tickets import queries
from tickets.models import AccessRequest, StepKind


def test_the_queue_columns_are_built_once_a_day(monkeypatch):
    built: list[tuple[StepKind, date]] = []
    real = queries._deciders_sql

    def counted(kind: StepKind, today: date) -> Any:
        built.append((kind, today))
        return real(kind, today)

    monkeypatch.setattr(queries, "_deciders_sql", counted)
    queries._queue_columns.cache_clear()
    try:
        monday, tuesday = date(2026, 3, 16), date(2026, 3, 17)
        first = queries.queue_rows(select(AccessRequest), monday)
        second = queries.queue_rows(select(AccessRequest).where(AccessRequest.id > 5), monday)
        assert len(built) == len(StepKind)
        assert str(first).count("coalesce") == str(second).count("coalesce") == len(StepKind)
        queries.queue_rows(select(AccessRequest), tuesday)  # delegations depend on the day
        assert [day for _kind, day in built].count(tuesday) == len(StepKind)
    finally:
        queries._queue_columns.cache_clear()
