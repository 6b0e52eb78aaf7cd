"""Filters read from a list's query string: what does not parse filters nothing."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from portal.listing import MAX_SEARCH, date_arg, enum_arg, int_arg, search_arg
from tickets.models import RequestState


def test_values_that_parse_are_read() -> None:
    args = MultiDict({"estado": "radicada", "dependencia": "12", "desde": "2026-07-31", "q": "  sol-2026  "})
    assert enum_arg(args, "estado", RequestState) is RequestState.RADICADA
    assert int_arg(args, "dependencia") == 12
    assert date_arg(args, "desde") == date(2026, 7, 31)
    assert search_arg(args) == "sol-2026"


def test_missing_or_broken_values_filter_nothing() -> None:
    args = MultiDict({"estado": "perdida", "dependencia": "-3", "desde": "31/07/2026", "q": "   ", "vacio": ""})
    assert enum_arg(args, "estado", RequestState) is None
    assert enum_arg(args, "vacio", RequestState) is None
    assert int_arg(args, "dependencia") is None
    assert int_arg(args, "falta") is None
    assert date_arg(args, "desde") is None
    assert date_arg(args, "vacio") is None
    assert search_arg(args) is None


def test_a_long_search_is_cut() -> None:
    assert search_arg(MultiDict({"q": "x" * 500})) == "x" * MAX_SEARCH
