"""Spanish (es_CO) by default, with Babel formats for dates, times and pesos (SPEC §8)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale


def select_locale() -> str:
    """Always es_CO for now; an English catalogue under ``translations/`` can follow (SPEC §8)."""
    return "es_CO"


def pesos(amount: int | float | Decimal | None) -> str:
    """Whole Colombian pesos: ``$1.234.567``."""
    if amount is None:
        return ""
    text = format_currency(Decimal(amount), "COP", format="¤#,##0", locale=str(get_locale() or "es_CO"), currency_digits=False)
    return text.replace("\xa0", "")


def register_formatters(app: Flask) -> None:
    def fecha(value: date | datetime | None) -> str:
        return format_date(value, "dd/MM/yyyy") if value else ""

    def fecha_hora(value: datetime | None) -> str:
        return format_datetime(value, "dd/MM/yyyy h:mm a") if value else ""

    def hora(value: datetime | None) -> str:
        return format_datetime(value, "h:mm a") if value else ""

    app.jinja_env.filters["fecha"] = fecha
    app.jinja_env.filters["hora"] = hora
    app.jinja_env.filters["fecha_hora"] = fecha_hora
    app.jinja_env.filters["pesos"] = pesos
