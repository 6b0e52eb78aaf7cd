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


def long_date(value: date) -> str:
    """A date in prose: "16 de diciembre", with the year only when it is not the current one."""
    from portal.clock import local_date
    from portal.db import utcnow

    pattern = "d 'de' MMMM" if value.year == local_date(utcnow()).year else "d 'de' MMMM 'de' y"
    return format_date(value, pattern)


def when_phrase(instant: datetime, now: datetime) -> str:
    """When something falls due, as a person says it: "hoy 4:00 p. m.", "mañana 8:00 a. m.",
    "el 16 de diciembre"; in Bogotá time."""
    from flask_babel import gettext as _

    from portal.clock import BOGOTA

    local = instant.astimezone(BOGOTA)
    days = (local.date() - now.astimezone(BOGOTA).date()).days
    # CLDR puts a narrow no-break space in "p. m."; the fonts of the documents lack it
    time_text = format_datetime(local, "h:mm a", rebase=False).replace("\u202f", "\xa0")
    if days == 0:
        return _("hoy %(time)s", time=time_text)
    if days == 1:
        return _("mañana %(time)s", time=time_text)
    if days == -1:
        return _("ayer %(time)s", time=time_text)
    return _("el %(date)s", date=long_date(local.date()))


def clock_time(instant: datetime) -> str:
    """A Bogotá time as written in prose: "3:05 p. m.", "9:00 a. m.", and "12:00 m." at noon
    (RAE: "m." for meridiem). Ends in its own period, so a sentence adds none."""
    from portal.clock import BOGOTA

    local = instant.astimezone(BOGOTA)
    if local.hour == 12 and local.minute == 0:
        return "12:00\xa0m."
    # CLDR puts a narrow no-break space in "p. m."; a plain no-break space reads the same everywhere
    return format_datetime(local, "h:mm a", rebase=False).replace("\u202f", "\xa0")


def due_phrase(instant: datetime) -> str:
    """When something falls due, in full: "el lunes 14 de diciembre a las 12:00 m.", "a la
    1:30 p. m." (one o'clock takes "la"); the year only when it is not the current one."""
    from flask_babel import gettext as _

    from portal.clock import BOGOTA, local_date
    from portal.db import utcnow

    local = instant.astimezone(BOGOTA)
    pattern = "EEEE d 'de' MMMM" if local.year == local_date(utcnow()).year else "EEEE d 'de' MMMM 'de' y"
    day = format_date(local.date(), pattern)
    if local.hour % 12 == 1:
        return _("el %(day)s a la %(time)s", day=day, time=clock_time(local))
    return _("el %(day)s a las %(time)s", day=day, time=clock_time(local))
